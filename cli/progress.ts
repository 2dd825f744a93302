/**
 * The progress bar of long commands (a replay to a known high watermark, a produce from a file):
 * cli-progress on stderr, only when stderr is a terminal, so a pipe or a log file stays clean.
 * It shows records and bytes done, the rate and, with a known total, the estimate (ETA).
 *
 * @example
 * const progress = startProgress({ total: 100_000, unit: "records", stream: process.stderr });
 * progress.add(500, 48_000);
 * progress.stop();
 */
import cliProgress from "cli-progress";

/**
 * What a command reports progress to (a no-op when stderr is not a TTY).
 *
 * @example
 * const progress: Progress = startProgress({ total: null, unit: "records", stream: process.stderr });
 */
export interface Progress {
  /** Counts `records` more records of `bytes` more bytes. */
  add(records: number, bytes: number): void;
  /** Draws the final state and lets go of the terminal. */
  stop(): void;
}

/**
 * What startProgress takes: the known total (null when unknown) in records (a replay to a high
 * watermark) or bytes (a produce from a file of known size), the stream, and the clock.
 *
 * @example
 * const options: ProgressOptions = { total: 10_000, unit: "records", stream: process.stderr };
 */
export interface ProgressOptions {
  total: number | null;
  unit: "records" | "bytes";
  stream: NodeJS.WriteStream;
  /** The clock for the rate (default Date.now). */
  now?: () => number;
}

const QUIET: Progress = { add: () => undefined, stop: () => undefined };

/** Redraws at most this often (ms): a 100k-record replay draws ~10 frames a second, not one per page. */
const PROGRESS_REDRAW_MS = 100;

function humanBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/**
 * A progress bar on `stream` when it is a TTY, else one that draws nothing.
 *
 * @example
 * const progress = startProgress({ total: highWatermark - start, unit: "records", stream: process.stderr });
 */
export function startProgress(options: ProgressOptions): Progress {
  if (options.stream.isTTY !== true) return QUIET;
  const now = options.now ?? Date.now;
  const byBytes = options.unit === "bytes";
  const known = options.total !== null;
  const counts = byBytes ? "{records} records | {value_bytes}/{total_bytes}" : "{value}/{total} records | {bytes}";
  const format = known
    ? `{bar} {percentage}% | ${counts} | {rate} rec/s | ETA {eta_formatted}`
    : `${byBytes ? "{records} records | {bytes}" : "{value} records | {bytes}"} | {rate} rec/s`;
  const bar = new cliProgress.SingleBar(
    { format, stream: options.stream, fps: 1000 / PROGRESS_REDRAW_MS, etaBuffer: 50, hideCursor: false },
    cliProgress.Presets.shades_classic,
  );
  const startedAt = now();
  let records = 0;
  let bytes = 0;
  const payload = () => ({
    records,
    bytes: humanBytes(bytes),
    value_bytes: humanBytes(bytes),
    total_bytes: humanBytes(options.total ?? 0),
    rate: Math.round(records / Math.max(0.001, (now() - startedAt) / 1000)),
  });
  bar.start(options.total ?? 0, 0, payload());
  const value = () => (byBytes ? bytes : records);
  return {
    add(moreRecords, moreBytes) {
      records += moreRecords;
      bytes += moreBytes;
      if (!known && value() > bar.getTotal()) bar.setTotal(value());
      bar.update(value(), payload());
    },
    stop() {
      bar.update(value(), payload());
      bar.stop();
    },
  };
}
