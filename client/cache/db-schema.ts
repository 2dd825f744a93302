/**
 * The IndexedDB schema of the client's cache, typed as an idb `DBSchema`, and the upgrade that
 * creates it. One database per client name (`dbName`, default "edgelog"); bump SCHEMA_VERSION and
 * add a step to `upgradeSchema` to change it, never edit a step that has shipped.
 *
 * @example
 * const db = await openDB<EdgelogDB>("edgelog", SCHEMA_VERSION, { upgrade: upgradeSchema });
 * await db.get("topics", "orders");
 */
import type { DBSchema, IDBPDatabase, IDBPObjectStore, IDBPTransaction, StoreNames } from "idb";
import type { FetchedRecord } from "../protocol/index.ts";
import type { StoredTablePartition, StoredTableRow } from "../table/table-rows.ts";
import type { CachedRun, OutboxEntry, PartitionSequence, ProducerIdentity, TopicInfo } from "./types.ts";

/**
 * The schema version `openDB` is asked for.
 *
 * @example
 * await openDB<EdgelogDB>(DB_NAME_DEFAULT, SCHEMA_VERSION, { upgrade: upgradeSchema });
 */
export const SCHEMA_VERSION = 4;

/**
 * The default database name.
 *
 * @example
 * createClient({ url }); // stores in the IndexedDB database "edgelog"
 */
export const DB_NAME_DEFAULT = "edgelog";

/**
 * A page of a partition's cached records: offsets [base, end), contiguous, as the JSON text of
 * their FetchedRecord array. One row per page, not per record: Chromium's IndexedDB does a few
 * thousand puts per second whatever their size, so a row per record capped the cache at ~6k
 * records/s; and a string is stored and read back as one block, where an array of objects is
 * structured-cloned field by field (JSON.parse is several times faster than that).
 *
 * @example
 * await db.put("pages", { topic: "orders", partition: 0, base: 0, end: 2, json: JSON.stringify(records) });
 */
export interface StoredPage {
  topic: string;
  partition: number;
  /** The first record's offset. */
  base: number;
  /** One past the last record's offset. */
  end: number;
  /** `JSON.stringify` of the page's FetchedRecord[]. */
  json: string;
}

/**
 * A cached record as schema version 1 stored it (a row per record); read once, by the upgrade
 * to version 2, which moves them into pages.
 *
 * @example
 * // version 1: await db.put("records", { ...record, topic: "orders", partition: 0 });
 */
export interface StoredRecordV1 extends FetchedRecord {
  topic: string;
  partition: number;
}

/**
 * A named subscription's position on one partition.
 *
 * @example
 * await db.put("positions", { subscription: "feed", topic: "orders", partition: 0, next: 42, topicId: "4f1c..." });
 */
export interface StoredPosition {
  subscription: string;
  topic: string;
  partition: number;
  /** The next offset to deliver. */
  next: number;
  /** The topic incarnation it counts in; null for rows version 2 wrote (unknown). */
  topicId: string | null;
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
  /** Pages of records, keyed [topic, partition, base]: a partition's pages are one key range, in order. */
  pages: { key: [string, number, number]; value: StoredPage };
  /** Each partition's cached run (which offsets, of which topic incarnation), keyed [topic, partition]. */
  runs: { key: [string, number]; value: CachedRun };
  /** Topic metadata (partition counts), keyed by name. */
  topics: { key: string; value: TopicInfo };
  /**
   * Named subscriptions' positions, keyed [subscription, topic, partition]; the index
   * `byPartition` ([topic, partition], since version 3) finds every name's position on a partition.
   */
  positions: { key: [string, string, number]; value: StoredPosition; indexes: { byPartition: [string, number] } };
  /** The outbox, keyed by an auto-incremented id: key order is enqueue order. */
  outbox: { key: number; value: StoredOutboxEntry };
  /** Each partition's producer id and next sequence, keyed [topic, partition]. */
  sequences: { key: [string, number]; value: PartitionSequence };
  /** The producer identity, one row under PRODUCER_KEY. */
  producer: { key: string; value: ProducerIdentity };
  /**
   * Tables' rows (client.table, since version 4), keyed [topic, partition, generation, key]: a
   * generation of a partition's view is one key range, so a rebuilt view is swapped in by one
   * write of its partition row and the old one deleted as one range (client/table/table-store.ts).
   */
  tableRows: { key: [string, number, number, string]; value: StoredTableRow };
  /** Each table partition's generation, position (next offset to apply), size and rebuild, keyed [topic, partition]. */
  tablePartitions: { key: [string, number]; value: StoredTablePartition };
}

/**
 * Store names, for transactions.
 *
 * @example
 * const tx = db.transaction(["outbox", "sequences"] satisfies StoreName[], "readwrite");
 */
export type StoreName = StoreNames<EdgelogDB>;

/** Every store any version had, for the upgrade steps (version 1's "records" is gone since 2). */
interface EveryVersionDB extends EdgelogDB {
  records: { key: [string, number, number]; value: StoredRecordV1 };
}

type UpgradeTx = IDBPTransaction<EdgelogDB, StoreName[], "versionchange">;

/**
 * Brings the stores from `oldVersion` to `newVersion` (openDB's `upgrade` callback), one shipped
 * step at a time. A step that moves data starts its requests here; the open completes only once
 * the upgrade transaction has, so nothing reads a half-moved store.
 *
 * @example
 * await openDB<EdgelogDB>(name, SCHEMA_VERSION, { upgrade: (db, old, next, tx) => upgradeSchema(db, old, next ?? SCHEMA_VERSION, tx) });
 */
export function upgradeSchema(database: IDBPDatabase<EdgelogDB>, oldVersion: number, newVersion: number, transaction: UpgradeTx): void {
  const db = database as unknown as IDBPDatabase<EveryVersionDB>;
  if (oldVersion < 1 && newVersion >= 1) {
    db.createObjectStore("records", { keyPath: ["topic", "partition", "offset"] });
    db.createObjectStore("runs", { keyPath: ["topic", "partition"] });
    db.createObjectStore("topics", { keyPath: "name" });
    db.createObjectStore("positions", { keyPath: ["subscription", "topic", "partition"] });
    db.createObjectStore("outbox", { autoIncrement: true });
    db.createObjectStore("sequences", { keyPath: ["topic", "partition"] });
    db.createObjectStore("producer");
  }
  if (oldVersion < 2 && newVersion >= 2) {
    db.createObjectStore("pages", { keyPath: ["topic", "partition", "base"] });
    const tx = transaction as unknown as IDBPTransaction<EveryVersionDB, ["records", "pages"], "versionchange">;
    // A failure aborts the upgrade (the open rejects, the old version stays as it was).
    recordsToPages(tx).then(
      () => db.deleteObjectStore("records"),
      () => tx.abort(),
    );
  }
  if (oldVersion < 3 && newVersion >= 3) {
    const tx = transaction as unknown as IDBPTransaction<EveryVersionDB, ["runs", "positions"], "versionchange">;
    tx.objectStore("positions").createIndex("byPartition", ["topic", "partition"]);
    // Version 2's runs and positions name no topic incarnation: marked unknown (null), which the
    // first incarnation seen adopts (runs.ts, positions.ts). A failure aborts the upgrade.
    Promise.all([markIncarnationUnknown(tx, "runs"), markIncarnationUnknown(tx, "positions")]).catch(() => tx.abort());
  }
  if (oldVersion < 4 && newVersion >= 4) {
    // Tables (client.table): new stores, nothing to move.
    db.createObjectStore("tableRows", { keyPath: ["topic", "partition", "generation", "key"] });
    db.createObjectStore("tablePartitions", { keyPath: ["topic", "partition"] });
  }
}

/** Version 3's step: sets `topicId: null` on every row of `name` that has none, in chunks. */
async function markIncarnationUnknown(
  tx: IDBPTransaction<EveryVersionDB, ["runs", "positions"], "versionchange">,
  name: "runs" | "positions",
): Promise<void> {
  const store = tx.objectStore(name) as unknown as IDBPObjectStore<EveryVersionDB, ["runs"], "runs", "versionchange">;
  let after: IDBKeyRange | undefined;
  for (;;) {
    const [keys, rows] = await Promise.all([
      store.getAllKeys(after, UPGRADE_RECORDS_PER_READ),
      store.getAll(after, UPGRADE_RECORDS_PER_READ),
    ]);
    const last = keys[keys.length - 1];
    if (last === undefined) return;
    // A failed put aborts the upgrade transaction, which rejects the open: nothing to handle here.
    for (const row of rows) if (row.topicId === undefined) store.put({ ...row, topicId: null }).catch(() => undefined);
    after = IDBKeyRange.lowerBound(last, true);
  }
}

/** Version 2's step: moves version 1's records, in key order, into pages of PAGE_RECORDS_V2. */
async function recordsToPages(tx: IDBPTransaction<EveryVersionDB, ["records", "pages"], "versionchange">): Promise<void> {
  const pages = tx.objectStore("pages");
  let page: StoredRecordV1[] = [];
  const flush = (): void => {
    const first = page[0];
    const last = page[page.length - 1];
    if (first === undefined || last === undefined) return;
    const records: FetchedRecord[] = page.map(({ topic: _topic, partition: _partition, ...record }) => record);
    // A failed put aborts the upgrade transaction, which rejects the open: nothing to handle here.
    pages
      .put({ topic: first.topic, partition: first.partition, base: first.offset, end: last.offset + 1, json: JSON.stringify(records) })
      .catch(() => undefined);
    page = [];
  };
  const records = tx.objectStore("records");
  // In chunks of getAll (a cursor step per record took ~50 µs in Chromium: 5 s for 100k records).
  let after: IDBKeyRange | undefined;
  for (
    let chunk = await records.getAll(after, UPGRADE_RECORDS_PER_READ);
    chunk.length > 0;
    chunk = await records.getAll(after, UPGRADE_RECORDS_PER_READ)
  ) {
    for (const record of chunk) {
      const last = page[page.length - 1];
      const joins =
        last !== undefined && last.topic === record.topic && last.partition === record.partition && last.offset + 1 === record.offset;
      if (!joins || page.length >= PAGE_RECORDS_V2) flush();
      page.push(record);
    }
    const end = chunk[chunk.length - 1]!;
    after = IDBKeyRange.lowerBound([end.topic, end.partition, end.offset], true);
  }
  flush();
}

/** Records per page written by the version 2 upgrade (CACHE_PAGE_RECORDS_MAX when it shipped). */
const PAGE_RECORDS_V2 = 500;

/** Rows read per request by the upgrades (version 1's records, version 2's runs and positions): bounds what one read holds. */
const UPGRADE_RECORDS_PER_READ = 5_000;
