/**
 * The IndexedDB cache's page layout (client/cache/pages.ts) through fake-indexeddb: random
 * sequences of writes answer exactly what the memory cache answers (runs and reads), live records
 * arriving one at a time are gathered into pages, large writes are cut into bounded pages, and
 * the upgrade from schema version 1 (a row per record) moves every record into pages.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-cache-pages.test.ts
 */
import "fake-indexeddb/auto";
import fc from "fast-check";
import { openDB } from "idb";
import { afterEach, describe, expect, it } from "vitest";
import { SCHEMA_VERSION, type StoredPage, upgradeSchema } from "../../client/cache/db-schema.ts";
import { openIndexedDbCache } from "../../client/cache/indexeddb.ts";
import { createMemoryCache } from "../../client/cache/memory.ts";
import type { EventCache } from "../../client/cache/types.ts";
import { CACHE_PAGE_GROW_RECORDS_MAX, CACHE_PAGE_RECORDS_MAX } from "../../client/local-limits.ts";
import type { FetchedRecord } from "../../client/protocol/index.ts";

let dbCounter = 0;
const opened: EventCache[] = [];

afterEach(() => {
  for (const cache of opened.splice(0)) cache.close();
});

function records(from: number, to: number): FetchedRecord[] {
  return Array.from({ length: to - from }, (_, i) => ({
    offset: from + i,
    timestamp: 1_700_000_000_000 + from + i,
    key: `k${from + i}`,
    value: { n: from + i, s: "é😀" },
    headers: { h: "v" },
  }));
}

async function openPair(bound: number): Promise<{ name: string; idb: EventCache; memory: EventCache }> {
  const name = `pages-${++dbCounter}`;
  const idb = await openIndexedDbCache({ dbName: name, recordsPerPartitionMax: bound });
  const memory = createMemoryCache({ recordsPerPartitionMax: bound });
  opened.push(idb, memory);
  return { name, idb, memory };
}

/** The pages store's rows of one database, read raw (the layout under test). */
async function pageRows(name: string): Promise<StoredPage[]> {
  const db = await openDB(name, SCHEMA_VERSION);
  try {
    return (await db.getAll("pages")) as StoredPage[];
  } finally {
    db.close();
  }
}

/** A write starts at a random offset, or near the run's low or high end (where pages meet). */
type Op =
  | { kind: "put"; anchor: "zero" | "low" | "high"; shift: number; length: number; logStart: boolean }
  | { kind: "drop" }
  | { kind: "read"; from: number; limit: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("put" as const),
      anchor: fc.constantFrom("zero" as const, "low" as const, "high" as const),
      shift: fc.oneof(fc.integer({ min: -10, max: 10 }), fc.integer({ min: -600, max: 1_400 })),
      length: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 1_200 })),
      logStart: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "drop" as const }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("read" as const), from: fc.nat(2_700), limit: fc.integer({ min: 1, max: 1_500 }) }),
  },
);

describe("the IndexedDB cache's pages", () => {
  it("answers every sequence of writes, drops and reads exactly as the memory cache does", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 10 }), async (ops) => {
        const { name, idb, memory } = await openPair(700);
        for (const op of ops) {
          if (op.kind === "put") {
            const run = await memory.run("t", 0);
            const anchor = op.anchor === "zero" || run === undefined ? 0 : op.anchor === "low" ? run.low : run.high;
            const from = Math.max(0, anchor + op.shift);
            const page = records(from, from + op.length);
            const options = op.logStart ? { logStartOffset: from } : {};
            expect(await idb.putRecords("t", 0, page, options)).toEqual(await memory.putRecords("t", 0, page, options));
          } else if (op.kind === "drop") {
            await Promise.all([idb.dropRecords("t", 0), memory.dropRecords("t", 0)]);
          } else {
            expect(await idb.readRecords("t", 0, op.from, op.limit)).toEqual(await memory.readRecords("t", 0, op.from, op.limit));
          }
          expect(await idb.run("t", 0)).toEqual(await memory.run("t", 0));
        }
        const run = await memory.run("t", 0);
        expect(await idb.readRecords("t", 0, 0, 2_000)).toEqual(await memory.readRecords("t", 0, 0, 2_000));
        // The rows tile the run with bounded pages: none is larger than the bound, none overlaps.
        const rows = (await pageRows(name)).sort((a, b) => a.base - b.base);
        for (const [i, row] of rows.entries()) {
          expect(row.end - row.base).toBeLessThanOrEqual(CACHE_PAGE_RECORDS_MAX);
          if (i > 0) expect(row.base).toBe(rows[i - 1]!.end);
        }
        if (run !== undefined) {
          expect(rows[0]!.base).toBeLessThanOrEqual(run.low);
          expect(rows[rows.length - 1]!.end).toBe(run.high);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("gathers records arriving one at a time into pages, and cuts a large write into bounded pages", async () => {
    const { name, idb } = await openPair(10_000);
    for (let offset = 0; offset < 200; offset++) await idb.putRecords("live", 0, records(offset, offset + 1));
    const live = await pageRows(name);
    const full = CACHE_PAGE_GROW_RECORDS_MAX;
    expect(live.map((row) => row.end - row.base)).toEqual([full, full, full, 200 - 3 * full]);
    await idb.putRecords("bulk", 0, records(0, 1_234));
    const bulk = (await pageRows(name)).filter((row) => row.topic === "bulk");
    expect(bulk.map((row) => row.end - row.base)).toEqual([500, 500, 234]);
    expect(await idb.readRecords("bulk", 0, 499, 3)).toEqual(records(499, 502));
    expect(await idb.readRecords("live", 0, 0, 1_000)).toEqual(records(0, 200));
  });

  it("stops growing a page of large live records at its byte bound", async () => {
    const { name, idb } = await openPair(10_000);
    // ~20 KB per record: the last page takes appends while under 64 KiB, so it stops at 4 records.
    const big = (offset: number): FetchedRecord[] => [{ offset, timestamp: 1, key: null, value: "x".repeat(20_000), headers: {} }];
    for (let offset = 0; offset < 30; offset++) await idb.putRecords("big", 0, big(offset));
    const sizes = (await pageRows(name)).map((row) => row.end - row.base);
    expect(sizes).toEqual([4, 4, 4, 4, 4, 4, 4, 2]);
    expect((await idb.readRecords("big", 0, 0, 100)).map((r) => r.offset)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it("cuts a page an eviction kept whole when older records are added below it (the bound grew)", async () => {
    const name = `pages-cut-${++dbCounter}`;
    const small = await openIndexedDbCache({ dbName: name, recordsPerPartitionMax: 10 });
    await small.putRecords("t", 0, records(0, 8));
    // This append evicts 0..4, but they share a page with 5..7, which is kept whole.
    await small.putRecords("t", 0, records(8, 15));
    expect(await small.run("t", 0)).toMatchObject({ low: 5, high: 15 });
    expect((await pageRows(name)).map((row) => [row.base, row.end])).toEqual([[0, 15]]);
    small.close();
    // One page [0, 15) holds the run [5, 15); with a larger bound, records 0..6 extend it down.
    const large = await openIndexedDbCache({ dbName: name, recordsPerPartitionMax: 100 });
    opened.push(large);
    await large.putRecords("t", 0, records(0, 7), { logStartOffset: 0 });
    expect(await large.run("t", 0)).toMatchObject({ low: 0, high: 15, startsAtLog: true });
    expect(await large.readRecords("t", 0, 0, 100)).toEqual(records(0, 15));
    expect((await pageRows(name)).map((row) => [row.base, row.end])).toEqual([
      [0, 5],
      [5, 15],
    ]);
  });

  it("moves version 1's records (a row each) into pages when it upgrades, keeping everything else", async () => {
    const name = `pages-upgrade-${++dbCounter}`;
    const v1 = await openDB(name, 1, {
      upgrade: (db, oldVersion, _newVersion, tx) => upgradeSchema(db as never, oldVersion, 1, tx as never),
    });
    expect([...v1.objectStoreNames]).toContain("records");
    for (const record of records(0, 700)) await v1.put("records", { ...record, topic: "t", partition: 0 });
    for (const record of records(20, 23)) await v1.put("records", { ...record, topic: "other", partition: 0 });
    await v1.put("runs", { topic: "t", partition: 0, low: 0, high: 700, startsAtLog: true });
    await v1.put("runs", { topic: "other", partition: 0, low: 20, high: 23, startsAtLog: false });
    await v1.add("outbox", { topic: "t", partition: 0, record: { key: null, value: 1 }, bytes: 30, enqueuedAt: 1, batch: null });
    v1.close();

    const cache = await openIndexedDbCache({ dbName: name });
    opened.push(cache);
    expect(await cache.readRecords("t", 0, 0, 1_000)).toEqual(records(0, 700));
    expect(await cache.readRecords("other", 0, 0, 10)).toEqual(records(20, 23));
    expect((await cache.outboxList(10)).map((entry) => entry.record.value)).toEqual([1]);
    const db = await openDB(name, SCHEMA_VERSION);
    try {
      expect([...db.objectStoreNames]).not.toContain("records");
      const rows = (await db.getAll("pages")) as StoredPage[];
      expect(rows.map((row) => [row.topic, row.base, row.end])).toEqual([
        ["other", 20, 23],
        ["t", 0, 500],
        ["t", 500, 700],
      ]);
    } finally {
      db.close();
    }
  });
});
