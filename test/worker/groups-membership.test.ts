/**
 * Consumer-group membership over HTTP: members join, heartbeat and leave; every change bumps the
 * generation and reassigns the topic's partitions; silent members expire with the coordinator's
 * alarm; commits carrying a generation are fenced (a zombie's old generation is refused, at the
 * coordinator and again at the partition).
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { GroupDescription, GroupOffsetsResponse } from "../../client/protocol/index.ts";
import { GROUP_MEMBERS_MAX } from "../../client/protocol/index.ts";
import type { MemberAssignment } from "../../worker/group/members.ts";
import { groupStub as groupObject } from "../../worker/object-names.ts";
import { useClock } from "./clock.ts";
import { type Answer, api, createTopic, expectError, partitionStub, produce, topicMeta, uniqueTopic } from "./http.ts";
import { openSocket } from "./socket.ts";

interface JoinBody {
  topic: string;
  memberId?: string;
  assignor?: string;
  sessionTimeoutMs?: number;
}

/** Joins and asserts 200. */
async function join(group: string, body: JoinBody): Promise<MemberAssignment> {
  const answer = await api<MemberAssignment>("POST", `/v1/groups/${group}/members`, body);
  expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  return answer.json;
}

function heartbeat(group: string, memberId: string): Promise<Answer<MemberAssignment>> {
  return api<MemberAssignment>("POST", `/v1/groups/${group}/members/${memberId}/heartbeat`);
}

/** Heartbeats and asserts 200. */
async function current(group: string, memberId: string): Promise<MemberAssignment> {
  const answer = await heartbeat(group, memberId);
  expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  return answer.json;
}

function leave(group: string, memberId: string): Promise<Answer> {
  return api("DELETE", `/v1/groups/${group}/members/${memberId}`);
}

async function describeGroup(group: string): Promise<GroupDescription> {
  const answer = await api<GroupDescription>("GET", `/v1/groups/${group}`);
  expect(answer.status).toBe(200);
  return answer.json;
}

function commit(group: string, body: unknown): Promise<Answer> {
  return api("PUT", `/v1/groups/${group}/offsets`, body);
}

async function groupOffsets(group: string, topic: string): Promise<GroupOffsetsResponse> {
  const answer = await api<GroupOffsetsResponse>("GET", `/v1/groups/${group}/offsets?topic=${topic}`);
  expect(answer.status).toBe(200);
  return answer.json;
}

function uniqueGroup(prefix: string): string {
  return uniqueTopic(`group-${prefix}`);
}

function groupStub(group: string) {
  return groupObject(env, group);
}

/** Asserts the assignments split `partitions` partitions: disjoint, all covered, one generation. */
function expectSplit(assignments: MemberAssignment[], partitions: number): void {
  const all = assignments.flatMap((a) => a.partitions).sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: partitions }, (_, p) => p));
  expect(new Set(assignments.map((a) => a.generation)).size).toBe(1);
}

/** A topic with `partitions` partitions and `perPartition` records on each. */
async function topicWith(prefix: string, partitions: number, perPartition = 0): Promise<string> {
  const topic = uniqueTopic(prefix);
  await createTopic(topic, partitions);
  for (let p = 0; p < partitions && perPartition > 0; p++) {
    await produce(topic, { records: Array.from({ length: perPartition }, (_, i) => ({ value: i })) }, p);
  }
  return topic;
}

describe("group membership", () => {
  it("splits 6 partitions among 3 members: 2 each, disjoint, one generation", async () => {
    const topic = await topicWith("split", 6);
    const group = uniqueGroup("split");
    const first = await join(group, { topic });
    // Alone, the first member owns everything.
    expect(first).toEqual({ memberId: expect.any(String), generation: 1, partitions: [0, 1, 2, 3, 4, 5] });
    const second = await join(group, { topic });
    const third = await join(group, { topic });
    expect(second.generation).toBe(2);
    expect(third.generation).toBe(3);
    expect(new Set([first.memberId, second.memberId, third.memberId]).size).toBe(3);
    const now = await Promise.all([first, second, third].map((m) => current(group, m.memberId)));
    for (const assignment of now) {
      expect(assignment.partitions).toHaveLength(2);
      expect(assignment.generation).toBe(3);
    }
    expectSplit(now, 6);
    const description = await describeGroup(group);
    expect(description).toMatchObject({ group, topic, assignor: "range", generation: 3 });
    expect(description.members.map((m) => m.memberId).sort()).toEqual(now.map((m) => m.memberId).sort());
    for (const member of description.members) {
      expect(member.partitions).toEqual(now.find((m) => m.memberId === member.memberId)!.partitions);
    }
  });

  it("moves a leaving member's partitions to the others and bumps the generation", async () => {
    const topic = await topicWith("leave", 6);
    const group = uniqueGroup("leave");
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await join(group, { topic, assignor: "sticky" })).memberId);
    const before = await Promise.all(ids.map((id) => current(group, id)));
    expectSplit(before, 6);
    const [gone, ...survivors] = before;
    const left = await leave(group, gone!.memberId);
    expect(left.status).toBe(204);
    const after = await Promise.all(survivors.map((m) => current(group, m.memberId)));
    expectSplit(after, 6);
    for (const [i, assignment] of after.entries()) {
      expect(assignment.generation).toBe(before[0]!.generation + 1);
      expect(assignment.partitions).toHaveLength(3);
      // Sticky: a survivor keeps what it had and takes one of the leaver's.
      expect(assignment.partitions).toEqual(expect.arrayContaining(survivors[i]!.partitions));
    }
    expect(after.flatMap((a) => a.partitions)).toEqual(expect.arrayContaining(gone!.partitions));
    // The one who left is unknown now: its heartbeat, and a second leave, say so.
    expectError(await heartbeat(group, gone!.memberId), 404, "UNKNOWN_MEMBER_ID");
    expectError(await leave(group, gone!.memberId), 404, "UNKNOWN_MEMBER_ID");
    expect((await describeGroup(group)).members).toHaveLength(2);
  });

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

  it("answers a removed member's heartbeat with 404 UNKNOWN_MEMBER_ID", async () => {
    const topic = await topicWith("removed", 3);
    const group = uniqueGroup("removed");
    const member = await join(group, { topic });
    expect((await heartbeat(group, member.memberId)).status).toBe(200);
    expect((await leave(group, member.memberId)).status).toBe(204);
    expectError(await heartbeat(group, member.memberId), 404, "UNKNOWN_MEMBER_ID");
    expectError(await heartbeat(group, "never-joined"), 404, "UNKNOWN_MEMBER_ID");
    // Joining again with the same id works and is a new membership (a new generation).
    const back = await join(group, { topic, memberId: member.memberId });
    expect(back).toEqual({ memberId: member.memberId, generation: member.generation + 2, partitions: [0, 1, 2] });
  });

  it("keeps a member's own id, and a rejoin with it does not rebalance", async () => {
    const topic = await topicWith("own-id", 4);
    const group = uniqueGroup("own-id");
    const a = await join(group, { topic, memberId: "device:a-1" });
    expect(a.memberId).toBe("device:a-1");
    const b = await join(group, { topic, memberId: "device:b-1" });
    const again = await join(group, { topic, memberId: "device:a-1" });
    expect(again.generation).toBe(b.generation);
    expect(again).toEqual(await current(group, "device:a-1"));
    expect((await describeGroup(group)).members).toHaveLength(2);
  });

  it("removes a member whose session ran out when the alarm runs, and moves its partitions", async () => {
    const topic = await topicWith("expiry", 6);
    const group = uniqueGroup("expiry");
    const clock = await useClock(groupStub(group));
    const silent = await join(group, { topic, sessionTimeoutMs: 1_000 });
    const alive = await join(group, { topic, sessionTimeoutMs: 1_000 });
    const split = await Promise.all([silent, alive].map((m) => current(group, m.memberId)));
    expectSplit(split, 6);
    expect(split[0]!.partitions).toHaveLength(3);
    // The coordinator has an alarm set for the earliest session end.
    const alarm = await runInDurableObject(groupStub(group), (_, state) => state.storage.getAlarm());
    expect(alarm).toBe(clock.now() + 1_000);
    // `alive` heartbeats every 600 ms of the clock; `silent` does not. Past its timeout the alarm removes it.
    for (let beat = 0; beat < 2; beat++) {
      clock.advance(600);
      await current(group, alive.memberId);
    }
    await runDurableObjectAlarm(groupStub(group));
    const description = await describeGroup(group);
    expect(description.members.map((m) => m.memberId)).toEqual([alive.memberId]);
    // The next alarm is for the survivor's session end, not in the past.
    const next = await runInDurableObject(groupStub(group), (_, state) => state.storage.getAlarm());
    expect(next).toBe(description.members[0]!.lastSeen + 1_000);
    expectError(await heartbeat(group, silent.memberId), 404, "UNKNOWN_MEMBER_ID");
    const after = await current(group, alive.memberId);
    expect(after.partitions).toEqual([0, 1, 2, 3, 4, 5]);
    expect(after.generation).toBe(split[0]!.generation + 1);
  });

  it("keeps a member whose session is not over when the alarm runs", async () => {
    const topic = await topicWith("kept", 2);
    const group = uniqueGroup("kept");
    const clock = await useClock(groupStub(group));
    const member = await join(group, { topic, sessionTimeoutMs: 60_000 });
    clock.advance(59_999);
    await runDurableObjectAlarm(groupStub(group));
    expect(await current(group, member.memberId)).toEqual(member);
  });

  it("refuses a join with another topic or assignor while members exist (409 INCONSISTENT_GROUP)", async () => {
    const topic = await topicWith("consistent", 3);
    const otherTopic = await topicWith("consistent-other", 3);
    const group = uniqueGroup("consistent");
    const member = await join(group, { topic, assignor: "range" });
    expectError(await api("POST", `/v1/groups/${group}/members`, { topic: otherTopic }), 409, "INCONSISTENT_GROUP");
    expectError(await api("POST", `/v1/groups/${group}/members`, { topic, assignor: "roundrobin" }), 409, "INCONSISTENT_GROUP");
    expectError(await api("POST", `/v1/groups/${group}/members`, { topic, assignor: "sticky" }), 409, "INCONSISTENT_GROUP");
    // Nothing changed: one member, the same generation.
    const description = await describeGroup(group);
    expect(description.members).toHaveLength(1);
    expect(description.generation).toBe(member.generation);
    // Once the group is empty, it may take another topic and assignor.
    expect((await leave(group, member.memberId)).status).toBe(204);
    const moved = await join(group, { topic: otherTopic, assignor: "roundrobin" });
    expect(moved.partitions).toEqual([0, 1, 2]);
    expect(await describeGroup(group)).toMatchObject({ topic: otherTopic, assignor: "roundrobin" });
  });

  it("answers a join to an unknown topic with 404 UNKNOWN_TOPIC", async () => {
    const group = uniqueGroup("unknown");
    expectError(await api("POST", `/v1/groups/${group}/members`, { topic: "no-such-topic-for-groups" }), 404, "UNKNOWN_TOPIC");
    const description = await describeGroup(group);
    expect(description.members).toEqual([]);
    expect(description.generation).toBe(0);
  });

  it("refuses bad join bodies with 400 and stable codes", async () => {
    const topic = await topicWith("bad-join", 1);
    const group = uniqueGroup("bad-join");
    const path = `/v1/groups/${group}/members`;
    expectError(await api("POST", path, "{not json"), 400, "INVALID_JSON");
    expectError(await api("POST", path, []), 400, "INVALID_REQUEST");
    expectError(await api("POST", path, {}), 400, "INVALID_TOPIC_NAME");
    expectError(await api("POST", path, { topic: "bad name!" }), 400, "INVALID_TOPIC_NAME");
    expectError(await api("POST", path, { topic, extra: 1 }), 400, "INVALID_REQUEST");
    expectError(await api("POST", path, { topic, assignor: "greedy" }), 400, "INVALID_REQUEST");
    expectError(await api("POST", path, { topic, sessionTimeoutMs: 999 }), 400, "INVALID_REQUEST");
    expectError(await api("POST", path, { topic, sessionTimeoutMs: 300_001 }), 400, "INVALID_REQUEST");
    expectError(await api("POST", path, { topic, sessionTimeoutMs: 1_500.5 }), 400, "INVALID_REQUEST");
    expectError(await api("POST", path, { topic, memberId: "" }), 400, "INVALID_REQUEST");
    expectError(await api("POST", path, { topic, memberId: "has space" }), 400, "INVALID_REQUEST");
    expectError(await api("POST", path, { topic, memberId: "x".repeat(65) }), 400, "INVALID_REQUEST");
    expectError(await api("POST", `/v1/groups/bad group/members`, { topic }), 400, "INVALID_GROUP_NAME");
    expectError(await heartbeat(group, "bad member!"), 400, "INVALID_REQUEST");
    expect((await describeGroup(group)).members).toEqual([]);
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
});

describe("commits to a group with members (D7, D8)", () => {
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

describe("group size", () => {
  it("refuses a join past GROUP_MEMBERS_MAX members with 409 GROUP_MAX_SIZE_REACHED", async () => {
    const topic = await topicWith("full", 2);
    const group = uniqueGroup("full");
    const first = await join(group, { topic, memberId: "seed-0000" });
    // Fill the members table directly (a thousand HTTP joins would rebalance a thousand times).
    await runInDurableObject(groupStub(group), (_, state) => {
      const now = Date.now();
      for (let i = 1; i < GROUP_MEMBERS_MAX; i++) {
        state.storage.sql.exec(
          "INSERT INTO members (member_id, partitions, session_timeout_ms, last_seen, via_socket) VALUES (?, '[]', 60000, ?, 0)",
          `seed-${String(i).padStart(4, "0")}`,
          now,
        );
      }
    });
    expect((await describeGroup(group)).members).toHaveLength(GROUP_MEMBERS_MAX);
    expectError(await api("POST", `/v1/groups/${group}/members`, { topic }), 409, "GROUP_MAX_SIZE_REACHED");
    expectError(await api("POST", `/v1/groups/${group}/members`, { topic, memberId: "one-more" }), 409, "GROUP_MAX_SIZE_REACHED");
    expect((await describeGroup(group)).members).toHaveLength(GROUP_MEMBERS_MAX);
    // A member already in the group may still rejoin; after one leaves, a newcomer fits.
    expect((await join(group, { topic, memberId: first.memberId })).memberId).toBe(first.memberId);
    expect((await leave(group, "seed-0999")).status).toBe(204);
    const newcomer = await join(group, { topic, memberId: "one-more" });
    expect(newcomer.memberId).toBe("one-more");
    expect((await describeGroup(group)).members).toHaveLength(GROUP_MEMBERS_MAX);
  });
});
