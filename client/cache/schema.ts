/**
 * The IndexedDB schema of the client's cache, typed as an idb `DBSchema`, and the upgrade that
 * creates it. One database per client name (`dbName`, default "edgelog"); bump SCHEMA_VERSION and
 * add a step to `upgradeSchema` to change it, never edit a step that has shipped.
 *
 * @example
 * const db = await openDB<EdgelogDB>("edgelog", SCHEMA_VERSION, { upgrade: upgradeSchema });
 * await db.get("topics", "orders");
 */
import type { DBSchema, IDBPDatabase } from "idb";
import type { FetchedRecord } from "../wire.ts";
import type { CachedRun, OutboxEntry, PartitionSequence, ProducerIdentity, TopicInfo } from "./types.ts";

/**
 * The schema version `openDB` is asked for.
 *
 * @example
 * await openDB<EdgelogDB>(DB_NAME_DEFAULT, SCHEMA_VERSION, { upgrade: upgradeSchema });
 */
export const SCHEMA_VERSION = 1;

/**
 * The default database name.
 *
 * @example
 * createClient({ url }); // stores in the IndexedDB database "edgelog"
 */
export const DB_NAME_DEFAULT = "edgelog";

/**
 * A cached record: the fetched record with where it came from (the key's parts).
 *
 * @example
 * await db.put("records", { ...record, topic: "orders", partition: 0 });
 */
export interface StoredRecord extends FetchedRecord {
  topic: string;
  partition: number;
}

/**
 * A named subscription's position on one partition.
 *
 * @example
 * await db.put("positions", { subscription: "feed", topic: "orders", partition: 0, next: 42 });
 */
export interface StoredPosition {
  subscription: string;
  topic: string;
  partition: number;
  /** The next offset to deliver. */
  next: number;
}

/**
 * An outbox entry as stored: the id is the store's auto-incremented key, not a field.
 *
 * @example
 * const id = await db.add("outbox", { topic, partition, record, bytes, enqueuedAt, batch: null });
 */
export type StoredOutboxEntry = Omit<OutboxEntry, "id">;

/**
 * The key the producer identity is stored under (the store holds just that one row).
 *
 * @example
 * const identity = await db.get("producer", PRODUCER_KEY);
 */
export const PRODUCER_KEY = "self";

/**
 * @example
 * const db = await openDB<EdgelogDB>("edgelog", SCHEMA_VERSION, { upgrade: upgradeSchema });
 * const run = await db.get("runs", ["orders", 0]); // typed CachedRun | undefined
 */
export interface EdgelogDB extends DBSchema {
  /** Records, keyed [topic, partition, offset]: a partition's records are one key range, in order. */
  records: { key: [string, number, number]; value: StoredRecord };
  /** Each partition's cached run (which offsets the records store holds), keyed [topic, partition]. */
  runs: { key: [string, number]; value: CachedRun };
  /** Topic metadata (partition counts), keyed by name. */
  topics: { key: string; value: TopicInfo };
  /** Named subscriptions' positions, keyed [subscription, topic, partition]. */
  positions: { key: [string, string, number]; value: StoredPosition };
  /** The outbox, keyed by an auto-incremented id: key order is enqueue order. */
  outbox: { key: number; value: StoredOutboxEntry };
  /** Each partition's producer id and next sequence, keyed [topic, partition]. */
  sequences: { key: [string, number]; value: PartitionSequence };
  /** The producer identity, one row under PRODUCER_KEY. */
  producer: { key: string; value: ProducerIdentity };
}

/**
 * Store names, for transactions.
 *
 * @example
 * const tx = db.transaction(["outbox", "sequences"] satisfies StoreName[], "readwrite");
 */
export type StoreName = "records" | "runs" | "topics" | "positions" | "outbox" | "sequences" | "producer";

/**
 * Creates the stores for versions older than SCHEMA_VERSION (openDB's `upgrade` callback).
 *
 * @example
 * await openDB<EdgelogDB>(name, SCHEMA_VERSION, { upgrade: upgradeSchema });
 */
export function upgradeSchema(db: IDBPDatabase<EdgelogDB>, oldVersion: number): void {
  if (oldVersion < 1) {
    db.createObjectStore("records", { keyPath: ["topic", "partition", "offset"] });
    db.createObjectStore("runs", { keyPath: ["topic", "partition"] });
    db.createObjectStore("topics", { keyPath: "name" });
    db.createObjectStore("positions", { keyPath: ["subscription", "topic", "partition"] });
    db.createObjectStore("outbox", { autoIncrement: true });
    db.createObjectStore("sequences", { keyPath: ["topic", "partition"] });
    db.createObjectStore("producer");
  }
}
