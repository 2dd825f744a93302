/**
 * Tabs sharing one connection, in Node: several clients on one IndexedDB database
 * (fake-indexeddb) stand for tabs of one origin, with Node's BroadcastChannel and an in-process
 * Web Locks stand-in, against the real worker under Miniflare. Checked: one socket per partition
 * however many tabs read it, every tab's subscription gets every record exactly once and in order,
 * a follower takes over when the leader closes (no gap, no duplicate), a follower's produce is
 * sent by the leader from the shared outbox, a follower's commit goes over the leader's socket,
 * and subscriptions with different starts share a socket. The real thing, in Chromium, is
 * test/browser/tabs.test.ts.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-tabs.test.ts
 */
import "fake-indexeddb/auto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type BroadcastChannelClass,
  type ClientError,
  createClient,
  type EdgelogClient,
  errorCode,
  type TabRole,
  type TopicRecord,
  type WebSocketClass,
} from "../../client/index.ts";
import type { RecordInput } from "../../client/protocol/index.ts";
import {
  collect,
  NodeWebSocket,
  settledCode,
  spyWebSocket,
  startServer,
  type TestServer,
  WAIT_MS,
  waitForStatus,
} from "./client-harness.ts";
import { FakeLocks } from "./fake-locks.ts";
import { requestJson, sleep, waitFor } from "./runtime.ts";

let server: TestServer;
const clients: EdgelogClient[] = [];
const locks = new FakeLocks();
let dbCounter = 0;

beforeAll(async () => {
  server = await startServer();
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

afterAll(async () => {
  await server?.dispose();
});

/** A "tab": a client on database `dbName` sharing with the other clients on it. */
function tab(dbName: string, WebSocket: WebSocketClass = NodeWebSocket): EdgelogClient {
  const client = createClient({
    url: server.url,
    dbName,
    WebSocket,
    heartbeatIntervalMs: 1_000,
    tabs: { locks, BroadcastChannel: globalThis.BroadcastChannel as unknown as BroadcastChannelClass },
  });
  clients.push(client);
  return client;
}

function freshDb(): string {
  return `tabs-${++dbCounter}`;
}

function values(from: number, to: number): RecordInput[] {
  return Array.from({ length: to - from }, (_, i) => ({ key: `user-${(from + i) % 7}`, value: from + i }));
}

async function waitForRole(client: EdgelogClient, role: TabRole): Promise<void> {
  await waitFor(`role ${role} (is ${client.role})`, () => (client.role === role ? true : undefined), WAIT_MS, 20);
}

/** The roles a tab goes through, from the one it has when made. */
function trackRoles(client: EdgelogClient): TabRole[] {
  const seen: TabRole[] = [client.role];
  client.onRole((role) => seen.push(role));
  return seen;
}

/** Each partition's delivered offsets are exactly 0..n-1 (in order, none twice). */
function expectExactlyOnce(records: readonly TopicRecord[], highWatermarks: readonly number[]): void {
  highWatermarks.forEach((high, partition) => {
    expect(records.filter((r) => r.partition === partition).map((r) => r.offset)).toEqual(Array.from({ length: high }, (_, i) => i));
  });
}

async function highWatermarks(topic: string): Promise<number[]> {
  return (await server.api.describeTopic(topic)).partitions.map((p) => p.highWatermark);
}

/** Waits until every partition of `topic` has exactly `count` sockets. */
async function waitForSockets(topic: string, partitions: number, count: number): Promise<void> {
  await waitFor(
    `${count} socket(s) per partition of ${topic}`,
    async () => {
      const stats = await Promise.all(
        Array.from({ length: partitions }, (_, p) =>
          requestJson<{ sockets: number }>("GET", `${server.url}/v1/topics/${topic}/partitions/${p}/stats`),
        ),
      );
      return stats.every((s) => s.body.sockets === count) ? true : undefined;
    },
    WAIT_MS,
    100,
  );
}

describe("tabs sharing one connection", () => {
  it("open one socket per partition for two tabs, and each tab gets every record once", async () => {
    await server.api.createTopic("shared", 3);
    await server.api.produce("shared", { records: values(0, 20) });
    const db = freshDb();
    const first = tab(db);
    const a = collect();
    first.subscribe("shared", {}, a.callback);
    await waitForRole(first, "leader");
    const second = tab(db);
    const b = collect();
    second.subscribe("shared", {}, b.callback);
    await Promise.all([a.waitForCount(20), b.waitForCount(20)]);
    expect(second.role).toBe("follower");
    await waitForStatus(second, "live");
    await waitForSockets("shared", 3, 1);
    await server.api.produce("shared", { records: values(20, 45) });
    await Promise.all([a.waitForCount(45), b.waitForCount(45)]);
    const highs = await highWatermarks("shared");
    expectExactlyOnce(a.records, highs);
    expectExactlyOnce(b.records, highs);
  });

  it("hand the sockets to a follower when the leader closes, with no gap or duplicate", async () => {
    await server.api.createTopic("takeover", 2);
    await server.api.produce("takeover", { records: values(0, 10) });
    const db = freshDb();
    const leader = tab(db);
    leader.subscribe("takeover", {}, collect().callback);
    await waitForRole(leader, "leader");
    const follower = tab(db);
    const got = collect();
    follower.subscribe("takeover", {}, got.callback);
    await got.waitForCount(10);
    await waitForStatus(follower, "live");

    leader.close();
    // Appends race the takeover.
    await server.api.produce("takeover", { records: values(10, 30) });
    await waitForRole(follower, "leader");
    await server.api.produce("takeover", { records: values(30, 40) });
    await got.waitForCount(40);
    await waitForStatus(follower, "live");
    expectExactlyOnce(got.records, await highWatermarks("takeover"));
    await waitForSockets("takeover", 2, 1);
  });

  it("send a follower's records from the leader's outbox pass, each once", async () => {
    await server.api.createTopic("outbox", 2);
    const db = freshDb();
    const leader = tab(db);
    await waitForRole(leader, "leader");
    const follower = tab(db);
    const positions = await Promise.all(Array.from({ length: 12 }, (_, i) => follower.produce("outbox", { key: `k${i % 3}`, value: i })));
    expect(follower.role).toBe("follower");
    expect(positions.every((p) => p.offset >= 0)).toBe(true);
    expect(await follower.outbox()).toEqual([]);
    const stored = (await Promise.all([0, 1].map((p) => server.api.readAll("outbox", p)))).flatMap((r) => r.records.map((x) => x.value));
    expect(stored.sort((x, y) => Number(x) - Number(y))).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it("commit a follower's group offsets over the leader's socket", async () => {
    await server.api.createTopic("commits", 1);
    await server.api.produce("commits", { records: values(0, 5) });
    const db = freshDb();
    const leader = tab(db);
    leader.subscribe("commits", {}, collect().callback);
    await waitForRole(leader, "leader");
    const follower = tab(db);
    const got = collect();
    const sub = follower.subscribe("commits", { group: "readers", from: "earliest" }, got.callback);
    await got.waitForCount(5);
    await sub.commit();
    const offsets = await server.api.groupOffsets("readers", "commits");
    expect(offsets.partitions[0]?.committedOffset).toBe(5);
  });

  it("serve subscriptions with different starts from one socket", async () => {
    await server.api.createTopic("starts", 1);
    await server.api.produce("starts", { records: values(0, 8) });
    const db = freshDb();
    const leader = tab(db);
    const fromLatest = collect();
    leader.subscribe("starts", { from: "latest" }, fromLatest.callback);
    await waitForRole(leader, "leader");
    await waitForStatus(leader, "live");
    const follower = tab(db);
    const fromEarliest = collect();
    follower.subscribe("starts", { from: "earliest" }, fromEarliest.callback);
    await fromEarliest.waitForCount(8);
    await server.api.produce("starts", { records: values(8, 12) });
    await Promise.all([fromEarliest.waitForCount(12), fromLatest.waitForCount(4)]);
    expect(fromLatest.offsets(0)).toEqual([8, 9, 10, 11]);
    expect(fromEarliest.offsets(0)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    await waitForSockets("starts", 1, 1);
  });

  it("never say follower or leader before it is so: a lone tab leads, the next one follows", async () => {
    const db = freshDb();
    const first = tab(db);
    const firstRoles = trackRoles(first);
    await waitForRole(first, "leader");
    const second = tab(db);
    const secondRoles = trackRoles(second);
    await waitForRole(second, "follower");
    expect(firstRoles).not.toContain("follower");
    expect(firstRoles[firstRoles.length - 1]).toBe("leader");
    expect(secondRoles).not.toContain("leader");
    expect(secondRoles.filter((role) => role !== "electing")).toEqual(["follower"]);
  });

  it("end every tab's subscription when the topic is deleted, with no socket reopened", async () => {
    await server.api.createTopic("deleted-tabs", 2);
    await server.api.produce("deleted-tabs", { records: values(0, 6) });
    const db = freshDb();
    const spy = spyWebSocket();
    const leader = tab(db, spy.WebSocket);
    const leaderErrors: ClientError[] = [];
    leader.onError((error) => leaderErrors.push(error));
    const a = collect();
    const leaderSub = leader.subscribe("deleted-tabs", {}, a.callback);
    await waitForRole(leader, "leader");
    const follower = tab(db, spy.WebSocket);
    const followerErrors: ClientError[] = [];
    follower.onError((error) => followerErrors.push(error));
    const b = collect();
    const followerSub = follower.subscribe("deleted-tabs", {}, b.callback);
    await Promise.all([a.waitForCount(6), b.waitForCount(6)]);
    await waitForStatus(follower, "live");
    const subscribes = spy.sent.filter((m) => m.type === "subscribe").length;

    await server.api.deleteTopic("deleted-tabs");
    const ended = await waitFor(
      "both subscriptions to end",
      () => (leaderSub.error && followerSub.error ? [leaderSub.error, followerSub.error] : undefined),
      WAIT_MS,
      20,
    );
    expect(ended.map(errorCode)).toEqual(["UNKNOWN_TOPIC", "UNKNOWN_TOPIC"]);
    expect(leaderErrors.filter((e) => e.code === "UNKNOWN_TOPIC")).toHaveLength(1);
    expect(followerErrors.filter((e) => e.code === "UNKNOWN_TOPIC")).toHaveLength(1);
    await sleep(1_500);
    expect(spy.sent.filter((m) => m.type === "subscribe").length).toBe(subscribes);
  });

  it("send the rest of the shared outbox when a record names a missing topic, from leader and follower", async () => {
    await server.api.createTopic("outbox-present", 2);
    const db = freshDb();
    const leader = tab(db);
    await waitForRole(leader, "leader");
    const follower = tab(db);
    await waitForRole(follower, "follower");
    for (const producer of [leader, follower]) {
      const missing = await producer.enqueue("outbox-absent", { key: "k", value: "lost" });
      const kept = await producer.enqueue("outbox-present", { key: "k", value: producer.role });
      await producer.flush();
      expect(await settledCode(missing.delivered)).toBe("UNKNOWN_TOPIC");
      expect(await settledCode(kept.delivered)).toBe("delivered");
    }
    expect(await follower.outbox()).toEqual([]);
    const stored = (await Promise.all([0, 1].map((p) => server.api.readAll("outbox-present", p)))).flatMap((r) => r.records);
    expect(stored.map((r) => r.value).sort()).toEqual(["follower", "leader"]);
  });

  it("resolve a follower's cached start in the follower: the leader's socket never sends it", async () => {
    await server.api.createTopic("cached-start", 1);
    await server.api.produce("cached-start", { records: values(0, 4) });
    const db = freshDb();
    const spy = spyWebSocket();
    const leader = tab(db, spy.WebSocket);
    leader.subscribe("cached-start", { from: "latest" }, collect().callback);
    await waitForRole(leader, "leader");
    await waitForStatus(leader, "live");
    const follower = tab(db, spy.WebSocket);
    const got = collect();
    follower.subscribe("cached-start", { from: "cached" }, got.callback);
    await got.waitForCount(4);
    expect(got.offsets(0)).toEqual([0, 1, 2, 3]);
    const froms = spy.sent.filter((m) => m.type === "subscribe").map((m) => m.from);
    expect(froms).not.toContain("cached");
  });
});
