/**
 * A partition's cached records in IndexedDB as pages (schema.ts `StoredPage`): rows keyed
 * [topic, partition, base] that tile the partition's run [low, high) with no gap or overlap. A
 * page may begin below `low` after an eviction (the run says which of its records still count).
 * These functions run inside the cache's transactions (indexeddb.ts); each asserts the tiling
 * it relies on after reading, and fails with CACHE_FAILED rather than replay a hole.
 *
 * @example
 * await writePages(tx.objectStore("pages"), "orders", 0, plan, existing);
 * const records = await readPages(tx.objectStore("pages"), "orders", 0, 0, run.high, 500);
 */
import type { IDBPObjectStore } from "idb";
import { EdgelogClientError } from "../local-errors.ts";
import { CACHE_PAGE_GROW_BYTES_MAX, CACHE_PAGE_GROW_RECORDS_MAX, CACHE_PAGE_RECORDS_MAX } from "../local-limits.ts";
import type { FetchedRecord } from "../protocol/index.ts";
import { utf8Length } from "../protocol/index.ts";
import type { EdgelogDB, StoredPage, StoreName } from "./db-schema.ts";
import type { RunPlan } from "./runs.ts";
import type { CachedRun } from "./types.ts";

type PagesStore<Mode extends IDBTransactionMode> = IDBPObjectStore<EdgelogDB, StoreName[], "pages", Mode>;

/**
 * The highest offset a key range needs (offsets are exact integers below 2^53); it also bounds
 * the partition part of a topic's keys.
 *
 * @example
 * tx.objectStore("runs").getAll(IDBKeyRange.bound(["orders", 0], ["orders", OFFSET_END])); // every run of "orders"
 */
export const OFFSET_END = Number.MAX_SAFE_INTEGER;

/** Pages fetched per getAll while reading: bounds what one request materialises. */
const READ_PAGES_PER_REQUEST_MAX = 16;

/** Page keys [topic, partition, from] up to (not including) [topic, partition, to]. */
function baseRange(topic: string, partition: number, from: number, to: number): IDBKeyRange {
  return IDBKeyRange.bound([topic, partition, from], [topic, partition, to], false, true);
}

/**
 * Adds a started request's promise to `ops`, giving it a handler at once, so a failure before
 * `Promise.all(ops)` is awaited is never an unhandled rejection (it still rejects that Promise.all).
 *
 * @example
 * const ops: Promise<unknown>[] = [];
 * track(ops, tx.objectStore("runs").delete(["orders", 0]));
 * await Promise.all(ops);
 */
export function track(ops: Promise<unknown>[], op: Promise<unknown>): void {
  op.catch(() => undefined);
  ops.push(op);
}

/** The range of pages that may hold `offset`: every page whose base is at or below it. */
function atOrBelow(topic: string, partition: number, offset: number): IDBKeyRange {
  return IDBKeyRange.bound([topic, partition, 0], [topic, partition, offset]);
}

/** The base of the page holding `offset` (read from the key alone), if any. */
async function baseAt(
  store: PagesStore<IDBTransactionMode>,
  topic: string,
  partition: number,
  offset: number,
): Promise<number | undefined> {
  const cursor = await store.openKeyCursor(atOrBelow(topic, partition, offset), "prev");
  return cursor?.key[2];
}

/** The page holding `offset`: the one with the greatest base at or below it, if any. */
async function pageAt(
  store: PagesStore<IDBTransactionMode>,
  topic: string,
  partition: number,
  offset: number,
): Promise<StoredPage | undefined> {
  const cursor = await store.openCursor(atOrBelow(topic, partition, offset), "prev");
  return cursor?.value;
}

function page(topic: string, partition: number, records: readonly FetchedRecord[]): StoredPage {
  const first = records[0]!;
  return { topic, partition, base: first.offset, end: first.offset + records.length, json: JSON.stringify(records) };
}

/** Two adjacent pages as one: their JSON arrays joined without parsing either. */
function joined(before: StoredPage, after: StoredPage): StoredPage {
  return { ...before, end: after.end, json: `${before.json.slice(0, -1)},${after.json.slice(1)}` };
}

/**
 * Applies a plan's deletions and segments to the pages store. Segments are cut into pages of at
 * most CACHE_PAGE_RECORDS_MAX; a segment that continues a small last page (live records arriving
 * a few at a time) is joined to it while that page holds fewer than CACHE_PAGE_GROW_RECORDS_MAX
 * records and CACHE_PAGE_GROW_BYTES_MAX bytes,
 * so a cache filled live still replays in large pages, and no append rewrites a large page.
 *
 * @example
 * await writePages(store, "orders", 0, planRun(existing, "orders", 0, records, {}, max), existing);
 */
export async function writePages(
  store: PagesStore<"readwrite">,
  topic: string,
  partition: number,
  plan: RunPlan,
  existing: CachedRun | undefined,
): Promise<void> {
  const ops: Promise<unknown>[] = [];
  if (plan.dropAll) track(ops, store.delete(baseRange(topic, partition, 0, OFFSET_END)));
  const kept = plan.dropAll ? undefined : existing;
  for (const segment of plan.segments) {
    let rows: StoredPage[] = [];
    for (let i = 0; i < segment.length; i += CACHE_PAGE_RECORDS_MAX)
      rows.push(page(topic, partition, segment.slice(i, i + CACHE_PAGE_RECORDS_MAX)));
    const head = rows[0]!;
    const tail = rows[rows.length - 1]!;
    if (kept !== undefined && head.base === kept.high) {
      // The last page's record count comes from its key (it ends at the run's high), so a full
      // page, the usual case once a catch-up has stored pages, is never read back.
      const lastBase = await baseAt(store, topic, partition, kept.high - 1);
      if (lastBase !== undefined && kept.high - lastBase < CACHE_PAGE_GROW_RECORDS_MAX && head.end - lastBase <= CACHE_PAGE_RECORDS_MAX) {
        const last = await store.get([topic, partition, lastBase]);
        if (last?.end === head.base && utf8Length(last.json) < CACHE_PAGE_GROW_BYTES_MAX) rows = [joined(last, head), ...rows.slice(1)];
      }
    }
    if (kept !== undefined && tail.end === kept.low) {
      // The page holding the old low may begin below it (an eviction keeps such a page whole):
      // cut it at the old low so the new pages do not overlap it.
      const holder = await pageAt(store, topic, partition, kept.low);
      if (holder !== undefined && holder.base < kept.low) {
        track(ops, store.delete([topic, partition, holder.base]));
        rows.push(cutBelow(holder, kept.low, topic, partition));
      }
    }
    for (const row of rows) track(ops, store.put(row));
  }
  if (plan.evictBelow !== null) {
    // Requests run in order, so this sees the pages just put: the page holding the new low stays.
    const keep = await baseAt(store, topic, partition, plan.evictBelow);
    if (keep !== undefined && keep > 0) track(ops, store.delete(baseRange(topic, partition, 0, keep)));
  }
  await Promise.all(ops);
}

/** A page without its records below `low`. */
function cutBelow(row: StoredPage, low: number, topic: string, partition: number): StoredPage {
  return page(topic, partition, parsePage(row, topic, partition).slice(low - row.base));
}

/**
 * Up to `limit` records from offset `from` (within the run: low <= from < high), in order.
 *
 * @example
 * const records = await readPages(store, "orders", 0, run.low, run.high, REPLAY_PAGE_RECORDS_MAX);
 */
export async function readPages(
  store: PagesStore<IDBTransactionMode>,
  topic: string,
  partition: number,
  from: number,
  high: number,
  limit: number,
): Promise<FetchedRecord[]> {
  const out: FetchedRecord[] = [];
  const first = await baseAt(store, topic, partition, from);
  if (first === undefined) return out;
  let base = first;
  // Bounded: every pass takes at least one page, and each page holds at least one record.
  for (let pass = 0; pass <= limit && out.length < limit && base < high; pass++) {
    // As many pages as the records still wanted fill when full (more only if pages are smaller):
    // a page fetched is a page copied out of IndexedDB, used or not.
    const pagesWanted = Math.ceil((limit - out.length + (pass === 0 ? from - base : 0)) / CACHE_PAGE_RECORDS_MAX);
    const rows = await store.getAll(
      baseRange(topic, partition, base, high),
      Math.min(READ_PAGES_PER_REQUEST_MAX, Math.max(1, pagesWanted)),
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      if (row.base !== base) throw tilingError(topic, partition, `a page starts at ${row.base}, expected ${base}`);
      base = row.end;
      for (const record of parsePage(row, topic, partition)) {
        if (out.length >= limit) return out;
        if (record.offset >= from && record.offset < high) out.push(record);
      }
    }
  }
  return out;
}

/** A page's records, checked: offsets base, base + 1, ..., end - 1. */
function parsePage(row: StoredPage, topic: string, partition: number): FetchedRecord[] {
  const records = JSON.parse(row.json) as FetchedRecord[];
  if (records.length !== row.end - row.base)
    throw tilingError(topic, partition, `page ${row.base} holds ${records.length} records, expected ${row.end - row.base}`);
  for (let i = 0; i < records.length; i++) {
    if (records[i]!.offset !== row.base + i)
      throw tilingError(topic, partition, `page ${row.base} has offset ${records[i]!.offset} at position ${i}`);
  }
  return records;
}

function tilingError(topic: string, partition: number, detail: string): EdgelogClientError {
  return new EdgelogClientError("CACHE_FAILED", `the cached records of ${topic}/${partition} are damaged: ${detail}`);
}

/**
 * Deletes every page of a partition.
 *
 * @example
 * track(ops, deletePages(store, "orders", 0));
 */
export function deletePages(store: PagesStore<"readwrite">, topic: string, partition: number): Promise<void> {
  return store.delete(baseRange(topic, partition, 0, OFFSET_END));
}
