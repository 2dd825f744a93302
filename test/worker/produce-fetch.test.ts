/**
 * Produce and fetch through the HTTP API: where records land (explicit partition, key hash,
 * sticky keyless batches), their offsets, what reads give back, and paging by limit and bytes.
 */
import { describe, expect, it } from "vitest";
import type { RecordInput } from "../../client/protocol/index.ts";
import { partitionForKey } from "../../client/protocol/index.ts";
import { api, createTopic, expectError, fetchRecords, produce, readAll, uniqueTopic } from "./http.ts";

const pad = (n: number) => "x".repeat(n);

describe("offsets on produce", () => {
  it("are contiguous from 0 per partition and answered in request order", async () => {
    const topic = uniqueTopic("order");
    await createTopic(topic, 3);
    const records: RecordInput[] = [
      { value: "a", partition: 2 },
      { value: "b", partition: 0 },
      { value: "c", partition: 2 },
      { value: "d", partition: 1 },
      { value: "e", partition: 2 },
      { value: "f", partition: 0 },
    ];
    const first = await produce(topic, { records });
    expect(first.duplicate).toBeUndefined();
    expect(first.offsets).toEqual([
      { partition: 2, offset: 0 },
      { partition: 0, offset: 0 },
      { partition: 2, offset: 1 },
      { partition: 1, offset: 0 },
      { partition: 2, offset: 2 },
      { partition: 0, offset: 1 },
    ]);
    const second = await produce(topic, {
      records: [
        { value: "g", partition: 2 },
        { value: "h", partition: 0 },
      ],
    });
    expect(second.offsets).toEqual([
      { partition: 2, offset: 3 },
      { partition: 0, offset: 2 },
    ]);
    expect((await readAll(topic, 2)).map((r) => [r.offset, r.value])).toEqual([
      [0, "a"],
      [1, "c"],
      [2, "e"],
      [3, "g"],
    ]);
    expect((await readAll(topic, 0)).map((r) => [r.offset, r.value])).toEqual([
      [0, "b"],
      [1, "f"],
      [2, "h"],
    ]);
    expect((await readAll(topic, 1)).map((r) => [r.offset, r.value])).toEqual([[0, "d"]]);
  });

  it("respects the partition named in the path, whatever the keys", async () => {
    const topic = uniqueTopic("path");
    await createTopic(topic, 4);
    const keys = ["alpha", "beta", "gamma", "delta", "epsilon"];
    const answer = await produce(topic, { records: keys.map((key) => ({ key, value: key })) }, 3);
    expect(answer.offsets).toEqual(keys.map((_, offset) => ({ partition: 3, offset })));
    expect((await readAll(topic, 3)).map((r) => r.key)).toEqual(keys);
  });

  it("puts keyed records on partitionForKey(key, n)", async () => {
    const topic = uniqueTopic("keyed");
    const partitions = 5;
    await createTopic(topic, partitions);
    const keys = Array.from({ length: 30 }, (_, i) => `user-${i}`);
    const answer = await produce(topic, { records: keys.map((key) => ({ key, value: key })) });
    const expected = keys.map((key) => partitionForKey(key, partitions));
    expect(answer.offsets.map((p) => p.partition)).toEqual(expected);
    // More than one partition is used, so the check above is not vacuous.
    expect(new Set(expected).size).toBeGreaterThan(1);
    for (let p = 0; p < partitions; p++) {
      const stored = (await readAll(topic, p)).map((r) => r.key);
      expect(stored).toEqual(keys.filter((_, i) => expected[i] === p));
    }
  });

  it("keeps the keyless records of one request on one partition (sticky)", async () => {
    const topic = uniqueTopic("sticky");
    await createTopic(topic, 8);
    for (let request = 0; request < 5; request++) {
      const answer = await produce(topic, { records: Array.from({ length: 20 }, (_, i) => ({ value: i })) });
      const used = new Set(answer.offsets.map((p) => p.partition));
      expect(used.size).toBe(1);
      const offsets = answer.offsets.map((p) => p.offset);
      const base = offsets[0]!;
      expect(offsets).toEqual(Array.from({ length: 20 }, (_, i) => base + i));
    }
  });
});

describe("records read back", () => {
  it("are exactly the key, value, headers and producer timestamp written", async () => {
    const topic = uniqueTopic("exact");
    await createTopic(topic, 1);
    const records: (RecordInput & { timestamp: number })[] = [
      {
        key: "k1",
        value: { nested: { list: [1, 2.5, "three", null, true] } },
        headers: { source: "test", "trace-id": "abc" },
        timestamp: 1_000,
      },
      { key: "", value: null, headers: {}, timestamp: 1_700_000_000_000 },
      { key: null, value: "ünïcødé ✓ 𝄞", headers: { emoji: "🙂" }, timestamp: 0 },
      { key: 'k"quoted"\n', value: [], timestamp: 5 },
    ];
    const answer = await produce(topic, { records }, 0);
    expect(answer.offsets.map((p) => p.offset)).toEqual([0, 1, 2, 3]);
    const page = await fetchRecords(topic, 0);
    expect(page.records).toEqual(
      records.map((r, offset) => ({ offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers ?? {} })),
    );
    expect(page).toMatchObject({ nextOffset: 4, highWatermark: 4, logStartOffset: 0 });
  });

  it("take the append time when the producer gives none", async () => {
    const topic = uniqueTopic("append-time");
    await createTopic(topic, 1);
    const before = Date.now();
    await produce(topic, { records: [{ value: 1 }, { value: 2, timestamp: 42 }] }, 0);
    const after = Date.now();
    const [first, second] = (await fetchRecords(topic, 0)).records;
    expect(first!.timestamp).toBeGreaterThanOrEqual(before);
    expect(first!.timestamp).toBeLessThanOrEqual(after);
    expect(second!.timestamp).toBe(42);
  });

  it("carry the log's time on a LogAppendTime topic, not the producer's", async () => {
    const topic = uniqueTopic("log-append");
    await createTopic(topic, 1, { "message.timestamp.type": "LogAppendTime" });
    const before = Date.now();
    await produce(topic, { records: [{ value: 1, timestamp: 1_000 }, { value: 2, timestamp: 2_000 }, { value: 3 }] }, 0);
    const after = Date.now();
    const stamps = (await fetchRecords(topic, 0)).records.map((r) => r.timestamp);
    expect(stamps).toHaveLength(3);
    // One append, one time for the whole batch.
    expect(new Set(stamps).size).toBe(1);
    expect(stamps[0]).toBeGreaterThanOrEqual(before);
    expect(stamps[0]).toBeLessThanOrEqual(after);
  });
});

describe("paging", () => {
  it("stops at limit and continues from nextOffset", async () => {
    const topic = uniqueTopic("limit");
    await createTopic(topic, 1);
    await produce(topic, { records: Array.from({ length: 7 }, (_, i) => ({ value: i })) }, 0);
    await produce(topic, { records: Array.from({ length: 5 }, (_, i) => ({ value: 7 + i })) }, 0);
    const seen: number[] = [];
    let offset = 0;
    for (let page = 0; page < 10 && offset < 12; page++) {
      const answer = await fetchRecords(topic, 0, { offset, limit: 3 });
      expect(answer.records.length).toBe(Math.min(3, 12 - offset));
      expect(answer.nextOffset).toBe(offset + answer.records.length);
      seen.push(...answer.records.map((r) => r.value as number));
      offset = answer.nextOffset;
    }
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it("stops near maxBytes but always returns the first record", async () => {
    const topic = uniqueTopic("bytes");
    await createTopic(topic, 1);
    // Each stored record is about 250 bytes.
    await produce(topic, { records: Array.from({ length: 6 }, (_, i) => ({ value: `${i}${pad(200)}` })) }, 0);
    const two = await fetchRecords(topic, 0, { offset: 0, maxBytes: 600 });
    expect(two.records.map((r) => r.offset)).toEqual([0, 1]);
    expect(two.nextOffset).toBe(2);
    const next = await fetchRecords(topic, 0, { offset: two.nextOffset, maxBytes: 600 });
    expect(next.records.map((r) => r.offset)).toEqual([2, 3]);
    // A record larger than maxBytes still comes back alone, so a consumer is never stuck.
    const one = await fetchRecords(topic, 0, { offset: 4, maxBytes: 1 });
    expect(one.records.map((r) => r.offset)).toEqual([4]);
    expect(one.records[0]!.value).toBe(`4${pad(200)}`);
    expect(one.nextOffset).toBe(5);
  });

  it("answers empty at the end: offset=latest and offset=highWatermark", async () => {
    const topic = uniqueTopic("latest");
    await createTopic(topic, 1);
    const empty = await fetchRecords(topic, 0, { offset: "latest" });
    expect(empty).toEqual({ records: [], nextOffset: 0, highWatermark: 0, logStartOffset: 0 });
    await produce(topic, { records: [{ value: 1 }, { value: 2 }] }, 0);
    const latest = await fetchRecords(topic, 0, { offset: "latest" });
    expect(latest).toEqual({ records: [], nextOffset: 2, highWatermark: 2, logStartOffset: 0 });
    const atEnd = await fetchRecords(topic, 0, { offset: 2 });
    expect(atEnd.records).toEqual([]);
    expect(atEnd.nextOffset).toBe(2);
    expectError(await api("GET", `/v1/topics/${topic}/partitions/0/records?offset=3`), 416, "OFFSET_OUT_OF_RANGE");
  });

  it("reads from the middle of a stored batch from exactly that offset", async () => {
    const topic = uniqueTopic("middle");
    await createTopic(topic, 1);
    await produce(topic, { records: Array.from({ length: 4 }, (_, i) => ({ value: i })) }, 0);
    await produce(topic, { records: Array.from({ length: 6 }, (_, i) => ({ value: 4 + i })) }, 0);
    await produce(topic, { records: Array.from({ length: 3 }, (_, i) => ({ value: 10 + i })) }, 0);
    for (const from of [1, 3, 4, 6, 9, 10, 12]) {
      const answer = await fetchRecords(topic, 0, { offset: from });
      const offsets = answer.records.map((r) => r.offset);
      expect(offsets).toEqual(Array.from({ length: 13 - from }, (_, i) => from + i));
      expect(answer.records.map((r) => r.value)).toEqual(offsets);
    }
    // A limit inside the second batch, starting inside it too.
    const inner = await fetchRecords(topic, 0, { offset: 5, limit: 2 });
    expect(inner.records.map((r) => r.offset)).toEqual([5, 6]);
    expect(inner.nextOffset).toBe(7);
  });

  it("answers 404 UNKNOWN_PARTITION past the topic's partitions", async () => {
    const topic = uniqueTopic("unknown-partition");
    await createTopic(topic, 2);
    expectError(await api("GET", `/v1/topics/${topic}/partitions/2/records`), 404, "UNKNOWN_PARTITION");
    expectError(await api("POST", `/v1/topics/${topic}/partitions/2/records`, { records: [{ value: 1 }] }), 404, "UNKNOWN_PARTITION");
    expectError(await api("POST", `/v1/topics/${topic}/records`, { records: [{ value: 1, partition: 5 }] }), 404, "UNKNOWN_PARTITION");
  });
});
