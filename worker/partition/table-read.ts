/**
 * A latest-per-key read (TABLE-1): the log read from an offset as log.ts reads it, but keeping of
 * each record only those that are their key's latest (the key index says, keys.ts), so a read
 * from logStartOffset to the high watermark delivers a compacted topic's table, tombstones kept by
 * compaction included, in offset order. A key updated while a reader pages through is delivered
 * at its new offset. It reads at most TABLE_READ_BATCHES_MAX batches and looks at most
 * TABLE_READ_RECORDS_MAX records up a call, so a long run of
 * superseded records costs bounded work; such a page may be empty and end before the high
 * watermark (its `nextOffset` still moves forward).
 *
 * Rules: PROTOCOL.md TABLE-1, FETCH-3.
 *
 * @example
 * const page = readLatest(log, keys, log.logStartOffset, { recordsMax: 500, bytesMax: 1_048_576, framed: false, firstAlways: true });
 */
import { invariant } from "../result.ts";
import type { Compaction } from "./compaction.ts";
import { type KeyIndex, keyAt } from "./keys.ts";
import type { FramedPage, PartitionLog } from "./log.ts";
import {
  type BatchRow,
  batchEnd,
  indexAtOrAfter,
  offsetPrefixChars,
  recordBytesOf,
  recordOffset,
  recordStart,
  storedBatch,
} from "./stored-batch.ts";

/**
 * Batches one latest-per-key read reads at most.
 *
 * @example
 * readLatest(log, keys, 0, bounds).nextOffset; // past at most TABLE_READ_BATCHES_MAX batches
 */
export const TABLE_READ_BATCHES_MAX = 256;

/**
 * Records one latest-per-key read looks up in the key index at most (each a point read).
 *
 * @example
 * readLatest(log, keys, 0, bounds); // stops after TABLE_READ_RECORDS_MAX records looked at
 */
export const TABLE_READ_RECORDS_MAX = 20_000;

/**
 * Pages without a record (a table's catch-up over superseded records) one pump reads at most;
 * past them the subscription asks the partition's alarm to pump it on (Subscribers.resumeStalled).
 *
 * @example
 * subscribers.consumed(ws, offset); // reads at most TABLE_EMPTY_PAGES_MAX empty pages on
 */
export const TABLE_EMPTY_PAGES_MAX = 64;

/**
 * What a compacted topic's subscriptions read beside the log: the key index and compaction's state.
 *
 * @example
 * const tables: TableParts = { keys, compaction };
 */
export interface TableParts {
  keys: KeyIndex;
  compaction: Compaction;
}

/**
 * The bounds of a latest-per-key read, as log.ts's reads take them.
 *
 * @example
 * const bounds: TableReadBounds = { recordsMax: 500, bytesMax: 65_536, framed: true, firstAlways: false };
 */
export interface TableReadBounds {
  recordsMax: number;
  /** Records to look up at most (TABLE_READ_RECORDS_MAX when absent). */
  lookMax?: number;
  bytesMax: number;
  /** Bytes counted as a pushed frame's array (true) or as HTTP's stored lines (false). */
  framed: boolean;
  firstAlways: boolean;
}

/**
 * Reads from `offset` the records that are their key's latest, within `bounds` (see this module's header).
 *
 * @example
 * readLatest(log, keys, 0, { recordsMax: 10, bytesMax: 65_536, framed: false, firstAlways: true }).count;
 */
export function readLatest(log: PartitionLog, keys: KeyIndex, offset: number, bounds: TableReadBounds): FramedPage {
  log.checkOffset(offset);
  const { recordsMax, bytesMax, framed, firstAlways } = bounds;
  const lookMax = bounds.lookMax ?? TABLE_READ_RECORDS_MAX;
  invariant(recordsMax >= 1 && lookMax >= 1, "a read asks for at least one record");
  const parts: string[] = [];
  let bytes = framed ? 2 : 0;
  let next = offset;
  let full = false;
  const cursor = log.sql.exec<BatchRow>(
    `SELECT base_offset, record_count, payload, records_bytes, record_ends, offset_end FROM batches
     WHERE base_offset >= COALESCE((SELECT base_offset FROM batches WHERE base_offset <= ?1 ORDER BY base_offset DESC LIMIT 1), ?1)
     ORDER BY base_offset LIMIT ?2`,
    offset,
    TABLE_READ_BATCHES_MAX,
  );
  let looked = 0;
  rows: for (const row of cursor) {
    const batch = storedBatch(row);
    const end = batchEnd(batch);
    if (end <= next) continue;
    for (let i = indexAtOrAfter(batch, next); i < batch.count; i++) {
      const at = recordOffset(batch, i);
      const start = recordStart(batch, i);
      const json = batch.json.slice(start, batch.ends[i]);
      const { key } = keyAt(json, json.indexOf(',"key":') + 1);
      if (key !== null && keys.latest(key) === at) {
        const size = framed ? recordBytesOf(batch, i) + (parts.length > 0 ? 1 : 0) : recordBytesOf(batch, i) - offsetPrefixChars(at);
        if (bytes + size > bytesMax && !(firstAlways && parts.length === 0)) {
          full = true;
          break rows;
        }
        parts.push(json);
        bytes += size;
      }
      next = at + 1;
      looked += 1;
      if (parts.length >= recordsMax || looked >= lookMax) break rows;
    }
    next = end;
  }
  log.meter.count(cursor);
  invariant(next <= log.highWatermark && next >= offset, "a read moves forward within the log");
  return { recordsJson: `[${parts.join(",")}]`, count: parts.length, nextOffset: next, bytes, full };
}
