/**
 * edgelog over a service binding: a `WorkerEntrypoint` another Worker of the same account calls
 * with plain method calls, no HTTP built. It runs the same code as the HTTP routes (produce.ts,
 * operations.ts, group-offsets.ts, topics.ts), with the same checks (the protocol's parsers, the
 * same bounds: read-request.ts) and the same stable error codes, thrown as an EdgelogError whose
 * code also leads its message (client/protocol/rpc-errors.ts: `rpcError`, in `edgelog/protocol`,
 * rebuilds it on the caller's side).
 *
 * Trust: a service binding can only be made by the account that owns both Workers, in its own
 * wrangler.toml; nothing on the internet can reach an entrypoint. So calls are trusted: no token,
 * every topic and group open to them (as with EDGELOG_AUTH=off), no per-principal quota. A Worker
 * that serves untrusted callers checks them itself before calling.
 *
 * @example
 * // the calling Worker's wrangler.toml:
 * // [[services]]
 * // binding = "EDGELOG"
 * // service = "edgelog"
 * // entrypoint = "EdgelogService"
 * const { offsets } = await env.EDGELOG.produce("orders", [{ key: "alice", value: { item: "book" } }]);
 * const { records, nextOffset } = await env.EDGELOG.read("orders", offsets[0].partition, { offset: 0 });
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import type {
  CreateTopicRequest,
  FetchedRecord,
  FetchResponse,
  GroupDescription,
  GroupOffsetsResponse,
  ProduceResponse,
  ProducerInput,
  RecordInput,
  TopicDescription,
  TopicSummary,
} from "../../client/protocol/index.ts";
import {
  expandRanges,
  groupName,
  objectWithKeys,
  parseProduceRequest,
  partitionNumber,
  rpcThrowable,
  topicName,
} from "../../client/protocol/index.ts";
import { OPEN_ACCESS } from "../auth/access.ts";
import type { EdgelogEnv } from "../env.ts";
import { groupOffsets } from "../group-offsets.ts";
import { createDescribedTopic, describeGroup, describeTopic, listTopics, readPartition } from "../operations.ts";
import { produce } from "../produce.ts";
import { READ_PARAMETERS, type ReadParameter, readRequestOf } from "../read-request.ts";
import { asEdgelogError } from "../result.ts";
import { deleteTopic } from "../topics.ts";

/**
 * `produce`'s options: every record to one partition (as `POST .../partitions/:p/records`), and
 * an idempotent producer's id, epoch and sequence (PRODUCER-1).
 *
 * @example
 * await env.EDGELOG.produce("orders", records, { partition: 2, producer: { id: "importer", epoch: 0, sequence: 40 } });
 */
export interface RpcProduceOptions {
  partition?: number;
  producer?: ProducerInput;
}

/**
 * A record's value over RPC: a JSON value (null, a boolean, a number, a string, an array or an
 * object), typed shallow. The recursive JsonValue through workerd's `Service<>` types makes
 * TypeScript give up (TS2589, instantiation too deep), and `unknown` there becomes `never`; so
 * narrow it as you would `unknown`. A value produced is checked when it arrives (JSON only, as
 * over HTTP).
 *
 * @example
 * const { records } = await env.EDGELOG.read("orders", 0);
 * const order = records[0]?.value as Order;
 */
export type RpcValue = NonNullable<unknown> | null;

/**
 * One record to produce over RPC (a RecordInput, its value typed RpcValue).
 *
 * @example
 * const record: RpcRecordInput = { key: "alice", value: { item: "book" } };
 */
export type RpcRecordInput = Omit<RecordInput, "value"> & { value: RpcValue };

/**
 * One record read over RPC (a FetchedRecord, its value typed RpcValue).
 *
 * @example
 * const { offset, value }: RpcRecord = (await env.EDGELOG.read("orders", 0)).records[0]!;
 */
export type RpcRecord = Omit<FetchedRecord, "value"> & { value: RpcValue };

/**
 * `read`'s answer: the HTTP fetch's (FetchResponse), its records' values typed RpcValue.
 *
 * @example
 * const { records, nextOffset, highWatermark }: RpcFetchResponse = await env.EDGELOG.read("orders", 0);
 */
export type RpcFetchResponse = Omit<FetchResponse, "records"> & { records: RpcRecord[] };

/**
 * `read`'s options, as the HTTP fetch's query parameters: where to start (an offset, `earliest`
 * or `latest`; earliest by default), at most `limit` records and `maxBytes` bytes, and up to
 * `maxWaitMs` of long-poll when nothing is there yet.
 *
 * @example
 * await env.EDGELOG.read("orders", 0, { offset: 42, limit: 100, maxWaitMs: 5_000 });
 */
export type RpcReadOptions = Partial<Record<"limit" | "maxBytes" | "maxWaitMs", number>> & { offset?: number | "earliest" | "latest" };

/** Runs one call; any failure leaves as the EdgelogError to throw across RPC. */
async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw rpcThrowable(asEdgelogError(error, "an RPC call"));
  }
}

/**
 * The RPC entrypoint (see this module's header). Export it from the Worker that runs edgelog
 * and bind it from another Worker with `entrypoint = "EdgelogService"`.
 *
 * @example
 * export { EdgelogService } from "edgelog/worker"; // in the Worker that runs edgelog
 * const topics = await env.EDGELOG.listTopics(); // in the Worker bound to it
 */
export class EdgelogService extends WorkerEntrypoint<EdgelogEnv> {
  /** Appends records to `topic` (each to its partition: explicit, by key, or sticky), answering their offsets. */
  async produce(topic: string, records: readonly RpcRecordInput[], options: RpcProduceOptions = {}): Promise<ProduceResponse> {
    return call(async () => {
      const name = topicName(topic);
      const { partition, producer } = objectWithKeys(options, "options", ["partition", "producer"], "INVALID_REQUEST");
      const pathPartition = partition === undefined ? null : partitionNumber(partition, "options.partition");
      const parsed = parseProduceRequest(producer === undefined ? { records } : { records, producer });
      // The RPC answer keeps version 1's shape, a position per record.
      const { ranges, duplicate } = await produce(this.env, name, parsed, pathPartition, null);
      const offsets = expandRanges(ranges);
      return duplicate ? { offsets, duplicate } : { offsets };
    });
  }

  /** One page of a partition's records from an offset (long-polled up to `maxWaitMs` when none is there). */
  async read(topic: string, partition: number, options: RpcReadOptions = {}): Promise<RpcFetchResponse> {
    return call(async () => {
      const name = topicName(topic);
      const where = partitionNumber(partition, "partition");
      const given = objectWithKeys(options, "options", READ_PARAMETERS, "INVALID_REQUEST");
      const page = await readPartition(
        this.env,
        name,
        where,
        readRequestOf((parameter: ReadParameter) => given[parameter]),
      );
      const records = JSON.parse(page.recordsJson) as RpcRecord[];
      return { records, nextOffset: page.nextOffset, highWatermark: page.highWatermark, logStartOffset: page.logStartOffset };
    });
  }

  /** Every ready topic. */
  async listTopics(): Promise<TopicSummary[]> {
    return call(() => listTopics(this.env, OPEN_ACCESS));
  }

  /** Creates a topic, or answers the existing one when its settings are the same (TOPIC-1). */
  async createTopic(topic: string, request: CreateTopicRequest): Promise<TopicDescription> {
    return call(async () => (await createDescribedTopic(this.env, topicName(topic), request)).description);
  }

  /** A topic with every partition's bounds. */
  async describeTopic(topic: string): Promise<TopicDescription> {
    return call(() => describeTopic(this.env, topicName(topic)));
  }

  /** Deletes a topic and its records. */
  async deleteTopic(topic: string): Promise<void> {
    return call(() => deleteTopic(this.env, topicName(topic)));
  }

  /** A consumer group's state, generation and members. */
  async describeGroup(group: string): Promise<GroupDescription> {
    return call(() => describeGroup(this.env, groupName(group)));
  }

  /** A group's committed offsets and lag on every partition of `topic`. */
  async groupOffsets(group: string, topic: string): Promise<GroupOffsetsResponse> {
    return call(() => groupOffsets(this.env, groupName(group), topicName(topic)));
  }
}
