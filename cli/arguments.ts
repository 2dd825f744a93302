/**
 * The command line's value parsers: whole numbers within bounds and times, each a usage error
 * (exit status 2, code USAGE) naming the option when the value does not fit.
 *
 * @example
 * wholeNumber("3", "--partitions", 1, 64); // 3
 * timeMs("2026-12-01T00:00:00Z", "--to-datetime"); // 1764547200000
 */
import { UsageError } from "./failure.ts";

/**
 * `text` as a whole number from `min` to `max`, or a usage error.
 *
 * @example
 * wholeNumber("-1", "-p", 0, 63); // throws UsageError
 */
export function wholeNumber(text: string, what: string, min: number, max: number): number {
  const value = /^-?\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${what} must be a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`);
  }
  return value;
}

/**
 * A time as ms since the epoch: a whole number of ms, or a date Date.parse reads (ISO 8601).
 *
 * @example
 * timeMs("1764547200000", "--to-datetime"); // 1764547200000
 */
export function timeMs(text: string, what: string): number {
  const value = /^\d{1,16}$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new UsageError(`${what} is ms since the epoch or an ISO date, not ${JSON.stringify(text)}`);
  return value;
}
