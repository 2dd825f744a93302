/**
 * Subscribing with the browser client against the real worker (Miniflare on 127.0.0.1), the
 * `ws` package as WebSocket and fake-indexeddb as IndexedDB: live delivery, status transitions,
 * replay from the cache with the server stopped, catch-up after being away, reconnects that
 * resume without duplicates, and a full quota reported as a status rather than a rejection.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-subscribe.test.ts
 */
import "fake-indexeddb/auto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ClientError, createClient, type EdgelogClient, type TopicRecord } from "../../client/index.ts";
import type { RecordInput } from "../../client/protocol/index.ts";
import {
  collect,
  inOrder,
  NodeWebSocket,
  spyWebSocket,
  startServer,
  type TestServer,
  trackStatuses,
  WAIT_MS,
  waitForStatus,
} from "./client-harness.ts";
import { waitFor } from "./runtime.ts";

let server: TestServer;
const clients: EdgelogClient[] = [];

beforeAll(async () => {
  server = await startServer();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  // A test may have stopped the server: every test starts with it up.
  await server.start().catch(() => undefined);
});

afterAll(async () => {
  await server?.dispose();
});

function client(options: { dbName?: string; WebSocket?: typeof NodeWebSocket } = {}): EdgelogClient {
  const made = createClient({
    url: server.url,
    cache: options.dbName === undefined ? "memory" : "indexeddb",
    ...(options.dbName === undefined ? {} : { dbName: options.dbName }),
    WebSocket: options.WebSocket ?? NodeWebSocket,
    heartbeatIntervalMs: 1_000,
  });
  clients.push(made);
  return made;
}

function values(from: number, to: number, key?: (n: number) => string): RecordInput[] {
  return Array.from({ length: to - from }, (_, i) => (key ? { key: key(from + i), value: from + i } : { value: from + i }));
}

/** Each partition's delivered offsets are exactly 0..n-1 (in order, none twice). */
function expectExactlyOnce(records: readonly TopicRecord[], highWatermarks: readonly number[]): void {
  highWatermarks.forEach((high, partition) => {
    const offsets = records.filter((r) => r.partition === partition).map((r) => r.offset);
    expect(offsets).toEqual(Array.from({ length: high }, (_, i) => i));
  });
}

describe("subscribe", () => {
  it("delivers live records, in order per partition, and goes connecting -> catching-up -> live", async () => {
    await server.api.createTopic("live", 3);
    await server.api.produce("live", { records: values(0, 20, (n) => `user-${n % 5}`) });
    const c = client();
    const statuses = trackStatuses(c);
    const got = collect();
    c.subscribe("live", { from: "earliest" }, got.callback);
    await got.waitForCount(20);
    await waitForStatus(c, "live");
    await server.api.produce("live", { records: values(20, 50, (n) => `user-${n % 5}`) });
    await got.waitForCount(50);
    const description = await server.api.describeTopic("live");
    expectExactlyOnce(
      got.records,
      description.partitions.map((p) => p.highWatermark),
    );
    expect(got.records.map((r) => r.value).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(got.records.every((r) => r.topic === "live" && typeof r.key === "string")).toBe(true);
    expect(inOrder(statuses, ["connecting", "catching-up", "live"])).toBe(true);
    expect(statuses).not.toContain("offline");
  });

  it("is an async iterator too, and leaving the loop closes it", async () => {
    await server.api.createTopic("iterate", 1);
    await server.api.produce("iterate", { records: values(0, 5) });
    const c = client();
    const sub = c.subscribe("iterate");
    const seen: number[] = [];
    for await (const record of sub) {
      seen.push(record.offset);
      if (seen.length === 5) break;
    }
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(sub.positions().get(0)).toBe(5);
  });

  it("without a callback, keeps what arrives before the loop begins (produce awaited in between)", async () => {
    await server.api.createTopic("iterate-later", 1);
    const c = client();
    const sub = c.subscribe("iterate-later", { from: "latest" });
    await waitForStatus(c, "live");
    const { offset } = await c.produce("iterate-later", { value: "before the loop" });
    // The record is delivered while nobody iterates; wait until the subscription has passed it.
    await waitFor("the record delivered", () => ((sub.positions().get(0) ?? 0) > offset ? true : undefined), WAIT_MS);
    for await (const record of sub) {
      expect(record.value).toBe("before the loop");
      expect(record.offset).toBe(offset);
      break;
    }
  });

  it("replays the cache with the server stopped, then resumes without duplicates when it returns", async () => {
    await server.api.createTopic("replay", 2);
    await server.api.produce("replay", { records: values(0, 30) });
    const dbName = "replay-db";
    const first = client({ dbName });
    const before = collect();
    first.subscribe("replay", {}, before.callback);
    await before.waitForCount(30);
    first.close();

    await server.stop();
    const second = client({ dbName });
    const statuses = trackStatuses(second);
    const got = collect();
    second.subscribe("replay", {}, got.callback);
    await got.waitForCount(30);
    await waitForStatus(second, "offline");
    expect(got.records.map((r) => [r.partition, r.offset, r.value])).toEqual(
      expect.arrayContaining(before.records.map((r) => [r.partition, r.offset, r.value])),
    );

    await server.start();
    await waitForStatus(second, "live");
    await server.api.produce("replay", { records: values(30, 40) });
    await got.waitForCount(40);
    const description = await server.api.describeTopic("replay");
    expectExactlyOnce(
      got.records,
      description.partitions.map((p) => p.highWatermark),
    );
    expect(inOrder(statuses, ["connecting", "offline", "catching-up", "live"])).toBe(true);
  });

  it("catches up from one past the cache after being away while another producer wrote", async () => {
    await server.api.createTopic("away", 2);
    await server.api.produce("away", { records: values(0, 10, (n) => `user-${n}`) });
    const dbName = "away-db";
    const first = client({ dbName });
    const before = collect();
    first.subscribe("away", {}, before.callback);
    await before.waitForCount(10);
    await waitForStatus(first, "live");
    const cachedHigh = [0, 1].map((p) => before.offsets(p).length);
    expect(cachedHigh.every((high) => high > 0)).toBe(true);
    first.close();

    await server.api.produce("away", { records: values(10, 25, (n) => `user-${n}`) });
    const spy = spyWebSocket();
    const second = client({ dbName, WebSocket: spy.WebSocket });
    const got = collect();
    second.subscribe("away", {}, got.callback);
    await got.waitForCount(25);
    await waitForStatus(second, "live");
    const description = await server.api.describeTopic("away");
    expectExactlyOnce(
      got.records,
      description.partitions.map((p) => p.highWatermark),
    );
    // The sockets asked only for what the cache lacked.
    const subscribes = spy.sent.filter((m) => m.type === "subscribe").map((m) => m.from);
    expect(subscribes).toEqual(expect.arrayContaining(cachedHigh.map((offset) => ({ offset }))));
    expect(spy.sent.some((m) => m.type === "consumed")).toBe(true);
  });

  it("resubscribes from the next offset after the server drops every socket", async () => {
    await server.api.createTopic("drop", 1);
    await server.api.produce("drop", { records: values(0, 5) });
    const c = client();
    const statuses = trackStatuses(c);
    const got = collect();
    c.subscribe("drop", {}, got.callback);
    await got.waitForCount(5);
    await waitForStatus(c, "live");
    await server.stop();
    await waitForStatus(c, "offline");
    await server.start();
    await server.api.produce("drop", { records: values(5, 9) });
    await got.waitForCount(9);
    await waitForStatus(c, "live");
    expect(got.offsets(0)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(inOrder(statuses, ["connecting", "catching-up", "live", "offline", "catching-up", "live"])).toBe(true);
  });

  it("reports a full quota as a storage status, keeps delivering, and never rejects", async () => {
    await server.api.createTopic("quota", 1);
    await server.api.produce("quota", { records: values(0, 3) });
    const c = client({ dbName: "quota-db" });
    const errors: ClientError[] = [];
    const storage: string[] = [];
    c.onError((error) => errors.push(error));
    c.onStorage((state) => storage.push(state));
    const got = collect();
    c.subscribe("quota", {}, got.callback);
    await got.waitForCount(3);
    await waitForStatus(c, "live");
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore["put"]>) {
      if (this.name === "pages") throw new DOMException("the quota is used up", "QuotaExceededError");
      return put.apply(this, args);
    };
    try {
      await server.api.produce("quota", { records: values(3, 6) });
      await got.waitForCount(6);
      await waitFor("the storage status", () => (c.storage === "quota-exceeded" ? true : undefined), WAIT_MS);
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    expect(got.offsets(0)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(storage).toEqual(["quota-exceeded"]);
    expect(errors.map((e) => e.code)).toContain("CACHE_QUOTA_EXCEEDED");
    expect(c.status).toBe("live");
    // Storing works again once there is room: the status recovers.
    await server.api.produce("quota", { records: values(6, 7) });
    await got.waitForCount(7);
    await waitFor("storage to recover", () => (c.storage === "ok" ? true : undefined), WAIT_MS);
  });
});
