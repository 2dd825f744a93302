/**
 * How much work each bench run does. `full` is `npm run bench`: sized so every system gets
 * several runs per figure and the whole bench stays under BENCH_SECONDS_MAX on a 2-core machine.
 * `smoke` is the same code on tiny counts, run by `npm test` so the bench cannot rot.
 * Every loop is bounded twice: by a count and by seconds.
 *
 * @example
 * const profile = PROFILES.smoke;
 * profile.serial.eventsMax; // 10
 */

/** A run of a scenario: count and time bounds. */
export interface Bounds {
  /** Events (or requests) per run, at most. */
  eventsMax: number;
  /** Seconds per run, at most (the run stops early and reports what it did). */
  secondsMax: number;
}

/** Scenario 6: the browser client's IndexedDB cache, in Chromium. */
export interface BrowserCacheBounds {
  /** Events written to the cache, then replayed (spread over partitions of at most 10k). */
  events: number;
  /** Records per cache write: one page of a catch-up. */
  page: number;
  /** Seconds each phase (write, replay) may take. */
  secondsMax: number;
}

/** One fan-out case: subscribers of one partition and the events each must receive. */
export interface FanOutCase {
  subscribers: number;
  events: number;
  /** Runs for this case (connecting 1,000 sockets per run is slow, so it may run fewer times). */
  runs: number;
}

export interface BenchProfile {
  name: "full" | "smoke";
  /** Runs per figure: each figure is the median of these (min and max printed too). */
  runs: number;
  /** Serial acked produce, one event per request. */
  serial: Bounds;
  /** Concurrent serial producers on one partition (scenario 1b), all of them together bounded. */
  concurrent: Bounds & { producers: number };
  /** Batched produce: the batch sizes and per-run bounds. */
  batch: Bounds & { sizes: number[] };
  /** End-to-end latency at a fixed produce rate. */
  latency: { eventsPerSecond: number; seconds: number; drainSecondsMax: number; inFlightMax: number };
  /** Catch-up of stored events from offset 0. */
  catchUp: { events: number; preloadBatch: number; secondsMax: number; preloadSecondsMax: number };
  /** Fan-out to live subscribers of one partition. */
  fanOut: { cases: FanOutCase[]; batch: number; secondsMax: number; connectConcurrency: number; connectSecondsMax: number };
  /** The browser client's IndexedDB cache: write, then replay with no network. */
  browserCache: BrowserCacheBounds;
  /** edgelog's per-request overhead probes (where does a request's time go?). */
  overhead: Bounds;
  /** Short warm-up per system before measuring (JIT, connection pools, SQLite pages). */
  warmupEvents: number;
  /** The whole bench stops starting measurements after this, in seconds (they are marked skipped). */
  benchSecondsMax: number;
}

/** The wall-clock bound of `npm run bench`, in seconds (the issue asks for under 10 minutes). */
export const BENCH_SECONDS_MAX = 540;

/**
 * The profiles by name.
 *
 * @example
 * PROFILES.full.runs; // 5
 */
export const PROFILES: Readonly<Record<BenchProfile["name"], BenchProfile>> = {
  full: {
    name: "full",
    runs: 5,
    serial: { eventsMax: 2_000, secondsMax: 1.5 },
    concurrent: { producers: 32, eventsMax: 20_000, secondsMax: 1.5 },
    batch: { sizes: [100, 1_000], eventsMax: 100_000, secondsMax: 1.5 },
    latency: { eventsPerSecond: 1_000, seconds: 2, drainSecondsMax: 5, inFlightMax: 500 },
    catchUp: { events: 100_000, preloadBatch: 1_000, secondsMax: 30, preloadSecondsMax: 120 },
    fanOut: {
      cases: [
        { subscribers: 100, events: 1_000, runs: 5 },
        { subscribers: 1_000, events: 200, runs: 3 },
      ],
      batch: 100,
      secondsMax: 20,
      connectConcurrency: 50,
      connectSecondsMax: 60,
    },
    browserCache: { events: 100_000, page: 500, secondsMax: 60 },
    overhead: { eventsMax: 500, secondsMax: 1 },
    warmupEvents: 200,
    benchSecondsMax: BENCH_SECONDS_MAX,
  },
  smoke: {
    name: "smoke",
    runs: 1,
    serial: { eventsMax: 10, secondsMax: 1 },
    concurrent: { producers: 32, eventsMax: 64, secondsMax: 1 },
    batch: { sizes: [100, 1_000], eventsMax: 2_000, secondsMax: 1 },
    latency: { eventsPerSecond: 1_000, seconds: 0.1, drainSecondsMax: 3, inFlightMax: 100 },
    catchUp: { events: 2_000, preloadBatch: 1_000, secondsMax: 10, preloadSecondsMax: 20 },
    fanOut: {
      cases: [
        { subscribers: 3, events: 20, runs: 1 },
        { subscribers: 6, events: 20, runs: 1 },
      ],
      batch: 10,
      secondsMax: 10,
      connectConcurrency: 10,
      connectSecondsMax: 20,
    },
    browserCache: { events: 2_000, page: 500, secondsMax: 30 },
    overhead: { eventsMax: 10, secondsMax: 1 },
    warmupEvents: 10,
    benchSecondsMax: 240,
  },
};
