/**
 * How a page of records joins a partition's cached run, as a pure plan both cache
 * implementations apply atomically. A partition caches one contiguous run [low, high), so a
 * replay never has a hole in it:
 *
 * - a page that overlaps or touches the run extends it (the union stays contiguous);
 * - a page past the end with a gap starts a new run: the newer records win, the old run is
 *   dropped (a hole would make replay skip records silently);
 * - a page wholly before the run with a gap is not stored (the newer run is kept);
 * - a page of another incarnation of the topic (its `topicId` differs from the run's) starts a
 *   new run wherever its offsets fall: two logs never share a run; a run of unknown incarnation
 *   (schema version 2) adopts the page's;
 * - past `recordsMax` the oldest records are evicted (low moves up).
 *
 * The plan names only records the cache lacks (`segments`), so a store that keeps records in
 * pages (IndexedDB) never holds one offset twice.
 *
 * @example
 * const plan = planRun(existing, "orders", 0, page, { logStartOffset: 0 }, CACHE_RECORDS_PER_PARTITION_MAX);
 * if (plan.dropAll) clear(); deleteBelow(plan.evictBelow); plan.segments.forEach(put); putRun(plan.run);
 */
import type { FetchedRecord } from "../protocol/index.ts";
import type { CachedRun, PutRecordsOptions } from "./types.ts";

/**
 * What storing a page does to a partition's cache.
 *
 * @example
 * const { run, dropAll, evictBelow, segments } = planRun(existing, "t", 0, page, {}, 100);
 */
export interface RunPlan {
  /** The run afterwards; undefined when nothing changes (an older page with a gap). */
  run: CachedRun | undefined;
  /** Delete every cached record of the partition first (a new run replaces the old one). */
  dropAll: boolean;
  /** Delete cached records with offsets below this (eviction); null for none. */
  evictBelow: number | null;
  /**
   * The records to write: those within the new run's bounds that the cache does not hold yet, as
   * contiguous runs in offset order (at most two: below the old run and above it).
   */
  segments: FetchedRecord[][];
}

/**
 * The longest contiguous prefix of a page (the server sends contiguous pages; this guards it).
 *
 * @example
 * contiguousPrefix(pageWithOffsets(0, 1, 2, 5)); // the records at 0, 1 and 2
 */
export function contiguousPrefix(records: readonly FetchedRecord[]): FetchedRecord[] {
  const out: FetchedRecord[] = [];
  for (const record of records) {
    const last = out[out.length - 1];
    if (last !== undefined && record.offset !== last.offset + 1) break;
    out.push(record);
  }
  return out;
}

/**
 * The plan for storing `records` (in offset order) into the partition whose run is `existing`.
 * `logStartOffset`, when known, tells whether a run begins at the log's start.
 *
 * @example
 * planRun(undefined, "t", 0, [{ offset: 5, ... }], {}, 100).run; // { low: 5, high: 6, startsAtLog: false, topicId: null }
 */
export function planRun(
  existing: CachedRun | undefined,
  topic: string,
  partition: number,
  records: readonly FetchedRecord[],
  options: PutRecordsOptions,
  recordsMax: number,
): RunPlan {
  const page = contiguousPrefix(records);
  const first = page[0];
  const last = page[page.length - 1];
  if (first === undefined || last === undefined) return { run: undefined, dropAll: false, evictBelow: null, segments: [] };
  const start = first.offset;
  const end = last.offset + 1;
  const atLog = options.logStartOffset !== undefined && start <= options.logStartOffset;
  const other = existing?.topicId != null && options.topicId !== undefined && existing.topicId !== options.topicId;
  const topicId = options.topicId ?? existing?.topicId ?? null;
  let run: CachedRun;
  let dropAll = false;
  if (existing === undefined || other || start > existing.high) {
    dropAll = existing !== undefined;
    run = { topic, partition, low: start, high: end, startsAtLog: atLog, topicId };
  } else if (end < existing.low) {
    return { run: undefined, dropAll: false, evictBelow: null, segments: [] };
  } else {
    const extendsDown = start < existing.low;
    run = {
      topic,
      partition,
      low: Math.min(start, existing.low),
      high: Math.max(end, existing.high),
      startsAtLog: extendsDown ? atLog : existing.startsAtLog || atLog,
      topicId,
    };
  }
  let evictBelow: number | null = null;
  if (run.high - run.low > recordsMax) {
    run.low = run.high - recordsMax;
    evictBelow = run.low;
  }
  // Offsets the cache already holds (and keeps) are skipped: the server's records never change.
  const kept = dropAll || existing === undefined ? null : existing;
  const fresh = (record: FetchedRecord): boolean =>
    record.offset >= run.low && (kept === null || record.offset < kept.low || record.offset >= kept.high);
  return { run, dropAll, evictBelow, segments: splitContiguous(page.filter(fresh)) };
}

/**
 * Whether a run may be read as incarnation `topicId`: unless both are known and differ.
 *
 * @example
 * if (!sameIncarnation(run, state.topicId)) return []; // another log: not replayed
 */
export function sameIncarnation(run: CachedRun, topicId: string | null | undefined): boolean {
  return topicId == null || run.topicId === null || run.topicId === topicId;
}

/** Records in offset order split where an offset is skipped. */
function splitContiguous(records: readonly FetchedRecord[]): FetchedRecord[][] {
  const segments: FetchedRecord[][] = [];
  let current: FetchedRecord[] = [];
  for (const record of records) {
    const last = current[current.length - 1];
    if (last !== undefined && record.offset !== last.offset + 1) {
      segments.push(current);
      current = [];
    }
    current.push(record);
  }
  if (current.length > 0) segments.push(current);
  return segments;
}
