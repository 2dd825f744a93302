/**
 * Kafka's deleteRecords: `DELETE /v1/topics/:t/partitions/:p/records?before=N` moves
 * logStartOffset to N. Batches wholly below it are dropped from storage; a batch straddling it
 * stays, and reads skip its older records.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { PartitionOffsets, TopicDescription } from "../../client/protocol/index.ts";
import { api, createTopic, expectError, fetchRecords, partitionStub, produce, uniqueTopic } from "./http.ts";

function deleteBefore(topic: string, before: number, partition = 0) {
  return api<PartitionOffsets>("DELETE", `/v1/topics/${topic}/partitions/${partition}/records?before=${before}`);
}

/** A one-partition topic with batches of `sizes` records; record i has value i. */
async function topicWithBatches(prefix: string, sizes: number[]): Promise<string> {
  const topic = uniqueTopic(prefix);
  await createTopic(topic, 1);
  let next = 0;
  for (const size of sizes) {
    await produce(topic, { records: Array.from({ length: size }, () => ({ value: next++ })) }, 0);
  }
  return topic;
}

async function storedBaseOffsets(topic: string): Promise<number[]> {
  const stub = await partitionStub(topic, 0);
  return runInDurableObject(stub, (_, state) =>
    state.storage.sql
      .exec<{ base_offset: number }>("SELECT base_offset FROM batches ORDER BY base_offset")
      .toArray()
      .map((r) => r.base_offset),
  );
}

describe("deleteRecords", () => {
  it("moves logStartOffset and answers the new bounds", async () => {
    const topic = await topicWithBatches("moves", [5, 5]);
    const answer = await deleteBefore(topic, 3);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ partition: 0, logStartOffset: 3, highWatermark: 10 });
    const described = await api<TopicDescription>("GET", `/v1/topics/${topic}`);
    expect(described.json.partitions[0]).toEqual({ partition: 0, logStartOffset: 3, highWatermark: 10 });
  });

  it("refuses reads below logStartOffset with 416 and reads from it, inside a batch", async () => {
    const topic = await topicWithBatches("reads", [5, 5]);
    await deleteBefore(topic, 3);
    expectError(await api("GET", `/v1/topics/${topic}/partitions/0/records?offset=2`), 416, "OFFSET_OUT_OF_RANGE");
    expectError(await api("GET", `/v1/topics/${topic}/partitions/0/records?offset=0`), 416, "OFFSET_OUT_OF_RANGE");
    const at = await fetchRecords(topic, 0, { offset: 3 });
    expect(at.records.map((r) => r.offset)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(at.records.map((r) => r.value)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(at.logStartOffset).toBe(3);
    const earliest = await fetchRecords(topic, 0, { offset: "earliest", limit: 2 });
    expect(earliest.records.map((r) => r.offset)).toEqual([3, 4]);
    expect(earliest.nextOffset).toBe(5);
  });

  it("drops whole batches below the new start and keeps the straddling one", async () => {
    const topic = await topicWithBatches("storage", [4, 3, 5]);
    expect(await storedBaseOffsets(topic)).toEqual([0, 4, 7]);
    await deleteBefore(topic, 4);
    expect(await storedBaseOffsets(topic)).toEqual([4, 7]);
    await deleteBefore(topic, 9);
    expect(await storedBaseOffsets(topic)).toEqual([7]);
    const page = await fetchRecords(topic, 0, { offset: "earliest" });
    expect(page.records.map((r) => r.value)).toEqual([9, 10, 11]);
  });

  it("never moves the start back: a lower before changes nothing", async () => {
    const topic = await topicWithBatches("monotonic", [6]);
    await deleteBefore(topic, 4);
    const lower = await deleteBefore(topic, 2);
    expect(lower.status).toBe(200);
    expect(lower.json.logStartOffset).toBe(4);
    expectError(await api("GET", `/v1/topics/${topic}/partitions/0/records?offset=2`), 416, "OFFSET_OUT_OF_RANGE");
  });

  it("refuses before past the high watermark with 416", async () => {
    const topic = await topicWithBatches("past", [3]);
    expectError(await deleteBefore(topic, 4), 416, "OFFSET_OUT_OF_RANGE");
    expect((await fetchRecords(topic, 0)).records).toHaveLength(3);
  });

  it("empties the log at the high watermark; offsets are never reused", async () => {
    const topic = await topicWithBatches("empty", [2, 3]);
    const answer = await deleteBefore(topic, 5);
    expect(answer.json).toEqual({ partition: 0, logStartOffset: 5, highWatermark: 5 });
    expect(await storedBaseOffsets(topic)).toEqual([]);
    const page = await fetchRecords(topic, 0, { offset: "earliest" });
    expect(page).toEqual({ records: [], nextOffset: 5, highWatermark: 5, logStartOffset: 5 });
    const produced = await produce(topic, { records: [{ value: "after" }] }, 0);
    expect(produced.offsets).toEqual([{ partition: 0, offset: 5 }]);
    expect((await fetchRecords(topic, 0)).records.map((r) => [r.offset, r.value])).toEqual([[5, "after"]]);
  });

  it("requires before and refuses an unknown partition", async () => {
    const topic = await topicWithBatches("params", [1]);
    expectError(await api("DELETE", `/v1/topics/${topic}/partitions/0/records`), 400, "INVALID_PARAMETER");
    expectError(await deleteBefore(topic, 0, 1), 404, "UNKNOWN_PARTITION");
  });
});
