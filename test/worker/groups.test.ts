/**
 * Consumer-group offsets: `PUT /v1/groups/:group/offsets` commits, `GET ...?topic=T` reports the
 * committed offset, its metadata and the lag per partition.
 */
import { describe, expect, it } from "vitest";
import type { CommitResponse, GroupOffsetsResponse } from "../../client/protocol/index.ts";
import { api, createTopic, expectError, produce, uniqueTopic } from "./http.ts";

function commit(group: string, offsets: { topic: string; partition: number; offset: number; metadata?: string }[]) {
  return api<CommitResponse>("PUT", `/v1/groups/${group}/offsets`, { offsets });
}

function groupOffsets(group: string, topic: string) {
  return api<GroupOffsetsResponse>("GET", `/v1/groups/${group}/offsets?topic=${topic}`);
}

/** A topic with `counts[p]` records on partition p. */
async function topicWith(prefix: string, counts: number[]): Promise<string> {
  const topic = uniqueTopic(prefix);
  await createTopic(topic, counts.length);
  for (const [partition, count] of counts.entries()) {
    if (count > 0) await produce(topic, { records: Array.from({ length: count }, (_, i) => ({ value: i })) }, partition);
  }
  return topic;
}

describe("group offsets", () => {
  it("reports the committed offset, metadata and lag; null where never committed", async () => {
    const topic = await topicWith("lag", [10, 4, 7]);
    const committed = await commit("billing", [
      { topic, partition: 0, offset: 6, metadata: "host-a" },
      { topic, partition: 2, offset: 7 },
    ]);
    expect(committed.status).toBe(200);
    expect(committed.json.offsets).toEqual([
      { topic, partition: 0, offset: 6 },
      { topic, partition: 2, offset: 7 },
    ]);
    const answer = await groupOffsets("billing", topic);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      group: "billing",
      topic,
      partitions: [
        { partition: 0, logStartOffset: 0, highWatermark: 10, committedOffset: 6, metadata: "host-a", lag: 4 },
        { partition: 1, logStartOffset: 0, highWatermark: 4, committedOffset: null, metadata: null, lag: null },
        { partition: 2, logStartOffset: 0, highWatermark: 7, committedOffset: 7, metadata: null, lag: 0 },
      ],
      totalLag: 4,
    });
  });

  it("follows new records in the lag and a later commit in the offset", async () => {
    const topic = await topicWith("moving", [3]);
    await commit("g", [{ topic, partition: 0, offset: 1, metadata: "first" }]);
    await produce(topic, { records: [{ value: "more" }, { value: "more" }] }, 0);
    const grown = await groupOffsets("g", topic);
    expect(grown.json.partitions[0]).toMatchObject({ highWatermark: 5, committedOffset: 1, metadata: "first", lag: 4 });
    // A later commit replaces offset and metadata (even moving back, as Kafka allows).
    await commit("g", [{ topic, partition: 0, offset: 0 }]);
    const rewound = await groupOffsets("g", topic);
    expect(rewound.json.partitions[0]).toMatchObject({ committedOffset: 0, metadata: null, lag: 5 });
    expect(rewound.json.totalLag).toBe(5);
  });

  it("keeps groups apart", async () => {
    const topic = await topicWith("groups", [5]);
    await commit("one", [{ topic, partition: 0, offset: 2 }]);
    await commit("two", [{ topic, partition: 0, offset: 5 }]);
    expect((await groupOffsets("one", topic)).json.partitions[0]!.committedOffset).toBe(2);
    expect((await groupOffsets("two", topic)).json.partitions[0]!.committedOffset).toBe(5);
    expect((await groupOffsets("three", topic)).json.partitions[0]!.committedOffset).toBeNull();
  });

  it("refuses a commit past the end with 416 OFFSET_OUT_OF_RANGE", async () => {
    const topic = await topicWith("past-end", [3]);
    expectError(await commit("g", [{ topic, partition: 0, offset: 4 }]), 416, "OFFSET_OUT_OF_RANGE");
    expect((await groupOffsets("g", topic)).json.partitions[0]!.committedOffset).toBeNull();
    // The high watermark itself is a valid commit: everything read, lag 0.
    expect((await commit("g", [{ topic, partition: 0, offset: 3 }])).status).toBe(200);
    expect((await groupOffsets("g", topic)).json.partitions[0]).toMatchObject({ committedOffset: 3, lag: 0 });
  });

  it("commits nothing when one entry names an unknown topic", async () => {
    const topic = await topicWith("mixed", [5]);
    const missing = uniqueTopic("missing");
    const answer = await commit("g", [
      { topic, partition: 0, offset: 2 },
      { topic: missing, partition: 0, offset: 0 },
    ]);
    expectError(answer, 404, "UNKNOWN_TOPIC");
    expect((await groupOffsets("g", topic)).json.partitions[0]!.committedOffset).toBeNull();
  });

  it("commits nothing when one entry names an unknown partition", async () => {
    const topic = await topicWith("bad-partition", [5, 5]);
    const answer = await commit("g", [
      { topic, partition: 1, offset: 2 },
      { topic, partition: 2, offset: 0 },
    ]);
    expectError(answer, 404, "UNKNOWN_PARTITION");
    expect((await groupOffsets("g", topic)).json.partitions[1]!.committedOffset).toBeNull();
  });

  it("answers 404 UNKNOWN_TOPIC for the offsets of an unknown topic", async () => {
    expectError(await groupOffsets("g", uniqueTopic("nothing")), 404, "UNKNOWN_TOPIC");
  });
});
