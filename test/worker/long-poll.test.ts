/**
 * Long-polls: a read at the end of the log with maxWaitMs waits for the next append (or its
 * deadline) instead of answering empty at once.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { FetchResponse } from "../../client/protocol/index.ts";
import type { Partition } from "../../worker/partition/partition.ts";
import { api, createTopic, expectError, fetchRecords, partitionStub, produce, recordsPath, uniqueTopic } from "./http.ts";

/** Reads parked on a partition now (the Waiters set is private; tests look inside). */
async function parkedReads(stub: DurableObjectStub<Partition>): Promise<number> {
  return runInDurableObject(stub, (instance) => (instance as unknown as { waiters: { size: number } }).waiters.size);
}

/** Waits (bounded) until `count` reads are parked, so the append surely comes after them. */
async function untilParked(stub: DurableObjectStub<Partition>, count: number): Promise<void> {
  for (let turn = 0; turn < 200; turn++) {
    if ((await parkedReads(stub)) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no ${count} parked reads after 200 turns`);
}

describe("long-poll", () => {
  it("answers with the record appended while it waited", async () => {
    const topic = uniqueTopic("woken");
    await createTopic(topic, 1);
    await produce(topic, { records: [{ value: "old" }] }, 0);
    const stub = await partitionStub(topic, 0);
    const reading = api<FetchResponse>("GET", recordsPath(topic, 0, { offset: 1, maxWaitMs: 5_000 }));
    await untilParked(stub, 1);
    const produced = await produce(topic, { records: [{ key: "k", value: "fresh", headers: { h: "1" }, timestamp: 77 }] }, 0);
    expect(produced.offsets).toEqual([{ partition: 0, offset: 1 }]);
    const answer = await reading;
    expect(answer.status).toBe(200);
    expect(answer.json.records).toEqual([{ offset: 1, timestamp: 77, key: "k", value: "fresh", headers: { h: "1" } }]);
    expect(answer.json.nextOffset).toBe(2);
    expect(answer.json.highWatermark).toBe(2);
    expect(await parkedReads(stub)).toBe(0);
  });

  it("wakes every read parked on the partition with the same append", async () => {
    const topic = uniqueTopic("many");
    await createTopic(topic, 1);
    const stub = await partitionStub(topic, 0);
    const readings = [0, 1, 2].map(() => api<FetchResponse>("GET", recordsPath(topic, 0, { offset: 0, maxWaitMs: 5_000 })));
    await untilParked(stub, 3);
    await produce(topic, { records: [{ value: "a" }, { value: "b" }] }, 0);
    for (const answer of await Promise.all(readings)) {
      expect(answer.status).toBe(200);
      expect(answer.json.records.map((r) => r.value)).toEqual(["a", "b"]);
    }
  });

  it("is not woken by an append to another partition", async () => {
    const topic = uniqueTopic("other");
    await createTopic(topic, 2);
    const reading = fetchRecords(topic, 0, { offset: 0, maxWaitMs: 200 });
    await produce(topic, { records: [{ value: "elsewhere" }] }, 1);
    const answer = await reading;
    expect(answer.records).toEqual([]);
    expect(answer.nextOffset).toBe(0);
  });

  it("answers empty when nothing is appended before maxWaitMs", async () => {
    const topic = uniqueTopic("timeout");
    await createTopic(topic, 1);
    await produce(topic, { records: [{ value: 1 }] }, 0);
    const answer = await fetchRecords(topic, 0, { offset: "latest", maxWaitMs: 200 });
    expect(answer).toEqual({ records: [], nextOffset: 1, highWatermark: 1, logStartOffset: 0 });
    const stub = await partitionStub(topic, 0);
    expect(await parkedReads(stub)).toBe(0);
  });

  it("does not wait when records are there already", async () => {
    const topic = uniqueTopic("ready");
    await createTopic(topic, 1);
    await produce(topic, { records: [{ value: 1 }] }, 0);
    // 30 s is the largest wait: if it waited, the test would time out.
    const answer = await fetchRecords(topic, 0, { offset: 0, maxWaitMs: 30_000 });
    expect(answer.records.map((r) => r.value)).toEqual([1]);
  });

  it("answers UNKNOWN_TOPIC when the topic is deleted while it waits", async () => {
    const topic = uniqueTopic("deleted-while-waiting");
    await createTopic(topic, 1);
    const stub = await partitionStub(topic, 0);
    const reading = api("GET", recordsPath(topic, 0, { offset: 0, maxWaitMs: 5_000 }));
    await untilParked(stub, 1);
    expect((await api("DELETE", `/v1/topics/${topic}`)).status).toBe(204);
    expectError(await reading, 404, "UNKNOWN_TOPIC");
  });
});
