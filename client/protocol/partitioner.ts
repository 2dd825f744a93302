/**
 * Where a record goes: Kafka's default partitioner. An explicit partition wins; a keyed record
 * goes to `toPositive(murmur2(utf8(key))) % partitions`; keyless records of one batch stick to one
 * partition (Kafka 2.4+'s sticky partitioner), which keeps batches whole and rows written low.
 * Rules: PROTOCOL.md PART-1.
 *
 * @example
 * partitionForKey("user-1", 6); // the partition Kafka would choose too
 */
import { utf8Bytes } from "./checks.ts";
import { murmur2, toPositive } from "./murmur2.ts";

/**
 * Kafka's choice of partition for a key.
 *
 * @example
 * partitionForKey("user-1", 6); // 2, on every call and for Kafka's own clients too
 */
export function partitionForKey(key: string, partitions: number): number {
  return toPositive(murmur2(utf8Bytes(key))) % partitions;
}

/**
 * The partition for a batch's keyless records. An idempotent producer's keyless records always
 * go to the partition its id hashes to, so a retried request lands where the first try did and is
 * recognised as a duplicate; other batches pick a partition at random.
 *
 * @example
 * stickyPartition(6, "producer-7"); // the same answer on every retry
 */
export function stickyPartition(partitions: number, producerId?: string): number {
  if (producerId !== undefined) return partitionForKey(producerId, partitions);
  return Math.floor(Math.random() * partitions);
}
