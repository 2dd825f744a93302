/**
 * How long to wait before reconnecting: exponential backoff with full jitter, bounded on both
 * sides. The ceiling doubles per failed attempt from RECONNECT_DELAY_MS_MIN up to
 * RECONNECT_DELAY_MS_MAX, and the delay is drawn uniformly between the floor and that ceiling.
 * Jitter matters here more than usual: a deploy drops every socket of every page at once, and
 * without it they would all come back in the same millisecond.
 *
 * @example
 * const delay = reconnectDelayMs(attempt); // attempt 0: 250 ms; attempt 10: 250..30000 ms
 * setTimeout(connect, delay);
 */
import {
  QUOTA_RECONNECT_DELAY_MS_MIN,
  QUOTA_WAIT_MS_MAX,
  RECONNECT_ATTEMPTS_EXPONENT_MAX,
  RECONNECT_DELAY_MS_MAX,
  RECONNECT_DELAY_MS_MIN,
} from "./local-limits.ts";

/**
 * The ceiling of the delay after `attempt` failures (0 for the first retry): MIN x 2^attempt,
 * never above MAX.
 *
 * @example
 * reconnectCeilingMs(0); // 250
 * reconnectCeilingMs(20); // 30000
 */
export function reconnectCeilingMs(attempt: number): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), RECONNECT_ATTEMPTS_EXPONENT_MAX);
  return Math.min(RECONNECT_DELAY_MS_MAX, RECONNECT_DELAY_MS_MIN * 2 ** exponent);
}

/**
 * The delay before reconnect attempt `attempt + 1`, in whole milliseconds, within
 * [RECONNECT_DELAY_MS_MIN, reconnectCeilingMs(attempt)]. `random` is injectable for tests and
 * must return a number in [0, 1), as Math.random does; anything outside is clamped.
 *
 * @example
 * reconnectDelayMs(3, () => 0.5); // 250 + 0.5 * (2000 - 250) = 1125
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = reconnectCeilingMs(attempt);
  const draw = random();
  const fraction = Number.isFinite(draw) ? Math.min(Math.max(draw, 0), 1) : 0;
  return Math.round(RECONNECT_DELAY_MS_MIN + fraction * (ceiling - RECONNECT_DELAY_MS_MIN));
}

/**
 * The delay before reconnecting a socket closed with 4429 (too many sockets of its principal on
 * the partition, PROTOCOL.md QUOTA-9): QUOTA_RECONNECT_DELAY_MS_MIN on top of the usual backoff,
 * so it grows with each such close and never comes back within seconds.
 *
 * @example
 * quotaReconnectDelayMs(0, () => 0); // 5250
 */
export function quotaReconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  return QUOTA_RECONNECT_DELAY_MS_MIN + reconnectDelayMs(attempt, random);
}

/**
 * How long to wait after a QUOTA_EXCEEDED: the server's `retryAfterMs` (the backoff for
 * `attempt` when it sent none), at most QUOTA_WAIT_MS_MAX (PROTOCOL.md QUOTA-6).
 *
 * @example
 * quotaWaitMs(1_200, 0); // 1200
 * quotaWaitMs(3_600_000, 0); // 60000
 */
export function quotaWaitMs(retryAfterMs: number | null, attempt: number, random: () => number = Math.random): number {
  const wait = retryAfterMs ?? reconnectDelayMs(attempt, random);
  return Math.min(Math.max(0, wait), QUOTA_WAIT_MS_MAX);
}
