/**
 * Durable Streams idempotent producers (Producer-Id, Producer-Epoch, Producer-Seq): per producer
 * the highest epoch seen and the last sequence accepted in it. A lower epoch is fenced (403); a
 * higher one must start at sequence 0 (else 400); in the same epoch a sequence at or below the
 * last is a duplicate (204, nothing stored), the next one is accepted, a later one is a gap (409
 * with the expected and received sequences). Validation does not write: the caller commits the
 * verdict with the append, in the same synchronous turn, so a refused append leaves no state.
 * At most STREAM_PRODUCERS_MAX producers are kept per stream; past it the least recently used
 * is forgotten (its next append must start a new epoch at 0 or be refused as a gap).
 *
 * Rules: PROTOCOL.md STREAM-11, STREAM-12.
 *
 * @example
 * const verdict = validateProducer(sql, { producerId: "p", epoch: 0, seq: 0 });
 * if (verdict.status === "accepted") commitProducer(sql, verdict, now);
 */
import { STREAM_PRODUCERS_MAX } from "../../client/protocol/index.ts";
import { invariant } from "../result.ts";

/**
 * The three producer headers, parsed.
 *
 * @example
 * const producer: ProducerHeaders = { producerId: "writer-1", epoch: 0, seq: 0 };
 */
export interface ProducerHeaders {
  producerId: string;
  epoch: number;
  seq: number;
}

/**
 * What validation says of one producer append.
 *
 * @example
 * const verdict: ProducerVerdict = { status: "duplicate", lastSeq: 4 };
 */
export type ProducerVerdict =
  | { status: "accepted"; producer: ProducerHeaders }
  | { status: "duplicate"; lastSeq: number }
  | { status: "stale_epoch"; currentEpoch: number }
  | { status: "invalid_epoch_seq" }
  | { status: "sequence_gap"; expectedSeq: number; receivedSeq: number };

/**
 * Validates an append by `producer` against the stored state (no write).
 *
 * @example
 * validateProducer(sql, { producerId: "p", epoch: 0, seq: 1 }); // sequence_gap when p is new
 */
export function validateProducer(sql: SqlStorage, producer: ProducerHeaders): ProducerVerdict {
  const state = sql
    .exec<{ epoch: number; last_seq: number }>("SELECT epoch, last_seq FROM stream_producers WHERE producer_id = ?", producer.producerId)
    .toArray()[0];
  const { epoch, seq } = producer;
  if (state === undefined) {
    return seq === 0 ? { status: "accepted", producer } : { status: "sequence_gap", expectedSeq: 0, receivedSeq: seq };
  }
  if (epoch < state.epoch) return { status: "stale_epoch", currentEpoch: state.epoch };
  if (epoch > state.epoch) return seq === 0 ? { status: "accepted", producer } : { status: "invalid_epoch_seq" };
  if (seq <= state.last_seq) return { status: "duplicate", lastSeq: state.last_seq };
  if (seq === state.last_seq + 1) return { status: "accepted", producer };
  return { status: "sequence_gap", expectedSeq: state.last_seq + 1, receivedSeq: seq };
}

/**
 * Stores an accepted verdict, forgetting the least recently used producer past the bound.
 *
 * @example
 * commitProducer(sql, { status: "accepted", producer }, Date.now());
 */
export function commitProducer(sql: SqlStorage, verdict: ProducerVerdict & { status: "accepted" }, nowMs: number): void {
  const { producerId, epoch, seq } = verdict.producer;
  invariant(seq >= 0 && epoch >= 0, "producer epoch and sequence are non-negative");
  sql.exec(
    "INSERT OR REPLACE INTO stream_producers (producer_id, epoch, last_seq, updated_ms) VALUES (?, ?, ?, ?)",
    producerId,
    epoch,
    seq,
    nowMs,
  );
  const count = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM stream_producers").one().n;
  if (count > STREAM_PRODUCERS_MAX) {
    sql.exec(
      "DELETE FROM stream_producers WHERE producer_id IN (SELECT producer_id FROM stream_producers ORDER BY updated_ms LIMIT ?)",
      count - STREAM_PRODUCERS_MAX,
    );
  }
}
