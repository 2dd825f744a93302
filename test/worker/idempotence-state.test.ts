/**
 * Idempotent producers under pipelining and under many producers (issue 10): exactly once from a
 * producer's first request, and a producer remembered while any of its batches is in the log.
 * Before: a new producer's `sequence 1` that overtook its `sequence 0` was appended, so
 * `sequence 0` was answered DUPLICATE_SEQUENCE (treated as delivered: lost); and after 10,000
 * other producer ids wrote, a forgotten producer's retry was appended twice.
 * Rules: PROTOCOL.md PRODUCER-4, PRODUCER-7, PRODUCER-9, PRODUCER-10.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ProduceResponse, ProducerInput } from "../../client/protocol/index.ts";
import { encodeRecord, PRODUCERS_PER_PARTITION_MAX } from "../../client/protocol/index.ts";
import type { Partition } from "../../worker/partition/partition.ts";
import { type Answer, api, createTopic, expectError, fetchRecords, partitionStub, readAll, topicMeta, uniqueTopic } from "./http.ts";

function send(topic: string, producer: ProducerInput, values: readonly string[]): Promise<Answer<ProduceResponse>> {
  return api<ProduceResponse>("POST", `/v1/topics/${topic}/partitions/0/records`, {
    records: values.map((value) => ({ value })),
    producer,
  });
}

const offsetsOf = (answer: Answer<ProduceResponse>) => answer.json.offsets.map((p) => p.offset);

/** `count` producers `prefix-0..` each append one record to partition 0, inside the object (fast). */
async function manyProducers(topic: string, prefix: string, count: number): Promise<void> {
  const { topicId } = await topicMeta(topic);
  const tail = encodeRecord({ value: 0 }, "records[0]").tail;
  await runInDurableObject(await partitionStub(topic, 0), (instance: Partition) => {
    for (let i = 0; i < count; i++) {
      instance.appendNow({ topicId, timestamps: [null], tails: [tail], producer: { id: `${prefix}-${i}`, epoch: 0, sequence: 0 } });
    }
  });
}

async function producerRows(topic: string): Promise<number> {
  return runInDurableObject(await partitionStub(topic, 0), (_, state) => {
    return state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM producers").one().n;
  });
}

describe("a new producer under pipelining", () => {
  it("refuses a second request that overtakes the first (UNKNOWN_PRODUCER_ID), so both land once, in order", async () => {
    const topic = uniqueTopic("overtake");
    await createTopic(topic, 1);
    // The second request arrives first: nothing of it is appended.
    expectError(await send(topic, { id: "fresh", epoch: 0, sequence: 1 }, ["second"]), 409, "UNKNOWN_PRODUCER_ID");
    expect((await fetchRecords(topic, 0, { offset: "latest" })).highWatermark).toBe(0);
    // Then the first, then the second again.
    expect(offsetsOf(await send(topic, { id: "fresh", epoch: 0, sequence: 0 }, ["first"]))).toEqual([0]);
    expect(offsetsOf(await send(topic, { id: "fresh", epoch: 0, sequence: 1 }, ["second"]))).toEqual([1]);
    expect((await readAll(topic, 0)).map((r) => r.value)).toEqual(["first", "second"]);
  });

  it("takes a new producer at sequence 0 in any epoch", async () => {
    const topic = uniqueTopic("new-epoch");
    await createTopic(topic, 1);
    expect(offsetsOf(await send(topic, { id: "e", epoch: 7, sequence: 0 }, ["a"]))).toEqual([0]);
    expectError(await send(topic, { id: "f", epoch: 7, sequence: 3 }, ["b"]), 409, "UNKNOWN_PRODUCER_ID");
  });
});

describe("producers remembered while their batches are in the log", () => {
  it(`recognises a retry after ${PRODUCERS_PER_PARTITION_MAX} other producer ids wrote`, async () => {
    const topic = uniqueTopic("many-producers");
    await createTopic(topic, 1);
    const first = await send(topic, { id: "early", epoch: 0, sequence: 0 }, ["once"]);
    expect(offsetsOf(first)).toEqual([0]);
    await manyProducers(topic, "other", PRODUCERS_PER_PARTITION_MAX);
    const retry = await send(topic, { id: "early", epoch: 0, sequence: 0 }, ["once"]);
    expect(retry.status).toBe(200);
    expect(retry.json).toEqual({ offsets: [{ partition: 0, offset: 0 }], duplicate: true });
    expect((await fetchRecords(topic, 0, { offset: "latest" })).highWatermark).toBe(PRODUCERS_PER_PARTITION_MAX + 1);
    // Every producer is still known: their state is bounded by their batches in the log.
    expect(await producerRows(topic)).toBe(PRODUCERS_PER_PARTITION_MAX + 1);
    expect(offsetsOf(await send(topic, { id: "early", epoch: 0, sequence: 1 }, ["next"]))).toEqual([PRODUCERS_PER_PARTITION_MAX + 1]);
  });

  it("forgets producers whose batches all left the log, past the limit; a forgotten one's next request is UNKNOWN_PRODUCER_ID", async () => {
    const topic = uniqueTopic("forgotten");
    await createTopic(topic, 1);
    expect(offsetsOf(await send(topic, { id: "gone", epoch: 0, sequence: 0 }, ["a"]))).toEqual([0]);
    await manyProducers(topic, "old", PRODUCERS_PER_PARTITION_MAX);
    const end = PRODUCERS_PER_PARTITION_MAX + 1;
    // deleteRecords: every batch written so far leaves the log.
    expect((await api("DELETE", `/v1/topics/${topic}/partitions/0/records?before=${end}`)).status).toBe(200);
    // One more new producer: past the limit, the producers with nothing in the log are forgotten.
    await manyProducers(topic, "new", 1);
    expect(await producerRows(topic)).toBe(1);
    // Detectable: not a silent duplicate, not a silent loss.
    expectError(await send(topic, { id: "gone", epoch: 0, sequence: 1 }, ["b"]), 409, "UNKNOWN_PRODUCER_ID");
    expect((await fetchRecords(topic, 0, { offset: "latest" })).highWatermark).toBe(end + 1);
  });
});
