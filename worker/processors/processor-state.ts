/**
 * A Processor object's SQLite: who it is (processor name, input partition), its input position,
 * the next sequence of its idempotent producer on each output partition, its open windows and
 * its counters. A step's changes are written in one transaction after its output appends were
 * acknowledged, so position, sequences and windows always move together (PROC-3).
 *
 * @example
 * const state = new ProcessorState(ctx.storage.sql);
 * const status = state.status(); // null until the first wake
 */
import type { ErrorCode, ProcessorPartitionStatus } from "../../client/protocol/index.ts";
import { invariant } from "../result.ts";
import type { WindowTotals } from "./windows.ts";

/**
 * The changes of one step, stored together.
 *
 * @example
 * state.commitStep({ fromOffset: 30, nextOffset: 40, highWatermark: 42, recordsIn: 10, recordsOut: 4, late: 0, sequences: new Map([[0, 4]]), touched: [], closed: [], streamTimeMs: 0, nowMs });
 */
export interface StepChanges {
  /** The input position the step started from: the commit refuses to land on another one. */
  fromOffset: number;
  nextOffset: number;
  highWatermark: number;
  recordsIn: number;
  recordsOut: number;
  late: number;
  /** The next sequence per output partition after this step's appends. */
  sequences: Map<number, number>;
  touched: readonly WindowTotals[];
  closed: readonly WindowTotals[];
  streamTimeMs: number;
  nowMs: number;
}

/**
 * What a step starts from (ProcessorState.snapshot).
 *
 * @example
 * const { inputOffset, sequences } = state.snapshot();
 */
export interface StepSnapshot {
  inputOffset: number;
  streamTimeMs: number;
  /** The next sequence per output partition (absent: 0). */
  sequences: ReadonlyMap<number, number>;
  /** The open windows, by id. */
  windows: Map<string, WindowTotals>;
}

const RATE_BUCKET_MS = 60_000;

interface StateRow extends Record<string, SqlStorageValue> {
  name: string;
  partition: number;
  input_offset: number;
  high_watermark: number;
  stream_time_ms: number;
  records_in: number;
  records_out: number;
  late: number;
  steps: number;
  last_step_ms: number | null;
  bucket_start_ms: number;
  bucket_records: number;
  rate_per_s: number;
  error_code: string | null;
  error_message: string | null;
  error_ms: number | null;
}

/**
 * The tables and their reads and writes.
 *
 * @example
 * new ProcessorState(ctx.storage.sql).identify("views", 0);
 */
export class ProcessorState {
  private readonly sql: SqlStorage;
  private tables = false;

  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  /**
   * Whether the tables exist. The first wake creates them (identify), not the constructor: a
   * side-effect-free look at a never-woken object (ProcessorObject.status, METRICS-5) writes nothing.
   */
  private hasTables(): boolean {
    this.tables ||= this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'state'").toArray().length > 0;
    return this.tables;
  }

  private createTables(): void {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY CHECK (id = 1), name TEXT NOT NULL, partition INTEGER NOT NULL,
      input_offset INTEGER NOT NULL DEFAULT 0, high_watermark INTEGER NOT NULL DEFAULT 0, stream_time_ms INTEGER NOT NULL DEFAULT 0,
      records_in INTEGER NOT NULL DEFAULT 0, records_out INTEGER NOT NULL DEFAULT 0, late INTEGER NOT NULL DEFAULT 0,
      steps INTEGER NOT NULL DEFAULT 0, last_step_ms INTEGER, bucket_start_ms INTEGER NOT NULL DEFAULT 0,
      bucket_records INTEGER NOT NULL DEFAULT 0, rate_per_s REAL NOT NULL DEFAULT 0,
      error_code TEXT, error_message TEXT, error_ms INTEGER)`);
    this.sql.exec("CREATE TABLE IF NOT EXISTS sequences (partition INTEGER PRIMARY KEY, next INTEGER NOT NULL)");
    this.sql.exec(`CREATE TABLE IF NOT EXISTS windows (start_ms INTEGER NOT NULL, key TEXT NOT NULL, count INTEGER NOT NULL,
      sum REAL NOT NULL, last_ms INTEGER NOT NULL, PRIMARY KEY (start_ms, key))`);
    this.tables = true;
  }

  /** Records who this object is on its first wake; a later wake must name the same. */
  identify(name: string, partition: number): void {
    if (!this.hasTables()) this.createTables();
    const row = this.row();
    if (row === null) {
      this.sql.exec("INSERT INTO state (id, name, partition) VALUES (1, ?, ?)", name, partition);
      return;
    }
    invariant(row.name === name && row.partition === partition, "a processor object serves one processor partition");
  }

  /** Who this object is, or null before its first wake. */
  identity(): { name: string; partition: number } | null {
    const row = this.row();
    return row === null ? null : { name: row.name, partition: row.partition };
  }

  /** The input position and stream time a step starts from. */
  position(): { inputOffset: number; streamTimeMs: number } {
    const row = this.row();
    invariant(row !== null, "a processor object steps after its first wake");
    return { inputOffset: row.input_offset, streamTimeMs: row.stream_time_ms };
  }

  /**
   * Everything a step starts from, read at one moment (no await between the reads): the input
   * position, the stream time, the next sequence per output partition and the open windows. A
   * step that read its sequences after awaiting its input could see another step's commit and
   * append a replay under new sequences, so twice (PROC-3).
   */
  snapshot(): StepSnapshot {
    const { inputOffset, streamTimeMs } = this.position();
    const sequences = new Map<number, number>();
    for (const row of this.sql.exec<{ partition: number; next: number }>("SELECT partition, next FROM sequences")) {
      sequences.set(row.partition, row.next);
    }
    return { inputOffset, streamTimeMs, sequences, windows: this.openWindows() };
  }

  /** Every open window, by id. */
  openWindows(): Map<string, WindowTotals> {
    const open = new Map<string, WindowTotals>();
    const rows = this.sql.exec<{ start_ms: number; key: string; count: number; sum: number; last_ms: number }>("SELECT * FROM windows");
    for (const row of rows) {
      open.set(`${row.start_ms}|${row.key}`, { key: row.key, startMs: row.start_ms, count: row.count, sum: row.sum, lastMs: row.last_ms });
    }
    return open;
  }

  /** Stores one step's changes in one transaction. */
  commitStep(changes: StepChanges, transaction: (body: () => void) => void): void {
    const row = this.row();
    invariant(row !== null && changes.nextOffset >= row.input_offset, "a step moves the input position forward");
    invariant(row.input_offset === changes.fromOffset, "steps run one at a time from the stored position");
    transaction(() => {
      for (const [partition, next] of changes.sequences) {
        this.sql.exec(
          "INSERT INTO sequences (partition, next) VALUES (?, ?) ON CONFLICT (partition) DO UPDATE SET next = excluded.next",
          partition,
          next,
        );
      }
      for (const w of changes.touched) {
        this.sql.exec(
          "INSERT OR REPLACE INTO windows (start_ms, key, count, sum, last_ms) VALUES (?, ?, ?, ?, ?)",
          w.startMs,
          w.key,
          w.count,
          w.sum,
          w.lastMs,
        );
      }
      for (const w of changes.closed) this.sql.exec("DELETE FROM windows WHERE start_ms = ? AND key = ?", w.startMs, w.key);
      const rolled = changes.nowMs - row.bucket_start_ms >= RATE_BUCKET_MS;
      const bucketStart = rolled ? changes.nowMs : row.bucket_start_ms;
      const bucketRecords = (rolled ? 0 : row.bucket_records) + changes.recordsIn;
      const rate = rolled ? row.bucket_records / Math.max(1, (changes.nowMs - row.bucket_start_ms) / 1000) : row.rate_per_s;
      this.sql.exec(
        `UPDATE state SET input_offset = ?, high_watermark = ?, stream_time_ms = ?, records_in = records_in + ?, records_out = records_out + ?,
         late = late + ?, steps = steps + 1, last_step_ms = ?, bucket_start_ms = ?, bucket_records = ?, rate_per_s = ?,
         error_code = NULL, error_message = NULL, error_ms = NULL WHERE id = 1`,
        changes.nextOffset,
        changes.highWatermark,
        changes.streamTimeMs,
        changes.recordsIn,
        changes.recordsOut,
        changes.late,
        changes.nowMs,
        bucketStart,
        bucketRecords,
        rate,
      );
    });
  }

  /** Records why the last step failed (shown in the status until a step succeeds). */
  failed(code: ErrorCode, message: string, nowMs: number): void {
    this.sql.exec("UPDATE state SET error_code = ?, error_message = ?, error_ms = ? WHERE id = 1", code, message.slice(0, 500), nowMs);
  }

  /** The status, or null before the first wake. */
  status(): ProcessorPartitionStatus | null {
    const row = this.row();
    if (row === null) return null;
    const openWindows = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM windows").one().n;
    return {
      partition: row.partition,
      inputOffset: row.input_offset,
      highWatermark: row.high_watermark,
      lag: Math.max(0, row.high_watermark - row.input_offset),
      recordsIn: row.records_in,
      recordsOut: row.records_out,
      lateRecords: row.late,
      steps: row.steps,
      lastStepMs: row.last_step_ms,
      recordsInPerS: Math.round(row.rate_per_s * 100) / 100,
      openWindows,
      lastError:
        row.error_code === null ? null : { code: row.error_code as ErrorCode, message: row.error_message ?? "", atMs: row.error_ms ?? 0 },
    };
  }

  private row(): StateRow | null {
    if (!this.hasTables()) return null;
    return this.sql.exec<StateRow>("SELECT * FROM state WHERE id = 1").toArray()[0] ?? null;
  }
}
