/**
 * Offsets by timestamp (Kafka's ListOffsets): `GET .../offsets?timestamp=T|earliest|latest`.
 * Timestamps are the producer's and need not rise, so the lookup binary-searches the batches'
 * running maximum; these tests compare it with a plain scan over many out-of-order batches.
 */
import { describe, expect, it } from "vitest";
import type { OffsetLookupResponse } from "../../client/protocol/index.ts";
import { api, createTopic, expectError, produce, uniqueTopic } from "./http.ts";

function lookup(topic: string, timestamp: number | string, partition = 0) {
  return api<OffsetLookupResponse>("GET", `/v1/topics/${topic}/partitions/${partition}/offsets?timestamp=${timestamp}`);
}

async function expectLookup(topic: string, timestamp: number | string, expected: OffsetLookupResponse): Promise<void> {
  const answer = await lookup(topic, timestamp);
  expect(answer.status).toBe(200);
  expect(answer.json, `timestamp=${timestamp}`).toEqual(expected);
}

/** Produces each batch of timestamps as one request to partition 0. */
async function produceBatches(topic: string, batches: number[][]): Promise<void> {
  for (const stamps of batches) {
    await produce(topic, { records: stamps.map((timestamp, i) => ({ value: i, timestamp })) }, 0);
  }
}

/** The answer by a plain scan: the first record at or after `from` with a timestamp >= t. */
function oracle(stamps: number[], t: number, from = 0): OffsetLookupResponse {
  for (let offset = from; offset < stamps.length; offset++) {
    if (stamps[offset]! >= t) return { offset, timestamp: stamps[offset]! };
  }
  return { offset: stamps.length, timestamp: null };
}

/** A small deterministic generator, so a failure can be replayed. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

describe("offsets by timestamp", () => {
  it("finds the first record at or after T across out-of-order batches", async () => {
    const topic = uniqueTopic("by-time");
    await createTopic(topic, 1);
    // Offsets 0-2, 3-4, 5-7, 8: timestamps fall back inside and across batches.
    await produceBatches(topic, [[1_000, 3_000, 2_000], [1_500, 2_500], [4_000, 3_500, 5_000], [100]]);
    await expectLookup(topic, 0, { offset: 0, timestamp: 1_000 });
    await expectLookup(topic, 1_000, { offset: 0, timestamp: 1_000 });
    await expectLookup(topic, 1_001, { offset: 1, timestamp: 3_000 });
    await expectLookup(topic, 2_000, { offset: 1, timestamp: 3_000 });
    await expectLookup(topic, 3_000, { offset: 1, timestamp: 3_000 });
    await expectLookup(topic, 3_001, { offset: 5, timestamp: 4_000 });
    await expectLookup(topic, 3_600, { offset: 5, timestamp: 4_000 });
    await expectLookup(topic, 4_001, { offset: 7, timestamp: 5_000 });
    await expectLookup(topic, 5_000, { offset: 7, timestamp: 5_000 });
  });

  it("answers highWatermark with timestamp null past every record", async () => {
    const topic = uniqueTopic("past");
    await createTopic(topic, 1);
    await produceBatches(topic, [[10, 20], [30]]);
    await expectLookup(topic, 31, { offset: 3, timestamp: null });
    await expectLookup(topic, 8_640_000_000_000_000, { offset: 3, timestamp: null });
  });

  it("answers earliest and latest with the log's bounds", async () => {
    const topic = uniqueTopic("bounds");
    await createTopic(topic, 1);
    await expectLookup(topic, "earliest", { offset: 0, timestamp: null });
    await expectLookup(topic, "latest", { offset: 0, timestamp: null });
    await expectLookup(topic, 0, { offset: 0, timestamp: null });
    await produceBatches(topic, [[5, 6, 7], [8]]);
    await expectLookup(topic, "earliest", { offset: 0, timestamp: null });
    await expectLookup(topic, "latest", { offset: 4, timestamp: null });
    expect((await api("DELETE", `/v1/topics/${topic}/partitions/0/records?before=2`)).status).toBe(200);
    await expectLookup(topic, "earliest", { offset: 2, timestamp: null });
    await expectLookup(topic, "latest", { offset: 4, timestamp: null });
  });

  it("agrees with a plain scan over many out-of-order batches", async () => {
    const topic = uniqueTopic("oracle");
    await createTopic(topic, 1);
    const random = generator(20_240_501);
    const batches: number[][] = [];
    for (let b = 0; b < 24; b++) {
      const size = 1 + Math.floor(random() * 5);
      // A rising trend with jitter that often goes back in time.
      batches.push(Array.from({ length: size }, () => 1_000 + b * 100 + Math.floor(random() * 600) - 300));
    }
    await produceBatches(topic, batches);
    const stamps = batches.flat();
    const probes = new Set<number>([0, Math.max(...stamps), Math.max(...stamps) + 1]);
    for (const t of stamps) for (const p of [t - 1, t, t + 1]) probes.add(p);
    for (const t of probes) await expectLookup(topic, t, oracle(stamps, t));
  });

  it("skips records below logStartOffset, even inside the batch that reaches T", async () => {
    const topic = uniqueTopic("after-delete");
    await createTopic(topic, 1);
    const batches = [
      [1_000, 3_000, 2_000],
      [1_500, 2_500],
      [4_000, 3_500, 5_000],
    ];
    await produceBatches(topic, batches);
    const stamps = batches.flat();
    expect((await api("DELETE", `/v1/topics/${topic}/partitions/0/records?before=2`)).status).toBe(200);
    // 3_000 at offset 1 is deleted: the answer lies past it (offset 2, or a later batch).
    for (const t of [0, 1_000, 2_000, 2_001, 2_600, 3_000, 3_600, 5_000, 5_001]) {
      await expectLookup(topic, t, oracle(stamps, t, 2));
    }
  });

  it("looks past a deleted batch whose large timestamp still lifts the running maximum", async () => {
    const topic = uniqueTopic("deleted-max");
    await createTopic(topic, 1);
    const batches = [[9_000], [100, 200], [300, 50]];
    await produceBatches(topic, batches);
    expect((await api("DELETE", `/v1/topics/${topic}/partitions/0/records?before=1`)).status).toBe(200);
    const stamps = batches.flat();
    for (const t of [0, 100, 150, 250, 300, 301, 9_000]) await expectLookup(topic, t, oracle(stamps, t, 1));
  });

  it("works on every partition of a topic independently", async () => {
    const topic = uniqueTopic("partitions");
    await createTopic(topic, 2);
    await produce(topic, { records: [{ value: 0, timestamp: 50 }] }, 1);
    expect((await lookup(topic, 10, 1)).json).toEqual({ offset: 0, timestamp: 50 });
    expect((await lookup(topic, 10, 0)).json).toEqual({ offset: 0, timestamp: null });
  });

  it("refuses an unknown topic or partition", async () => {
    const topic = uniqueTopic("unknown");
    expectError(await lookup(topic, 0), 404, "UNKNOWN_TOPIC");
    await createTopic(topic, 1);
    expectError(await lookup(topic, 0, 1), 404, "UNKNOWN_PARTITION");
  });
});
