/**
 * Consumer-group membership over HTTP: members join, heartbeat and leave; every change bumps the
 * generation and reassigns the topic's partitions; silent members expire with the coordinator's
 * alarm (on the clock the test sets and moves); the group's size is bounded.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { GROUP_MEMBERS_MAX } from "../../client/protocol/index.ts";
import { useClock } from "./clock.ts";
import { current, describeGroup, expectSplit, groupStub, heartbeat, join, leave, topicWith, uniqueGroup } from "./group-http.ts";
import { api, expectError } from "./http.ts";

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
