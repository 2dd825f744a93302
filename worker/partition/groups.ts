/**
 * Consumer-group offsets committed on this partition. The committed offset is the next offset the
 * group will read (Kafka's convention), so lag = highWatermark - committed.
 *
 * @example
 * commitOffset(sql, log, "billing", 42, null, Date.now());
 */
import type { PartitionLog } from "./log.ts";

/** A group's committed position here, or nulls when it never committed. */
export interface CommittedOffset {
  committedOffset: number | null;
  metadata: string | null;
}

/** Stores a commit. OFFSET_OUT_OF_RANGE past the high watermark (it could never be read). */
export function commitOffset(
  sql: SqlStorage,
  log: PartitionLog,
  group: string,
  offset: number,
  metadata: string | null,
  now: number,
): void {
  if (offset > log.highWatermark) log.checkOffset(offset);
  log.meter.count(sql.exec(
    `INSERT INTO group_offsets (group_id, committed_offset, metadata, commit_time) VALUES (?, ?, ?, ?)
     ON CONFLICT (group_id) DO UPDATE SET committed_offset = excluded.committed_offset,
       metadata = excluded.metadata, commit_time = excluded.commit_time`,
    group, offset, metadata, now,
  ));
}

/** Reads a group's committed offset. */
export function committedOffset(sql: SqlStorage, group: string): CommittedOffset {
  const row = sql.exec<{ committed_offset: number; metadata: string | null }>(
    "SELECT committed_offset, metadata FROM group_offsets WHERE group_id = ?",
    group,
  ).toArray()[0];
  return { committedOffset: row?.committed_offset ?? null, metadata: row?.metadata ?? null };
}
