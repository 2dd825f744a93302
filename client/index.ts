/**
 * edgelog's browser client: subscribe to topics live and offline-first (records cached in
 * IndexedDB, replayed without a network, caught up on reconnect), produce through a persistent
 * outbox as an idempotent producer (exactly once, in order, across reloads), commit group
 * offsets, and watch an explicit status. In a browser, the tabs of one origin share one
 * connection and one cache: a leader tab, elected with Web Locks, owns the sockets and sends the
 * outbox, and a follower takes over when it closes (tabs/tabs.ts). Works in browsers, workers and
 * Node (inject `ws`).
 *
 * @example
 * import { createClient } from "edgelog";
 *
 * const client = createClient({ url: "https://events.example.com" });
 * client.onStatus((status) => console.log(status)); // "connecting" -> "catching-up" -> "live"
 * const sub = client.subscribe("orders", { from: "earliest" }, (r) => console.log(r.partition, r.offset, r.value));
 * const { partition, offset } = await client.produce("orders", { key: "alice", value: { item: "book" } });
 * for await (const record of sub) if (record.offset === offset && record.partition === partition) break;
 * client.close();
 */
export { createClient, EdgelogClient, type ClientOptions, type ClientError, type StorageStatus } from "./client.ts";
export { Subscription, type SubscribeOptions, type RecordCallback, type TopicRecord } from "./subscription.ts";
export type { ProduceRecord, Queued, QueuedRecord } from "./producer.ts";
export { deriveStatus, CLIENT_STATUSES, LINK_TRANSITIONS, type ClientStatus, type LinkState } from "./status.ts";
export { EdgelogClientError, errorCode, isQuotaError, CLIENT_ERROR_CODES, type ClientErrorCode, type AnyErrorCode } from "./local-errors.ts";
export { EdgelogError, type ErrorCode } from "./protocol/index.ts";
export * from "./local-limits.ts";
export * from "./protocol/index.ts";
export { reconnectDelayMs, reconnectCeilingMs } from "./backoff.ts";
export { createMemoryCache, type MemoryCacheOptions } from "./cache/memory.ts";
export { openIndexedDbCache, type IndexedDbCacheOptions } from "./cache/indexeddb.ts";
export type { EventCache, CacheKind, CachedRun, OutboxEntry, TopicInfo } from "./cache/types.ts";
export { browserEnvironment, type ClientEnvironment, type EnvironmentEvent } from "./environment.ts";
export { socketLinkFactory, type LinkFactory, type LinkHandlers, type PartitionLink } from "./link.ts";
export type { WebSocketClass, WebSocketLike } from "./reconnecting-socket.ts";
export { browserTabs, type TabRole, type TabsEnvironment } from "./tabs/tabs.ts";
export type { BroadcastChannelClass, BroadcastChannelLike } from "./tabs/channel.ts";
export type { LockManagerLike } from "./tabs/locks.ts";
export type { FetchFunction } from "./http-api.ts";
export type { StartPosition } from "./protocol/index.ts";
export type { FetchedRecord, JsonValue, RecordPosition } from "./protocol/index.ts";
