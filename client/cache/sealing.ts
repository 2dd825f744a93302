/**
 * Sealing outbox entries into an idempotent batch, as a pure plan both caches apply atomically.
 *
 * Sequences are taken when a batch is first sent, not when a record is queued, so they are
 * contiguous by construction: nothing queued and then removed can leave a gap the server would
 * answer OUT_OF_ORDER_SEQUENCE. A sealed batch is remembered on its entries, so every retry (after
 * a lost answer, or a reload) sends the same producer id, epoch, sequence and count, and the
 * server recognises it (`duplicate: true`) instead of appending it twice.
 *
 * Each partition keeps its own producer id (the client's identity at first). Should a partition
 * ever exhaust PRODUCER_SEQUENCE_MAX, it moves to a fresh id at sequence 0, which the server
 * accepts as a new producer; batches sealed earlier keep the id they were sent with. It moves to a
 * fresh id too when the server has forgotten its producer (UNKNOWN_PRODUCER_ID, PROTOCOL.md
 * PRODUCER-9): the batch is unsealed and sealed again under the new id (`abandonProducer`).
 *
 * @example
 * const { batch, sequence } = planSeal(entries, ids, row, identity, "orders", 0);
 */
import { EdgelogClientError } from "../local-errors.ts";
import { PRODUCER_ID_LENGTH_MAX, PRODUCER_SEQUENCE_MAX } from "../protocol/index.ts";
import type { OutboxEntry, PartitionSequence, ProducerIdentity, SealedBatch } from "./types.ts";

/**
 * A fresh random producer id (128 bits, hex), from the platform's CSPRNG.
 *
 * @example
 * newProducerId(); // "edgelog-3f9a...": 40 characters
 */
export function newProducerId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  const id = `edgelog-${hex}`;
  if (id.length > PRODUCER_ID_LENGTH_MAX) throw new Error("edgelog client bug: producer id too long");
  return id;
}

/**
 * What sealing does: the batch to stamp on the entries and the partition's sequence row after.
 *
 * @example
 * const plan: SealPlan = planSeal(entries, ids, row, identity, "orders", 0);
 * await putSequence(plan.sequence);
 */
export interface SealPlan {
  batch: SealedBatch;
  sequence: PartitionSequence;
}

/**
 * Checks that `entries` (as stored, looked up by `ids`) can be sealed as one batch of `topic`
 * `partition`, and plans the batch from the partition's sequence row (`row`, undefined when the
 * partition never sent). Throws CACHE_FAILED if an entry is missing, already sealed, or elsewhere.
 *
 * @example
 * planSeal([entry], [entry.id], undefined, { id: "edgelog-1", epoch: 0 }, "orders", 0).batch.sequence; // 0
 */
export function planSeal(
  entries: readonly (OutboxEntry | undefined)[],
  ids: readonly number[],
  row: PartitionSequence | undefined,
  identity: ProducerIdentity,
  topic: string,
  partition: number,
): SealPlan {
  if (ids.length === 0) throw new EdgelogClientError("CACHE_FAILED", "cannot seal an empty batch");
  entries.forEach((entry, i) => {
    if (entry === undefined || entry.id !== ids[i] || entry.topic !== topic || entry.partition !== partition || entry.batch !== null) {
      throw new EdgelogClientError("CACHE_FAILED", `outbox entry ${ids[i]} cannot be sealed into a batch of ${topic}/${partition}`);
    }
  });
  let current: PartitionSequence = row ?? { topic, partition, producerId: identity.id, epoch: identity.epoch, next: 0 };
  if (current.next + ids.length - 1 > PRODUCER_SEQUENCE_MAX) {
    // Exhausted: a new producer id starts over at 0 (the server treats it as a new producer).
    current = { topic, partition, producerId: newProducerId(), epoch: 0, next: 0 };
  }
  const batch: SealedBatch = { producerId: current.producerId, epoch: current.epoch, sequence: current.next, count: ids.length };
  return { batch, sequence: { ...current, next: current.next + ids.length } };
}

/**
 * The partition's sequence row after discarding `batch` (refused, nothing appended): rolled back
 * to the batch's first sequence when the batch was the last one sealed, else unchanged.
 *
 * @example
 * rollBack(row, batch); // { ...row, next: batch.sequence } when row.next === batch.sequence + batch.count
 */
export function rollBack(row: PartitionSequence | undefined, batch: SealedBatch): PartitionSequence | undefined {
  if (row === undefined) return undefined;
  const last = row.producerId === batch.producerId && row.epoch === batch.epoch && row.next === batch.sequence + batch.count;
  return last ? { ...row, next: batch.sequence } : row;
}

/**
 * The partition's sequence row after the server forgot `batch`'s producer (UNKNOWN_PRODUCER_ID):
 * a fresh producer id at sequence 0 when the partition still uses the batch's id, else unchanged
 * (it already moved on). The batch's entries are then sealed again under the row's id.
 *
 * @example
 * abandonProducer(row, batch); // { ...row, producerId: "edgelog-<new>", epoch: 0, next: 0 }
 */
export function abandonProducer(
  row: PartitionSequence | undefined,
  batch: SealedBatch,
  topic: string,
  partition: number,
): PartitionSequence {
  if (row !== undefined && (row.producerId !== batch.producerId || row.epoch !== batch.epoch)) return row;
  return { topic, partition, producerId: newProducerId(), epoch: 0, next: 0 };
}
