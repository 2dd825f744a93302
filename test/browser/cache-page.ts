/**
 * The page script of cache.test.ts, bundled and run in Chromium (test/node/page-server.ts): it
 * drives the client's IndexedDB cache and a client with no reachable server, and answers plain
 * data for the test to check. Exposed as `window.cacheTest`.
 *
 * @example
 * // in the page, driven by playwright:
 * await window.cacheTest.writeV1("db", 1_200);
 * const read = await window.cacheTest.openAndRead("db", "t", 0);
 */
import { openDB } from "idb";
import { upgradeSchema } from "../../client/cache/db-schema.ts";
import { createClient, type FetchedRecord, openIndexedDbCache } from "../../client/index.ts";

/** What the test reads back from a database. */
export interface DatabaseView {
  version: number;
  stores: string[];
  /** [topic, partition, base, end] of every page row, in key order. */
  pages: [string, number, number, number][];
}

/** The records of the test, with values that are not all ASCII (the cache stores JSON text). */
export function testRecords(from: number, to: number): FetchedRecord[] {
  return Array.from({ length: to - from }, (_, i) => ({
    offset: from + i,
    timestamp: 1_700_000_000_000 + from + i,
    key: (from + i) % 2 === 0 ? null : `k${from + i}`,
    value: { n: from + i, text: "café 😀 ü" },
    headers: { trace: `t${from + i}` },
  }));
}

async function view(dbName: string): Promise<DatabaseView> {
  const db = await openDB(dbName);
  try {
    const rows = (await db.getAll("pages")) as { topic: string; partition: number; base: number; end: number }[];
    return {
      version: db.version,
      stores: [...db.objectStoreNames],
      pages: rows.map((row) => [row.topic, row.partition, row.base, row.end]),
    };
  } finally {
    db.close();
  }
}

const api = {
  /** Creates a schema version 1 database (a row per record) holding `count` records of t/0 and one queued record. */
  async writeV1(dbName: string, count: number): Promise<void> {
    const db = await openDB(dbName, 1, {
      upgrade: (database, oldVersion, _newVersion, tx) => upgradeSchema(database as never, oldVersion, 1, tx as never),
    });
    const tx = db.transaction(["records", "runs", "outbox"], "readwrite");
    for (const record of testRecords(0, count)) void tx.objectStore("records").put({ ...record, topic: "t", partition: 0 });
    void tx.objectStore("runs").put({ topic: "t", partition: 0, low: 0, high: count, startsAtLog: true });
    void tx
      .objectStore("outbox")
      .add({ topic: "t", partition: 0, record: { key: null, value: "queued" }, bytes: 40, enqueuedAt: 1, batch: null });
    await tx.done;
    db.close();
  },
  /** Creates a schema version 2 database (pages; runs and positions without topic ids) with `count` records of t/0. */
  async writeV2(dbName: string, count: number): Promise<void> {
    const db = await openDB(dbName, 2, {
      upgrade: (database, oldVersion, _newVersion, tx) => upgradeSchema(database as never, oldVersion, 2, tx as never),
    });
    const tx = db.transaction(["pages", "runs", "positions", "topics", "outbox"], "readwrite");
    void tx.objectStore("pages").put({ topic: "t", partition: 0, base: 0, end: count, json: JSON.stringify(testRecords(0, count)) });
    void tx.objectStore("runs").put({ topic: "t", partition: 0, low: 0, high: count, startsAtLog: true });
    void tx.objectStore("positions").put({ subscription: "feed", topic: "t", partition: 0, next: count - 1 });
    void tx.objectStore("topics").put({ name: "t", partitions: 1, fetchedAt: 1 });
    void tx
      .objectStore("outbox")
      .add({ topic: "t", partition: 0, record: { key: null, value: "queued" }, bytes: 40, enqueuedAt: 1, batch: null });
    await tx.done;
    db.close();
  },
  /** Opens the cache (upgrading it) and reads t/0's run, the position "feed" and the positions' indexes. */
  async openAndReadMeta(dbName: string): Promise<{ run: unknown; position: unknown; topic: unknown; indexes: string[]; version: number }> {
    const cache = await openIndexedDbCache({ dbName });
    const found = { run: await cache.run("t", 0), position: await cache.position("feed", "t", 0), topic: await cache.topic("t") };
    cache.close();
    const db = await openDB(dbName);
    try {
      return { ...found, indexes: [...db.transaction("positions").store.indexNames], version: db.version };
    } finally {
      db.close();
    }
  },
  /** Opens the cache (upgrading it) and reads a partition whole, with the outbox and the layout. */
  async openAndRead(
    dbName: string,
    topic: string,
    partition: number,
  ): Promise<{ records: FetchedRecord[]; outbox: unknown[]; db: DatabaseView }> {
    const cache = await openIndexedDbCache({ dbName });
    const records = await cache.readRecords(topic, partition, 0, 100_000);
    const outbox = (await cache.outboxList(10)).map((entry) => entry.record.value);
    cache.close();
    return { records, outbox, db: await view(dbName) };
  },
  /** Stores a catch-up page of `pageRecords`, then `live` records one at a time, on t/0. */
  async writePages(dbName: string, catchUp: number, pageRecords: number, live: number): Promise<DatabaseView> {
    const cache = await openIndexedDbCache({ dbName });
    await cache.putTopic({ name: "t", partitions: 1, fetchedAt: Date.now() });
    for (let first = 0; first < catchUp; first += pageRecords) {
      await cache.putRecords("t", 0, testRecords(first, Math.min(first + pageRecords, catchUp)), { logStartOffset: 0 });
    }
    for (let offset = catchUp; offset < catchUp + live; offset++) await cache.putRecords("t", 0, testRecords(offset, offset + 1));
    cache.close();
    return view(dbName);
  },
  /** Replays topic t through a client whose server is unreachable; answers what the callback got. */
  async replay(dbName: string, expected: number, timeoutMs: number): Promise<FetchedRecord[]> {
    const got: FetchedRecord[] = [];
    const client = createClient({ url: "http://127.0.0.1:9", dbName });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`replayed ${got.length} of ${expected} records in ${timeoutMs} ms`)), timeoutMs);
        client.subscribe("t", { from: "earliest" }, ({ topic: _topic, partition: _partition, ...record }) => {
          got.push(record);
          if (got.length === expected) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      return got;
    } finally {
      client.close();
    }
  },
};

/** The API the page puts on window. */
export type CacheTestApi = typeof api;

(globalThis as unknown as { cacheTest: CacheTestApi }).cacheTest = api;
