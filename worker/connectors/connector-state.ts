/**
 * A Connector object's SQLite: its name and configuration (one row) and one row per partition of
 * its topic: the committed position (the next offset to deliver), the batch being retried (its
 * first and last offset and the position after it, stored before its first attempt so every
 * attempt sends the same batch under the same delivery id), the attempts and next attempt time,
 * the last error, the counters, and the position last mirrored to the consumer group. The
 * position moves only in `succeeded` and `deadLettered`, after the sink or the dead-letter
 * append answered (CONNECT-4).
 *
 * @example
 * const state = new ConnectorState(ctx.storage.sql);
 * state.configure("orders-hook", config, 3, nowMs);
 */
import { type ConnectorConfig, type ConnectorPartitionStatus, connectorGroup } from "../../client/protocol/index.ts";
import { invariant } from "../result.ts";

/** Characters of an error message kept in the status. */
const ERROR_TEXT_MAX = 500;

interface PartitionRow extends Record<string, SqlStorageValue> {
  partition: number;
  next_offset: number;
  group_offset: number;
  high_watermark: number;
  delivered: number;
  batches: number;
  failed: number;
  dead_lettered: number;
  skipped: number;
  pending_first: number | null;
  pending_last: number | null;
  pending_next: number | null;
  attempts: number;
  next_attempt_ms: number | null;
  error_message: string | null;
  error_ms: number | null;
  success_ms: number | null;
}

/**
 * The batch a partition delivers: its range and the position after it.
 *
 * @example
 * const pending: PendingBatch = { firstOffset: 40, lastOffset: 49, nextOffset: 50 };
 */
export interface PendingBatch {
  firstOffset: number;
  lastOffset: number;
  nextOffset: number;
}

/**
 * One partition as a step sees it.
 *
 * @example
 * const { nextOffset, pending, attempts, nextAttemptMs } = state.partition(0);
 */
export interface PartitionPosition {
  partition: number;
  nextOffset: number;
  groupOffset: number;
  pending: PendingBatch | null;
  attempts: number;
  nextAttemptMs: number | null;
  /** The last failure's message (cleared by a success). */
  lastError: string | null;
}

function position(row: PartitionRow): PartitionPosition {
  const pending =
    row.pending_first === null || row.pending_last === null || row.pending_next === null
      ? null
      : { firstOffset: row.pending_first, lastOffset: row.pending_last, nextOffset: row.pending_next };
  return {
    partition: row.partition,
    nextOffset: row.next_offset,
    groupOffset: row.group_offset,
    pending,
    attempts: row.attempts,
    nextAttemptMs: row.next_attempt_ms,
    lastError: row.error_message,
  };
}

function lineOf(row: PartitionRow, config: ConnectorConfig): ConnectorPartitionStatus {
  const pending = position(row).pending;
  const failing = row.attempts >= config.attemptsMax && config.deadLetterTopic === null;
  const behind = row.high_watermark > row.next_offset;
  return {
    partition: row.partition,
    committedOffset: row.next_offset,
    highWatermark: row.high_watermark,
    lag: Math.max(0, row.high_watermark - row.next_offset),
    deliveredRecords: row.delivered,
    deliveredBatches: row.batches,
    failedAttempts: row.failed,
    deadLetteredRecords: row.dead_lettered,
    skippedOffsets: row.skipped,
    pending: pending === null ? null : { firstOffset: pending.firstOffset, lastOffset: pending.lastOffset },
    attempts: row.attempts,
    nextAttemptMs: row.attempts > 0 ? row.next_attempt_ms : null,
    lastError: row.error_message === null ? null : { message: row.error_message, atMs: row.error_ms ?? 0 },
    lastSuccessMs: row.success_ms,
    state: failing ? "failing" : row.attempts > 0 ? "retrying" : behind || pending !== null ? "delivering" : "idle",
  };
}

/**
 * The tables and their reads and writes.
 *
 * @example
 * const config = new ConnectorState(ctx.storage.sql).config(); // null before PUT
 */
export class ConnectorState {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec("CREATE TABLE IF NOT EXISTS connector (id INTEGER PRIMARY KEY CHECK (id = 1), name TEXT NOT NULL, config TEXT NOT NULL)");
    sql.exec(`CREATE TABLE IF NOT EXISTS partitions (partition INTEGER PRIMARY KEY, next_offset INTEGER NOT NULL DEFAULT 0,
      group_offset INTEGER NOT NULL DEFAULT -1, high_watermark INTEGER NOT NULL DEFAULT 0, delivered INTEGER NOT NULL DEFAULT 0,
      batches INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, dead_lettered INTEGER NOT NULL DEFAULT 0,
      skipped INTEGER NOT NULL DEFAULT 0,
      pending_first INTEGER, pending_last INTEGER, pending_next INTEGER, attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_ms INTEGER, error_message TEXT, error_ms INTEGER, success_ms INTEGER)`);
  }

  /** The connector's name and configuration, or null when none is configured. */
  identity(): { name: string; config: ConnectorConfig } | null {
    const row = this.sql.exec<{ name: string; config: string }>("SELECT name, config FROM connector WHERE id = 1").toArray()[0];
    return row === undefined ? null : { name: row.name, config: JSON.parse(row.config) as ConnectorConfig };
  }

  /**
   * Stores a configuration for `partitions` partitions; true when it is new. A replacement for
   * another topic starts every position again at 0; for the same topic it keeps the positions and
   * counters and makes a batch being retried due at once with its attempts at 0 (a fixed URL is
   * tried without waiting out the old backoff).
   */
  configure(name: string, config: ConnectorConfig, partitions: number): boolean {
    const before = this.identity();
    invariant(before === null || before.name === name, "a connector object serves one connector");
    if (before !== null && before.config.topic !== config.topic) this.sql.exec("DELETE FROM partitions");
    this.sql.exec(
      "INSERT INTO connector (id, name, config) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config",
      name,
      JSON.stringify(config),
    );
    this.sql.exec("DELETE FROM partitions WHERE partition >= ?", partitions);
    for (let p = 0; p < partitions; p++) this.sql.exec("INSERT OR IGNORE INTO partitions (partition) VALUES (?)", p);
    this.sql.exec("UPDATE partitions SET attempts = 0, next_attempt_ms = NULL");
    return before === null;
  }

  /** Every partition's position. */
  positions(): PartitionPosition[] {
    return this.rows().map(position);
  }

  /** One partition's position. */
  partition(partition: number): PartitionPosition {
    const row = this.sql.exec<PartitionRow>("SELECT * FROM partitions WHERE partition = ?", partition).toArray()[0];
    invariant(row !== undefined, "a connector steps the partitions it was configured with");
    return position(row);
  }

  /** Notes the batch about to be delivered, before its first attempt. */
  begin(partition: number, batch: PendingBatch, highWatermark: number): void {
    this.sql.exec(
      "UPDATE partitions SET pending_first = ?, pending_last = ?, pending_next = ?, high_watermark = ? WHERE partition = ?",
      batch.firstOffset,
      batch.lastOffset,
      batch.nextOffset,
      highWatermark,
      partition,
    );
  }

  /** A read that found nothing to deliver: the position moves to `nextOffset` (over a gap or up to log start). */
  caughtUp(partition: number, nextOffset: number, highWatermark: number): void {
    this.sql.exec(
      `UPDATE partitions SET next_offset = MAX(next_offset, ?), high_watermark = ?, pending_first = NULL, pending_last = NULL,
       pending_next = NULL, attempts = 0, next_attempt_ms = NULL WHERE partition = ?`,
      nextOffset,
      highWatermark,
      partition,
    );
  }

  /**
   * The position `fromOffset` is outside the log: offsets below the log start were removed before
   * they were delivered (counted, noted, passed over), or the topic is a new incarnation (noted).
   */
  skipped(partition: number, fromOffset: number, logStartOffset: number, nowMs: number): void {
    this.sql.exec(
      `UPDATE partitions SET skipped = skipped + ?, next_offset = ?, pending_first = NULL, pending_last = NULL, pending_next = NULL,
       attempts = 0, next_attempt_ms = NULL, error_message = ?, error_ms = ? WHERE partition = ?`,
      Math.max(0, logStartOffset - fromOffset),
      logStartOffset,
      logStartOffset > fromOffset
        ? `offsets ${fromOffset} to ${logStartOffset - 1} were removed before they were delivered: skipped`
        : `offset ${fromOffset} is past the log's end (the topic was created again?): restarted at ${logStartOffset}`,
      nowMs,
      partition,
    );
  }

  /** The pending batch was delivered: the position moves past it. */
  succeeded(partition: number, records: number, nowMs: number): void {
    this.moveOver(partition, "delivered = delivered + ?, batches = batches + 1, success_ms = ?, error_message = NULL, error_ms = NULL", [
      records,
      nowMs,
    ]);
  }

  /** The pending batch was appended to the dead-letter topic: the position moves past it. */
  deadLettered(partition: number, records: number): void {
    this.moveOver(partition, "dead_lettered = dead_lettered + ?", [records]);
  }

  private moveOver(partition: number, counters: string, values: SqlStorageValue[]): void {
    const { pending } = this.partition(partition);
    invariant(pending !== null, "a position moves over the batch it delivered");
    this.sql.exec(
      `UPDATE partitions SET next_offset = pending_next, pending_first = NULL, pending_last = NULL, pending_next = NULL,
       attempts = 0, next_attempt_ms = NULL, ${counters} WHERE partition = ?`,
      ...values,
      partition,
    );
  }

  /** An attempt failed (`counted`: a delivery attempt, not a failure to read or dead-letter); the next is due at `nextAttemptMs`. */
  failed(partition: number, message: string, nowMs: number, nextAttemptMs: number, counted: boolean): void {
    const bump = counted ? 1 : 0;
    this.sql.exec(
      `UPDATE partitions SET attempts = attempts + ?, failed = failed + ?, next_attempt_ms = ?, error_message = ?, error_ms = ?
       WHERE partition = ?`,
      bump,
      bump,
      nextAttemptMs,
      message.slice(0, ERROR_TEXT_MAX),
      nowMs,
      partition,
    );
  }

  /** The consumer group now holds `offset` for `partition`. */
  mirrored(partition: number, offset: number): void {
    this.sql.exec("UPDATE partitions SET group_offset = ? WHERE partition = ?", offset, partition);
  }

  /** The status lines, or null when no connector is configured. */
  status(): { name: string; group: string; config: ConnectorConfig; partitions: ConnectorPartitionStatus[] } | null {
    const identity = this.identity();
    if (identity === null) return null;
    const partitions = this.rows().map((row) => lineOf(row, identity.config));
    return { name: identity.name, group: connectorGroup(identity.name), config: identity.config, partitions };
  }

  private rows(): PartitionRow[] {
    return this.sql.exec<PartitionRow>("SELECT * FROM partitions ORDER BY partition").toArray();
  }
}
