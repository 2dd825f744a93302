/**
 * Order statistics for the bench: every figure in the table is the median of several runs, shown
 * with the runs' min and max so noise on this shared machine is visible rather than averaged away.
 *
 * @example
 * summarise([3, 1, 2]); // { median: 2, min: 1, max: 3, n: 3 }
 */

/** A metric over several runs. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  /** How many runs it summarises. */
  n: number;
}

/**
 * The q-quantile (0..1) of `values` by the nearest-rank method, which always answers one of the
 * measured values (a p99 latency that some event really had, not an interpolation).
 *
 * @example
 * quantile([5, 1, 9, 3], 0.5); // 3
 * quantile([5, 1, 9, 3], 1); // 9
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

/**
 * The median (the mean of the two middle values for an even count), min and max of `values`.
 *
 * @example
 * summarise([10, 30, 20, 40]); // { median: 25, min: 10, max: 40, n: 4 }
 */
export function summarise(values: readonly number[]): Summary {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const sorted = [...finite].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, n: sorted.length };
}

/**
 * A rate in units per second from a count and a duration in milliseconds (0 for no time).
 *
 * @example
 * perSecond(500, 250); // 2000
 */
export function perSecond(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (count * 1000) / elapsedMs : 0;
}
