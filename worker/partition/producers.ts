/**
 * Idempotent producers, Kafka's rules per (producer id, partition):
 * - a batch's records take sequences `sequence .. sequence + count - 1`;
 * - the next batch must start at the last one's end (`nextSequence`); an unknown producer id
 *   may start anywhere (its state may have been forgotten), and a new epoch starts at 0;
 * - a retry of one of the last PRODUCER_BATCHES_RETAINED batches appends nothing and answers the
 *   original base offset; an older retry gets DUPLICATE_SEQUENCE (it was appended; offsets gone);
 * - a gap (e.g. a pipelined request overtaking the one before) gets OUT_OF_ORDER_SEQUENCE,
 *   retriable once the earlier request has landed, so order is never broken;
 * - an epoch below the stored one is a zombie and gets PRODUCER_FENCED.
 *
 * Rules: PROTOCOL.md PRODUCER-2 to PRODUCER-7.
 *
 * @example
 * const verdict = producers.check({ id: "p", epoch: 0, sequence: 0 }, 3);
 * if (verdict.duplicateOf === null) producers.record(producer, 3, baseOffset, verdict, Date.now());
 */

import type { ProducerInput } from "../../client/protocol/index.ts";
import { EdgelogError, PRODUCER_BATCHES_RETAINED, PRODUCERS_PER_PARTITION_MAX } from "../../client/protocol/index.ts";
import { invariant } from "../result.ts";
import type { Meter } from "./meter.ts";

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
  private readonly meter: Meter;

  constructor(sql: SqlStorage, meter: Meter) {
    this.sql = sql;
    this.meter = meter;
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
    if (state === null) return { duplicateOf: null, state };
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
    this.meter.count(
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
    if (state === null) this.evictBeyondLimit();
  }

  /** Forgets the least recently used producers past PRODUCERS_PER_PARTITION_MAX. */
  private evictBeyondLimit(): void {
    const row = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM producers").one();
    const excess = row.n - PRODUCERS_PER_PARTITION_MAX;
    if (excess <= 0) return;
    this.meter.count(
      this.sql.exec("DELETE FROM producers WHERE producer_id IN (SELECT producer_id FROM producers ORDER BY last_used LIMIT ?)", excess),
    );
  }
}
