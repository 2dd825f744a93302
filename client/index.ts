/**
 * edgelog's browser client: subscribe to topics live and offline-first (records cached in
 * IndexedDB, replayed without a network, caught up on reconnect), produce through a persistent
 * outbox as an idempotent producer (exactly once, in order, across reloads), commit group
 * offsets, be a consumer-group member (`client.consumer`: assignments, rebalances, fenced
 * commits), and watch an explicit status. In a browser, the tabs of one origin share one
 * connection and one cache: a leader tab, elected with Web Locks, owns the sockets and sends the
 * outbox, and a follower takes over when it closes (tabs/tabs.ts). Works in browsers, workers and
 * Node (inject `ws`).
 *
 * @example
 * import { createClient } from "edgelog";
 *
 * const client = createClient({ url: "https://events.example.com" });
 * client.onStatus((status) => console.log(status)); // "connecting" -> "catching-up" -> "live"
 * const sub = client.subscribe("orders", { from: "cached" }, (r) => console.log(r.partition, r.offset, r.value));
 * sub.onError((error) => console.warn(error.code)); // the topic was deleted: UNKNOWN_TOPIC
 * const { partition, offset } = await client.produce("orders", { key: "alice", value: { item: "book" } });
 * for await (const record of sub) if (record.offset === offset && record.partition === partition) break;
 *
 * // Typed topics: by a type, or by any Standard Schema (checked at enqueue, offline too).
 * const orders = client.topic("orders", { schema: z.object({ item: z.string(), qty: z.number().default(1) }) });
 * await orders.produce({ key: "alice", value: { item: "pen" } }); // SCHEMA_VALIDATION_FAILED for { item: 1 }
 * client.close();
 */

/** The Standard Schema v1 interface a typed topic's schema implements (zod, valibot, arktype, ...). */
export type { StandardSchemaV1 } from "@standard-schema/spec";
export { EdgelogAdmin } from "./admin.ts";
export { type AuthOption, type TokenClaims, tokenClaims } from "./auth-token.ts";
export { reconnectCeilingMs, reconnectDelayMs } from "./backoff.ts";
export { type IndexedDbCacheOptions, openIndexedDbCache } from "./cache/indexeddb.ts";
export { createMemoryCache, type MemoryCacheOptions } from "./cache/memory.ts";
export type {
  CachedRun,
  CacheKind,
  EventCache,
  NamedPosition,
  NewOutboxEntry,
  OutboxEntry,
  OutboxRecord,
  ProducerIdentity,
  PutRecordsOptions,
  SealedBatch,
  TopicInfo,
} from "./cache/types.ts";
export { type ClientError, type ClientOptions, createClient, EdgelogClient, type StorageStatus } from "./client.ts";
export * from "./consumer/consumer-limits.ts";
export type {
  AssignmentChange,
  ConsumerAssignment,
  ConsumerOptions,
  ConsumerTimers,
  RevokeChange,
  RevokeReason,
  RunHandlers,
} from "./consumer/consumer-options.ts";
export { Consumer } from "./consumer/group-consumer.ts";
export { JOIN_CODES_FINAL } from "./consumer/group-session.ts";
export { browserEnvironment, type ClientEnvironment, type EnvironmentEvent } from "./environment.ts";
export type { FetchFunction } from "./http-api.ts";
export type { JsonCompatible, JsonMember } from "./json-compatible.ts";
export type { CommitMessage, LinkStart, SocketLinkOptions } from "./link.ts";
export { type LinkFactory, type LinkHandlers, type PartitionLink, socketLinkFactory } from "./link.ts";
export {
  type AnyErrorCode,
  CLIENT_ERROR_CODES,
  type ClientErrorCode,
  EdgelogClientError,
  errorCode,
  isQuotaError,
} from "./local-errors.ts";
export * from "./local-limits.ts";
export type { OutboxSnapshot } from "./outbox-watch.ts";
export type { ProduceRecord, Queued, QueuedRecord } from "./producer.ts";
export type { FetchedRecord, JsonValue, RecordPosition, StartPosition } from "./protocol/index.ts";
export * from "./protocol/index.ts";
export { EdgelogError, type ErrorCode } from "./protocol/index.ts";
export type { WebSocketClass, WebSocketLike } from "./reconnecting-socket.ts";
export { type SchemaIssue, SchemaValidationError, type SchemaWhere } from "./schema-check.ts";
export type { SubscribeFrom } from "./start-plan.ts";
export type { LinkSnapshot, StatusInputs } from "./status.ts";
export {
  CLIENT_STATUSES,
  type ClientStatus,
  canMoveStatus,
  deriveStatus,
  LINK_TRANSITIONS,
  type LinkState,
  STATUS_TRANSITIONS,
} from "./status.ts";
export type { RecordCallback, SubscribeOptions, TopicRecord } from "./subscribe-options.ts";
export { Subscription } from "./subscription.ts";
export { Table } from "./table/table.ts";
export type { TableChange, TableReset } from "./table/table-change.ts";
export type { BroadcastChannelClass, BroadcastChannelLike } from "./tabs/channel.ts";
export type { LockManagerLike } from "./tabs/locks.ts";
export { browserTabs, type TabRole, type TabsEnvironment } from "./tabs/tabs.ts";
export { type TopicOptions, TypedTopic } from "./typed-topic.ts";
