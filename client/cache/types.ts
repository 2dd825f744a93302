/**
 * The client's cache: one interface, two implementations (IndexedDB for pages, memory for tests
 * and workers). It holds five things:
 *
 * - **records**, per partition, as one contiguous run of offsets [low, high) (see runs.ts), at
 *   most CACHE_RECORDS_PER_PARTITION_MAX, oldest evicted first, all of one incarnation of the
 *   topic (its `topicId`: a topic deleted and created again has a new one, and its records never
 *   join the old run);
 * - **topic metadata** (partition counts), so a keyed record can be placed while offline;
 * - **positions**: the next offset a named subscription delivers, per partition, with the
 *   incarnation it belongs to; a position only moves forward within one incarnation, so the tabs
 *   of a database sharing a name never move it back;
 * - **the outbox**: produced records not yet acknowledged, in enqueue order, with the batch each
 *   was sent in (so a retry repeats exactly that batch and the server can recognise it);
 * - **producer state**: the idempotent producer's id and each partition's next sequence.
 *
 * Every write is atomic: it happens whole or not at all (an IndexedDB transaction, or a memory
 * update computed before it is applied), so a failure such as a full quota never leaves a run
 * whose records are missing, or an outbox entry sealed without its sequence being taken.
 *
 * @example
 * const cache: EventCache = await openCache({ cache: "memory" });
 * await cache.putRecords("orders", 0, records, { logStartOffset: 0 });
 * const run = await cache.run("orders", 0); // { low: 0, high: records.length, ... }
 */
import type { FetchedRecord, JsonValue, TopicSchemas } from "../protocol/index.ts";

/**
 * The cached, contiguous records of one partition: offsets [low, high), all present.
 *
 * @example
 * const run = await cache.run("orders", 0);
 * if (run) console.log(`offsets ${run.low}..${run.high - 1} cached`);
 */
export interface CachedRun {
  topic: string;
  partition: number;
  /** The first cached offset. */
  low: number;
  /** One past the last cached offset. */
  high: number;
  /**
   * Whether the run began at the log's start (logStartOffset, when it was stored). Only then may
   * a subscription `from: "earliest"` replay it: otherwise older records exist that it lacks.
   * Eviction by the cache's own bound keeps it true: "earliest" then means the oldest kept.
   */
  startsAtLog: boolean;
  /**
   * The topic incarnation the records belong to (`hello.topicId`), or null when unknown: rows
   * written by schema version 2, which the first incarnation that stores records adopts.
   */
  topicId: string | null;
}

/**
 * A named subscription's stored position on one partition.
 *
 * @example
 * await cache.putPosition("notifier", "orders", 0, { next: 42, topicId: hello.topicId });
 */
export interface NamedPosition {
  /** The next offset to deliver. */
  next: number;
  /** The topic incarnation it counts in, or null when unknown (schema version 2, or before any hello). */
  topicId: string | null;
}

/**
 * A topic's metadata as last fetched.
 *
 * @example
 * await cache.putTopic({ name: "orders", partitions: 3, fetchedAt: Date.now() });
 */
export interface TopicInfo {
  name: string;
  partitions: number;
  /** When it was fetched (ms since the epoch). */
  fetchedAt: number;
  /** The incarnation it describes (TopicDescription.topicId), when known. */
  topicId?: string;
  /** The topic's schemas when fetched (SCHEMA-8): the latest versions of its `-value` and `-key` subjects. */
  schemas?: TopicSchemas;
}

/**
 * A record as the outbox keeps it: what will be sent, validated, without a partition field.
 *
 * @example
 * const record: OutboxRecord = { key: "alice", value: { item: "book" } };
 */
export interface OutboxRecord {
  key: string | null;
  value: JsonValue;
  headers?: Record<string, string>;
  timestamp?: number;
}

/**
 * The idempotent-producer identity a batch was sent with: a retry must send exactly this.
 *
 * @example
 * const batch = await cache.outboxSeal(ids, "orders", 0); // { producerId, epoch: 0, sequence: 10, count: 3 }
 */
export interface SealedBatch {
  producerId: string;
  epoch: number;
  /** The batch's first sequence; its records take sequence, sequence + 1, ... */
  sequence: number;
  /** How many records the batch holds. */
  count: number;
}

/**
 * Marks a record whose partition is not chosen yet (its topic's partition count is unknown).
 *
 * @example
 * if (entry.partition === PARTITION_UNRESOLVED) await placeOnceMetadataIsKnown(entry);
 */
export const PARTITION_UNRESOLVED = -1;

/**
 * One record waiting in the outbox.
 *
 * @example
 * for (const entry of await cache.outboxList(100)) console.log(entry.id, entry.topic, entry.batch !== null);
 */
export interface OutboxEntry {
  /** Enqueue order, across all topics: records of a partition are sent in this order. */
  id: number;
  topic: string;
  /** The partition, or PARTITION_UNRESOLVED until the topic's metadata is known. */
  partition: number;
  record: OutboxRecord;
  /** Stored size as the protocol measures it (encodeRecord), to bound a batch's bytes. */
  bytes: number;
  /** When it was produced (ms since the epoch). */
  enqueuedAt: number;
  /** The batch it was sent in, once sent: retries repeat exactly this batch. */
  batch: SealedBatch | null;
}

/**
 * An entry to add (the cache numbers it).
 *
 * @example
 * await cache.outboxAdd({ topic: "orders", partition: 0, record, bytes: 64, enqueuedAt: Date.now() }, OUTBOX_RECORDS_MAX);
 */
export type NewOutboxEntry = Omit<OutboxEntry, "id" | "batch">;

/**
 * The idempotent producer's identity, created once and kept.
 *
 * @example
 * const { id, epoch } = await cache.producer(); // the same id after a reload
 */
export interface ProducerIdentity {
  id: string;
  epoch: number;
}

/**
 * Per partition: which producer id it uses and the next sequence to assign.
 *
 * @example
 * // stored per partition: { topic: "orders", partition: 0, producerId: "edgelog-...", epoch: 0, next: 13 }
 */
export interface PartitionSequence {
  topic: string;
  partition: number;
  producerId: string;
  epoch: number;
  next: number;
}

/**
 * How a page of records is stored.
 *
 * @example
 * await cache.putRecords("orders", 0, page, { logStartOffset: hello.logStartOffset, topicId: hello.topicId });
 */
export interface PutRecordsOptions {
  /** The log's first offset, when known: tells whether the run begins at the log. */
  logStartOffset?: number;
  /** The incarnation the records belong to, when known. */
  topicId?: string;
}

/**
 * What the cache is made of: "indexeddb" persists, "memory" lasts as long as the client.
 *
 * @example
 * createClient({ url, cache: "memory" satisfies CacheKind });
 */
export type CacheKind = "indexeddb" | "memory";

/**
 * The cache the client stores everything in. Methods reject with EdgelogClientError (cache codes).
 *
 * @example
 * const cache: EventCache = createMemoryCache();
 * await cache.putRecords("orders", 0, page);
 */
export interface EventCache {
  readonly kind: CacheKind;

  /**
   * Stores a contiguous page of a partition's records, evicting the oldest past the bound. With a
   * `topicId` other than the run's (when the run's is known), the old run is dropped first.
   */
  putRecords(
    topic: string,
    partition: number,
    records: readonly FetchedRecord[],
    options?: PutRecordsOptions,
  ): Promise<CachedRun | undefined>;
  /**
   * Up to `limit` cached records from offset `from` on, in order; none when `topicId` is given
   * and the run is known to be of another incarnation (a replay never mixes two logs).
   */
  readRecords(topic: string, partition: number, from: number, limit: number, topicId?: string | null): Promise<FetchedRecord[]>;
  /** A partition's cached run. */
  run(topic: string, partition: number): Promise<CachedRun | undefined>;
  /** Every cached run of a topic (for replay when its partition count is not known). */
  runs(topic: string): Promise<CachedRun[]>;
  /** Forgets a partition's records. */
  dropRecords(topic: string, partition: number): Promise<void>;
  /**
   * The partition is incarnation `topicId` now (the topic was deleted and created again, or the
   * cache went past the log): forgets its run unless it is of `topicId`, and every named position
   * on it that is not, in one atomic write.
   */
  dropStale(topic: string, partition: number, topicId: string): Promise<void>;

  /** A topic's metadata as last fetched. */
  topic(name: string): Promise<TopicInfo | undefined>;
  /** Stores a topic's metadata, replacing what was there. */
  putTopic(info: TopicInfo): Promise<void>;

  /** Where named subscription `subscription` resumes on a partition. */
  position(subscription: string, topic: string, partition: number): Promise<NamedPosition | undefined>;
  /**
   * Stores a named position: it replaces one of another known incarnation, and otherwise only
   * moves forward (the larger `next` stays, with the known topic id).
   */
  putPosition(subscription: string, topic: string, partition: number, position: NamedPosition): Promise<void>;

  /** The producer identity, created on first use and kept. */
  producer(): Promise<ProducerIdentity>;
  /** Adds an entry; rejects with OUTBOX_FULL when `limit` entries wait. Answers its id. */
  outboxAdd(entry: NewOutboxEntry, limit: number): Promise<number>;
  /** Up to `limit` entries in enqueue order. */
  outboxList(limit: number): Promise<OutboxEntry[]>;
  /** How many entries wait in the outbox. */
  outboxCount(): Promise<number>;
  /** Sets the partition of unresolved entries (id -> partition). */
  outboxResolve(partitions: ReadonlyMap<number, number>): Promise<void>;
  /**
   * Seals entries (all of one partition, unsealed, in order) into one batch: takes the
   * partition's next sequences and records the batch on each entry, in one atomic write.
   */
  outboxSeal(ids: readonly number[], topic: string, partition: number): Promise<SealedBatch>;
  /** Removes delivered entries. */
  outboxRemove(ids: readonly number[]): Promise<void>;
  /**
   * Removes the entries of a sealed batch the server refused (it appended nothing) and, when it
   * is still the partition's last sealed batch, gives its sequences back, so the next batch
   * starts where the server expects and is not refused as OUT_OF_ORDER_SEQUENCE.
   */
  outboxDiscard(ids: readonly number[], topic: string, partition: number, batch: SealedBatch): Promise<void>;
  /**
   * The server forgot the producer of a sealed batch (UNKNOWN_PRODUCER_ID): clears the batch from
   * its entries, so the next pass seals them again, and moves the partition to a new producer id
   * at sequence 0 if it still uses the batch's, in one atomic write.
   */
  outboxUnseal(ids: readonly number[], topic: string, partition: number, batch: SealedBatch): Promise<void>;

  /** Closes the cache; later calls reject with CLOSED. */
  close(): void;
}
