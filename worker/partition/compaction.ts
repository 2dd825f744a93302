/**
 * Log compaction (Kafka's log cleaner) for a topic whose `cleanup.policy` has `compact`: a pass
 * walks the batches from the log's start and keeps, of each key, only its latest record (the
 * key index says which, keys.ts); a tombstone (a latest record whose value is null) is kept until
 * it is older than `delete.retention.ms`, then removed with its key. Kept records keep their
 * offsets, so a rewritten batch has gaps (stored-batch.ts), and a step packs what the batches it
 * read kept into rows of up to COMPACTED_ROW_CHARS_TARGET characters (storage shrinks, and later
 * reads read fewer rows); batches it would leave as they are are not written again.
 *
 * Bounded and safe to interrupt: a step reads at most COMPACTION_BATCHES_PER_STEP batches and
 * rewrites them in one transactionSync, so a read (the object is single-threaded) sees the
 * batches before the step or after it, never between; an alarm runs at most
 * COMPACTION_STEPS_PER_ALARM steps and asks for the next alarm at once while a pass is not done.
 * A pass never touches the last batch (Kafka's active segment), nor a batch appended less than
 * `min.compaction.lag.ms` ago, nor one appended after it started; it starts when the bytes
 * appended since the last pass reach `min.cleanable.dirty.ratio` of the partition's, or when a
 * tombstone it kept is due for removal.
 *
 * `cleanedTombstonesBelow` (in meta): one past the highest offset of a tombstone a pass removed.
 * A reader resuming below it may have missed a delete, so it is served a reset (COMPACT-6).
 *
 * Rules: PROTOCOL.md COMPACT-3, COMPACT-4, COMPACT-5, COMPACT-6.
 *
 * @example
 * const compaction = new Compaction({ log, keys, transaction: (fn) => ctx.storage.transactionSync(fn) });
 * const due = compaction.run(now, COMPACTION_STEPS_PER_ALARM); // in the alarm
 */
import { BATCH_RECORDS_MAX, type FullTopicConfig, utf8Length } from "../../client/protocol/index.ts";
import { invariant } from "../result.ts";
import { type KeyIndex, keyAt } from "./keys.ts";
import { BATCH_JSON_CHARS_MAX, type PartitionLog, ROW_END } from "./log.ts";
import { type BatchRow, batchEnd, recordOffset, recordStart, storedBatch } from "./stored-batch.ts";

/**
 * Batches one compaction step reads (and rewrites in one transaction) at most.
 *
 * @example
 * compaction.step(now); // reads up to COMPACTION_BATCHES_PER_STEP batches
 */
export const COMPACTION_BATCHES_PER_STEP = 64;

/**
 * Steps one alarm runs at most (then the alarm is set again at once while the pass goes on).
 *
 * @example
 * compaction.run(now, COMPACTION_STEPS_PER_ALARM);
 */
export const COMPACTION_STEPS_PER_ALARM = 16;

/**
 * Characters a row compaction packs kept records into at most (a record larger goes alone):
 * small rows merge, so reads of a compacted log read fewer rows, but not into rows so large that
 * a read of one record loads much more than an appended batch would.
 *
 * @example
 * pack(kept); // small batches' records merged up to COMPACTED_ROW_CHARS_TARGET characters
 */
export const COMPACTED_ROW_CHARS_TARGET = 131_072;

/**
 * What compaction works on: the log, its key index, and a synchronous transaction.
 *
 * @example
 * const host: CompactionHost = { log, keys, transaction: (fn) => ctx.storage.transactionSync(fn) };
 */
export interface CompactionHost {
  log: PartitionLog;
  keys: KeyIndex;
  transaction<T>(fn: () => T): T;
}

/** A batch row as a step reads it. */
type StepRow = BatchRow & { max_timestamp: number; append_time: number; end_offset: number };

/** A record a step keeps: its json, offset, and the row it came from. */
interface KeptRecord {
  json: string;
  offset: number;
  row: StepRow;
}

/** A pass in progress: the next base offset to read, and the log's end when it started. */
interface Pass {
  next: number;
  end: number;
}

/** What one step did (the pass ends when `done`). */
interface StepOutcome {
  done: boolean;
  /** Where the next pass may not start before, when this one stopped at a batch too young. */
  youngDue: number | null;
}

/**
 * A partition's compaction (see this module's header).
 *
 * @example
 * new Compaction(host).run(Date.now(), COMPACTION_STEPS_PER_ALARM);
 */
export class Compaction {
  private readonly host: CompactionHost;
  /** Batches a step reads at most (a test sets fewer, to interleave reads with more steps). */
  batchesPerStep = COMPACTION_BATCHES_PER_STEP;
  /** One past the highest offset of a tombstone compaction removed (0 if none). */
  cleanedTombstonesBelow = 0;
  /** Where the last finished pass stopped: batches from here on are dirty (not compacted yet). */
  compactedBelow = 0;
  private pass: Pass | null = null;
  /** Bytes of the dirty batches, or null until asked in this life of the object. */
  private dirtyBytes: number | null = null;
  /** When a kept tombstone passes delete.retention.ms, or null. */
  private tombstoneDue: number | null = null;
  /** When the batch the last pass stopped at is old enough (null: at the last batch), and the log's end then. */
  private blocked: { until: number | null; highWatermark: number } | null = null;
  /** The last appended batch's bytes: dirty, but not compactable until another follows. */
  private lastBytes = 0;

  constructor(host: CompactionHost) {
    this.host = host;
    this.reload();
  }

  /** Reads the state again from storage (on start, after a drop or a failed step). */
  reload(): void {
    const meta = this.host.log.sql
      .exec<{ tombstones: number | null; compacted: number | null }>(
        "SELECT cleaned_tombstones_below AS tombstones, compacted_below AS compacted FROM meta WHERE id = 1",
      )
      .toArray()[0];
    this.cleanedTombstonesBelow = meta?.tombstones ?? 0;
    this.compactedBelow = meta?.compacted ?? 0;
    this.pass = null;
    this.dirtyBytes = null;
    this.blocked = null;
  }

  /** A batch of `bytes` was appended (it is dirty). */
  appended(bytes: number): void {
    if (this.dirtyBytes !== null) this.dirtyBytes += bytes;
    this.lastBytes = bytes;
  }

  private dirty(): number {
    this.dirtyBytes ??= this.host.log.bytesOfRows(this.compactedBelow, Number.MAX_SAFE_INTEGER);
    return this.dirtyBytes;
  }

  /** When a pass should start (now or later), or null until the next append or tombstone. */
  due(config: FullTopicConfig, now: number): number | null {
    if (this.pass !== null) return now;
    const log = this.host.log;
    const tombstones = this.tombstoneDue;
    const total = log.storedBytes();
    // The last batch is dirty but never compacted, so it does not count toward the ratio.
    const dirty = this.dirty() - this.lastBytes;
    let ratioDue: number | null = null;
    if (dirty > 0 && total > 0 && dirty / total >= config["min.cleanable.dirty.ratio"]) {
      const blocked = this.blocked;
      // The last pass stopped at a batch too young (due then) or at the last batch (due after an append).
      if (blocked === null || (blocked.until === null && blocked.highWatermark !== log.highWatermark)) ratioDue = now;
      else ratioDue = blocked.until === null ? null : Math.max(now, blocked.until);
    }
    if (ratioDue === null) return tombstones;
    return tombstones === null ? ratioDue : Math.min(ratioDue, tombstones);
  }

  /**
   * Runs up to `stepsMax` steps (starting a pass when one is due) and answers when to run again:
   * `now` while a pass is not done, else when the next pass is due, or null.
   */
  run(config: FullTopicConfig, now: number, stepsMax: number): number | null {
    for (let step = 0; step < stepsMax; step++) {
      if (this.pass === null) {
        const due = this.due(config, now);
        if (due === null || due > now) return due;
        this.start();
      }
      this.step(config, now);
    }
    return this.pass === null ? this.due(config, now) : now;
  }

  /** Starts a pass now, whatever its trigger (unless one is running), up to the log's end now. */
  start(): void {
    if (this.pass !== null) return;
    this.pass = { next: 0, end: this.host.log.highWatermark };
    this.tombstoneDue = null;
  }

  /** Whether a pass is in progress. */
  get running(): boolean {
    return this.pass !== null;
  }

  /** One step of the pass in progress (one transaction); ends the pass when it reaches its end. */
  step(config: FullTopicConfig, now: number): void {
    const pass = this.pass;
    invariant(pass !== null, "a step belongs to a pass");
    let outcome: StepOutcome;
    try {
      outcome = this.host.transaction(() => this.stepNow(pass, config, now));
    } catch (error) {
      this.host.log.reload();
      this.reload();
      throw error;
    }
    if (!outcome.done) return;
    this.pass = null;
    this.dirtyBytes = null;
    this.blocked = { until: outcome.youngDue, highWatermark: this.host.log.highWatermark };
  }

  /** The step itself, inside its transaction. */
  private stepNow(pass: Pass, config: FullTopicConfig, now: number): StepOutcome {
    const { log } = this.host;
    const cursor = log.sql.exec<StepRow>(
      `SELECT base_offset, record_count, payload, records_bytes, record_ends, offset_end, max_timestamp, append_time, ${ROW_END} AS end_offset
       FROM batches WHERE base_offset >= ? AND base_offset < ? ORDER BY base_offset LIMIT ?`,
      pass.next,
      pass.end,
      this.batchesPerStep,
    );
    const rows: StepRow[] = [];
    let youngDue: number | null = null;
    let stopped = false;
    for (const row of cursor) {
      // Never the last batch (the active head), nor one younger than the lag.
      if (row.end_offset >= log.highWatermark) {
        stopped = true;
        break;
      }
      if (row.append_time > now - config["min.compaction.lag.ms"]) {
        youngDue = row.append_time + config["min.compaction.lag.ms"] + 1;
        stopped = true;
        break;
      }
      rows.push(row);
    }
    log.meter.count(cursor);
    const last = rows[rows.length - 1];
    const done = stopped || rows.length < this.batchesPerStep || last === undefined;
    if (last !== undefined) {
      this.rewrite(rows, this.kept(rows, config, now));
      pass.next = last.end_offset;
    }
    if (done) {
      this.compactedBelow = stopped ? Math.max(pass.next, this.firstBaseFrom(pass.next)) : pass.end;
      log.meter.count(log.sql.exec("UPDATE meta SET compacted_below = ? WHERE id = 1", this.compactedBelow));
    }
    return { done, youngDue };
  }

  /** The first base offset at or after `offset` (where a stopped pass left the dirty batches). */
  private firstBaseFrom(offset: number): number {
    const row = this.host.log.sql
      .exec<{ base_offset: number }>("SELECT base_offset FROM batches WHERE base_offset >= ? ORDER BY base_offset LIMIT 1", offset)
      .toArray()[0];
    return row?.base_offset ?? offset;
  }

  /**
   * The records of `rows` to keep: each key's latest (by the index), but a tombstone older than
   * delete.retention.ms, which goes with its key (and moves cleanedTombstonesBelow).
   */
  private kept(rows: readonly StepRow[], config: FullTopicConfig, now: number): KeptRecord[] {
    const { keys, log } = this.host;
    const kept: KeptRecord[] = [];
    const retentionMs = config["delete.retention.ms"];
    let tombstonesBelow = this.cleanedTombstonesBelow;
    for (const row of rows) {
      const batch = storedBatch(row);
      for (let i = 0; i < batch.count; i++) {
        const start = recordStart(batch, i);
        const json = batch.json.slice(start, batch.ends[i]);
        const offset = recordOffset(batch, i);
        const { key, end } = keyAt(json, json.indexOf(',"key":') + 1);
        // A keyless record (produced before the topic... never: refused) or a superseded one goes.
        if (key === null || keys.latest(key) !== offset) continue;
        if (json.startsWith(',"value":null,', end)) {
          if (now - row.append_time > retentionMs) {
            keys.forget(key, offset);
            tombstonesBelow = Math.max(tombstonesBelow, offset + 1);
            continue;
          }
          const due = row.append_time + retentionMs + 1;
          if (this.tombstoneDue === null || due < this.tombstoneDue) this.tombstoneDue = due;
        }
        kept.push({ json, offset, row });
      }
      invariant(batchEnd(batch) === row.end_offset, "a row's end is its last record's");
    }
    if (tombstonesBelow !== this.cleanedTombstonesBelow) {
      log.meter.count(log.sql.exec("UPDATE meta SET cleaned_tombstones_below = ? WHERE id = 1", tombstonesBelow));
      this.cleanedTombstonesBelow = tombstonesBelow;
    }
    return kept;
  }

  /** Replaces `rows` with `kept` packed into rows within a batch row's bounds (nothing when unchanged). */
  private rewrite(rows: readonly StepRow[], kept: readonly KeptRecord[]): void {
    const { log } = this.host;
    const recordsBefore = rows.reduce((sum, row) => sum + row.record_count, 0);
    const packed = pack(kept);
    if (kept.length === recordsBefore && packed.length === rows.length) return;
    const first = rows[0]!;
    const last = rows[rows.length - 1]!;
    let bytesBefore = 0;
    for (const row of rows) bytesBefore += row.records_bytes ?? row.payload.length;
    log.meter.count(log.sql.exec("DELETE FROM batches WHERE base_offset >= ? AND base_offset <= ?", first.base_offset, last.base_offset));
    let bytesAfter = 0;
    for (const records of packed) bytesAfter += this.insert(records);
    log.storedBytesChanged(bytesAfter - bytesBefore);
  }

  /** Inserts one packed row; answers its bytes. */
  private insert(records: readonly KeptRecord[]): number {
    const { log } = this.host;
    const ends = new Uint32Array(records.length);
    let json = "";
    for (let i = 0; i < records.length; i++) {
      json += (i === 0 ? "" : ",") + records[i]!.json;
      ends[i] = json.length;
    }
    const head = records[0]!;
    const tail = records[records.length - 1]!;
    invariant(json.length <= BATCH_JSON_CHARS_MAX && records.length <= BATCH_RECORDS_MAX, "a packed row is within a row's bounds");
    const bytes = utf8Length(json);
    // The running maximum timestamp and the append time of the row its last record came from.
    log.meter.count(
      log.sql.exec(
        "INSERT INTO batches (base_offset, record_count, max_timestamp, append_time, payload, records_bytes, record_ends, offset_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        head.offset,
        records.length,
        tail.row.max_timestamp,
        tail.row.append_time,
        json,
        bytes,
        ends.buffer,
        tail.offset + 1,
      ),
    );
    return bytes;
  }
}

/**
 * Cuts kept records, in offset order, into rows: the kept records of consecutive batches merge
 * while the row stays within COMPACTED_ROW_CHARS_TARGET characters; one batch's are never cut
 * apart (a row within BATCH_RECORDS_MAX and BATCH_JSON_CHARS_MAX still).
 *
 * @example
 * pack(kept).length; // rows to insert
 */
function pack(kept: readonly KeptRecord[]): KeptRecord[][] {
  const rows: KeptRecord[][] = [];
  let row: KeptRecord[] = [];
  let chars = 0;
  for (const record of kept) {
    const size = record.json.length + 1;
    const last = row[row.length - 1];
    // Past the target only between source rows: a batch's kept records are never cut apart.
    const target = last !== undefined && last.row !== record.row && chars + size > COMPACTED_ROW_CHARS_TARGET;
    if (last !== undefined && (target || row.length >= BATCH_RECORDS_MAX || chars + size > BATCH_JSON_CHARS_MAX)) {
      rows.push(row);
      row = [];
      chars = 0;
    }
    row.push(record);
    chars += size;
  }
  if (row.length > 0) rows.push(row);
  return rows;
}
