/**
 * Retention, by time (`retention.ms`, TOPIC-7) and by size (`retention.bytes`, RETAIN-1): whole
 * stored batches deleted oldest first, as Kafka deletes whole segments, moving logStartOffset.
 * Neither deletes the last batch by size (Kafka keeps its active segment), and each call is
 * bounded work, so the alarm runs again for what is left.
 *
 * Rules: PROTOCOL.md TOPIC-7, RETAIN-1, RETAIN-2.
 *
 * @example
 * const next = expireBefore(log, now - retentionMs, retentionMs);
 * const more = trimToBytes(log, 1_000_000, RETENTION_BATCHES_PER_STEP);
 */
import { invariant } from "../result.ts";
import { type PartitionLog, ROW_END } from "./log.ts";

/**
 * Batches one size-retention step deletes at most (a step runs after an append and in the alarm).
 *
 * @example
 * trimToBytes(log, config["retention.bytes"], RETENTION_BATCHES_PER_STEP);
 */
export const RETENTION_BATCHES_PER_STEP = 256;

/**
 * When a batch expires: the first moment its newest record is older than `retentionMs` (a record
 * exactly that old is kept, PROTOCOL.md TOPIC-7), so an alarm set for this time deletes it.
 *
 * @example
 * retentionDueMs(1_000, 60_000); // 61_001
 */
export function retentionDueMs(maxTimestamp: number, retentionMs: number): number {
  return maxTimestamp + retentionMs + 1;
}

/**
 * Retention: deletes the batches whose records are all older than `cutoff` (their running maximum
 * timestamp is below it), oldest first, as Kafka deletes whole segments. Returns the time the next
 * batch expires, or null when the log is empty.
 *
 * @example
 * const next = expireBefore(log, Date.now() - retentionMs, retentionMs);
 */
export function expireBefore(log: PartitionLog, cutoff: number, retentionMs: number): number | null {
  const keepFrom = log.firstBatchReaching(cutoff);
  log.deleteBefore(keepFrom ?? log.highWatermark);
  if (keepFrom === null) return null;
  const oldest = log.sql.exec<{ max_timestamp: number }>("SELECT max_timestamp FROM batches WHERE base_offset = ?", keepFrom).toArray()[0];
  return oldest === undefined ? null : retentionDueMs(oldest.max_timestamp, retentionMs);
}

/**
 * Size retention: deletes the oldest whole batches while the partition's stored bytes exceed
 * `bytesMax`, at most `batchesMax` of them, never the last batch. Answers whether the bytes are
 * still over the bound with a batch other than the last left to delete (run again later).
 *
 * @example
 * if (trimToBytes(log, 1_000_000, RETENTION_BATCHES_PER_STEP)) void alarms.atMost(now + 1);
 */
export function trimToBytes(log: PartitionLog, bytesMax: number, batchesMax: number): boolean {
  invariant(bytesMax >= 1 && batchesMax >= 1, "size retention has a bound and a step");
  let over = log.storedBytes() - bytesMax;
  if (over <= 0) return false;
  const cursor = log.sql.exec<{ end_offset: number; bytes: number }>(
    `SELECT ${ROW_END} AS end_offset, COALESCE(records_bytes, length(payload)) AS bytes FROM batches ORDER BY base_offset LIMIT ?`,
    batchesMax + 1,
  );
  let deleteTo = -1;
  let taken = 0;
  let more = false;
  for (const row of cursor) {
    // The last batch stays (the one just appended, as Kafka keeps its active segment).
    if (over <= 0 || row.end_offset >= log.highWatermark) break;
    if (taken === batchesMax) {
      more = true;
      break;
    }
    deleteTo = row.end_offset;
    over -= row.bytes;
    taken += 1;
  }
  log.meter.count(cursor);
  if (deleteTo === -1) return false;
  log.deleteBefore(deleteTo);
  invariant(more || over <= 0 || log.storedBytes() > bytesMax, "a step stops short only at its bound or the last batch");
  return more;
}
