/**
 * Reading a compacted topic as a table (TABLE-1, TABLE-2) and resuming past compaction
 * (COMPACT-6), over HTTP and the partition socket: `from=latest-per-key` delivers each key's latest
 * record (tombstones kept by compaction included) in offset order, marked `reset`, then goes on
 * live; a reader resuming below cleanedTombstonesBelow gets the table again, marked `reset`,
 * unless it says (`cleaned`) that it saw that value already.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { FetchResponse } from "../../client/protocol/index.ts";
import type { Partition } from "../../worker/partition/partition.ts";
import { useClock } from "./clock.ts";
import { api, createTopic, expectError, fetchRecords, partitionStub, produce, recordsPath, uniqueTopic } from "./http.ts";
import { closeAllSockets, openSocket, subscribeSocket } from "./socket.ts";

afterEach(closeAllSockets);

const TABLE = [
  { key: "k1", value: "a" },
  { key: "k2", value: "b" },
  { key: "k1", value: "c" },
  { key: "k2", value: null },
  { key: "k3", value: "d" },
];

/** A compacted topic holding TABLE (offsets 0-4) and one more batch (offset 5, k4). */
async function tableTopic(prefix: string): Promise<string> {
  const topic = uniqueTopic(prefix);
  await createTopic(topic, 1, { "cleanup.policy": "compact", "delete.retention.ms": 1_000, "min.cleanable.dirty.ratio": 0 });
  const stub = await partitionStub(topic, 0);
  await useClock(stub);
  await produce(topic, { records: TABLE }, 0);
  await produce(topic, { records: [{ key: "k4", value: "e" }] }, 0);
  return topic;
}

/** Compacts past the tombstone's delete.retention.ms: k2's tombstone (offset 3) goes, cleanedTombstonesBelow 4. */
async function compactPastTombstone(topic: string): Promise<void> {
  const stub = await partitionStub(topic, 0);
  const clock = await useClock(stub);
  clock.advance(60_000);
  expect(await runDurableObjectAlarm(stub)).toBe(true);
}

function pairs(page: FetchResponse): [number, string | null, unknown][] {
  return page.records.map((r) => [r.offset, r.key, r.value]);
}

describe("latest-per-key over HTTP", () => {
  it("reads each key's latest record, tombstones included, marked reset, and pages on", async () => {
    const topic = await tableTopic("http-table");
    const page = await fetchRecords(topic, 0, { from: "latest-per-key" });
    expect(pairs(page)).toEqual([
      [2, "k1", "c"],
      [3, "k2", null],
      [4, "k3", "d"],
      [5, "k4", "e"],
    ]);
    expect(page).toMatchObject({
      nextOffset: 6,
      highWatermark: 6,
      logStartOffset: 0,
      cleanedTombstonesBelow: 0,
      latestPerKey: true,
      reset: true,
    });
    // Paged: the first page resets, a continuation (with `cleaned`) does not.
    const first = await fetchRecords(topic, 0, { from: "latest-per-key", limit: 1 });
    expect(pairs(first)).toEqual([[2, "k1", "c"]]);
    expect(first).toMatchObject({ nextOffset: 3, reset: true });
    const next = await fetchRecords(topic, 0, { from: "latest-per-key", offset: 3, cleaned: 0, limit: 2 });
    expect(pairs(next)).toEqual([
      [3, "k2", null],
      [4, "k3", "d"],
    ]);
    expect(next.reset).toBeUndefined();
    expect(next.latestPerKey).toBe(true);
    // A plain read of a compacted topic says it is compacted and is not filtered.
    const plain = await fetchRecords(topic, 0, { offset: 0 });
    expect(plain.records).toHaveLength(6);
    expect(plain).toMatchObject({ cleanedTombstonesBelow: 0 });
    expect(plain.reset).toBeUndefined();
  });

  it("serves a reader resuming below cleanedTombstonesBelow the table again, marked reset", async () => {
    const topic = await tableTopic("http-resume");
    await compactPastTombstone(topic);
    const resumed = await fetchRecords(topic, 0, { offset: 1, cleaned: 0 });
    expect(pairs(resumed)).toEqual([
      [2, "k1", "c"],
      [4, "k3", "d"],
      [5, "k4", "e"],
    ]);
    expect(resumed).toMatchObject({ cleanedTombstonesBelow: 4, reset: true, latestPerKey: true });
    // At or past it, or having seen it: an ordinary read (with the gap).
    const at = await fetchRecords(topic, 0, { offset: 4, cleaned: 0 });
    expect(at.reset).toBeUndefined();
    expect(pairs(at).map(([offset]) => offset)).toEqual([4, 5]);
    const seen = await fetchRecords(topic, 0, { offset: 1, cleaned: 4 });
    expect(seen.reset).toBeUndefined();
    expect(pairs(seen).map(([offset]) => offset)).toEqual([2, 4, 5]);
    // A read without `cleaned` (a pager that knows nothing of compaction) keeps its position.
    const naive = await fetchRecords(topic, 0, { offset: 1 });
    expect(naive.reset).toBeUndefined();
    expect(naive.cleanedTombstonesBelow).toBe(4);
  });

  it("keeps compaction's state in storage: cleanedTombstonesBelow reads back after a reload", async () => {
    const topic = await tableTopic("http-reload");
    await compactPastTombstone(topic);
    const stub = await partitionStub(topic, 0);
    const state = await runInDurableObject(stub, (partition: Partition) => {
      const compaction = partition.housekeeping.compaction;
      const before = { cleaned: compaction.cleanedTombstonesBelow, compacted: compaction.compactedBelow };
      // What a new instance of the object reads on start.
      partition.log.reload();
      compaction.reload();
      return { before, after: { cleaned: compaction.cleanedTombstonesBelow, compacted: compaction.compactedBelow } };
    });
    expect(state.before).toEqual({ cleaned: 4, compacted: 5 });
    expect(state.after).toEqual(state.before);
    expect((await fetchRecords(topic, 0, { offset: 1, cleaned: 0 })).reset).toBe(true);
  });

  it("stores an idempotent producer's batch and its keys together; a retry appends nothing", async () => {
    const topic = await tableTopic("http-idempotent");
    const request = { records: [{ key: "k9", value: "once" }], producer: { id: "p", epoch: 0, sequence: 0 } };
    const first = await produce(topic, request, 0);
    const again = await produce(topic, request, 0);
    expect(again.duplicate).toBe(true);
    expect(again.offsets).toEqual(first.offsets);
    const table = await fetchRecords(topic, 0, { from: "latest-per-key" });
    expect(table.records.filter((r) => r.key === "k9").map((r) => r.offset)).toEqual([6]);
  });

  it("refuses latest-per-key on a topic that is not compacted, and a bad from or cleaned", async () => {
    const topic = uniqueTopic("not-compacted");
    await createTopic(topic, 1);
    expectError(await api("GET", recordsPath(topic, 0, { from: "latest-per-key" })), 400, "INVALID_PARAMETER");
    const compacted = await tableTopic("bad-params");
    expectError(await api("GET", recordsPath(compacted, 0, { from: "earliest" })), 400, "INVALID_PARAMETER");
    expectError(await api("GET", recordsPath(compacted, 0, { cleaned: -1 })), 400, "INVALID_PARAMETER");
  });
});

describe("latest-per-key on the socket", () => {
  it("subscribes to the table: subscribed with reset and compacted, the latest records, live, then every record", async () => {
    const topic = await tableTopic("socket-table");
    const { sock, subscribed } = await subscribeSocket(topic, 0, { id: "t", from: "latest-per-key" });
    expect(subscribed).toEqual({
      type: "subscribed",
      id: "t",
      offset: 0,
      logStartOffset: 0,
      highWatermark: 6,
      reset: true,
      compacted: true,
      cleanedTombstonesBelow: 0,
    });
    const records = await sock.collect(6);
    expect(records.map((r) => [r.offset, r.key, r.value])).toEqual([
      [2, "k1", "c"],
      [3, "k2", null],
      [4, "k3", "d"],
      [5, "k4", "e"],
    ]);
    expect(await sock.next("live")).toEqual({ type: "live", id: "t", offset: 6 });
    await produce(
      topic,
      {
        records: [
          { key: "k1", value: "f" },
          { key: "k1", value: "g" },
        ],
      },
      0,
    );
    const live = await sock.collect(8);
    expect(live.map((r) => [r.offset, r.value])).toEqual([
      [6, "f"],
      [7, "g"],
    ]);
  });

  it("resets a subscriber resuming below cleanedTombstonesBelow, unless it saw it", async () => {
    const topic = await tableTopic("socket-resume");
    await compactPastTombstone(topic);
    const { sock, subscribed } = await subscribeSocket(topic, 0, { id: "r", from: { offset: 1 } });
    expect(subscribed).toMatchObject({ offset: 0, reset: true, compacted: true, cleanedTombstonesBelow: 4 });
    const records = await sock.collect(6);
    expect(records.map((r) => r.offset)).toEqual([2, 4, 5]);
    expect(await sock.next("live")).toEqual({ type: "live", id: "r", offset: 6 });
    const seen = await subscribeSocket(topic, 0, { id: "s", from: { offset: 1 }, cleaned: 4 });
    expect(seen.subscribed).toEqual({
      type: "subscribed",
      id: "s",
      offset: 1,
      logStartOffset: 0,
      highWatermark: 6,
      compacted: true,
      cleanedTombstonesBelow: 4,
    });
    expect((await seen.sock.collect(6)).map((r) => r.offset)).toEqual([2, 4, 5]);
  });

  it("resets a subscription caught up to the point where a tombstone ahead of it was removed", async () => {
    const topic = uniqueTopic("socket-behind");
    await createTopic(topic, 1, { "cleanup.policy": "compact", "delete.retention.ms": 0, "min.cleanable.dirty.ratio": 0 });
    const stub = await partitionStub(topic, 0);
    // A clock a day ahead: the alarm the produces set stays in the runtime's future.
    const clock = await useClock(stub);
    const value = "x".repeat(1_000);
    // victim at 0; then 1,200 records of ~1 KB (more than a window); victim's tombstone; a last batch.
    await produce(topic, { records: [{ key: "victim", value: "here" }] }, 0);
    for (let b = 0; b < 12; b++)
      await produce(topic, { records: Array.from({ length: 100 }, (_, i) => ({ key: `k${b * 100 + i}`, value })) }, 0);
    await produce(topic, { records: [{ key: "victim", value: null }] }, 0);
    await produce(topic, { records: [{ key: "last", value: 1 }] }, 0);
    const { sock, subscribed } = await subscribeSocket(topic, 0, { id: "c", from: "earliest" });
    expect(subscribed).toMatchObject({ offset: 0, cleanedTombstonesBelow: 0 });
    expect(subscribed.reset).toBeUndefined();
    const paused = await sock.next("paused");
    expect(paused.offset).toBeLessThan(1_201);
    // Compaction removes the tombstone (and victim's record) ahead of the paused subscriber.
    await runInDurableObject(stub, (partition: Partition) => {
      partition.housekeeping.compaction.run(partition.log.identity!.config, clock.now() + 1_000, 100);
      expect(partition.housekeeping.compaction.cleanedTombstonesBelow).toBe(1_202);
    });
    sock.send({ type: "consumed", offset: paused.offset });
    const again = await sock.next("subscribed");
    expect(again).toMatchObject({ id: "c", offset: 0, reset: true, cleanedTombstonesBelow: 1_202 });
    // What follows the reset is the table: every k, never victim (a client applies messages in
    // order, so what came before the reset is dropped with the reset).
    const afterReset = () => {
      const view = new Map<string, unknown>();
      const at = sock.log.findIndex((r) => r.message.type === "subscribed" && r.message.reset === true);
      for (const received of sock.log.slice(at + 1)) {
        if (received.message.type === "records") for (const r of received.message.records) view.set(r.key!, r.value);
      }
      return view;
    };
    for (let turn = 0; turn < 100 && !afterReset().has("last"); turn++) {
      const message = await sock.next("records");
      sock.send({ type: "consumed", offset: message.records[message.records.length - 1]!.offset + 1 });
    }
    const view = afterReset();
    expect(view.has("victim")).toBe(false);
    expect(view.size).toBe(1_201);
  }, 30_000);

  it("goes on with a table's catch-up over superseded records on the alarm, bounded per event", async () => {
    const topic = uniqueTopic("socket-hot");
    await createTopic(topic, 1, { "cleanup.policy": "compact" });
    const stub = await partitionStub(topic, 0);
    await useClock(stub);
    await produce(topic, { records: Array.from({ length: 100 }, (_, i) => ({ key: "hot", value: i })) }, 0);
    await produce(topic, { records: [{ key: "cold", value: "c" }] }, 0);
    await runInDurableObject(stub, (partition: Partition) => {
      partition.subscribers.tableReads = { emptyPagesMax: 1, lookMax: 10 };
    });
    const { sock } = await subscribeSocket(topic, 0, { id: "h", from: "latest-per-key" });
    // Two pages of 10 superseded records each, then the pump stops: paused, nothing to consume.
    expect(await sock.next("paused")).toEqual({ type: "paused", id: "h", offset: 20 });
    let records: { offset: number; key: string | null; value: unknown }[] = [];
    for (let alarm = 0; alarm < 20 && records.length < 2; alarm++) {
      expect(await runDurableObjectAlarm(stub)).toBe(true);
      await sock.barrier();
      records = sock.log.flatMap((r) => (r.message.type === "records" ? r.message.records : []));
    }
    expect(records.map((r) => [r.offset, r.key, r.value])).toEqual([
      [99, "hot", 99],
      [100, "cold", "c"],
    ]);
    expect(await sock.next("live")).toEqual({ type: "live", id: "h", offset: 101 });
  });

  it("refuses latest-per-key on a topic that is not compacted", async () => {
    const topic = uniqueTopic("socket-plain");
    await createTopic(topic, 1);
    const sock = await openSocket(topic, 0);
    await sock.next("hello");
    sock.send({ type: "subscribe", id: "x", from: "latest-per-key" });
    expect(await sock.next("error")).toMatchObject({ id: "x", code: "INVALID_REQUEST" });
  });
});
