/**
 * Samples over time, for the charts: a bounded ring of (time, values) points, and rates from
 * counters (the difference of two samples over the seconds between them; a counter that went down,
 * because its object restarted, gives no rate rather than a negative one).
 *
 * @example
 * const series = new SampleSeries(3);
 * series.push(Date.now(), [1, 2, 3]);
 * series.aligned(); // [[t], [1], [2], [3]] for uPlot
 */

/** Points a chart keeps (at one sample per refresh of 2 s: 20 minutes). */
const SAMPLES_MAX = 600;

/**
 * A bounded series of samples of `width` values each.
 *
 * @example
 * new SampleSeries(2).push(0, [1, 2]);
 */
export class SampleSeries {
  readonly #width: number;
  readonly #times: number[] = [];
  readonly #columns: (number | null)[][];

  /**
   * A series of `width` values per sample.
   *
   * @example
   * new SampleSeries(4);
   */
  constructor(width: number) {
    this.#width = width;
    this.#columns = Array.from({ length: width }, () => []);
  }

  /**
   * Adds a sample at `timeMs`; the oldest is dropped past SAMPLES_MAX.
   *
   * @example
   * series.push(Date.now(), [10, null]);
   */
  push(timeMs: number, values: (number | null)[]): void {
    if (values.length !== this.#width) throw new Error(`a sample of ${values.length} values in a series of ${this.#width}`);
    this.#times.push(timeMs / 1000);
    values.forEach((value, index) => {
      this.#columns[index]?.push(value);
    });
    if (this.#times.length > SAMPLES_MAX) {
      this.#times.shift();
      for (const column of this.#columns) column.shift();
    }
  }

  /**
   * How many samples it holds.
   *
   * @example
   * series.length; // 0 before the first push
   */
  get length(): number {
    return this.#times.length;
  }

  /**
   * The samples as uPlot's aligned data: times in seconds, then one column per value.
   *
   * @example
   * plot.setData(series.aligned());
   */
  aligned(): [number[], ...(number | null)[][]] {
    return [this.#times.slice(), ...this.#columns.map((column) => column.slice())];
  }
}

/**
 * One reading of counters at a time.
 *
 * @example
 * const reading: CounterReading = { timeMs: Date.now(), counters: [appendedRecords, rowsRead] };
 */
export interface CounterReading {
  timeMs: number;
  counters: number[];
}

/**
 * Per-second rates between two readings (null where a counter went down or no time passed).
 *
 * @example
 * ratesBetween({ timeMs: 0, counters: [0] }, { timeMs: 2000, counters: [10] }); // [5]
 */
export function ratesBetween(before: CounterReading, after: CounterReading): (number | null)[] {
  const seconds = (after.timeMs - before.timeMs) / 1000;
  return after.counters.map((value, index) => {
    const previous = before.counters[index];
    if (previous === undefined || seconds <= 0 || value < previous) return null;
    return (value - previous) / seconds;
  });
}
