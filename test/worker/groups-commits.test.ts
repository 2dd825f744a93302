/**
 * Consumer-group commits with a membership: a member's commit carries its memberId and generation
 * and is fenced (a zombie's old generation is refused at the coordinator and again at the
 * partition); a standalone commit is refused while the group has members; lag shows over HTTP.
 */
import { describe, expect, it } from "vitest";
import { commit, current, groupOffsets, join, leave, topicWith, uniqueGroup } from "./group-http.ts";
import { expectError, partitionStub, topicMeta } from "./http.ts";
import { openSocket } from "./socket.ts";

describe("group commits", () => {
  it("refuses a zombie's commit with its old generation and keeps the committed offset", async () => {
    const topic = await topicWith("zombie", 2, 10);
    const group = uniqueGroup("zombie");
    const zombie = await join(group, { topic });
    expect(zombie.generation).toBe(1);
    const first = await commit(group, { offsets: [{ topic, partition: 0, offset: 3 }], memberId: zombie.memberId, generation: 1 });
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    // A second member joins: generation 2. The first, unaware, commits with generation 1.
    const other = await join(group, { topic });
    expect(other.generation).toBe(2);
    const stale = await commit(group, { offsets: [{ topic, partition: 0, offset: 7 }], memberId: zombie.memberId, generation: 1 });
    expectError(stale, 409, "ILLEGAL_GENERATION");
    expect((await groupOffsets(group, topic)).partitions[0]!.committedOffset).toBe(3);
    // A generation from the future is no better.
    expectError(
      await commit(group, { offsets: [{ topic, partition: 0, offset: 7 }], memberId: zombie.memberId, generation: 3 }),
      409,
      "ILLEGAL_GENERATION",
    );
    // With the current generation, the same member's commit goes through.
    const fresh = await current(group, zombie.memberId);
    expect(fresh.generation).toBe(2);
    const ok = await commit(group, { offsets: [{ topic, partition: 0, offset: 7 }], memberId: zombie.memberId, generation: 2 });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect(ok.json).toEqual({ offsets: [{ topic, partition: 0, offset: 7 }] });
    expect((await groupOffsets(group, topic)).partitions[0]!.committedOffset).toBe(7);
  });

  it("refuses a commit from a member that is not in the group, and a commit for another topic", async () => {
    const topic = await topicWith("stranger", 2, 4);
    const otherTopic = await topicWith("stranger-other", 2, 4);
    const group = uniqueGroup("stranger");
    const member = await join(group, { topic });
    expectError(
      await commit(group, { offsets: [{ topic, partition: 0, offset: 1 }], memberId: "not-a-member", generation: member.generation }),
      404,
      "UNKNOWN_MEMBER_ID",
    );
    expectError(
      await commit(group, {
        offsets: [{ topic: otherTopic, partition: 0, offset: 1 }],
        memberId: member.memberId,
        generation: member.generation,
      }),
      409,
      "INCONSISTENT_GROUP",
    );
    // A list naming the group's topic and another commits nothing, not even the valid entry.
    expectError(
      await commit(group, {
        offsets: [
          { topic, partition: 0, offset: 1 },
          { topic: otherTopic, partition: 1, offset: 1 },
        ],
        memberId: member.memberId,
        generation: member.generation,
      }),
      409,
      "INCONSISTENT_GROUP",
    );
    // A partition the topic does not have is UNKNOWN_PARTITION, as for a standalone commit.
    expectError(
      await commit(group, { offsets: [{ topic, partition: 2, offset: 0 }], memberId: member.memberId, generation: member.generation }),
      404,
      "UNKNOWN_PARTITION",
    );
    expect((await groupOffsets(group, otherTopic)).partitions[0]!.committedOffset).toBeNull();
    expect((await groupOffsets(group, topic)).partitions[0]!.committedOffset).toBeNull();
    // Half a member identity is a bad request.
    expectError(await commit(group, { offsets: [{ topic, partition: 0, offset: 1 }], memberId: member.memberId }), 400, "INVALID_REQUEST");
  });

  it("shows lag over HTTP after a member's commits", async () => {
    const topic = await topicWith("lag", 3, 5);
    const group = uniqueGroup("lag");
    const member = await join(group, { topic });
    const answer = await commit(group, {
      offsets: [
        { topic, partition: 0, offset: 5 },
        { topic, partition: 1, offset: 2, metadata: "half" },
      ],
      memberId: member.memberId,
      generation: member.generation,
    });
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    expect(await groupOffsets(group, topic)).toEqual({
      group,
      topic,
      partitions: [
        { partition: 0, logStartOffset: 0, highWatermark: 5, committedOffset: 5, metadata: null, lag: 0 },
        { partition: 1, logStartOffset: 0, highWatermark: 5, committedOffset: 2, metadata: "half", lag: 3 },
        { partition: 2, logStartOffset: 0, highWatermark: 5, committedOffset: null, metadata: null, lag: null },
      ],
      totalLag: 3,
    });
  });

  it("fences at the partition: after generation 3 committed there, generation 2 is refused", async () => {
    const topic = await topicWith("fence", 1, 10);
    const group = uniqueGroup("fence");
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await join(group, { topic })).memberId);
    const member = await current(group, ids[0]!);
    expect(member.generation).toBe(3);
    expect((await commit(group, { offsets: [{ topic, partition: 0, offset: 6 }], memberId: member.memberId, generation: 3 })).status).toBe(
      200,
    );

    // Over the partition's socket, a member's commit with generation 2 is refused.
    const sock = await openSocket(topic, 0);
    try {
      sock.send({ type: "commit", id: "old", group, offset: 2, generation: 2, memberId: member.memberId });
      sock.send({ type: "commit", id: "new", group, offset: 8, generation: 3, memberId: member.memberId });
      expect(await sock.next("error")).toMatchObject({ id: "old", code: "ILLEGAL_GENERATION" });
      expect(await sock.next("committed")).toMatchObject({ id: "new", group, offset: 8 });
    } finally {
      sock.close();
    }
    expect((await groupOffsets(group, topic)).partitions[0]!.committedOffset).toBe(8);

    // The partition itself fences too, even when asked directly (a zombie whose commit raced a
    // rebalance past the coordinator's check): generation 2 after 3 is refused, 3 and 4 pass.
    const { topicId } = await topicMeta(topic);
    const stub = await partitionStub(topic, 0);
    expect(await stub.commit(topicId, group, 1, null, 2)).toMatchObject({ ok: false, error: { code: "ILLEGAL_GENERATION" } });
    expect((await groupOffsets(group, topic)).partitions[0]!.committedOffset).toBe(8);
    expect(await stub.commit(topicId, group, 9, null, 3)).toEqual({ ok: true, value: null });
    expect(await stub.commit(topicId, group, 9, null, 4)).toEqual({ ok: true, value: null });
    expect(await stub.commit(topicId, group, 9, null, 3)).toMatchObject({ ok: false, error: { code: "ILLEGAL_GENERATION" } });
    // A standalone commit (no generation) neither is fenced nor lowers the fence.
    expect(await stub.commit(topicId, group, 10, null, null)).toEqual({ ok: true, value: null });
    expect(await stub.commit(topicId, group, 10, null, 3)).toMatchObject({ ok: false, error: { code: "ILLEGAL_GENERATION" } });
    expect((await groupOffsets(group, topic)).partitions[0]!.committedOffset).toBe(10);
  });

  it("refuses a member's commit over the socket of a partition of another topic", async () => {
    const topic = await topicWith("socket-topic", 1, 5);
    const otherTopic = await topicWith("socket-topic-other", 1, 5);
    const group = uniqueGroup("socket-topic");
    const member = await join(group, { topic });
    const sock = await openSocket(otherTopic, 0);
    try {
      sock.send({ type: "commit", id: "c", group, offset: 3, generation: member.generation, memberId: member.memberId });
      expect(await sock.next("error")).toMatchObject({ id: "c", code: "INCONSISTENT_GROUP" });
    } finally {
      sock.close();
    }
    expect((await groupOffsets(group, otherTopic)).partitions[0]!.committedOffset).toBeNull();
  });

  it("refuses a standalone commit while the group has members, over HTTP and the partition socket (D7)", async () => {
    const topic = await topicWith("standalone", 1, 5);
    const group = uniqueGroup("standalone");
    const member = await join(group, { topic });
    const ok = await commit(group, { offsets: [{ topic, partition: 0, offset: 2 }], memberId: member.memberId, generation: 1 });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    const message = `group "${group}" has live members; a commit must carry memberId and generation`;
    // Over HTTP: refused, and the committed offset does not move back from 2 to 1.
    const refused = await commit(group, { offsets: [{ topic, partition: 0, offset: 1 }] });
    expectError(refused, 404, "UNKNOWN_MEMBER_ID");
    expect(refused.json.error.message).toBe(message);
    // Over the partition's socket: the same answer.
    const sock = await openSocket(topic, 0);
    try {
      await sock.next("hello");
      sock.send({ type: "commit", id: "c1", group, offset: 1 });
      expect(await sock.next("error")).toEqual({ type: "error", id: "c1", code: "UNKNOWN_MEMBER_ID", message });
      expect((await groupOffsets(group, topic)).partitions[0]!.committedOffset).toBe(2);
      // Once the group is empty, standalone commits are accepted again, on both paths.
      expect((await leave(group, member.memberId)).status).toBe(204);
      sock.send({ type: "commit", id: "c2", group, offset: 1 });
      expect(await sock.next("committed")).toEqual({ type: "committed", id: "c2", group, offset: 1 });
      expect((await commit(group, { offsets: [{ topic, partition: 0, offset: 3 }] })).status).toBe(200);
      expect((await groupOffsets(group, topic)).partitions[0]!.committedOffset).toBe(3);
    } finally {
      sock.close();
    }
  });

  it("says truly why a generation is refused: an older one is over, a newer one is not the group's (D8)", async () => {
    const topic = await topicWith("generations", 1, 5);
    const group = uniqueGroup("generations");
    const first = await join(group, { topic });
    await join(group, { topic });
    const older = "generation 1 is over; the group is at generation 2";
    const newer = "generation 3 is not the group's; the group is at generation 2 (join again)";
    const entry = { topic, partition: 0, offset: 1 };
    const http = (generation: number) => commit(group, { offsets: [entry], memberId: first.memberId, generation });
    for (const [generation, message] of [
      [1, older],
      [3, newer],
    ] as const) {
      const answer = await http(generation);
      expectError(answer, 409, "ILLEGAL_GENERATION");
      expect(answer.json.error.message).toBe(message);
    }
    const sock = await openSocket(topic, 0);
    try {
      await sock.next("hello");
      sock.send({ type: "commit", id: "old", group, offset: 1, memberId: first.memberId, generation: 1 });
      expect(await sock.next("error")).toEqual({ type: "error", id: "old", code: "ILLEGAL_GENERATION", message: older });
      sock.send({ type: "commit", id: "new", group, offset: 1, memberId: first.memberId, generation: 3 });
      expect(await sock.next("error")).toEqual({ type: "error", id: "new", code: "ILLEGAL_GENERATION", message: newer });
    } finally {
      sock.close();
    }
    expect((await groupOffsets(group, topic)).partitions[0]!.committedOffset).toBeNull();
  });
});
