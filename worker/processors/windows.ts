/**
 * Tumbling-window aggregates, as pure functions over the open windows (the Processor object keeps
 * them in its SQLite between steps, in the same transaction as its input position, PROC-3): a
 * batch of records updates the count and sum of its key's window; each window touched is emitted
 * once per batch with its new totals, keyed `<key>@<windowStartMs>`, so the compacted output
 * topic keeps its latest value (a table the browser can follow); windows the stream time has
 * passed (plus grace) close and leave the state. Time is the records' timestamps only: a replay
 * computes the same output.
 *
 * Rules: PROTOCOL.md PROC-5.
 *
 * @example
 * const open = new Map<string, WindowTotals>();
 * const step = aggregateWindows({ sizeMs: 60_000 }, open, 0, records);
 * step.emitted; // one record per window touched
 */
import type { RecordInput } from "../../client/protocol/index.ts";
import { invariant } from "../result.ts";
import { PROCESSOR_WINDOWS_OPEN_MAX, type StreamRecord, type TumblingWindow } from "./processor-definition.ts";

/**
 * One open window's totals.
 *
 * @example
 * const totals: WindowTotals = { key: "home", startMs: 1_700_000_040_000, count: 3, sum: 12, lastMs: 1_700_000_041_000 };
 */
export interface WindowTotals {
  key: string;
  startMs: number;
  count: number;
  sum: number;
  /** The latest timestamp counted in (the emitted record's timestamp). */
  lastMs: number;
}

/**
 * What one batch did to the windows.
 *
 * @example
 * const { emitted, closed, late, streamTimeMs } = aggregateWindows(window, open, streamTimeMs, records);
 */
export interface WindowsStep {
  /** One output record per window touched, in window then key order. */
  emitted: RecordInput[];
  /** The windows touched, to store. */
  touched: WindowTotals[];
  /** Windows removed from the state (their last value was emitted before). */
  closed: WindowTotals[];
  /** Records dropped because their window had closed. */
  late: number;
  streamTimeMs: number;
}

/**
 * The map key of a window in `open`.
 *
 * @example
 * windowId("home", 60_000); // "60000|home"
 */
export function windowId(key: string, startMs: number): string {
  return `${startMs}|${key}`;
}

/** Orders windows by start, then key. */
function byStart(a: WindowTotals, b: WindowTotals): number {
  return a.startMs - b.startMs || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * Adds `records` to the windows in `open` (changed in place) at stream time `streamTimeMs`.
 *
 * @example
 * const step = aggregateWindows({ sizeMs: 60_000, sum: (r) => Number(r.value) }, open, streamTimeMs, records);
 */
export function aggregateWindows(
  window: TumblingWindow,
  open: Map<string, WindowTotals>,
  streamTimeMs: number,
  records: readonly StreamRecord[],
): WindowsStep {
  const graceMs = window.graceMs ?? 0;
  const touched = new Map<string, WindowTotals>();
  let late = 0;
  let time = streamTimeMs;
  for (const record of records) {
    const startMs = Math.floor(record.timestamp / window.sizeMs) * window.sizeMs;
    if (startMs + window.sizeMs + graceMs <= time) {
      late++;
      continue;
    }
    const key = record.key ?? "";
    const id = windowId(key, startMs);
    const totals = open.get(id) ?? { key, startMs, count: 0, sum: 0, lastMs: record.timestamp };
    const added = window.sum === undefined ? 0 : window.sum(record);
    totals.count++;
    totals.sum += Number.isFinite(added) ? added : 0;
    totals.lastMs = Math.max(totals.lastMs, record.timestamp);
    open.set(id, totals);
    touched.set(id, totals);
    time = Math.max(time, record.timestamp);
  }
  const closed = closeWindows(window.sizeMs + graceMs, open, time);
  const sorted = [...touched.values()].sort(byStart);
  return { emitted: sorted.map((totals) => windowRecord(window.sizeMs, totals)), touched: sorted, closed, late, streamTimeMs: time };
}

/** Removes the windows past `time` and, past PROCESSOR_WINDOWS_OPEN_MAX, the oldest others. */
function closeWindows(spanMs: number, open: Map<string, WindowTotals>, time: number): WindowTotals[] {
  const closed: WindowTotals[] = [];
  for (const [id, totals] of open) {
    if (totals.startMs + spanMs <= time) {
      closed.push(totals);
      open.delete(id);
    }
  }
  if (open.size > PROCESSOR_WINDOWS_OPEN_MAX) {
    const oldest = [...open.values()].sort(byStart).slice(0, open.size - PROCESSOR_WINDOWS_OPEN_MAX);
    for (const totals of oldest) {
      open.delete(windowId(totals.key, totals.startMs));
      closed.push(totals);
    }
  }
  invariant(open.size <= PROCESSOR_WINDOWS_OPEN_MAX, "open windows within PROCESSOR_WINDOWS_OPEN_MAX");
  return closed;
}

/**
 * A window's output record: keyed `<key>@<windowStartMs>`, its totals as the value.
 *
 * @example
 * windowRecord(60_000, { key: "home", startMs: 0, count: 2, sum: 0, lastMs: 10 });
 * // { key: "home@0", value: { key: "home", windowStartMs: 0, windowEndMs: 60000, count: 2, sum: 0 }, timestamp: 10 }
 */
export function windowRecord(sizeMs: number, totals: WindowTotals): RecordInput {
  return {
    key: `${totals.key}@${totals.startMs}`,
    value: { key: totals.key, windowStartMs: totals.startMs, windowEndMs: totals.startMs + sizeMs, count: totals.count, sum: totals.sum },
    timestamp: totals.lastMs,
  };
}
