/**
 * Idempotent producers (rules at the top of worker/partition/producers.ts): retries answer the
 * original offsets and append nothing; gaps, stale retries and zombie epochs are refused.
 */
import { describe, expect, it } from "vitest";
import type { ProduceResponse, ProducerInput, TopicDescription } from "../../client/protocol/index.ts";
import { partitionForKey } from "../../client/protocol/index.ts";
import { type Answer, api, createTopic, expectError, fetchRecords, produce, readAll, uniqueTopic } from "./http.ts";

/** Produces `count` records as `producer` to partition 0 of `topic`. */
function send(topic: string, producer: ProducerInput, count: number, tag = "r"): Promise<Answer<ProduceResponse>> {
  const records = Array.from({ length: count }, (_, i) => ({ value: `${tag}-${producer.epoch}-${producer.sequence + i}` }));
  return api<ProduceResponse>("POST", `/v1/topics/${topic}/partitions/0/records`, { records, producer });
}

async function highWatermark(topic: string, partition = 0): Promise<number> {
  return (await fetchRecords(topic, partition, { offset: "latest" })).highWatermark;
}

const offsetsOf = (answer: Answer<ProduceResponse>) => answer.json.offsets.map((p) => p.offset);

describe("idempotent produce", () => {
  it("appends the first send, answers an exact retry with the same offsets, then takes the next sequence", async () => {
    const topic = uniqueTopic("retry");
    await createTopic(topic, 1);
    await produce(topic, { records: [{ value: "plain" }] }, 0);
    const first = await send(topic, { id: "p1", epoch: 0, sequence: 0 }, 3);
    expect(first.status).toBe(200);
    expect(offsetsOf(first)).toEqual([1, 2, 3]);
    expect(first.json.duplicate).toBeUndefined();
    expect(await highWatermark(topic)).toBe(4);

    const retry = await send(topic, { id: "p1", epoch: 0, sequence: 0 }, 3);
    expect(retry.status).toBe(200);
    expect(retry.json.duplicate).toBe(true);
    expect(retry.json.offsets).toEqual(first.json.offsets);
    expect(await highWatermark(topic)).toBe(4);

    const next = await send(topic, { id: "p1", epoch: 0, sequence: 3 }, 2);
    expect(next.status).toBe(200);
    expect(offsetsOf(next)).toEqual([4, 5]);
    expect(next.json.duplicate).toBeUndefined();
    expect((await readAll(topic, 0)).map((r) => r.value)).toEqual(["plain", "r-0-0", "r-0-1", "r-0-2", "r-0-3", "r-0-4"]);
  });

  it("refuses a gap with 409 OUT_OF_ORDER_SEQUENCE and accepts the right sequence after", async () => {
    const topic = uniqueTopic("gap");
    await createTopic(topic, 1);
    expect((await send(topic, { id: "p", epoch: 0, sequence: 0 }, 2)).status).toBe(200);
    expectError(await send(topic, { id: "p", epoch: 0, sequence: 3 }, 1), 409, "OUT_OF_ORDER_SEQUENCE");
    expect(await highWatermark(topic)).toBe(2);
    const filled = await send(topic, { id: "p", epoch: 0, sequence: 2 }, 1);
    expect(offsetsOf(filled)).toEqual([2]);
    expect(offsetsOf(await send(topic, { id: "p", epoch: 0, sequence: 3 }, 1))).toEqual([3]);
  });

  it("refuses a retry of a retained sequence with another record count", async () => {
    const topic = uniqueTopic("count");
    await createTopic(topic, 1);
    await send(topic, { id: "p", epoch: 0, sequence: 0 }, 3);
    expectError(await send(topic, { id: "p", epoch: 0, sequence: 0 }, 2), 409, "OUT_OF_ORDER_SEQUENCE");
    expect(await highWatermark(topic)).toBe(3);
  });

  it("remembers the last 5 batches; an older retry gets 409 DUPLICATE_SEQUENCE", async () => {
    const topic = uniqueTopic("retained");
    await createTopic(topic, 1);
    const firsts: ProduceResponse[] = [];
    for (let batch = 0; batch < 6; batch++) {
      const answer = await send(topic, { id: "p", epoch: 0, sequence: batch * 2 }, 2);
      expect(answer.status).toBe(200);
      firsts.push(answer.json);
    }
    expect(await highWatermark(topic)).toBe(12);
    // Batches 1..5 are retained: each retry answers its original offsets.
    for (let batch = 1; batch < 6; batch++) {
      const retry = await send(topic, { id: "p", epoch: 0, sequence: batch * 2 }, 2);
      expect(retry.json.duplicate).toBe(true);
      expect(retry.json.offsets).toEqual(firsts[batch]!.offsets);
    }
    // Batch 0 was appended but its offsets are forgotten.
    expectError(await send(topic, { id: "p", epoch: 0, sequence: 0 }, 2), 409, "DUPLICATE_SEQUENCE");
    // A sequence inside an old batch but not its first is below nextSequence too.
    expectError(await send(topic, { id: "p", epoch: 0, sequence: 1 }, 1), 409, "DUPLICATE_SEQUENCE");
    expect(await highWatermark(topic)).toBe(12);
  });

  it("fences a lower epoch after a higher one has written (409 PRODUCER_FENCED)", async () => {
    const topic = uniqueTopic("fenced");
    await createTopic(topic, 1);
    await send(topic, { id: "p", epoch: 0, sequence: 0 }, 1);
    expect(offsetsOf(await send(topic, { id: "p", epoch: 1, sequence: 0 }, 1))).toEqual([1]);
    expectError(await send(topic, { id: "p", epoch: 0, sequence: 1 }, 1), 409, "PRODUCER_FENCED");
    // A retry of the old epoch's retained batch is fenced too: the zombie learns it is one.
    expectError(await send(topic, { id: "p", epoch: 0, sequence: 0 }, 1), 409, "PRODUCER_FENCED");
    expect(await highWatermark(topic)).toBe(2);
  });

  it("starts a new epoch at sequence 0 only", async () => {
    const topic = uniqueTopic("epoch");
    await createTopic(topic, 1);
    await send(topic, { id: "p", epoch: 2, sequence: 0 }, 4);
    expectError(await send(topic, { id: "p", epoch: 3, sequence: 4 }, 1), 409, "OUT_OF_ORDER_SEQUENCE");
    expect(await highWatermark(topic)).toBe(4);
    const fresh = await send(topic, { id: "p", epoch: 3, sequence: 0 }, 1);
    expect(offsetsOf(fresh)).toEqual([4]);
    expect(fresh.json.duplicate).toBeUndefined();
    // The new epoch's batch is retained; the old epoch's are not.
    const retry = await send(topic, { id: "p", epoch: 3, sequence: 0 }, 1);
    expect(retry.json.duplicate).toBe(true);
    expect(offsetsOf(retry)).toEqual([4]);
  });

  it("starts an unknown producer id at sequence 0 only (UNKNOWN_PRODUCER_ID), and keeps ids apart", async () => {
    const topic = uniqueTopic("ids");
    await createTopic(topic, 1);
    expectError(await send(topic, { id: "a", epoch: 0, sequence: 7 }, 1), 409, "UNKNOWN_PRODUCER_ID");
    expect(offsetsOf(await send(topic, { id: "a", epoch: 0, sequence: 0 }, 8))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(offsetsOf(await send(topic, { id: "b", epoch: 0, sequence: 0 }, 1))).toEqual([8]);
    expect(offsetsOf(await send(topic, { id: "a", epoch: 0, sequence: 8 }, 1))).toEqual([9]);
    expectError(await send(topic, { id: "b", epoch: 0, sequence: 5 }, 1), 409, "OUT_OF_ORDER_SEQUENCE");
  });

  it("keeps sequences per partition", async () => {
    const topic = uniqueTopic("per-partition");
    await createTopic(topic, 2);
    const producer = { id: "p", epoch: 0, sequence: 0 };
    const p0 = await api<ProduceResponse>("POST", `/v1/topics/${topic}/partitions/0/records`, { records: [{ value: 0 }], producer });
    const p1 = await api<ProduceResponse>("POST", `/v1/topics/${topic}/partitions/1/records`, { records: [{ value: 1 }], producer });
    expect(p0.json.duplicate).toBeUndefined();
    expect(p1.json.duplicate).toBeUndefined();
    expect(p1.json.offsets).toEqual([{ partition: 1, offset: 0 }]);
    const described = await api<TopicDescription>("GET", `/v1/topics/${topic}`);
    expect(described.json.partitions.map((p) => p.highWatermark)).toEqual([1, 1]);
  });
});

describe("idempotent produce on the topic route", () => {
  it("refuses keys that span partitions with 400 INVALID_PRODUCER and appends nothing", async () => {
    const topic = uniqueTopic("span");
    const partitions = 4;
    await createTopic(topic, partitions);
    const keys = Array.from({ length: 20 }, (_, i) => `key-${i}`);
    const first = keys[0]!;
    const other = keys.find((key) => partitionForKey(key, partitions) !== partitionForKey(first, partitions));
    expect(other).toBeDefined();
    const answer = await api("POST", `/v1/topics/${topic}/records`, {
      records: [
        { key: first, value: 1 },
        { key: other, value: 2 },
      ],
      producer: { id: "p", epoch: 0, sequence: 0 },
    });
    expectError(answer, 400, "INVALID_PRODUCER");
    const described = await api<TopicDescription>("GET", `/v1/topics/${topic}`);
    expect(described.json.partitions.every((p) => p.highWatermark === 0)).toBe(true);
  });

  it("accepts keys that all hash to one partition", async () => {
    const topic = uniqueTopic("one-partition");
    const partitions = 3;
    await createTopic(topic, partitions);
    const key = "same-key";
    const answer = await produce(topic, {
      records: [
        { key, value: 1 },
        { key, value: 2 },
      ],
      producer: { id: "p", epoch: 0, sequence: 0 },
    });
    const partition = partitionForKey(key, partitions);
    expect(answer.offsets).toEqual([
      { partition, offset: 0 },
      { partition, offset: 1 },
    ]);
  });

  it("sends keyless records to the same partition on retry, recognised as a duplicate", async () => {
    const topic = uniqueTopic("keyless");
    const partitions = 6;
    await createTopic(topic, partitions);
    for (const id of ["tab-1", "tab-2", "tab-3"]) {
      const request = { records: [{ value: "a" }, { value: "b" }], producer: { id, epoch: 0, sequence: 0 } };
      const first = await produce(topic, request);
      const home = partitionForKey(id, partitions);
      expect(first.offsets.map((p) => p.partition)).toEqual([home, home]);
      for (let retry = 0; retry < 3; retry++) {
        const again = await produce(topic, request);
        expect(again.duplicate).toBe(true);
        expect(again.offsets).toEqual(first.offsets);
      }
    }
    const described = await api<TopicDescription>("GET", `/v1/topics/${topic}`);
    const total = described.json.partitions.reduce((sum, p) => sum + p.highWatermark, 0);
    expect(total).toBe(6);
  });
});
