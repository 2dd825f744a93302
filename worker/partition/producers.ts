/**
 * Idempotent producers, Kafka's rules per (producer id, partition):
 * - a batch's records take sequences `sequence .. sequence + count - 1`;
 * - a producer the partition has no state for is new and starts at sequence 0 (any epoch);
 *   another sequence is UNKNOWN_PRODUCER_ID (its first request has not landed yet, or it was
 *   forgotten), so a pipelined second request never lands before the first;
 * - the next batch must start at the last one's end (`nextSequence`), and a new epoch at 0;
 * - a retry of one of the last PRODUCER_BATCHES_RETAINED batches appends nothing and answers the
 *   original base offset; an older retry gets DUPLICATE_SEQUENCE (it was appended: every sequence
 *   below `nextSequence` was, since a producer starts at 0; offsets gone);
 * - a gap (e.g. a pipelined request overtaking the one before) gets OUT_OF_ORDER_SEQUENCE,
 *   retriable once the earlier request has landed, so order is never broken;
 * - an epoch below the stored one is a zombie and gets PRODUCER_FENCED.
 *
 * Forgetting (Kafka keeps a producer's state while it has batches in the log): a producer is
 * forgotten only once its last batch (the newest in `recent`) has left the log, by retention or
 * deleteRecords, and only while the partition holds more than PRODUCERS_PER_PARTITION_MAX
 * producers. So the table holds at most max(PRODUCERS_PER_PARTITION_MAX, producers with a batch
 * in the log) rows: beyond the limit each row stands for a stored batch of its own, which a
 * client cannot add for free. A forgotten producer's next request is UNKNOWN_PRODUCER_ID; only a
 * retry of its first batch (sequence 0), no longer in the log, is taken as a new producer's.
 *
 * Rules: PROTOCOL.md PRODUCER-2 to PRODUCER-7, PRODUCER-9, PRODUCER-10.
 *
 * @example
 * const verdict = producers.check({ id: "p", epoch: 0, sequence: 0 }, 3);
 * if (verdict.duplicateOf === null) producers.record(producer, 3, baseOffset, verdict, Date.now());
 */

import type { ProducerInput } from "../../client/protocol/index.ts";
import { EdgelogError, PRODUCER_BATCHES_RETAINED, PRODUCERS_PER_PARTITION_MAX } from "../../client/protocol/index.ts";
import { invariant } from "../result.ts";
import type { PartitionLog } from "./log.ts";

/** A remembered batch: [firstSequence, recordCount, baseOffset]. */
type RecentBatch = [number, number, number];

interface ProducerState {
  epoch: number;
  nextSequence: number;
  recent: RecentBatch[];
}

/**
 * What `check` decided: append (duplicateOf null) or answer a retained duplicate's offset. It
 * carries the state it read, so `record` writes the next state without reading it again.
 *
 * @example
 * const verdict: ProducerVerdict = producers.check(producer, count);
 * if (verdict.duplicateOf !== null) return { baseOffset: verdict.duplicateOf, count, duplicate: true };
 */
export interface ProducerVerdict {
  duplicateOf: number | null;
  state: ProducerState | null;
}

/**
 * The partition's idempotent producers, in its `producers` table (the rules are this module's header's).
 *
 * @example
 * const producers = new ProducerTable(ctx.storage.sql, log.meter);
 * const verdict = producers.check({ id: "tab-1", epoch: 0, sequence: 0 }, 2);
 * producers.record({ id: "tab-1", epoch: 0, sequence: 0 }, 2, baseOffset, verdict, clock.now()); // next sequence: 2
 */
export class ProducerTable {
  private readonly sql: SqlStorage;
  private readonly log: PartitionLog;
  /** Rows in the table, counted once per life of the object (null until first needed). */
  private rows: number | null = null;
  /**
   * The log start at the last sweep: until it moves, no producer can have left the log since
   * (a producer's last batch only moves forward), so a sweep would find nothing.
   */
  private sweptAtLogStart = -1;

  constructor(sql: SqlStorage, log: PartitionLog) {
    this.sql = sql;
    this.log = log;
  }

  /** Forgets what this life counted (after the partition's storage was deleted). */
  reload(): void {
    this.rows = null;
    this.sweptAtLogStart = -1;
  }

  private load(id: string): ProducerState | null {
    const row = this.sql
      .exec<{ epoch: number; next_sequence: number; recent: string }>(
        "SELECT epoch, next_sequence, recent FROM producers WHERE producer_id = ?",
        id,
      )
      .toArray()[0];
    return row ? { epoch: row.epoch, nextSequence: row.next_sequence, recent: JSON.parse(row.recent) as RecentBatch[] } : null;
  }

  /** Decides whether a batch of `count` records from `producer` is new, a duplicate or refused. */
  check(producer: ProducerInput, count: number): ProducerVerdict {
    const state = this.load(producer.id);
    if (state === null) {
      if (producer.sequence !== 0) {
        throw new EdgelogError(
          "UNKNOWN_PRODUCER_ID",
          `producer "${producer.id}" has no state on this partition: a new producer starts at sequence 0, not ${producer.sequence}. ` +
            "If its earlier request is still in flight, resend this one once that is answered; " +
            "otherwise the partition forgot it with its batches (retention or deleteRecords): start a new producer id",
        );
      }
      return { duplicateOf: null, state };
    }
    if (producer.epoch < state.epoch) {
      throw new EdgelogError("PRODUCER_FENCED", `producer "${producer.id}" epoch ${producer.epoch} is fenced by epoch ${state.epoch}`);
    }
    if (producer.epoch > state.epoch) {
      if (producer.sequence !== 0) {
        throw new EdgelogError("OUT_OF_ORDER_SEQUENCE", `a new epoch starts at sequence 0, not ${producer.sequence}`);
      }
      return { duplicateOf: null, state };
    }
    if (producer.sequence === state.nextSequence) return { duplicateOf: null, state };
    const retained = state.recent.find(([first]) => first === producer.sequence);
    if (retained !== undefined) {
      if (retained[1] !== count) {
        throw new EdgelogError(
          "OUT_OF_ORDER_SEQUENCE",
          `sequence ${producer.sequence} was a batch of ${retained[1]} records, not ${count}`,
        );
      }
      return { duplicateOf: retained[2], state };
    }
    if (producer.sequence < state.nextSequence) {
      throw new EdgelogError(
        "DUPLICATE_SEQUENCE",
        `sequence ${producer.sequence} was appended before (its offsets are no longer remembered)`,
      );
    }
    throw new EdgelogError(
      "OUT_OF_ORDER_SEQUENCE",
      `expected sequence ${state.nextSequence}, got ${producer.sequence} (a gap: send the missing records first)`,
    );
  }

  /** Remembers an appended batch. Runs in the same synchronous turn as the append. */
  record(producer: ProducerInput, count: number, baseOffset: number, verdict: ProducerVerdict, now: number): void {
    const { state } = verdict;
    const sameEpoch = state !== null && state.epoch === producer.epoch;
    const recent: RecentBatch[] = sameEpoch ? state.recent.slice(-(PRODUCER_BATCHES_RETAINED - 1)) : [];
    recent.push([producer.sequence, count, baseOffset]);
    invariant(recent.length <= PRODUCER_BATCHES_RETAINED, "retained batches bounded");
    this.log.meter.count(
      this.sql.exec(
        `INSERT INTO producers (producer_id, epoch, next_sequence, recent, last_used) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (producer_id) DO UPDATE SET epoch = excluded.epoch, next_sequence = excluded.next_sequence,
         recent = excluded.recent, last_used = excluded.last_used`,
        producer.id,
        producer.epoch,
        producer.sequence + count,
        JSON.stringify(recent),
        now,
      ),
    );
    if (state === null) this.added();
  }

  /** A new producer was stored: past PRODUCERS_PER_PARTITION_MAX, forget those whose batches all left the log. */
  private added(): void {
    // Counted once per life (the row just inserted included), then kept in step.
    this.rows = this.rows === null ? this.countRows() : this.rows + 1;
    const logStart = this.log.logStartOffset;
    if (this.rows <= PRODUCERS_PER_PARTITION_MAX || logStart <= this.sweptAtLogStart) return;
    this.sweptAtLogStart = logStart;
    // The last batch is recent's last entry, [firstSequence, recordCount, baseOffset]: it has left
    // the log when it ends at or below the log start. One scan, run only when the start moved.
    this.log.meter.count(
      this.sql.exec("DELETE FROM producers WHERE json_extract(recent, '$[#-1][2]') + json_extract(recent, '$[#-1][1]') <= ?", logStart),
    );
    this.rows = this.countRows();
    invariant(this.rows >= 1, "the producer just stored has a batch in the log");
  }

  private countRows(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM producers").one().n;
  }
}
