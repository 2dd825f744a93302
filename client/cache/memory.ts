/**
 * The in-memory cache: the same contract as IndexedDB, for tests, workers and pages that want no
 * persistence. Everything is lost when the client closes (the outbox included), so an offline
 * app should use the IndexedDB cache. Each write computes its whole effect first and then applies
 * it with no await in between, so it is atomic like a transaction.
 *
 * @example
 * const cache = createMemoryCache();
 * await cache.putRecords("orders", 0, [{ offset: 0, timestamp: 1, key: null, value: 1, headers: {} }]);
 */
import { EdgelogClientError } from "../local-errors.ts";
import { CACHE_RECORDS_PER_PARTITION_MAX } from "../local-limits.ts";
import type { FetchedRecord } from "../protocol/index.ts";
import { mergePosition } from "./positions.ts";
import { planRun, sameIncarnation } from "./runs.ts";
import { abandonProducer, newProducerId, planSeal, rollBack } from "./sealing.ts";
import type {
  CachedRun,
  EventCache,
  NamedPosition,
  NewOutboxEntry,
  OutboxEntry,
  PartitionSequence,
  ProducerIdentity,
  PutRecordsOptions,
  SealedBatch,
  TopicInfo,
} from "./types.ts";

/**
 * Options of the memory cache.
 *
 * @example
 * createMemoryCache({ recordsPerPartitionMax: 100 });
 */
export interface MemoryCacheOptions {
  /** Records kept per partition (default CACHE_RECORDS_PER_PARTITION_MAX). */
  recordsPerPartitionMax?: number;
}

/** A partition's key in the maps: topic names cannot hold "/", so this never collides. */
function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/** A deep copy, so callers can never change what is stored (as IndexedDB's structured clone). */
function copy<T>(value: T): T {
  return structuredClone(value);
}

class MemoryCache implements EventCache {
  readonly kind = "memory" as const;
  private readonly recordsMax: number;
  private readonly records = new Map<string, Map<number, FetchedRecord>>();
  private readonly runsByPartition = new Map<string, CachedRun>();
  private readonly topics = new Map<string, TopicInfo>();
  /** Named positions by partition key, then by subscription name. */
  private readonly positions = new Map<string, Map<string, NamedPosition>>();
  private readonly outbox = new Map<number, OutboxEntry>();
  private readonly sequences = new Map<string, PartitionSequence>();
  private identity: ProducerIdentity | null = null;
  private nextOutboxId = 1;
  private closed = false;

  constructor(options: MemoryCacheOptions) {
    this.recordsMax = options.recordsPerPartitionMax ?? CACHE_RECORDS_PER_PARTITION_MAX;
  }

  private check(): void {
    if (this.closed) throw new EdgelogClientError("CLOSED", "the cache is closed");
  }

  async putRecords(
    topic: string,
    partition: number,
    records: readonly FetchedRecord[],
    options: PutRecordsOptions = {},
  ): Promise<CachedRun | undefined> {
    this.check();
    const key = partitionKey(topic, partition);
    const plan = planRun(this.runsByPartition.get(key), topic, partition, records, options, this.recordsMax);
    if (plan.run === undefined) return this.runsByPartition.get(key);
    let stored = this.records.get(key);
    if (stored === undefined || plan.dropAll) {
      stored = new Map();
      this.records.set(key, stored);
    }
    if (plan.evictBelow !== null) {
      for (const offset of stored.keys()) if (offset < plan.evictBelow) stored.delete(offset);
    }
    for (const segment of plan.segments) for (const record of segment) stored.set(record.offset, copy(record));
    this.runsByPartition.set(key, plan.run);
    return { ...plan.run };
  }

  async readRecords(topic: string, partition: number, from: number, limit: number, topicId?: string | null): Promise<FetchedRecord[]> {
    this.check();
    const key = partitionKey(topic, partition);
    const run = this.runsByPartition.get(key);
    const stored = this.records.get(key);
    if (run === undefined || stored === undefined || !sameIncarnation(run, topicId)) return [];
    const out: FetchedRecord[] = [];
    for (let offset = Math.max(from, run.low); offset < run.high && out.length < limit; offset++) {
      const record = stored.get(offset);
      if (record === undefined) break;
      out.push(copy(record));
    }
    return out;
  }

  async run(topic: string, partition: number): Promise<CachedRun | undefined> {
    this.check();
    const run = this.runsByPartition.get(partitionKey(topic, partition));
    return run === undefined ? undefined : { ...run };
  }

  async runs(topic: string): Promise<CachedRun[]> {
    this.check();
    return [...this.runsByPartition.values()].filter((run) => run.topic === topic).map((run) => ({ ...run }));
  }

  async dropRecords(topic: string, partition: number): Promise<void> {
    this.check();
    const key = partitionKey(topic, partition);
    this.records.delete(key);
    this.runsByPartition.delete(key);
  }

  async dropStale(topic: string, partition: number, topicId: string): Promise<void> {
    this.check();
    const key = partitionKey(topic, partition);
    if (this.runsByPartition.get(key)?.topicId !== topicId) {
      this.records.delete(key);
      this.runsByPartition.delete(key);
    }
    const named = this.positions.get(key);
    for (const [name, position] of named ?? []) if (position.topicId !== topicId) named?.delete(name);
  }

  async topic(name: string): Promise<TopicInfo | undefined> {
    this.check();
    const info = this.topics.get(name);
    return info === undefined ? undefined : { ...info };
  }

  async putTopic(info: TopicInfo): Promise<void> {
    this.check();
    this.topics.set(info.name, { ...info });
  }

  async position(subscription: string, topic: string, partition: number): Promise<NamedPosition | undefined> {
    this.check();
    const position = this.positions.get(partitionKey(topic, partition))?.get(subscription);
    return position === undefined ? undefined : { ...position };
  }

  async putPosition(subscription: string, topic: string, partition: number, position: NamedPosition): Promise<void> {
    this.check();
    const key = partitionKey(topic, partition);
    let named = this.positions.get(key);
    if (named === undefined) {
      named = new Map();
      this.positions.set(key, named);
    }
    named.set(subscription, mergePosition(named.get(subscription), position));
  }

  async producer(): Promise<ProducerIdentity> {
    this.check();
    this.identity ??= { id: newProducerId(), epoch: 0 };
    return { ...this.identity };
  }

  async outboxAdd(entry: NewOutboxEntry, limit: number): Promise<number> {
    this.check();
    if (this.outbox.size >= limit) {
      throw new EdgelogClientError("OUTBOX_FULL", `${this.outbox.size} records wait in the outbox; at most ${limit}`);
    }
    const id = this.nextOutboxId++;
    this.outbox.set(id, { ...copy(entry), id, batch: null });
    return id;
  }

  async outboxList(limit: number): Promise<OutboxEntry[]> {
    this.check();
    // Map iteration is insertion order, which is id order.
    const out: OutboxEntry[] = [];
    for (const entry of this.outbox.values()) {
      if (out.length >= limit) break;
      out.push(copy(entry));
    }
    return out;
  }

  async outboxCount(): Promise<number> {
    this.check();
    return this.outbox.size;
  }

  async outboxResolve(partitions: ReadonlyMap<number, number>): Promise<void> {
    this.check();
    for (const [id, partition] of partitions) {
      const entry = this.outbox.get(id);
      if (entry !== undefined && entry.batch === null) entry.partition = partition;
    }
  }

  async outboxSeal(ids: readonly number[], topic: string, partition: number): Promise<SealedBatch> {
    this.check();
    const identity = await this.producer();
    const key = partitionKey(topic, partition);
    const entries = ids.map((id) => this.outbox.get(id));
    const plan = planSeal(entries, ids, this.sequences.get(key), identity, topic, partition);
    for (const entry of entries) if (entry !== undefined) entry.batch = { ...plan.batch };
    this.sequences.set(key, plan.sequence);
    return { ...plan.batch };
  }

  async outboxRemove(ids: readonly number[]): Promise<void> {
    this.check();
    for (const id of ids) this.outbox.delete(id);
  }

  async outboxDiscard(ids: readonly number[], topic: string, partition: number, batch: SealedBatch): Promise<void> {
    this.check();
    const key = partitionKey(topic, partition);
    const row = rollBack(this.sequences.get(key), batch);
    for (const id of ids) this.outbox.delete(id);
    if (row !== undefined) this.sequences.set(key, row);
  }

  async outboxUnseal(ids: readonly number[], topic: string, partition: number, batch: SealedBatch): Promise<void> {
    this.check();
    const key = partitionKey(topic, partition);
    for (const id of ids) {
      const entry = this.outbox.get(id);
      if (entry !== undefined) entry.batch = null;
    }
    this.sequences.set(key, abandonProducer(this.sequences.get(key), batch, topic, partition));
  }

  close(): void {
    this.closed = true;
  }
}

/**
 * A cache in memory: nothing survives the client.
 *
 * @example
 * const client = createClient({ url, cache: "memory" }); // uses createMemoryCache() inside
 */
export function createMemoryCache(options: MemoryCacheOptions = {}): EventCache {
  return new MemoryCache(options);
}
