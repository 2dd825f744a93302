/**
 * Produce: routes each record to its partition (explicit partition, else Kafka's key hash, else
 * one sticky partition per request), appends each partition's share as one batch in parallel, and
 * answers where the records landed as runs in request order (produce-answer.ts writes the HTTP
 * answer of the request's version from them).
 *
 * A request spanning partitions is not atomic across them. An idempotent request (with
 * `producer`) must therefore land on one partition, where its sequence is checked; keyless
 * records of a producer always go to the partition its id hashes to, so a retry lands there too.
 *
 * Rules: PROTOCOL.md PART-1, PART-3, PRODUCE-1, PRODUCE-4, PRODUCE-5, PRODUCE-7, PRODUCER-8, QUOTA-4, SCHEMA-6.
 *
 * @example
 * const answer = await produce(env, "orders", parseProduceRequest(body), null);
 */

import type { ParsedProduce, ProducedRange } from "../client/protocol/index.ts";
import { EdgelogError, isCompacted, partitionForKey, rangesOf, stickyPartition } from "../client/protocol/index.ts";
import type { Env } from "./env.ts";
import { partitionStub } from "./object-names.ts";
import { keyRequired } from "./partition/keys.ts";
import type { AppendRequest, ProducePrincipal } from "./partition/partition-api.ts";
import { invariant, unwrap } from "./result.ts";
import type { TopicMeta } from "./topic-meta.ts";
import { checkPartition, onTopic } from "./topics.ts";

/** Each partition's share of a request: the records' indexes in request order. */
function assign(meta: TopicMeta, parsed: ParsedProduce, pathPartition: number | null): Map<number, number[]> {
  const shares = new Map<number, number[]>();
  let sticky: number | null = null;
  const { records } = parsed;
  for (let index = 0; index < records.length; index++) {
    const record = records[index]!;
    if (pathPartition !== null && record.partition !== null && record.partition !== pathPartition) {
      throw new EdgelogError(
        "INVALID_REQUEST",
        `records[${index}].partition is ${record.partition} but the path names partition ${pathPartition}`,
      );
    }
    let partition = pathPartition ?? record.partition;
    if (partition === null && record.key !== null) partition = partitionForKey(record.key, meta.partitions);
    if (partition === null) partition = sticky ??= stickyPartition(meta.partitions, parsed.producer?.id);
    checkPartition(meta, partition);
    const share = shares.get(partition);
    if (share) share.push(index);
    else shares.set(partition, [index]);
  }
  if (parsed.producer !== null && shares.size > 1) {
    throw new EdgelogError(
      "INVALID_PRODUCER",
      `an idempotent request must go to one partition (sequences are per partition); these records go to ${shares.size}`,
    );
  }
  return shares;
}

/** One partition's append: the timestamps and encoded tails of its share, in one pass. */
function appendRequest(
  topicId: string,
  parsed: ParsedProduce,
  indexes: readonly number[],
  principal: ProducePrincipal | null,
): AppendRequest {
  const timestamps = new Array<number | null>(indexes.length);
  const tails = new Array<string>(indexes.length);
  for (let k = 0; k < indexes.length; k++) {
    const record = parsed.records[indexes[k]!]!;
    timestamps[k] = record.timestamp;
    tails[k] = record.tail;
  }
  return { topicId, timestamps, tails, producer: parsed.producer, principal };
}

/**
 * Where a request's records landed: runs in request order (PRODUCE-7), and whether an idempotent
 * retry was recognised. Each HTTP version's answer and the RPC answer are written from it.
 *
 * @example
 * const produced: Produced = { ranges: [{ partition: 0, baseOffset: 7, count: 2 }], duplicate: false };
 */
export interface Produced {
  ranges: ProducedRange[];
  duplicate: boolean;
}

/**
 * Appends a validated request to topic `name` (all to `pathPartition` when the path names one),
 * on behalf of `principal` (null when tokens are not checked).
 *
 * @example
 * await produce(env, "orders", parseProduceRequest(body), null); // { ranges: [{ partition, baseOffset, count }], duplicate: false }
 * await produce(env, "orders", parseProduceRequest(body), 2, { sub: "alice", quota: null }); // every record to partition 2
 */
export async function produce(
  env: Env,
  name: string,
  parsed: ParsedProduce,
  pathPartition: number | null,
  principal: ProducePrincipal | null = null,
): Promise<Produced> {
  return onTopic(env, name, async (meta) => {
    // Before any partition appends, so a refused request stores nothing anywhere (COMPACT-2).
    if (isCompacted(meta.config)) {
      const keyless = parsed.records.findIndex((record) => record.key === null);
      if (keyless !== -1) throw keyRequired(keyless);
    }
    const shares = assign(meta, parsed, pathPartition);
    // Spanning partitions, a request is admitted by each first (QUOTA-4, SCHEMA-6): its share is
    // validated, a principal's quota checked; refused, it stores nothing anywhere; admitted, each
    // append charges without refusing.
    const admitted = shares.size > 1;
    if (admitted) {
      const verdicts = await Promise.all(
        [...shares].map(([p, indexes]) => {
          const share = { tails: indexes.map((i) => parsed.records[i]!.tail), indexes };
          return partitionStub(env, meta.topicId, p).admitProduce(meta.topicId, principal, share);
        }),
      );
      for (const verdict of verdicts) unwrap(verdict);
    }
    const appends = await Promise.all(
      [...shares].map(async ([partition, indexes]) => {
        const request = { ...appendRequest(meta.topicId, parsed, indexes, principal), admitted };
        const appended = unwrap(await partitionStub(env, meta.topicId, partition).append(request));
        invariant(appended.count === indexes.length, "a partition appends its whole share");
        return { partition, indexes, appended };
      }),
    );
    const duplicate = appends.some(({ appended }) => appended.duplicate);
    if (appends.length === 1) {
      // One partition (a path partition, a key, or sticky): its batch is the one run (PRODUCE-5).
      const { partition, appended } = appends[0]!;
      return { ranges: [{ partition, baseOffset: appended.baseOffset, count: appended.count }], duplicate };
    }
    // Partitions are below TOPIC_PARTITIONS_MAX (64): a byte each.
    const partitions = new Uint8Array(parsed.records.length);
    const offsets = new Float64Array(parsed.records.length);
    for (const { partition, indexes, appended } of appends) {
      for (let k = 0; k < indexes.length; k++) {
        partitions[indexes[k]!] = partition;
        offsets[indexes[k]!] = appended.baseOffset + k;
      }
    }
    return { ranges: rangesOf(partitions, offsets), duplicate };
  });
}
