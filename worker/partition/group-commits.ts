/**
 * Consumer-group offsets committed on this partition. The committed offset is the next offset the
 * group will read (Kafka's convention), so lag = highWatermark - committed.
 *
 * Rules: PROTOCOL.md COMMIT-1, COMMIT-3, COMMIT-6.
 *
 * @example
 * commitOffset(sql, log, { group: "billing", offset: 42, metadata: null, generation: null }, clock.now());
 */
import { EdgelogError } from "../../client/protocol/index.ts";
import type { PartitionLog } from "./log.ts";

/**
 * A group's committed position here, or nulls when it never committed.
 *
 * @example
 * committedOffset(ctx.storage.sql, "billing"); // { committedOffset: null, metadata: null } before its first commit
 */
export interface CommittedOffset {
  committedOffset: number | null;
  metadata: string | null;
}

/**
 * A commit: `generation` is the group generation of a member's commit, null for a standalone one.
 *
 * @example
 * const commit: CommitInput = { group: "billing", offset: 43, metadata: null, generation: 3 };
 */
export interface CommitInput {
  group: string;
  offset: number;
  metadata: string | null;
  generation: number | null;
}

/**
 * Stores a commit. OFFSET_OUT_OF_RANGE past the high watermark (it could never be read);
 * ILLEGAL_GENERATION when a newer generation of the group has committed here (the coordinator
 * checks the generation first; this catches a zombie whose commit raced a rebalance).
 *
 * @example
 * commitOffset(ctx.storage.sql, log, { group: "billing", offset: 43, metadata: null, generation: 3 }, clock.now());
 * // then generation 2 committing here throws ILLEGAL_GENERATION
 */
export function commitOffset(sql: SqlStorage, log: PartitionLog, commit: CommitInput, now: number): void {
  if (commit.offset > log.highWatermark) log.checkOffset(commit.offset);
  const stored =
    sql.exec<{ generation: number | null }>("SELECT generation FROM group_offsets WHERE group_id = ?", commit.group).toArray()[0]
      ?.generation ?? null;
  if (commit.generation !== null && stored !== null && commit.generation < stored) {
    throw new EdgelogError("ILLEGAL_GENERATION", `generation ${commit.generation} is over; generation ${stored} has committed`);
  }
  const generation = Math.max(commit.generation ?? -1, stored ?? -1);
  log.meter.count(
    sql.exec(
      `INSERT INTO group_offsets (group_id, committed_offset, metadata, commit_time, generation) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (group_id) DO UPDATE SET committed_offset = excluded.committed_offset,
       metadata = excluded.metadata, commit_time = excluded.commit_time, generation = excluded.generation`,
      commit.group,
      commit.offset,
      commit.metadata,
      now,
      generation < 0 ? null : generation,
    ),
  );
}

/**
 * Reads a group's committed offset.
 *
 * @example
 * const { committedOffset: next, metadata } = committedOffset(ctx.storage.sql, "billing");
 */
export function committedOffset(sql: SqlStorage, group: string): CommittedOffset {
  const row = sql
    .exec<{ committed_offset: number; metadata: string | null }>(
      "SELECT committed_offset, metadata FROM group_offsets WHERE group_id = ?",
      group,
    )
    .toArray()[0];
  return { committedOffset: row?.committed_offset ?? null, metadata: row?.metadata ?? null };
}
