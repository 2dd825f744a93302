/**
 * Produce: routes each record to its partition (explicit partition, else Kafka's key hash, else
 * one sticky partition per request), appends each partition's share as one batch in parallel, and
 * answers the offsets in request order.
 *
 * A request spanning partitions is not atomic across them. An idempotent request (with
 * `producer`) must therefore land on one partition, where its sequence is checked; keyless
 * records of a producer always go to the partition its id hashes to, so a retry lands there too.
 *
 * @example
 * const answer = await produce(env, "orders", parseProduceRequest(body), null);
 */
import { EdgelogError } from "../client/errors.ts";
import { partitionForKey, stickyPartition } from "../client/partitioner.ts";
import type { ParsedProduce } from "../client/records.ts";
import type { ProduceResponse, RecordPosition } from "../client/wire.ts";
import type { Env } from "./env.ts";
import type { TopicMeta } from "./registry.ts";
import { invariant, unwrap } from "./result.ts";
import { checkPartition, onTopic, partitionStub } from "./topics.ts";

/** Each partition's share of a request: the records' indexes in request order. */
function assign(meta: TopicMeta, parsed: ParsedProduce, pathPartition: number | null): Map<number, number[]> {
  const shares = new Map<number, number[]>();
  let sticky: number | null = null;
  parsed.records.forEach((record, index) => {
    if (pathPartition !== null && record.partition !== null && record.partition !== pathPartition) {
      throw new EdgelogError("INVALID_REQUEST", `records[${index}].partition is ${record.partition} but the path names partition ${pathPartition}`);
    }
    let partition = pathPartition ?? record.partition;
    if (partition === null && record.key !== null) partition = partitionForKey(record.key, meta.partitions);
    if (partition === null) partition = sticky ??= stickyPartition(meta.partitions, parsed.producer?.id);
    checkPartition(meta, partition);
    const share = shares.get(partition);
    if (share) share.push(index);
    else shares.set(partition, [index]);
  });
  if (parsed.producer !== null && shares.size > 1) {
    throw new EdgelogError(
      "INVALID_PRODUCER",
      `an idempotent request must go to one partition (sequences are per partition); these records go to ${shares.size}`,
    );
  }
  return shares;
}

/** Appends a validated request to topic `name` (all to `pathPartition` when the path names one). */
export async function produce(env: Env, name: string, parsed: ParsedProduce, pathPartition: number | null): Promise<ProduceResponse> {
  return onTopic(env, name, async (meta) => {
    const shares = assign(meta, parsed, pathPartition);
    const offsets = new Array<RecordPosition>(parsed.records.length);
    let duplicate = false;
    await Promise.all(
      [...shares].map(async ([partition, indexes]) => {
        const result = await partitionStub(env, meta, partition).append({
          topicId: meta.topicId,
          timestamps: indexes.map((i) => parsed.records[i]!.timestamp),
          tails: indexes.map((i) => parsed.records[i]!.tail),
          producer: parsed.producer,
        });
        const appended = unwrap(result);
        invariant(appended.count === indexes.length, "a partition appends its whole share");
        duplicate ||= appended.duplicate;
        indexes.forEach((index, k) => (offsets[index] = { partition, offset: appended.baseOffset + k }));
      }),
    );
    return duplicate ? { offsets, duplicate } : { offsets };
  });
}
