/**
 * The live-mode cursor (CDN collapsing): the number of 20 s intervals since 2024-10-09T00:00Z as
 * a decimal string; when the client's cursor is at or past the current interval, its value plus
 * a jitter of 1 to 3600 seconds' worth of intervals, so a cursor never repeats or goes back.
 *
 * Rules: PROTOCOL.md STREAM-8.
 *
 * @example
 * responseCursor(undefined, Date.now(), Math.random); // "...", the current interval
 */

/** The cursor epoch: 2024-10-09T00:00:00Z. */
const CURSOR_EPOCH_MS = Date.UTC(2024, 9, 9);
/** One cursor interval. */
const CURSOR_INTERVAL_MS = 20_000;
/** The jitter's bounds, in seconds. */
const CURSOR_JITTER_S_MIN = 1;
const CURSOR_JITTER_S_MAX = 3_600;

/**
 * The cursor to answer, given the client's (`cursor=`, or undefined), the time and a source of
 * randomness in [0, 1).
 *
 * @example
 * responseCursor("99999999", nowMs, () => 0); // "100000000": one interval of jitter at least
 */
export function responseCursor(clientCursor: string | undefined, nowMs: number, random: () => number): string {
  const current = Math.floor((nowMs - CURSOR_EPOCH_MS) / CURSOR_INTERVAL_MS);
  const client = clientCursor !== undefined && /^[0-9]{1,15}$/.test(clientCursor) ? Number(clientCursor) : Number.NaN;
  if (Number.isNaN(client) || client < current) return String(current);
  const jitterS = CURSOR_JITTER_S_MIN + Math.floor(random() * (CURSOR_JITTER_S_MAX - CURSOR_JITTER_S_MIN + 1));
  return String(client + Math.max(1, Math.ceil((jitterS * 1000) / CURSOR_INTERVAL_MS)));
}
