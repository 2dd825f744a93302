/**
 * Group members over WebSocket (`GET /v1/groups/:group/ws`): a socket joins with `join` and gets
 * `joined` before any `assignment`; every later rebalance pushes each socket member an
 * `assignment`; closing the socket or sending `leave` removes the member; socket and HTTP members
 * share one group; a silent member's session runs out on the clock the test moves.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { GroupServerMessage } from "../../client/protocol/index.ts";
import type { MemberAssignment } from "../../worker/group/members.ts";
import { useClock } from "./clock.ts";
import { describeGroup, groupStub, topicWith, uniqueGroup } from "./group-http.ts";
import { type GroupMessage, GroupSocket } from "./group-socket.ts";
import { api, expectError } from "./http.ts";

type Message<T extends GroupServerMessage["type"]> = GroupMessage<T>;

/** Asserts the partition lists split `partitions` partitions: disjoint, all covered. */
function expectPartitions(lists: number[][], partitions: number): void {
  expect(lists.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: partitions }, (_, p) => p));
}

describe("group sockets", () => {
  it("joins two sockets, pushing the first its new assignment when the second joins", async () => {
    const topic = await topicWith("two", 6);
    const group = uniqueGroup("two");
    const a = await GroupSocket.open(group);
    const b = await GroupSocket.open(group);
    try {
      const joinedA = await a.join("ja", { topic });
      expect(joinedA).toEqual({ type: "joined", id: "ja", memberId: expect.any(String), generation: 1, partitions: [0, 1, 2, 3, 4, 5] });
      const joinedB = await b.join("jb", { topic, assignor: "range" });
      expect(joinedB.generation).toBe(2);
      expect(joinedB.memberId).not.toBe(joinedA.memberId);
      const pushed = await a.next("assignment", (m) => m.generation === 2);
      expect(pushed.memberId).toBe(joinedA.memberId);
      expect(pushed.partitions).toHaveLength(3);
      expect(joinedB.partitions).toHaveLength(3);
      expectPartitions([pushed.partitions, joinedB.partitions], 6);
      const description = await describeGroup(group);
      expect(description.generation).toBe(2);
      expect(description.members.every((m) => m.viaSocket)).toBe(true);
    } finally {
      a.close();
      b.close();
    }
  });

  it("sends a joiner `joined` before any assignment, and no assignment of its own generation (D6)", async () => {
    const topic = await topicWith("joined-first", 4);
    const group = uniqueGroup("joined-first");
    const a = await GroupSocket.open(group);
    const b = await GroupSocket.open(group);
    try {
      await a.join("ja", { topic });
      const joinedB = await b.join("jb", { topic });
      await a.next("assignment", (m) => m.generation === joinedB.generation);
      // Everything either socket was sent is in by the time it answers a bad frame.
      for (const sock of [a, b]) {
        sock.send({ type: "dance", id: "barrier" });
        await sock.next("error", (m) => m.id === "barrier");
      }
      const seen = (sock: GroupSocket) => sock.received.map((m) => `${m.type}${"generation" in m ? ` ${m.generation}` : ""}`);
      expect(seen(a)).toEqual(["joined 1", "assignment 2", "error"]);
      expect(seen(b)).toEqual(["joined 2", "error"]);
    } finally {
      a.close();
      b.close();
    }
  });

  it("keeps the generation when a member joins again on a new socket, and the old socket's close keeps it (D6)", async () => {
    const topic = await topicWith("reconnect", 2);
    const group = uniqueGroup("reconnect");
    const old = await GroupSocket.open(group);
    const fresh = await GroupSocket.open(group);
    try {
      const first = await old.join("j1", { topic, memberId: "device-1" });
      const again = await fresh.join("j2", { topic, memberId: "device-1" });
      expect(again).toEqual({ ...first, id: "j2" });
      old.close();
      // The server answers the close from webSocketClose, after letting go of the socket.
      await old.closing();
      const description = await describeGroup(group);
      expect(description.generation).toBe(first.generation);
      expect(description.members.map((m) => m.memberId)).toEqual(["device-1"]);
      // The member lives on the new socket: a rebalance is pushed there.
      const other = await api<MemberAssignment>("POST", `/v1/groups/${group}/members`, { topic });
      expect(other.json.generation).toBe(first.generation + 1);
      expect((await fresh.next("assignment", (m) => m.generation === other.json.generation)).memberId).toBe("device-1");
    } finally {
      old.close();
      fresh.close();
    }
  });

  it("removes a member when its socket closes, giving the other all partitions", async () => {
    const topic = await topicWith("close", 4);
    const group = uniqueGroup("close");
    const a = await GroupSocket.open(group);
    const b = await GroupSocket.open(group);
    try {
      const joinedA = await a.join("ja", { topic });
      const joinedB = await b.join("jb", { topic });
      await a.next("assignment", (m) => m.generation === joinedB.generation);
      b.close();
      const after = await a.next("assignment", (m) => m.generation === joinedB.generation + 1);
      expect(after).toEqual({
        type: "assignment",
        memberId: joinedA.memberId,
        generation: joinedB.generation + 1,
        partitions: [0, 1, 2, 3],
      });
      // The assignment above was pushed while the coordinator handled b's close: b is gone.
      const description = await describeGroup(group);
      expect(description.members.map((m) => m.memberId)).toEqual([joinedA.memberId]);
      expectError(await api("POST", `/v1/groups/${group}/members/${joinedB.memberId}/heartbeat`), 404, "UNKNOWN_MEMBER_ID");
    } finally {
      a.close();
      b.close();
    }
  });

  it("mixes an HTTP member and a socket member in one group", async () => {
    const topic = await topicWith("mixed", 6);
    const group = uniqueGroup("mixed");
    const socket = await GroupSocket.open(group);
    try {
      const joined = await socket.join("j", { topic });
      expect(joined.partitions).toEqual([0, 1, 2, 3, 4, 5]);
      const http = await api<MemberAssignment>("POST", `/v1/groups/${group}/members`, { topic });
      expect(http.status).toBe(200);
      expect(http.json.generation).toBe(joined.generation + 1);
      // The socket member hears of the rebalance the HTTP join caused.
      const pushed = await socket.next("assignment", (m) => m.generation === http.json.generation);
      expectPartitions([pushed.partitions, http.json.partitions], 6);
      expect(pushed.partitions).toHaveLength(3);
      const description = await describeGroup(group);
      expect(description.members.map((m) => [m.memberId, m.viaSocket]).sort()).toEqual(
        [
          [joined.memberId, true],
          [http.json.memberId, false],
        ].sort(),
      );
      // When the HTTP member leaves, the socket member is pushed everything.
      expect((await api("DELETE", `/v1/groups/${group}/members/${http.json.memberId}`)).status).toBe(204);
      const all = await socket.next("assignment", (m) => m.generation === http.json.generation + 1);
      expect(all.partitions).toEqual([0, 1, 2, 3, 4, 5]);
      // The socket member heartbeats over HTTP too, and sees the same assignment.
      const beat = await api<MemberAssignment>("POST", `/v1/groups/${group}/members/${joined.memberId}/heartbeat`);
      expect(beat.json).toEqual({ memberId: joined.memberId, generation: all.generation, partitions: all.partitions });
    } finally {
      socket.close();
    }
  });

  it("leaves with a leave message: left, the member gone, no more pushes to it", async () => {
    const topic = await topicWith("leave", 2);
    const group = uniqueGroup("leave");
    const a = await GroupSocket.open(group);
    const b = await GroupSocket.open(group);
    try {
      const joinedA = await a.join("ja", { topic });
      const joinedB = await b.join("jb", { topic });
      a.send({ type: "leave", id: "bye" });
      expect(await a.next("left")).toEqual({ type: "left", id: "bye" });
      const after = await b.next("assignment", (m) => m.generation === joinedB.generation + 1);
      expect(after.partitions).toEqual([0, 1]);
      expect((await describeGroup(group)).members.map((m) => m.memberId)).toEqual([joinedB.memberId]);
      expectError(await api("POST", `/v1/groups/${group}/members/${joinedA.memberId}/heartbeat`), 404, "UNKNOWN_MEMBER_ID");
      // A later rebalance is not pushed to the socket that left (it is no member any more).
      const c = await api<MemberAssignment>("POST", `/v1/groups/${group}/members`, { topic });
      await b.next("assignment", (m) => m.generation === c.json.generation);
      expect(a.pending("assignment").filter((m) => (m as Message<"assignment">).generation >= c.json.generation)).toEqual([]);
      // The socket may join again, as a new member.
      const again = await a.join("ja2", { topic });
      expect(again.memberId).not.toBe(joinedA.memberId);
      expect(again.generation).toBe(c.json.generation + 1);
    } finally {
      a.close();
      b.close();
    }
  });

  it("keeps one member per socket: a rejoin keeps the id, another id is refused", async () => {
    const topic = await topicWith("rejoin", 2);
    const group = uniqueGroup("rejoin");
    const a = await GroupSocket.open(group);
    try {
      const first = await a.join("j1", { topic });
      const again = await a.join("j2", { topic });
      expect(again).toMatchObject({ memberId: first.memberId, generation: first.generation });
      a.send({ type: "join", id: "j3", topic, memberId: "someone-else" });
      expect(await a.next("error", (m) => m.id === "j3")).toMatchObject({ code: "INVALID_REQUEST" });
      expect((await describeGroup(group)).members).toHaveLength(1);
    } finally {
      a.close();
    }
  });

  it("answers bad messages with error messages carrying stable codes, and keeps the socket", async () => {
    const topic = await topicWith("errors", 2);
    const otherTopic = await topicWith("errors-other", 2);
    const group = uniqueGroup("errors");
    const a = await GroupSocket.open(group);
    const b = await GroupSocket.open(group);
    try {
      a.send("{not json");
      expect(await a.next("error")).toMatchObject({ id: null, code: "INVALID_JSON" });
      a.send({ type: "dance", id: "d" });
      expect(await a.next("error", (m) => m.id === "d")).toMatchObject({ code: "INVALID_REQUEST" });
      a.send({ type: "join", id: "u", topic: "no-such-topic-for-group-sockets" });
      expect(await a.next("error", (m) => m.id === "u")).toMatchObject({ code: "UNKNOWN_TOPIC" });
      a.send({ type: "join", id: "s", topic, sessionTimeoutMs: 5 });
      expect(await a.next("error", (m) => m.id === "s")).toMatchObject({ code: "INVALID_REQUEST" });
      await a.join("ok", { topic });
      b.send({ type: "join", id: "other", topic: otherTopic });
      expect(await b.next("error", (m) => m.id === "other")).toMatchObject({ code: "INCONSISTENT_GROUP" });
      expect((await describeGroup(group)).members).toHaveLength(1);
    } finally {
      a.close();
      b.close();
    }
  });

  it("expires a silent socket member with the alarm and closes its socket", async () => {
    const topic = await topicWith("silent", 2);
    const group = uniqueGroup("silent");
    const clock = await useClock(groupStub(group));
    const a = await GroupSocket.open(group);
    const b = await GroupSocket.open(group);
    try {
      await a.join("ja", { topic, sessionTimeoutMs: 1_000 });
      const joinedB = await b.join("jb", { topic, sessionTimeoutMs: 60_000 });
      // Just before the end of a's session the alarm keeps it; at the end, it goes.
      clock.advance(999);
      await runDurableObjectAlarm(groupStub(group));
      expect((await describeGroup(group)).members).toHaveLength(2);
      clock.advance(1);
      await runDurableObjectAlarm(groupStub(group));
      const after = await b.next("assignment", (m) => m.generation === joinedB.generation + 1);
      expect(after.partitions).toEqual([0, 1]);
      expect((await a.closing()).code).toBe(4408);
      expect((await describeGroup(group)).members.map((m) => m.memberId)).toEqual([joinedB.memberId]);
    } finally {
      a.close();
      b.close();
    }
  });

  it("counts a socket member's pings as heartbeats, and schedules the next check after them", async () => {
    const topic = await topicWith("pings", 2);
    const group = uniqueGroup("pings");
    const clock = await useClock(groupStub(group));
    const a = await GroupSocket.open(group);
    try {
      const joined = await a.join("ja", { topic, sessionTimeoutMs: 1_000 });
      // Ping through 1.5 sessions of the clock; the runtime answers without waking the object.
      for (let turn = 0; turn < 6; turn++) {
        clock.advance(250);
        await a.ping();
      }
      const lastPingAt = clock.now();
      await runDurableObjectAlarm(groupStub(group));
      const description = await describeGroup(group);
      expect(description.members.map((m) => m.memberId)).toEqual([joined.memberId]);
      // The runtime stamps a ping on the wall clock; the object places it on its clock at the
      // reading in effect then (a reading set in the same millisecond may count as later).
      const lastSeen = description.members[0]!.lastSeen;
      expect(lastSeen).toBeGreaterThanOrEqual(lastPingAt - 250);
      expect(lastSeen).toBeLessThanOrEqual(lastPingAt);
      // The next check is one session after the last ping, not at once (no alarm loop).
      const alarm = await runInDurableObject(groupStub(group), (_, state) => state.storage.getAlarm());
      expect(alarm).toBe(lastSeen + 1_000);
      // Silent for a whole session after that: expired, its socket closed with 4408.
      clock.set(lastSeen + 1_000);
      await runDurableObjectAlarm(groupStub(group));
      expect((await a.closing()).code).toBe(4408);
      expect((await describeGroup(group)).members).toEqual([]);
    } finally {
      a.close();
    }
  });

  it("answers a GET without Upgrade with 426 UPGRADE_REQUIRED", async () => {
    const group = uniqueGroup("no-upgrade");
    expectError(await api("GET", `/v1/groups/${group}/ws`), 426, "UPGRADE_REQUIRED");
    expectError(await api("POST", `/v1/groups/${group}/ws`, {}), 405, "METHOD_NOT_ALLOWED");
  });
});
