/**
 * What a partition does to its log besides appending and reading, on its one alarm: retention by
 * time (TOPIC-7) and by size (RETAIN-1), and compaction (COMPACT-4). After an append it deletes
 * what size retention allows at once (bounded) and makes sure the alarm is set for what is due
 * later; the alarm runs each part's due work and answers when it is needed next.
 *
 * Rules: PROTOCOL.md TOPIC-7, RETAIN-1, RETAIN-2, COMPACT-4.
 *
 * @example
 * const housekeeping = new Housekeeping(log, compaction, (dueMs) => void alarms.atMost(dueMs));
 * housekeeping.afterAppend(now, batch.bytes); // in the append's turn
 * const due = housekeeping.run(now); // in the alarm
 */
import { type FullTopicConfig, isCompacted } from "../../client/protocol/index.ts";
import { COMPACTION_STEPS_PER_ALARM, type Compaction } from "./compaction.ts";
import type { PartitionLog } from "./log.ts";
import { expireBefore, RETENTION_BATCHES_PER_STEP, retentionDueMs, trimToBytes } from "./retention.ts";

/**
 * Whether the topic's cleanup policy deletes by retention (`"delete"` or `"compact,delete"`):
 * a compact-only topic keeps every key's latest record whatever its age or the bytes.
 *
 * @example
 * deletes(parseTopicConfig({ "cleanup.policy": "compact" })); // false
 */
export function deletes(config: FullTopicConfig): boolean {
  return config["cleanup.policy"] !== "compact";
}

/**
 * A partition's retention and compaction work (see this module's header).
 *
 * @example
 * new Housekeeping(log, compaction, (dueMs) => void alarms.atMost(dueMs)).afterAppend(Date.now(), batch.bytes);
 */
export class Housekeeping {
  private readonly log: PartitionLog;
  private readonly schedule: (dueMs: number) => void;
  readonly compaction: Compaction;
  /** Whether a retention alarm is known to be set (unknown after a restart: set again once). */
  private retentionAlarmSet = false;
  /** The compaction time the alarm was last set for in this life (not set again for a later one). */
  private compactionScheduled: number | null = null;

  constructor(log: PartitionLog, compaction: Compaction, schedule: (dueMs: number) => void) {
    this.log = log;
    this.compaction = compaction;
    this.schedule = schedule;
  }

  /** After an append of `bytes`: size retention now (one bounded step), and the alarm for what is left. */
  afterAppend(now: number, bytes: number): void {
    const config = this.log.identity?.config;
    if (config === undefined) return;
    if (isCompacted(config)) {
      this.compaction.appended(bytes);
      const due = this.compaction.due(config, now);
      if (due !== null && (this.compactionScheduled === null || due < this.compactionScheduled)) {
        this.compactionScheduled = due;
        this.schedule(Math.max(due, now + 1));
      }
    }
    if (!deletes(config)) return;
    const bytesMax = config["retention.bytes"];
    if (bytesMax > 0 && trimToBytes(this.log, bytesMax, RETENTION_BATCHES_PER_STEP)) this.schedule(now + 1);
    this.scheduleRetention(config, now);
  }

  /** The alarm's work: what is due of retention and compaction; answers when the alarm is needed next, or null. */
  run(now: number): number | null {
    const config = this.log.identity?.config;
    if (config === undefined) return null;
    // Retention first: compaction then has no expired batch to read (nor to merge into a fresh one).
    let retentionDue: number | null = null;
    let sizeDue: number | null = null;
    if (deletes(config)) {
      const retentionMs = config["retention.ms"];
      retentionDue = retentionMs > 0 ? expireBefore(this.log, now - retentionMs, retentionMs) : null;
      this.retentionAlarmSet = retentionDue !== null;
      const bytesMax = config["retention.bytes"];
      sizeDue = bytesMax > 0 && trimToBytes(this.log, bytesMax, RETENTION_BATCHES_PER_STEP) ? now + 1 : null;
    }
    this.compactionScheduled = null;
    const compactionDue = isCompacted(config) ? this.compaction.run(config, now, COMPACTION_STEPS_PER_ALARM) : null;
    this.compactionScheduled = compactionDue;
    return earliest(retentionDue, sizeDue, compactionDue);
  }

  /** A drop deleted everything: no alarm is known to be set. */
  cleared(): void {
    this.retentionAlarmSet = false;
    this.compactionScheduled = null;
    this.compaction.reload();
  }

  private scheduleRetention(config: FullTopicConfig, now: number): void {
    const retentionMs = config["retention.ms"];
    if (retentionMs <= 0 || this.retentionAlarmSet) return;
    this.retentionAlarmSet = true;
    // The oldest batch expires first; after a restart this re-derives the alarm from storage.
    const oldest = this.log.sql
      .exec<{ max_timestamp: number }>("SELECT max_timestamp FROM batches ORDER BY base_offset LIMIT 1")
      .toArray()[0];
    this.schedule(Math.max(retentionDueMs(oldest?.max_timestamp ?? now, retentionMs), now + 1));
  }
}

/**
 * The earliest of some due times (null: not due).
 *
 * @example
 * earliest(5, null, 3); // 3
 */
export function earliest(...dues: (number | null)[]): number | null {
  let found: number | null = null;
  for (const due of dues) if (due !== null && (found === null || due < found)) found = due;
  return found;
}
