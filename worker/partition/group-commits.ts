/**
 * Consumer-group offsets committed on this partition. The committed offset is the next offset the
 * group will read (Kafka's convention), so lag = highWatermark - committed.
 *
 * Bounded: at most GROUPS_PER_PARTITION_MAX groups. A new group's commit past that first forgets
 * the groups that have not committed here for GROUP_OFFSETS_RETENTION_MS (Kafka's
 * offsets.retention.minutes), and is refused with GROUP_LIMIT_REACHED when none has. Refusing,
 * rather than evicting the least recently used, means a flood of group names can never push a
 * live group's position out (a silent reset): it is a loud error for the newcomer instead.
 *
 * Rules: PROTOCOL.md COMMIT-1, COMMIT-3, COMMIT-6, COMMIT-8.
 *
 * @example
 * commitOffset(sql, log, { group: "billing", offset: 42, metadata: null, generation: null }, clock.now());
 */
import { EdgelogError, GROUP_OFFSETS_RETENTION_MS, GROUPS_PER_PARTITION_MAX } from "../../client/protocol/index.ts";
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
  const row = sql.exec<{ generation: number | null }>("SELECT generation FROM group_offsets WHERE group_id = ?", commit.group).toArray()[0];
  if (row === undefined) makeRoom(sql, log, now);
  const stored = row?.generation ?? null;
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
 * Before a new group's first commit here: past GROUPS_PER_PARTITION_MAX groups, forgets those idle
 * for GROUP_OFFSETS_RETENTION_MS, or throws GROUP_LIMIT_REACHED when none is.
 */
function makeRoom(sql: SqlStorage, log: PartitionLog, now: number): void {
  const count = (): number => sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM group_offsets").one().n;
  if (count() < GROUPS_PER_PARTITION_MAX) return;
  log.meter.count(sql.exec("DELETE FROM group_offsets WHERE commit_time < ?", now - GROUP_OFFSETS_RETENTION_MS));
  if (count() < GROUPS_PER_PARTITION_MAX) return;
  throw new EdgelogError(
    "GROUP_LIMIT_REACHED",
    `this partition holds the offsets of ${GROUPS_PER_PARTITION_MAX} groups, the most it keeps, and none has been idle for ` +
      `${GROUP_OFFSETS_RETENTION_MS / 86_400_000} days; commit under one of them, or once one has been idle that long`,
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
