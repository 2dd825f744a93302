/**
 * The client's cache, both implementations against one contract (memory, and IndexedDB through
 * fake-indexeddb): contiguous runs, eviction of the oldest past the bound, positions, topic
 * metadata, the outbox (bounded, sealed batches with contiguous sequences), persistence across a
 * reopen, and a QuotaExceededError that leaves what is stored exactly as it was.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-cache.test.ts
 */
import "fake-indexeddb/auto";
import { afterEach, describe, expect, it } from "vitest";
import { openIndexedDbCache } from "../../client/cache/indexeddb.ts";
import { createMemoryCache } from "../../client/cache/memory.ts";
import { type EventCache, type NewOutboxEntry, PARTITION_UNRESOLVED } from "../../client/cache/types.ts";
import { EdgelogClientError, errorCode } from "../../client/local-errors.ts";
import type { FetchedRecord } from "../../client/protocol/index.ts";

const BOUND = 5;
let dbCounter = 0;
const opened: EventCache[] = [];

afterEach(() => {
  for (const cache of opened.splice(0)) cache.close();
});

function records(from: number, to: number): FetchedRecord[] {
  return Array.from({ length: to - from }, (_, i) => ({
    offset: from + i,
    timestamp: 1_700_000_000_000,
    key: `k${from + i}`,
    value: { n: from + i },
    headers: { h: "v" },
  }));
}

function entry(topic: string, partition: number, n: number): NewOutboxEntry {
  return { topic, partition, record: { key: `k${n}`, value: n }, bytes: 40, enqueuedAt: n };
}

const implementations: [string, (dbName: string) => Promise<EventCache>][] = [
  ["memory", async () => createMemoryCache({ recordsPerPartitionMax: BOUND })],
  ["indexeddb", (dbName) => openIndexedDbCache({ dbName, recordsPerPartitionMax: BOUND })],
];

describe.each(implementations)("%s cache", (_kind, open) => {
  const fresh = async (): Promise<EventCache> => {
    const cache = await open(`cache-test-${++dbCounter}`);
    opened.push(cache);
    return cache;
  };

  it("stores contiguous runs and evicts the oldest records past the bound", async () => {
    const cache = await fresh();
    await cache.putRecords("t", 0, records(0, 3), { logStartOffset: 0 });
    expect(await cache.run("t", 0)).toEqual({ topic: "t", partition: 0, low: 0, high: 3, startsAtLog: true, topicId: null });
    await cache.putRecords("t", 0, records(3, 8));
    expect(await cache.run("t", 0)).toEqual({ topic: "t", partition: 0, low: 3, high: 8, startsAtLog: true, topicId: null });
    const kept = await cache.readRecords("t", 0, 0, 100);
    expect(kept.map((r) => r.offset)).toEqual([3, 4, 5, 6, 7]);
    expect(kept[0]).toEqual(records(3, 4)[0]);
    expect((await cache.readRecords("t", 0, 5, 2)).map((r) => r.offset)).toEqual([5, 6]);
    // Another partition is bounded on its own.
    await cache.putRecords("t", 1, records(0, 2));
    expect((await cache.runs("t")).map((r) => [r.partition, r.low, r.high])).toEqual([
      [0, 3, 8],
      [1, 0, 2],
    ]);
  });

  it("replaces a run after a gap, keeps it against older pages, and drops it on request", async () => {
    const cache = await fresh();
    await cache.putRecords("t", 0, records(0, 3));
    await cache.putRecords("t", 0, records(10, 12));
    expect(await cache.run("t", 0)).toMatchObject({ low: 10, high: 12 });
    expect((await cache.readRecords("t", 0, 0, 100)).map((r) => r.offset)).toEqual([10, 11]);
    await cache.putRecords("t", 0, records(0, 2));
    expect(await cache.run("t", 0)).toMatchObject({ low: 10, high: 12 });
    await cache.dropRecords("t", 0);
    expect(await cache.run("t", 0)).toBeUndefined();
    expect(await cache.readRecords("t", 0, 0, 100)).toEqual([]);
  });

  it("keeps topic metadata and named positions", async () => {
    const cache = await fresh();
    expect(await cache.topic("t")).toBeUndefined();
    await cache.putTopic({ name: "t", partitions: 3, fetchedAt: 1, topicId: "id-1" });
    expect(await cache.topic("t")).toEqual({ name: "t", partitions: 3, fetchedAt: 1, topicId: "id-1" });
    expect(await cache.position("view", "t", 2)).toBeUndefined();
    await cache.putPosition("view", "t", 2, { next: 42, topicId: "id-1" });
    expect(await cache.position("view", "t", 2)).toEqual({ next: 42, topicId: "id-1" });
    expect(await cache.position("other", "t", 2)).toBeUndefined();
  });

  it("moves a stored position only forward within one incarnation of the topic", async () => {
    const cache = await fresh();
    await cache.putPosition("feed", "t", 0, { next: 10, topicId: "id-1" });
    // Another tab of the database, behind this one, stores its own (older) position.
    await cache.putPosition("feed", "t", 0, { next: 4, topicId: "id-1" });
    expect(await cache.position("feed", "t", 0)).toEqual({ next: 10, topicId: "id-1" });
    await cache.putPosition("feed", "t", 0, { next: 12, topicId: null });
    expect(await cache.position("feed", "t", 0)).toEqual({ next: 12, topicId: "id-1" });
    // A new incarnation starts over.
    await cache.putPosition("feed", "t", 0, { next: 2, topicId: "id-2" });
    expect(await cache.position("feed", "t", 0)).toEqual({ next: 2, topicId: "id-2" });
  });

  it("keys a run by the topic's incarnation, and drops what another incarnation left", async () => {
    const cache = await fresh();
    await cache.putRecords("t", 0, records(0, 3), { logStartOffset: 0, topicId: "id-1" });
    expect(await cache.run("t", 0)).toEqual({ topic: "t", partition: 0, low: 0, high: 3, startsAtLog: true, topicId: "id-1" });
    // Records of a new incarnation never join the old run, even where the offsets would fit.
    await cache.putRecords("t", 0, records(3, 4), { topicId: "id-2" });
    expect(await cache.run("t", 0)).toEqual({ topic: "t", partition: 0, low: 3, high: 4, startsAtLog: false, topicId: "id-2" });
    expect((await cache.readRecords("t", 0, 0, 10)).map((r) => r.offset)).toEqual([3]);
    await cache.putPosition("a", "t", 0, { next: 3, topicId: "id-1" });
    await cache.putPosition("b", "t", 0, { next: 4, topicId: "id-2" });
    await cache.putPosition("c", "t", 1, { next: 9, topicId: "id-1" });
    await cache.dropStale("t", 0, "id-2");
    // The new incarnation's run and positions stay; the old ones of that partition go.
    expect(await cache.run("t", 0)).toMatchObject({ low: 3, high: 4, topicId: "id-2" });
    expect(await cache.position("a", "t", 0)).toBeUndefined();
    expect(await cache.position("b", "t", 0)).toEqual({ next: 4, topicId: "id-2" });
    expect(await cache.position("c", "t", 1)).toEqual({ next: 9, topicId: "id-1" });
    await cache.dropStale("t", 0, "id-3");
    expect(await cache.run("t", 0)).toBeUndefined();
    expect(await cache.position("b", "t", 0)).toBeUndefined();
  });

  it("queues in order, bounds the outbox, and seals batches with contiguous sequences", async () => {
    const cache = await fresh();
    const ids: number[] = [];
    for (let n = 0; n < 4; n++) ids.push(await cache.outboxAdd(entry("t", 0, n), 4));
    await expect(cache.outboxAdd(entry("t", 0, 9), 4)).rejects.toMatchObject({ code: "OUTBOX_FULL" });
    expect((await cache.outboxList(100)).map((e) => e.id)).toEqual(ids);
    expect(await cache.outboxCount()).toBe(4);

    const identity = await cache.producer();
    expect(await cache.producer()).toEqual(identity);
    const first = await cache.outboxSeal(ids.slice(0, 3), "t", 0);
    expect(first).toEqual({ producerId: identity.id, epoch: 0, sequence: 0, count: 3 });
    await expect(cache.outboxSeal(ids.slice(2, 4), "t", 0)).rejects.toMatchObject({ code: "CACHE_FAILED" });
    const second = await cache.outboxSeal(ids.slice(3, 4), "t", 0);
    expect(second.sequence).toBe(3);
    expect((await cache.outboxList(100)).map((e) => e.batch?.sequence)).toEqual([0, 0, 0, 3]);

    await cache.outboxRemove(ids.slice(0, 3));
    expect((await cache.outboxList(100)).map((e) => e.id)).toEqual([ids[3]]);
    // A refused last batch gives its sequence back; the next seal reuses it.
    await cache.outboxDiscard(ids.slice(3, 4), "t", 0, second);
    expect(await cache.outboxCount()).toBe(0);
    const again = await cache.outboxAdd(entry("t", 0, 7), 4);
    expect((await cache.outboxSeal([again], "t", 0)).sequence).toBe(3);
    // Another partition has its own sequences.
    const other = await cache.outboxAdd(entry("t", 1, 5), 4);
    expect((await cache.outboxSeal([other], "t", 1)).sequence).toBe(0);
  });

  it("unseals a batch whose producer the server forgot, and moves its partition to a new producer id at 0", async () => {
    const cache = await fresh();
    const ids = [await cache.outboxAdd(entry("t", 0, 0), 10), await cache.outboxAdd(entry("t", 0, 1), 10)];
    const first = await cache.outboxSeal(ids.slice(0, 1), "t", 0);
    await cache.outboxRemove(ids.slice(0, 1));
    const forgotten = await cache.outboxSeal(ids.slice(1), "t", 0);
    expect(forgotten).toMatchObject({ producerId: first.producerId, sequence: 1 });
    await cache.outboxUnseal(ids.slice(1), "t", 0, forgotten);
    expect((await cache.outboxList(10)).map((e) => e.batch)).toEqual([null]);
    const resealed = await cache.outboxSeal(ids.slice(1), "t", 0);
    expect(resealed).toMatchObject({ epoch: 0, sequence: 0, count: 1 });
    expect(resealed.producerId).not.toBe(first.producerId);
    // A second unseal of a batch of the old id leaves the new id alone.
    await cache.outboxUnseal(ids.slice(1), "t", 0, forgotten);
    expect((await cache.outboxSeal(ids.slice(1), "t", 0)).producerId).toBe(resealed.producerId);
  });

  it("places unresolved entries", async () => {
    const cache = await fresh();
    const id = await cache.outboxAdd(entry("t", PARTITION_UNRESOLVED, 0), 10);
    await cache.outboxResolve(new Map([[id, 2]]));
    expect((await cache.outboxList(10))[0]?.partition).toBe(2);
  });

  it("refuses calls after close with CLOSED", async () => {
    const cache = await fresh();
    cache.close();
    await expect(cache.outboxCount()).rejects.toBeInstanceOf(EdgelogClientError);
    await expect(cache.run("t", 0)).rejects.toMatchObject({ code: "CLOSED" });
  });
});

describe("indexeddb cache", () => {
  it("keeps records, the outbox, the producer and its sequences across a reopen", async () => {
    const dbName = `cache-reopen-${++dbCounter}`;
    const first = await openIndexedDbCache({ dbName });
    await first.putRecords("t", 0, records(0, 4), { logStartOffset: 0 });
    const id = await first.outboxAdd(entry("t", 0, 1), 10);
    const batch = await first.outboxSeal([id], "t", 0);
    await first.outboxAdd(entry("t", 0, 2), 10);
    const identity = await first.producer();
    first.close();

    const second = await openIndexedDbCache({ dbName });
    opened.push(second);
    expect(await second.producer()).toEqual(identity);
    expect((await second.readRecords("t", 0, 0, 10)).map((r) => r.offset)).toEqual([0, 1, 2, 3]);
    const outbox = await second.outboxList(10);
    expect(outbox.map((e) => e.batch)).toEqual([batch, null]);
    expect((await second.outboxSeal([outbox[1]!.id], "t", 0)).sequence).toBe(1);
  });

  it("leaves the stores exactly as they were when the quota is exceeded mid-write", async () => {
    const cache = await openIndexedDbCache({ dbName: `cache-quota-${++dbCounter}`, recordsPerPartitionMax: 100 });
    opened.push(cache);
    await cache.putRecords("t", 0, records(0, 3), { logStartOffset: 0 });
    const put = IDBObjectStore.prototype.put;
    // The run's row, written after the page, fails as a full disk does: the page is rolled back.
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore["put"]>) {
      if (this.name === "runs") throw new DOMException("the quota is used up", "QuotaExceededError");
      return put.apply(this, args);
    };
    try {
      const failed = await cache.putRecords("t", 0, records(3, 8)).then(
        () => null,
        (error: unknown) => error,
      );
      expect(errorCode(failed)).toBe("CACHE_QUOTA_EXCEEDED");
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    expect(await cache.run("t", 0)).toEqual({ topic: "t", partition: 0, low: 0, high: 3, startsAtLog: true, topicId: null });
    expect((await cache.readRecords("t", 0, 0, 100)).map((r) => r.offset)).toEqual([0, 1, 2]);
    // And the cache works on afterwards.
    await cache.putRecords("t", 0, records(3, 5));
    expect(await cache.run("t", 0)).toMatchObject({ low: 0, high: 5 });
  });
});
