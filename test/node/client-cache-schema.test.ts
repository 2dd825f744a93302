/**
 * The IndexedDB cache's schema upgrades to version 3 (topic ids, decision D10) and 4 (the stores of
 * client.table) through
 * fake-indexeddb: a database written by version 2 keeps every record, run, position, topic and
 * outbox entry, its runs and positions are marked as of an unknown incarnation (topicId null,
 * which the first `hello` agreeing with them adopts), and positions gain the index that lets a
 * recreated partition's positions be dropped in one transaction. The same upgrade in Chromium is
 * test/browser/cache.test.ts.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-cache-schema.test.ts
 */
import "fake-indexeddb/auto";
import { openDB } from "idb";
import { afterEach, describe, expect, it } from "vitest";
import { SCHEMA_VERSION, upgradeSchema } from "../../client/cache/db-schema.ts";
import { openIndexedDbCache } from "../../client/cache/indexeddb.ts";
import type { EventCache } from "../../client/cache/types.ts";
import type { FetchedRecord } from "../../client/protocol/index.ts";

const opened: EventCache[] = [];

afterEach(() => {
  for (const cache of opened.splice(0)) cache.close();
});

function records(from: number, to: number): FetchedRecord[] {
  return Array.from({ length: to - from }, (_, i) => ({ offset: from + i, timestamp: 1, key: null, value: from + i, headers: {} }));
}

/** A database as schema version 2 wrote it: pages, runs, a position, a topic and an outbox entry. */
async function writeV2(name: string): Promise<void> {
  const db = await openDB(name, 2, {
    upgrade: (database, oldVersion, _newVersion, tx) => upgradeSchema(database as never, oldVersion, 2, tx as never),
  });
  await db.put("pages", { topic: "t", partition: 0, base: 0, end: 4, json: JSON.stringify(records(0, 4)) });
  await db.put("runs", { topic: "t", partition: 0, low: 0, high: 4, startsAtLog: true });
  await db.put("positions", { subscription: "feed", topic: "t", partition: 0, next: 3 });
  await db.put("topics", { name: "t", partitions: 2, fetchedAt: 7 });
  await db.add("outbox", { topic: "t", partition: 1, record: { key: null, value: "queued" }, bytes: 30, enqueuedAt: 1, batch: null });
  db.close();
}

describe("schema version 3", () => {
  it("upgrades a version 2 database keeping everything, its runs and positions of an unknown incarnation", async () => {
    expect(SCHEMA_VERSION).toBe(4);
    await writeV2("schema-v2");
    const cache = await openIndexedDbCache({ dbName: "schema-v2" });
    opened.push(cache);
    expect(await cache.readRecords("t", 0, 0, 10)).toEqual(records(0, 4));
    expect(await cache.run("t", 0)).toEqual({ topic: "t", partition: 0, low: 0, high: 4, startsAtLog: true, topicId: null });
    expect(await cache.position("feed", "t", 0)).toEqual({ next: 3, topicId: null });
    expect(await cache.topic("t")).toEqual({ name: "t", partitions: 2, fetchedAt: 7 });
    expect((await cache.outboxList(10)).map((entry) => entry.record.value)).toEqual(["queued"]);
    // The first incarnation seen adopts the old rows: records join the run, the position moves on.
    await cache.putRecords("t", 0, records(4, 6), { topicId: "id-1" });
    expect(await cache.run("t", 0)).toMatchObject({ low: 0, high: 6, topicId: "id-1" });
    await cache.putPosition("feed", "t", 0, { next: 6, topicId: "id-1" });
    expect(await cache.position("feed", "t", 0)).toEqual({ next: 6, topicId: "id-1" });

    const db = await openDB("schema-v2", SCHEMA_VERSION);
    try {
      expect(db.version).toBe(4);
      expect([...db.transaction("positions").store.indexNames]).toEqual(["byPartition"]);
    } finally {
      db.close();
    }
  });

  it("creates a fresh database at version 3 directly", async () => {
    const cache = await openIndexedDbCache({ dbName: "schema-fresh" });
    opened.push(cache);
    await cache.putPosition("feed", "t", 0, { next: 1, topicId: "id-1" });
    await cache.dropStale("t", 0, "id-2");
    expect(await cache.position("feed", "t", 0)).toBeUndefined();
  });

  it("upgrades a version 3 database to version 4, keeping its records and adding the tables' stores", async () => {
    const v3 = await openDB("schema-v3", 3, {
      upgrade: (database, oldVersion, _newVersion, tx) => upgradeSchema(database as never, oldVersion, 3, tx as never),
    });
    await v3.put("pages", { topic: "t", partition: 0, base: 0, end: 2, json: JSON.stringify(records(0, 2)) });
    await v3.put("runs", { topic: "t", partition: 0, low: 0, high: 2, startsAtLog: true, topicId: "id-1" });
    expect([...v3.objectStoreNames]).not.toContain("tableRows");
    v3.close();
    const cache = await openIndexedDbCache({ dbName: "schema-v3" });
    opened.push(cache);
    expect(await cache.readRecords("t", 0, 0, 10)).toEqual(records(0, 2));
    const db = await openDB("schema-v3", SCHEMA_VERSION);
    try {
      expect(db.version).toBe(4);
      expect([...db.objectStoreNames]).toEqual(expect.arrayContaining(["tableRows", "tablePartitions", "pages", "runs"]));
    } finally {
      db.close();
    }
  });
});
