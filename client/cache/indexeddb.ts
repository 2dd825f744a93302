/**
 * The IndexedDB cache, through jakearchibald's `idb` (schema.ts has the typed stores). It
 * survives reloads: records for offline replay, the outbox and the producer's sequences.
 *
 * Every write is one readwrite transaction, aborted on any failure, so a QuotaExceededError (or
 * anything else) leaves the stores exactly as they were; the failure is rethrown as
 * CACHE_QUOTA_EXCEEDED or CACHE_FAILED for the client to report. Every request's promise gets a
 * handler as it is made, so an aborted transaction never turns into unhandled rejections.
 *
 * @example
 * const cache = await openIndexedDbCache({ dbName: "edgelog" });
 * const id = await cache.outboxAdd(entry, OUTBOX_RECORDS_MAX);
 */
import { EdgelogClientError } from "../local-errors.ts";
import { CACHE_RECORDS_PER_PARTITION_MAX } from "../local-limits.ts";
import type { FetchedRecord } from "../protocol/index.ts";
import { DB_NAME_DEFAULT, PRODUCER_KEY, type StoreName } from "./db-schema.ts";
import { IdbConnection, type ReadTxOf, type WriteTxOf } from "./idb-connection.ts";
import { deletePages, OFFSET_END, readPages, track, writePages } from "./pages.ts";
import { mergePosition } from "./positions.ts";
import { planRun, sameIncarnation } from "./runs.ts";
import { abandonProducer, newProducerId, planSeal, rollBack } from "./sealing.ts";
import type {
  CachedRun,
  EventCache,
  NamedPosition,
  NewOutboxEntry,
  OutboxEntry,
  ProducerIdentity,
  PutRecordsOptions,
  SealedBatch,
  TopicInfo,
} from "./types.ts";

/**
 * Options of the IndexedDB cache.
 *
 * @example
 * openIndexedDbCache({ dbName: "shop", recordsPerPartitionMax: 5_000 });
 */
export interface IndexedDbCacheOptions {
  /** The database's name (default "edgelog"): one per app, or per user of an app. */
  dbName?: string;
  /** Records kept per partition (default CACHE_RECORDS_PER_PARTITION_MAX). */
  recordsPerPartitionMax?: number;
}

type WriteTx = WriteTxOf<StoreName[]>;
type ReadTx = ReadTxOf<StoreName[]>;

class IndexedDbCache implements EventCache {
  readonly kind = "indexeddb" as const;
  private readonly connection: IdbConnection;
  private readonly recordsMax: number;

  constructor(connection: IdbConnection, recordsMax: number) {
    this.connection = connection;
    this.recordsMax = recordsMax;
  }

  /** Runs `body` in one readwrite transaction; any failure aborts it and rethrows with a code. */
  private write<T>(stores: StoreName[], doing: string, body: (tx: WriteTx) => Promise<T>): Promise<T> {
    return this.connection.write<StoreName[], T>(stores, doing, body);
  }

  /** Runs `body` in one readonly transaction; failures come back with a code. */
  private read<T>(stores: StoreName[], doing: string, body: (tx: ReadTx) => Promise<T>): Promise<T> {
    return this.connection.read<StoreName[], T>(stores, doing, body);
  }

  putRecords(
    topic: string,
    partition: number,
    records: readonly FetchedRecord[],
    options: PutRecordsOptions = {},
  ): Promise<CachedRun | undefined> {
    return this.write(["pages", "runs"], "storing records", async (tx) => {
      const runs = tx.objectStore("runs");
      const existing = await runs.get([topic, partition]);
      const plan = planRun(existing, topic, partition, records, options, this.recordsMax);
      if (plan.run === undefined) return existing;
      const ops: Promise<unknown>[] = [];
      track(ops, writePages(tx.objectStore("pages"), topic, partition, plan, existing));
      track(ops, runs.put(plan.run));
      await Promise.all(ops);
      return plan.run;
    });
  }

  readRecords(topic: string, partition: number, from: number, limit: number, topicId?: string | null): Promise<FetchedRecord[]> {
    return this.read(["pages", "runs"], "reading records", async (tx) => {
      const run = await tx.objectStore("runs").get([topic, partition]);
      if (run === undefined || !sameIncarnation(run, topicId)) return [];
      const start = Math.max(from, run.low);
      if (start >= run.high) return [];
      return readPages(tx.objectStore("pages"), topic, partition, start, run.high, limit);
    });
  }

  run(topic: string, partition: number): Promise<CachedRun | undefined> {
    return this.read(["runs"], "reading a run", (tx) => tx.objectStore("runs").get([topic, partition]));
  }

  runs(topic: string): Promise<CachedRun[]> {
    return this.read(["runs"], "reading runs", (tx) => tx.objectStore("runs").getAll(IDBKeyRange.bound([topic, 0], [topic, OFFSET_END])));
  }

  dropRecords(topic: string, partition: number): Promise<void> {
    return this.write(["pages", "runs"], "dropping records", async (tx) => {
      const ops: Promise<unknown>[] = [];
      track(ops, deletePages(tx.objectStore("pages"), topic, partition));
      track(ops, tx.objectStore("runs").delete([topic, partition]));
      await Promise.all(ops);
    });
  }

  dropStale(topic: string, partition: number, topicId: string): Promise<void> {
    return this.write(["pages", "runs", "positions"], "dropping stale records", async (tx) => {
      const ops: Promise<unknown>[] = [];
      const run = await tx.objectStore("runs").get([topic, partition]);
      if (run !== undefined && run.topicId !== topicId) {
        track(ops, deletePages(tx.objectStore("pages"), topic, partition));
        track(ops, tx.objectStore("runs").delete([topic, partition]));
      }
      const positions = tx.objectStore("positions");
      // One row per name on the partition: as many as names were used there.
      const rows = await positions.index("byPartition").getAll([topic, partition]);
      for (const row of rows) {
        if (row.topicId !== topicId) track(ops, positions.delete([row.subscription, row.topic, row.partition]));
      }
      await Promise.all(ops);
    });
  }

  topic(name: string): Promise<TopicInfo | undefined> {
    return this.read(["topics"], "reading topic metadata", (tx) => tx.objectStore("topics").get(name));
  }

  putTopic(info: TopicInfo): Promise<void> {
    return this.write(["topics"], "storing topic metadata", async (tx) => {
      await tx.objectStore("topics").put(info);
    });
  }

  async position(subscription: string, topic: string, partition: number): Promise<NamedPosition | undefined> {
    const row = await this.read(["positions"], "reading a position", (tx) =>
      tx.objectStore("positions").get([subscription, topic, partition]),
    );
    return row === undefined ? undefined : { next: row.next, topicId: row.topicId };
  }

  putPosition(subscription: string, topic: string, partition: number, position: NamedPosition): Promise<void> {
    return this.write(["positions"], "storing a position", async (tx) => {
      const store = tx.objectStore("positions");
      const stored = await store.get([subscription, topic, partition]);
      const merged = mergePosition(stored === undefined ? undefined : { next: stored.next, topicId: stored.topicId }, position);
      await store.put({ subscription, topic, partition, ...merged });
    });
  }

  producer(): Promise<ProducerIdentity> {
    return this.write(["producer"], "reading the producer identity", async (tx) => {
      const store = tx.objectStore("producer");
      const stored = await store.get(PRODUCER_KEY);
      if (stored !== undefined) return stored;
      const identity = { id: newProducerId(), epoch: 0 };
      await store.put(identity, PRODUCER_KEY);
      return identity;
    });
  }

  outboxAdd(entry: NewOutboxEntry, limit: number): Promise<number> {
    return this.write(["outbox"], "queueing a record", async (tx) => {
      const store = tx.objectStore("outbox");
      const count = await store.count();
      if (count >= limit) throw new EdgelogClientError("OUTBOX_FULL", `${count} records wait in the outbox; at most ${limit}`);
      return store.add({ ...entry, batch: null });
    });
  }

  outboxList(limit: number): Promise<OutboxEntry[]> {
    return this.read(["outbox"], "reading the outbox", async (tx) => {
      const store = tx.objectStore("outbox");
      // Keys and values of one transaction come in the same (key) order.
      const [keys, values] = await Promise.all([store.getAllKeys(undefined, limit), store.getAll(undefined, limit)]);
      return values.map((value, i) => ({ ...value, id: keys[i]! }));
    });
  }

  outboxCount(): Promise<number> {
    return this.read(["outbox"], "counting the outbox", (tx) => tx.objectStore("outbox").count());
  }

  outboxResolve(partitions: ReadonlyMap<number, number>): Promise<void> {
    return this.write(["outbox"], "placing queued records", async (tx) => {
      const store = tx.objectStore("outbox");
      for (const [id, partition] of partitions) {
        const entry = await store.get(id);
        if (entry !== undefined && entry.batch === null) await store.put({ ...entry, partition }, id);
      }
    });
  }

  outboxSeal(ids: readonly number[], topic: string, partition: number): Promise<SealedBatch> {
    return this.write(["outbox", "sequences", "producer"], "sealing a batch", async (tx) => {
      const outbox = tx.objectStore("outbox");
      let identity = await tx.objectStore("producer").get(PRODUCER_KEY);
      if (identity === undefined) {
        identity = { id: newProducerId(), epoch: 0 };
        await tx.objectStore("producer").put(identity, PRODUCER_KEY);
      }
      const row = await tx.objectStore("sequences").get([topic, partition]);
      const stored = await Promise.all(ids.map((id) => outbox.get(id)));
      const entries = stored.map((value, i) => (value === undefined ? undefined : { ...value, id: ids[i]! }));
      const plan = planSeal(entries, ids, row, identity, topic, partition);
      const ops: Promise<unknown>[] = [];
      for (const [i, value] of stored.entries()) track(ops, outbox.put({ ...value!, batch: plan.batch }, ids[i]!));
      track(ops, tx.objectStore("sequences").put(plan.sequence));
      await Promise.all(ops);
      return plan.batch;
    });
  }

  outboxRemove(ids: readonly number[]): Promise<void> {
    return this.write(["outbox"], "removing sent records", async (tx) => {
      const ops: Promise<unknown>[] = [];
      for (const id of ids) track(ops, tx.objectStore("outbox").delete(id));
      await Promise.all(ops);
    });
  }

  outboxDiscard(ids: readonly number[], topic: string, partition: number, batch: SealedBatch): Promise<void> {
    return this.write(["outbox", "sequences"], "discarding a refused batch", async (tx) => {
      const sequences = tx.objectStore("sequences");
      const row = rollBack(await sequences.get([topic, partition]), batch);
      const ops: Promise<unknown>[] = [];
      for (const id of ids) track(ops, tx.objectStore("outbox").delete(id));
      if (row !== undefined) track(ops, sequences.put(row));
      await Promise.all(ops);
    });
  }

  outboxUnseal(ids: readonly number[], topic: string, partition: number, batch: SealedBatch): Promise<void> {
    return this.write(["outbox", "sequences"], "unsealing a batch", async (tx) => {
      const outbox = tx.objectStore("outbox");
      const sequences = tx.objectStore("sequences");
      const row = abandonProducer(await sequences.get([topic, partition]), batch, topic, partition);
      const stored = await Promise.all(ids.map((id) => outbox.get(id)));
      const ops: Promise<unknown>[] = [];
      for (const [i, value] of stored.entries()) if (value !== undefined) track(ops, outbox.put({ ...value, batch: null }, ids[i]!));
      track(ops, sequences.put(row));
      await Promise.all(ops);
    });
  }

  close(): void {
    this.connection.close();
  }
}

/**
 * Opens (creating or upgrading) the IndexedDB cache. Rejects with CACHE_FAILED where there is no
 * IndexedDB (a worker without it, private modes that refuse it).
 *
 * @example
 * const cache = await openIndexedDbCache({ dbName: "my-app" });
 */
export async function openIndexedDbCache(options: IndexedDbCacheOptions = {}): Promise<EventCache> {
  const connection = await IdbConnection.open(options.dbName ?? DB_NAME_DEFAULT, "the cache");
  return new IndexedDbCache(connection, options.recordsPerPartitionMax ?? CACHE_RECORDS_PER_PARTITION_MAX);
}
