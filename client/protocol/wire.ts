/**
 * The shapes on the wire: HTTP request and answer bodies, shared by worker and client.
 * No DOM and no IndexedDB here, so the worker can import it too.
 * Rules: PROTOCOL.md sections 9 to 15 (the HTTP answers), RECORD-2.
 *
 * @example
 * import type { ProduceRequest } from "edgelog/protocol";
 * const body: ProduceRequest = { records: [{ key: "user-1", value: { clicks: 1 } }] };
 */
import type { AssignorName } from "./membership.ts";

/**
 * Any JSON value: what a record's `value` may be.
 *
 * @example
 * const value: JsonValue = { item: "book", qty: 2, tags: ["gift"] };
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Whose clock a record's timestamp is: the producer's (default) or the log's at append.
 *
 * @example
 * const type: TimestampType = "LogAppendTime"; // records take the log's time at append
 */
export type TimestampType = "CreateTime" | "LogAppendTime";

/**
 * Per-topic settings; names follow Kafka's topic configs.
 *
 * @example
 * const config: TopicConfig = { "retention.ms": 7 * 86_400_000 }; // keep a week
 */
export interface TopicConfig {
  /** Records older than this are deleted (whole batches, as Kafka deletes segments); -1 keeps all. */
  "retention.ms"?: number;
  "message.timestamp.type"?: TimestampType;
  /** Stored bytes a partition keeps at most (whole batches deleted oldest first); -1 keeps all. */
  "retention.bytes"?: number;
  /** `"delete"` (retention only), `"compact"` (the latest record per key) or both. */
  "cleanup.policy"?: CleanupPolicy;
  /** A record is never compacted away before it is this old (ms since it was appended). */
  "min.compaction.lag.ms"?: number;
  /** How long compaction keeps a tombstone (a record whose value is null) after it was appended. */
  "delete.retention.ms"?: number;
  /** Compaction runs when this share of the partition's stored bytes is not yet compacted. */
  "min.cleanable.dirty.ratio"?: number;
}

/**
 * Kafka's `cleanup.policy`: what happens to old records (PROTOCOL.md TOPIC-2, COMPACT-1).
 *
 * @example
 * const policy: CleanupPolicy = "compact"; // keep the latest record of every key
 */
export type CleanupPolicy = "delete" | "compact" | "compact,delete";

/**
 * `PUT /v1/topics/:topic` body.
 *
 * @example
 * const body: CreateTopicRequest = { partitions: 3, config: { "retention.ms": -1 } };
 */
export interface CreateTopicRequest {
  partitions: number;
  config?: TopicConfig;
}

/**
 * One entry of `GET /v1/topics`.
 *
 * @example
 * const { topics } = (await (await fetch(`${url}/v1/topics`)).json()) as { topics: TopicSummary[] };
 */
export interface TopicSummary {
  name: string;
  partitions: number;
  config: TopicConfig;
  /** When the topic was created (ms since the epoch). */
  createdAt: number;
}

/**
 * The offsets that bound one partition's log.
 *
 * @example
 * const { partitions } = await http.describeTopic("orders");
 * const backlog = partitions.map((p: PartitionOffsets) => p.highWatermark - p.logStartOffset);
 */
export interface PartitionOffsets {
  partition: number;
  /** The first offset still stored. */
  logStartOffset: number;
  /** One past the last appended offset: the offset the next record gets. */
  highWatermark: number;
}

/**
 * `GET /v1/topics/:topic`.
 *
 * @example
 * const topic: TopicDescription = await http.describeTopic("orders");
 * topic.partitions.length; // the partition count
 */
export interface TopicDescription {
  name: string;
  /** The topic's incarnation: a topic deleted and created again gets a new one. */
  topicId: string;
  config: TopicConfig;
  createdAt: number;
  partitions: PartitionOffsets[];
}

/**
 * A record to produce.
 *
 * @example
 * const record: RecordInput = { key: "alice", value: { item: "book" }, headers: { source: "web" } };
 * await client.produce("orders", record);
 */
export interface RecordInput {
  /** Records with one key go to one partition, in order. */
  key?: string | null;
  value: JsonValue;
  headers?: Record<string, string>;
  /** The producer's CreateTime in ms since the epoch; the append time when absent. */
  timestamp?: number;
  /** An explicit partition, overriding the key. */
  partition?: number;
}

/**
 * An idempotent producer's identity on a request. `sequence` numbers the first record of the
 * request within its partition; the request's records take `sequence`, `sequence + 1`, ...
 *
 * @example
 * const producer: ProducerInput = { id: "tab-1", epoch: 0, sequence: 10 }; // a request of 3 records: 10, 11, 12
 */
export interface ProducerInput {
  id: string;
  epoch: number;
  sequence: number;
}

/**
 * `POST .../records` body.
 *
 * @example
 * const body: ProduceRequest = { records: [{ value: 1 }], producer: { id: "tab-1", epoch: 0, sequence: 0 } };
 * await http.produce("orders", 0, body);
 */
export interface ProduceRequest {
  records: RecordInput[];
  producer?: ProducerInput;
}

/**
 * Where one produced record landed.
 *
 * @example
 * const { partition, offset }: RecordPosition = await client.produce("orders", { key: "alice", value: 1 });
 */
export interface RecordPosition {
  partition: number;
  offset: number;
}

/**
 * `POST .../records` answer: one position per record, in request order.
 *
 * @example
 * const { offsets, duplicate }: ProduceResponse = await http.produce("orders", 0, body); // duplicate: a retry
 */
export interface ProduceResponse {
  offsets: RecordPosition[];
  /** True when an idempotent retry was recognised: nothing was appended, these are the originals. */
  duplicate?: boolean;
}

/**
 * A run of a produce's records (protocol version 2): `count` records on `partition` with offsets
 * `baseOffset` to `baseOffset + count - 1`, in request order (PRODUCE-7, SOCKET-20).
 *
 * @example
 * const range: ProducedRange = { partition: 0, baseOffset: 40, count: 100 }; // offsets 40..139
 */
export interface ProducedRange {
  partition: number;
  baseOffset: number;
  count: number;
}

/**
 * `POST .../records` answer to a request with `edgelog-protocol: 2` (PRODUCE-7): the records'
 * positions as runs in request order; consecutive records on one partition with consecutive
 * offsets form one run.
 *
 * @example
 * const { ranges }: ProduceRangesResponse = await response.json(); // [{ partition: 0, baseOffset: 40, count: 100 }]
 */
export interface ProduceRangesResponse {
  ranges: ProducedRange[];
  /** True when an idempotent retry was recognised: nothing was appended, these are the originals. */
  duplicate?: boolean;
}

/**
 * A record read back.
 *
 * @example
 * const record: FetchedRecord = { offset: 7, timestamp: 1_700_000_000_000, key: null, value: 1, headers: {} };
 */
export interface FetchedRecord {
  offset: number;
  timestamp: number;
  key: string | null;
  value: JsonValue;
  headers: Record<string, string>;
}

/**
 * `GET .../records` answer.
 *
 * @example
 * const page = (await (await fetch(`${url}/v1/topics/orders/partitions/0/records?offset=0`)).json()) as FetchResponse;
 * // the next read asks for ?offset=${page.nextOffset}
 */
export interface FetchResponse {
  records: FetchedRecord[];
  /**
   * The offset to ask for next: one past the last offset the read covered (on a compacted topic
   * the offsets compaction removed are covered too), or the offset asked for.
   */
  nextOffset: number;
  highWatermark: number;
  logStartOffset: number;
  /** Compacted topics only: one past the highest tombstone compaction removed; send it back as `cleaned` (COMPACT-6). */
  cleanedTombstonesBelow?: number;
  /** Compacted topics only: the page holds each key's latest record only; go on with `from=latest-per-key` (TABLE-2). */
  latestPerKey?: true;
  /** Compacted topics only: drop what you hold of this partition, then apply these records (COMPACT-6, TABLE-2). */
  reset?: true;
}

/**
 * A partition's measured cost and sockets (the object's own counters, since it started).
 *
 * @example
 * const { rowsWritten, rowsRead, sockets }: PartitionStats = await partitionStub(env, meta.topicId, 0).stats();
 */
export interface PartitionStats {
  /** SQLite rows written and read, as the runtime counts them for billing. */
  rowsWritten: number;
  rowsRead: number;
  /** Records appended since the object started, and their stored UTF-8 bytes. */
  appendedRecords: number;
  appendedBytes: number;
  highWatermark: number;
  logStartOffset: number;
  /** The object's SQLite database size in bytes (records, producer state, offsets, indexes). */
  storedBytes: number;
  /** WebSockets open on the partition. */
  sockets: number;
  /** Subscriptions stopped by a full window (`paused` sent, waiting for `consumed`). */
  subscribersPaused: number;
  /** HTTP long-poll reads parked for the next append. */
  longPollWaiters: number;
  /** Processor partitions and connectors to wake on the next append (PROC-7). */
  watchers: number;
  /** When this instance of the object started (ms since the epoch): a change means a restart. */
  startedAt: number;
}

/**
 * `GET .../stats` answer.
 *
 * @example
 * const stats = (await (await fetch(`${url}/v1/topics/orders/partitions/0/stats`)).json()) as PartitionStatsResponse;
 */
export interface PartitionStatsResponse extends PartitionStats {
  partition: number;
}

/**
 * `GET .../offsets` answer.
 *
 * @example
 * const { offset, timestamp }: OffsetLookupResponse = await http.offsetForTimestamp("orders", 0, Date.now() - 3_600_000);
 */
export interface OffsetLookupResponse {
  /** For a timestamp: the first record at or after it, or highWatermark when there is none. */
  offset: number;
  /** That record's timestamp, or null when the answer is not a stored record. */
  timestamp: number | null;
}

/**
 * One offset to commit.
 *
 * @example
 * const commit: OffsetCommit = { topic: "orders", partition: 0, offset: 43 }; // records up to 42 are done
 */
export interface OffsetCommit {
  topic: string;
  partition: number;
  /** The next offset the group will read (Kafka's convention), not the last one read. */
  offset: number;
  metadata?: string;
}

/**
 * `PUT /v1/groups/:group/offsets` body. A group member adds its memberId and generation.
 *
 * @example
 * const body: CommitRequest = { offsets: [{ topic: "orders", partition: 0, offset: 43 }], memberId: "device-7", generation: 3 };
 */
export interface CommitRequest {
  offsets: OffsetCommit[];
  memberId?: string;
  generation?: number;
}

/**
 * `POST /v1/groups/:group/members` body.
 *
 * @example
 * const body: JoinGroupRequest = { topic: "orders", memberId: "device-7", assignor: "sticky", sessionTimeoutMs: 30_000 };
 */
export interface JoinGroupRequest {
  topic: string;
  /** Bring your own id (e.g. a device id) to rejoin as the same member; generated when absent. */
  memberId?: string;
  assignor?: AssignorName;
  sessionTimeoutMs?: number;
}

/**
 * A member's view after join or heartbeat.
 *
 * @example
 * const response = await fetch(`${url}/v1/groups/billing/members/device-7/heartbeat`, { method: "POST" });
 * const { generation, partitions } = (await response.json()) as MemberAssignmentResponse;
 */
export interface MemberAssignmentResponse {
  memberId: string;
  generation: number;
  partitions: number[];
}

/**
 * `GET /v1/groups/:group`.
 *
 * @example
 * const group = (await (await fetch(`${url}/v1/groups/billing`)).json()) as GroupDescription;
 * group.members.map((m) => m.memberId);
 */
export interface GroupDescription {
  group: string;
  topic: string | null;
  assignor: AssignorName;
  generation: number;
  members: { memberId: string; partitions: number[]; sessionTimeoutMs: number; lastSeen: number; viaSocket: boolean }[];
}

/**
 * `PUT /v1/groups/:group/offsets` answer.
 *
 * @example
 * const { offsets }: CommitResponse = await http.commit("billing", { offsets: [{ topic: "orders", partition: 0, offset: 43 }] });
 */
export interface CommitResponse {
  offsets: { topic: string; partition: number; offset: number }[];
}

/**
 * One partition's line of `GET /v1/groups/:group/offsets?topic=T`.
 *
 * @example
 * for (const line of (await http.groupOffsets("billing", "orders")).partitions) console.log(line.partition, line.lag);
 */
export interface GroupPartitionOffset extends PartitionOffsets {
  /** The committed offset (the next to read), or null when the group never committed here. */
  committedOffset: number | null;
  metadata: string | null;
  /** highWatermark - committedOffset, or null with no commit. */
  lag: number | null;
}

/**
 * `GET /v1/groups/:group/offsets?topic=T` answer.
 *
 * @example
 * const { totalLag }: GroupOffsetsResponse = await http.groupOffsets("billing", "orders");
 */
export interface GroupOffsetsResponse {
  group: string;
  topic: string;
  partitions: GroupPartitionOffset[];
  /** The sum of the partitions' lags (partitions with no commit count as 0). */
  totalLag: number;
}

/**
 * One consumer group as `GET /v1/groups` lists it: its name and the topics it joined or committed on.
 *
 * @example
 * const { groups }: GroupListResponse = await http.listGroups();
 * groups.map((g) => `${g.group}: ${g.topics.join(",")}`);
 */
export interface GroupTopics {
  group: string;
  topics: string[];
}

/**
 * `GET /v1/groups` answer (GROUP-14): the groups, by name (with auth, those the token has `group` on).
 *
 * @example
 * const { groups } = (await (await fetch(`${url}/v1/groups`)).json()) as GroupListResponse;
 */
export interface GroupListResponse {
  groups: GroupTopics[];
}
