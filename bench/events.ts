/**
 * The bench's events: JSON objects of exactly EVENT_BYTES bytes, carrying a sequence number and
 * a send time, so a subscriber can check what it got and measure latency from the event itself.
 *
 * @example
 * const text = eventJson(7, performance.now()); // '{"i":7,"t":1234.5,"p":"xxxx…"}', 100 bytes
 * (JSON.parse(text) as BenchEvent).t; // the send time
 */

/** Size of one event's JSON text in bytes (the "100-byte JSON events"). */
export const EVENT_BYTES = 100;

/** What an event decodes to. */
export interface BenchEvent {
  /** Sequence number within a run. */
  i: number;
  /** performance.now() of the bench process when the event was due to be sent, in ms. */
  t: number;
  /** Padding up to EVENT_BYTES. */
  p: string;
}

/**
 * One event's JSON text, padded to EVENT_BYTES bytes (ASCII, so bytes equal characters).
 *
 * @example
 * eventJson(0, 0).length; // 100
 */
export function eventJson(sequence: number, sentAtMs: number): string {
  const head = `{"i":${sequence},"t":${sentAtMs.toFixed(3)},"p":"`;
  const padding = EVENT_BYTES - head.length - 2;
  if (padding < 0) throw new Error(`event ${sequence} does not fit in ${EVENT_BYTES} bytes`);
  return `${head}${"x".repeat(padding)}"}`;
}

/**
 * `count` events numbered from `first`, all stamped `sentAtMs`.
 *
 * @example
 * eventBatch(0, 100, performance.now()).length; // 100
 */
export function eventBatch(first: number, count: number, sentAtMs: number): string[] {
  const batch: string[] = [];
  for (let i = 0; i < count; i++) batch.push(eventJson(first + i, sentAtMs));
  return batch;
}

/**
 * The send time of a decoded event, or NaN when it is not a bench event.
 *
 * @example
 * sentAt(JSON.parse(eventJson(1, 42))); // 42
 */
export function sentAt(value: unknown): number {
  if (typeof value === "object" && value !== null && typeof (value as BenchEvent).t === "number") {
    return (value as BenchEvent).t;
  }
  return Number.NaN;
}
