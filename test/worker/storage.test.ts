/**
 * The partition's Durable Object storage, looked at directly: one `batches` row per produce
 * request (rows written are the priced unit), and every acknowledged record, offset, producer
 * state and log start surviving the loss of the object's memory (`abortAllDurableObjects`).
 */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { FetchedRecord, RecordInput } from "../../client/protocol/index.ts";
import type { Partition } from "../../worker/partition/partition.ts";
import { api, createTopic, fetchRecords, partitionStub, produce, readAll, uniqueTopic } from "./http.ts";

interface BatchRow {
  base_offset: number;
  record_count: number;
  max_timestamp: number;
}

async function batchRows(stub: DurableObjectStub<Partition>): Promise<BatchRow[]> {
  return runInDurableObject(stub, (_, state) =>
    state.storage.sql
      .exec<{ base_offset: number; record_count: number; max_timestamp: number }>(
        "SELECT base_offset, record_count, max_timestamp FROM batches ORDER BY base_offset",
      )
      .toArray()
      .map((row) => ({ ...row })),
  );
}

describe("batches table", () => {
  it("holds one row per produce request, tiling the offsets, with a running max timestamp", async () => {
    const topic = uniqueTopic("rows");
    await createTopic(topic, 1);
    const stub = await partitionStub(topic, 0);
    const before = await stub.stats();
    await produce(topic, { records: Array.from({ length: 5 }, (_, i) => ({ value: i, timestamp: 100 + i })) }, 0);
    await produce(topic, { records: [{ value: "one", timestamp: 50 }] }, 0);
    await produce(topic, { records: Array.from({ length: 10 }, (_, i) => ({ value: i, timestamp: 200 - i })) }, 0);
    expect(await batchRows(stub)).toEqual([
      { base_offset: 0, record_count: 5, max_timestamp: 104 },
      { base_offset: 5, record_count: 1, max_timestamp: 104 },
      { base_offset: 6, record_count: 10, max_timestamp: 200 },
    ]);
    const after = await stub.stats();
    expect(after.rowsWritten - before.rowsWritten).toBe(3);
    expect(after.highWatermark).toBe(16);
  });

  it("holds one row on each partition a request spans", async () => {
    const topic = uniqueTopic("spans");
    await createTopic(topic, 3);
    await produce(topic, {
      records: [
        { value: "a", partition: 0 },
        { value: "b", partition: 2 },
        { value: "c", partition: 0 },
        { value: "d", partition: 2 },
      ],
    });
    const rows = await Promise.all([0, 1, 2].map(async (p) => batchRows(await partitionStub(topic, p))));
    expect(rows.map((r) => r.map((row) => [row.base_offset, row.record_count]))).toEqual([[[0, 2]], [], [[0, 2]]]);
  });
});

describe("after the objects lose their memory", () => {
  it("reads back every acknowledged record identical", async () => {
    const topic = uniqueTopic("durable");
    await createTopic(topic, 3);
    const expected = new Map<number, FetchedRecord[]>([
      [0, []],
      [1, []],
      [2, []],
    ]);
    for (let request = 0; request < 12; request++) {
      const records: RecordInput[] = Array.from({ length: 1 + (request % 4) }, (_, i) => ({
        key: request % 3 === 0 ? null : `key-${request}-${i}`,
        value: { request, i, text: `ü-${"z".repeat(request * 7)}`, list: [i, null, true] },
        headers: i % 2 === 0 ? { request: String(request) } : ({} as Record<string, string>),
        timestamp: 1_600_000_000_000 + request * 1_000 - i,
      }));
      const answer = await produce(topic, { records });
      answer.offsets.forEach(({ partition, offset }, k) => {
        const input = records[k]!;
        expected.get(partition)!.push({
          offset,
          timestamp: input.timestamp!,
          key: input.key ?? null,
          value: input.value,
          headers: input.headers ?? {},
        });
      });
    }
    await abortAllDurableObjects();
    for (const [partition, records] of expected) {
      records.sort((a, b) => a.offset - b.offset);
      expect(await readAll(topic, partition)).toEqual(records);
    }
    const total = [...expected.values()].reduce((sum, list) => sum + list.length, 0);
    expect(total).toBe(30);
  });

  it("continues offsets after the last acknowledged one", async () => {
    const topic = uniqueTopic("continue");
    await createTopic(topic, 1);
    await produce(topic, { records: [{ value: 0 }, { value: 1 }, { value: 2 }] }, 0);
    await abortAllDurableObjects();
    const next = await produce(topic, { records: [{ value: 3 }] }, 0);
    expect(next.offsets).toEqual([{ partition: 0, offset: 3 }]);
    expect((await readAll(topic, 0)).map((r) => r.value)).toEqual([0, 1, 2, 3]);
  });

  it("keeps the idempotent producer's state: a retry is still a duplicate", async () => {
    const topic = uniqueTopic("producer");
    await createTopic(topic, 1);
    const request = { records: [{ value: "once" }], producer: { id: "p", epoch: 1, sequence: 0 } };
    const first = await produce(topic, request, 0);
    await abortAllDurableObjects();
    const retry = await produce(topic, request, 0);
    expect(retry.duplicate).toBe(true);
    expect(retry.offsets).toEqual(first.offsets);
    const fenced = await api("POST", `/v1/topics/${topic}/partitions/0/records`, {
      records: [{ value: "zombie" }],
      producer: { id: "p", epoch: 0, sequence: 1 },
    });
    expect(fenced.json?.error?.code).toBe("PRODUCER_FENCED");
    expect((await fetchRecords(topic, 0)).highWatermark).toBe(1);
  });

  it("keeps logStartOffset and group commits", async () => {
    const topic = uniqueTopic("bounds");
    await createTopic(topic, 1);
    await produce(topic, { records: Array.from({ length: 6 }, (_, i) => ({ value: i })) }, 0);
    expect((await api("DELETE", `/v1/topics/${topic}/partitions/0/records?before=4`)).status).toBe(200);
    expect((await api("PUT", "/v1/groups/g/offsets", { offsets: [{ topic, partition: 0, offset: 5, metadata: "m" }] })).status).toBe(200);
    await abortAllDurableObjects();
    const page = await fetchRecords(topic, 0, { offset: "earliest" });
    expect(page).toMatchObject({ logStartOffset: 4, highWatermark: 6, nextOffset: 6 });
    expect(page.records.map((r) => r.value)).toEqual([4, 5]);
    const group = await api("GET", `/v1/groups/g/offsets?topic=${topic}`);
    expect(group.json.partitions[0]).toMatchObject({ committedOffset: 5, metadata: "m", lag: 1 });
  });

  it("never reuses offsets after every batch was deleted", async () => {
    const topic = uniqueTopic("emptied");
    await createTopic(topic, 1);
    await produce(topic, { records: [{ value: 0 }, { value: 1 }, { value: 2 }] }, 0);
    expect((await api("DELETE", `/v1/topics/${topic}/partitions/0/records?before=3`)).status).toBe(200);
    await abortAllDurableObjects();
    expect(await fetchRecords(topic, 0)).toEqual({ records: [], nextOffset: 3, highWatermark: 3, logStartOffset: 3 });
    const next = await produce(topic, { records: [{ value: "after" }] }, 0);
    expect(next.offsets).toEqual([{ partition: 0, offset: 3 }]);
  });

  it("keeps the topic registered and a deleted topic gone", async () => {
    const kept = uniqueTopic("kept");
    const dropped = uniqueTopic("dropped");
    await createTopic(kept, 2);
    await createTopic(dropped, 1);
    expect((await api("DELETE", `/v1/topics/${dropped}`)).status).toBe(204);
    await abortAllDurableObjects();
    expect((await api("GET", `/v1/topics/${kept}`)).status).toBe(200);
    expect((await api("GET", `/v1/topics/${dropped}`)).status).toBe(404);
  });
});
