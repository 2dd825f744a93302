/**
 * One partition's append-only log in SQLite: contiguous offsets from 0, never reused; reads by
 * offset and by timestamp; deletion of a prefix (retention, deleteRecords) that moves
 * logStartOffset forward. Invariants are asserted before each write and after each read.
 *
 * Rules: PROTOCOL.md RECORD-1, FETCH-1, FETCH-3, LOG-1, LOG-2, TOPIC-7.
 *
 * @example
 * const log = new PartitionLog(ctx.storage.sql);
 * const { baseOffset } = log.append([null], ['"key":null,"value":1,"headers":{}}'], Date.now());
 */

import type { FullTopicConfig } from "../../client/protocol/index.ts";
import { BATCH_BYTES_MAX, BATCH_RECORDS_MAX, EdgelogError, withConfigDefaults } from "../../client/protocol/index.ts";
import { invariant } from "../result.ts";
import type { FramedPage, LogPage, ScanBounds } from "./log-pages.ts";
import { Meter } from "./meter.ts";
import {
  type BatchRow,
  batchEnd,
  indexAtOrAfter,
  newBatch,
  recordOffset,
  recordTimestamp,
  type StoredBatch,
  sliceRecords,
  storedBatch,
  takeRecords,
} from "./stored-batch.ts";

/**
 * The identity a partition is initialised with.
 *
 * @example
 * log.init({ topic: "orders", topicId: meta.topicId, partition: 0, config: meta.config });
 */
export interface PartitionIdentity {
  topic: string;
  topicId: string;
  partition: number;
  config: FullTopicConfig;
}

export type { FramedPage, LogPage } from "./log-pages.ts";

/**
 * Characters a stored record carries beside its validated bytes: `{"offset":N,` (16 digits at
 * most), `"timestamp":T,` (16 digits at most) and the comma between records.
 */
const RECORD_FRAMING_CHARS_MAX = '{"offset":'.length + 16 + 1 + '"timestamp":'.length + 16 + 1 + 1;

/**
 * Characters one batch row's json may hold (about 1.6 MB, within SQLite's 2 MB a row); a row compaction
 * writes holds as much at most.
 *
 * @example
 * invariant(batch.json.length <= BATCH_JSON_CHARS_MAX, "batch payload within a row");
 */
export const BATCH_JSON_CHARS_MAX = BATCH_BYTES_MAX + BATCH_RECORDS_MAX * RECORD_FRAMING_CHARS_MAX;

/** The columns a read of whole batch rows selects (stored-batch.ts's BatchRow). */
const BATCH_COLUMNS = "SELECT base_offset, record_count, payload, records_bytes, record_ends, offset_end FROM batches";

/**
 * SQL for one past a batch row's last offset: `offset_end` in a row compaction rewrote (its
 * offsets have gaps), else its base offset plus its count.
 *
 * @example
 * sql.exec(`SELECT ${ROW_END} AS end_offset FROM batches ORDER BY base_offset DESC LIMIT 1`);
 */
export const ROW_END = "COALESCE(offset_end, base_offset + record_count)";

/**
 * One partition's log over its object's SQLite (see this module's header), with its identity
 * and bounds kept in memory.
 *
 * @example
 * const log = new PartitionLog(ctx.storage.sql);
 * const { baseOffset } = log.append([null], ['"key":null,"value":1,"headers":{}}'], Date.now());
 * log.read(baseOffset, 10, FETCH_BYTES_DEFAULT).count; // 1
 */
export class PartitionLog {
  readonly sql: SqlStorage;
  /** Rows this log wrote and read since the object started (the priced units). */
  readonly meter = new Meter();
  identity: PartitionIdentity | null = null;
  logStartOffset = 0;
  /** One past the last record: the offset the next record gets. */
  highWatermark = 0;
  /** The largest timestamp appended so far (the running maximum stored with the last batch). */
  maxTimestamp = 0;
  /** The UTF-8 bytes of every stored batch (see `storedBytes`), or null until first asked. */
  private bytesStored: number | null = null;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    this.reload();
  }

  /** Rebuilds the in-memory view from storage (on start, and after a drop). */
  reload(): void {
    const meta = this.sql
      .exec<{ topic: string; topic_id: string; partition: number; config: string; log_start_offset: number }>(
        "SELECT topic, topic_id, partition, config, log_start_offset FROM meta WHERE id = 1",
      )
      .toArray()[0];
    this.identity = meta
      ? {
          topic: meta.topic,
          topicId: meta.topic_id,
          partition: meta.partition,
          config: withConfigDefaults(JSON.parse(meta.config) as FullTopicConfig),
        }
      : null;
    this.logStartOffset = meta?.log_start_offset ?? 0;
    const last = this.sql
      .exec<{ end_offset: number; max_timestamp: number }>(
        `SELECT ${ROW_END} AS end_offset, max_timestamp FROM batches ORDER BY base_offset DESC LIMIT 1`,
      )
      .toArray()[0];
    this.highWatermark = Math.max(last ? last.end_offset : 0, this.logStartOffset);
    this.maxTimestamp = last?.max_timestamp ?? 0;
    this.bytesStored = null;
    invariant(this.logStartOffset <= this.highWatermark, "logStartOffset <= highWatermark");
  }

  /**
   * The UTF-8 bytes of every stored batch (a legacy row counts its payload's length), what
   * `retention.bytes` bounds: summed once per life of the object when first asked (one row read
   * per batch), then kept in step by every write.
   */
  storedBytes(): number {
    if (this.bytesStored === null) this.bytesStored = this.bytesOfRows(0, Number.MAX_SAFE_INTEGER);
    return this.bytesStored;
  }

  /** Adds `delta` to the stored bytes when they are known (a write that replaced rows). */
  storedBytesChanged(delta: number): void {
    if (this.bytesStored === null) return;
    this.bytesStored += delta;
    invariant(this.bytesStored >= 0, "stored bytes are never negative");
  }

  /** The stored bytes of the batches with base offsets in [from, to) (one row read per batch). */
  bytesOfRows(from: number, to: number): number {
    const cursor = this.sql.exec<{ bytes: number }>(
      "SELECT COALESCE(SUM(COALESCE(records_bytes, length(payload))), 0) AS bytes FROM batches WHERE base_offset >= ? AND base_offset < ?",
      from,
      to,
    );
    const bytes = cursor.one().bytes;
    this.meter.count(cursor);
    return bytes;
  }

  /** Records who this partition is. Idempotent for the same topic id; another id is refused. */
  init(identity: PartitionIdentity): void {
    if (this.identity !== null) {
      invariant(this.identity.topicId === identity.topicId, "a partition object serves one topic incarnation");
      return;
    }
    this.meter.count(
      this.sql.exec(
        "INSERT INTO meta (id, topic, topic_id, partition, config, log_start_offset) VALUES (1, ?, ?, ?, ?, 0)",
        identity.topic,
        identity.topicId,
        identity.partition,
        JSON.stringify(identity.config),
      ),
    );
    this.identity = identity;
  }

  /** The identity, or UNKNOWN_TOPIC when this object is not (or no longer) that topic's partition. */
  require(topicId: string): PartitionIdentity {
    if (this.identity === null || this.identity.topicId !== topicId) {
      throw new EdgelogError("UNKNOWN_TOPIC", "the topic does not exist (it may have been deleted)");
    }
    return this.identity;
  }

  /**
   * Appends one batch, stored as reads serve it (stored-batch.ts): its records with their
   * `{"offset":N,` prefixes joined by commas, each record's end, and the UTF-8 bytes of the whole
   * (one scan here, none on any read). `timestamps[i]` null (or a LogAppendTime topic) takes `now`.
   * All statements run with no await between them, so the batch commits atomically.
   */
  append(timestamps: readonly (number | null)[], tails: readonly string[], now: number): { baseOffset: number; batch: StoredBatch } {
    const count = tails.length;
    invariant(count > 0 && count <= BATCH_RECORDS_MAX && timestamps.length === count, "batch size in range");
    const logAppendTime = this.identity?.config["message.timestamp.type"] === "LogAppendTime";
    let maxTimestamp = this.maxTimestamp;
    const lines = new Array<string>(count);
    for (let i = 0; i < count; i++) {
      const timestamp = logAppendTime ? now : (timestamps[i] ?? now);
      if (timestamp > maxTimestamp) maxTimestamp = timestamp;
      lines[i] = `"timestamp":${timestamp},${tails[i]}`;
    }
    const baseOffset = this.highWatermark;
    const batch = newBatch(baseOffset, lines);
    // UTF-16 length <= UTF-8 length, which validation bounded; this catches a skipped validation.
    invariant(batch.json.length <= BATCH_JSON_CHARS_MAX, "batch payload within a row");
    this.meter.count(
      this.sql.exec(
        "INSERT INTO batches (base_offset, record_count, max_timestamp, append_time, payload, records_bytes, record_ends) VALUES (?, ?, ?, ?, ?, ?, ?)",
        baseOffset,
        count,
        maxTimestamp,
        now,
        batch.json,
        batch.bytes,
        batch.ends.buffer,
      ),
    );
    this.meter.appended(count, batch.bytes);
    this.highWatermark = baseOffset + count;
    this.maxTimestamp = maxTimestamp;
    this.storedBytesChanged(batch.bytes);
    return { baseOffset, batch };
  }

  /** OFFSET_OUT_OF_RANGE unless logStartOffset <= offset <= highWatermark. */
  checkOffset(offset: number): void {
    if (offset < this.logStartOffset || offset > this.highWatermark) {
      throw new EdgelogError("OFFSET_OUT_OF_RANGE", `offset ${offset} is outside the log [${this.logStartOffset}, ${this.highWatermark}]`);
    }
  }

  /**
   * Reads from `offset`: at most `limit` records and about `maxBytes` bytes of stored lines (the
   * first record is returned whatever its size, so a large record never blocks a consumer). The
   * HTTP read and the SSE tail.
   */
  read(offset: number, limit: number, maxBytes: number): LogPage {
    const page = this.scan(offset, { recordsMax: limit, bytesMax: maxBytes, framed: false, firstAlways: true });
    return {
      recordsJson: page.recordsJson,
      count: page.count,
      nextOffset: page.nextOffset,
      highWatermark: this.highWatermark,
      logStartOffset: this.logStartOffset,
    };
  }

  /**
   * Reads from `offset` a page for a pushed frame: at most `recordsMax` records whose JSON array
   * (`[{"offset":N,...},...]`, brackets, prefixes and commas included) is at most `bytesMax` UTF-8
   * bytes. With `firstAlways` the first record comes back even when it alone passes `bytesMax`;
   * without it the page may be empty (the next record does not fit). `full` says the next record
   * did not fit, so a read with a smaller budget would be futile.
   *
   * @example
   * const page = log.readWithin(next, { recordsMax: 500, bytesMax: 65_536, firstAlways: false });
   * page.bytes; // utf8Length(page.recordsJson), counted while reading
   */
  readWithin(offset: number, bounds: { recordsMax: number; bytesMax: number; firstAlways: boolean }): FramedPage {
    return this.scan(offset, { ...bounds, framed: true });
  }

  /**
   * The read itself: walks the batches from `offset` while the bounds allow (see ScanBounds),
   * taking each whole when it fits (its stored json as it is) and cutting only the page's edges.
   */
  private scan(offset: number, bounds: ScanBounds): FramedPage {
    this.checkOffset(offset);
    const { recordsMax, bytesMax, framed, firstAlways } = bounds;
    invariant(recordsMax >= 1, "a read asks for at least one record");
    const parts: string[] = [];
    let count = 0;
    // Framed, the array's brackets count from the start.
    let bytes = framed ? 2 : 0;
    let next = offset;
    let full = false;
    let expectedBase = -1;
    const cursor = this.sql.exec<BatchRow>(
      `${BATCH_COLUMNS}
       WHERE base_offset >= COALESCE((SELECT base_offset FROM batches WHERE base_offset <= ?1 ORDER BY base_offset DESC LIMIT 1), ?1)
       ORDER BY base_offset LIMIT ?2`,
      offset,
      recordsMax,
    );
    for (const row of cursor) {
      // Batches rise: each starts at or after the end of the one before (after a gap once compacted).
      invariant(expectedBase === -1 || row.base_offset >= expectedBase, "batches rise");
      const batch = storedBatch(row);
      expectedBase = batchEnd(batch);
      if (expectedBase <= next) continue;
      const from = indexAtOrAfter(batch, next);
      const take = takeRecords(batch, from, {
        recordsMax: recordsMax - count,
        bytesMax: bytesMax - bytes,
        framed,
        joined: count > 0,
        first: firstAlways && count === 0,
      });
      if (take.to > from) {
        parts.push(sliceRecords(batch, from, take.to));
        count += take.to - from;
        bytes += take.bytes;
        // One past the last offset covered: a batch's end, or the first record not taken.
        next = take.to === batch.count ? expectedBase : recordOffset(batch, take.to);
      }
      full = take.full;
      // Full, or cut inside this batch: stop before the cursor reads (and bills) another row.
      if (full || take.to < batch.count || count >= recordsMax) break;
    }
    this.meter.count(cursor);
    const recordsJson = parts.length === 1 ? `[${parts[0]}]` : `[${parts.join(",")}]`;
    invariant(next <= this.highWatermark && next >= offset + count, "a read never passes the high watermark");
    // Cheap bounds on the counted bytes (a recount would read every byte again).
    invariant(!framed || (bytes >= recordsJson.length && bytes <= 3 * recordsJson.length), "framed bytes are the array's UTF-8 length");
    return { recordsJson, count, nextOffset: next, bytes, full };
  }

  /**
   * The batch holding `offset` (inside the log): its base offset and running maximum timestamp;
   * for an offset compaction removed before the first batch, the first batch (COMPACT-5).
   */
  private batchHolding(offset: number): { base_offset: number; max_timestamp: number } {
    const first = (where: string) =>
      this.sql
        .exec<{ base_offset: number; max_timestamp: number }>(
          `SELECT base_offset, max_timestamp FROM batches WHERE ${where} LIMIT 1`,
          offset,
        )
        .toArray()[0];
    const row = first("base_offset <= ? ORDER BY base_offset DESC") ?? first("base_offset > ? ORDER BY base_offset");
    invariant(row !== undefined, "an offset inside the log has a batch");
    return row;
  }

  /**
   * The base offset of the first batch whose running maximum timestamp reaches `timestamp`, or
   * null. A binary search over offsets: O(log n) point reads, no timestamp index to pay for.
   */
  firstBatchReaching(timestamp: number): number | null {
    if (this.logStartOffset === this.highWatermark || this.maxTimestamp < timestamp) return null;
    let low = this.logStartOffset;
    let high = this.highWatermark - 1;
    // Loop bound: the range halves each turn, so at most 53 turns for any safe offset.
    for (let turn = 0; turn < 64 && low < high; turn++) {
      const middle = low + Math.floor((high - low) / 2);
      if (this.batchHolding(middle).max_timestamp >= timestamp) high = middle;
      else low = middle + 1;
    }
    return this.batchHolding(low).base_offset;
  }

  /** Kafka's offsetsForTimes: the first record with a timestamp >= `timestamp`. */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number | null } {
    const base = this.firstBatchReaching(timestamp);
    if (base === null) return { offset: this.highWatermark, timestamp: null };
    // The batch's running maximum reaches `timestamp` and the one before does not, so the
    // answer is inside this batch (at or after logStartOffset).
    const row = this.sql.exec<BatchRow>(`${BATCH_COLUMNS} WHERE base_offset = ?`, base).toArray()[0];
    invariant(row !== undefined, "the found batch exists");
    const batch = storedBatch(row);
    for (let i = indexAtOrAfter(batch, this.logStartOffset); i < batch.count; i++) {
      const found = recordTimestamp(batch, i);
      if (found >= timestamp) return { offset: recordOffset(batch, i), timestamp: found };
    }
    // Only reachable when the qualifying records sit below logStartOffset inside this batch.
    return this.nextAfter(base, timestamp);
  }

  /** The first record at or after `timestamp` in the batches after `base` (rare path). */
  private nextAfter(base: number, timestamp: number): { offset: number; timestamp: number | null } {
    const rows = this.sql.exec<BatchRow>(`${BATCH_COLUMNS} WHERE base_offset > ? ORDER BY base_offset`, base);
    for (const row of rows) {
      const batch = storedBatch(row);
      for (let i = 0; i < batch.count; i++) {
        const found = recordTimestamp(batch, i);
        if (found >= timestamp) return { offset: recordOffset(batch, i), timestamp: found };
      }
    }
    return { offset: this.highWatermark, timestamp: null };
  }

  /**
   * Moves logStartOffset to `offset` (Kafka's deleteRecords) and deletes every batch wholly below
   * it. A batch straddling the new start stays; reads skip its older records.
   * An offset at or below the start is a no-op, as in Kafka: the start never moves back, and
   * retention may name the base of a batch that deleteRecords already cut into.
   */
  deleteBefore(offset: number): number {
    if (offset <= this.logStartOffset) return this.logStartOffset;
    this.checkOffset(offset);
    const deleted = this.sql
      .exec<{ upto: number }>(
        "SELECT COALESCE(MAX(base_offset) + 1, 0) AS upto FROM batches WHERE base_offset < ?1 AND base_offset + record_count <= ?1",
        offset,
      )
      .one().upto;
    if (this.bytesStored !== null) this.storedBytesChanged(-this.bytesOfRows(0, deleted));
    // base_offset < ? lets SQLite walk the rowid range instead of the whole table.
    this.meter.count(this.sql.exec("DELETE FROM batches WHERE base_offset < ?", deleted));
    this.meter.count(this.sql.exec("UPDATE meta SET log_start_offset = ? WHERE id = 1", offset));
    this.logStartOffset = offset;
    return offset;
  }
}
