/**
 * Quotas per principal and partition (PROTOCOL.md QUOTA-1 to QUOTA-8), on the partition object's
 * injected clock: the buckets' refill and debt, a batch bigger than the burst admitted, the waits
 * answered (HTTP `Retry-After` and `retryAfterMs`, the socket's `error`), nothing stored when
 * refused (a request spanning partitions included), a retry of a stored batch answered as one,
 * the bound on buckets in memory, and the bound on sockets per principal (4429). Time moves by
 * hand (test/worker/clock.ts): nothing here sleeps.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project worker-auth test/worker-auth/quota.test.ts
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { CLOSE_QUOTA_EXCEEDED, QUOTA_BUCKETS_MAX, QUOTA_EVENTS_PER_S_DEFAULT } from "../../client/protocol/index.ts";
import { authConfig } from "../../worker/auth/auth-config.ts";
import { partitionStub } from "../../worker/object-names.ts";
import type { Partition } from "../../worker/partition/partition.ts";
import { QuotaBuckets } from "../../worker/quota/quota-buckets.ts";
import { quotaDefaults } from "../../worker/quota/quota-config.ts";
import { useClock } from "../worker/clock.ts";
import { closeAllSockets } from "../worker/socket.ts";
import { call, expectCall, openAuthSocket, tokenFor } from "./harness.ts";

afterEach(closeAllSockets);

let admin = "";
async function adminToken(): Promise<string> {
  admin ||= await tokenFor("admin:* group:*", { sub: "admin" });
  return admin;
}

/** A topic of `partitions` partitions, partition 0's object with a manual clock. */
async function topicWithClock(partitions = 1) {
  const topic = `quota-${crypto.randomUUID().slice(0, 8)}`;
  const created = (await expectCall(`PUT /v1/topics/${topic}`, { token: await adminToken(), body: { partitions } }, 201)) as {
    topicId: string;
  };
  const stub = partitionStub(env, created.topicId, 0);
  const clock = await useClock(stub);
  for (let p = 1; p < partitions; p++) await useClock(partitionStub(env, created.topicId, p), clock);
  return { topic, topicId: created.topicId, stub, clock };
}

const records = (count: number, value: unknown = 1) => ({ records: Array.from({ length: count }, () => ({ value })) });

async function produce(topic: string, token: string, count: number, value?: unknown): Promise<Response> {
  return call(`POST /v1/topics/${topic}/partitions/0/records`, { token, body: records(count, value) });
}

async function highWatermark(topic: string, partition = 0): Promise<number> {
  const route = `GET /v1/topics/${topic}/partitions/${partition}/offsets?timestamp=latest`;
  return ((await expectCall(route, { token: await adminToken() }, 200)) as { offset: number }).offset;
}

describe("the buckets", () => {
  const limits = { eventsPerS: 10, bytesPerS: 1_000_000, socketsMax: 1 };

  it("admit while not in debt, take the batch whole, refill at the rate, and say exactly how long to wait", () => {
    const quotas = new QuotaBuckets();
    quotas.admit("a", limits, 0);
    quotas.take("a", limits, 0, { events: 10, bytes: 10 }); // the burst, used up: level 0
    quotas.admit("a", limits, 0); // at zero, not in debt
    quotas.take("a", limits, 0, { events: 35, bytes: 10 }); // bigger than the burst: 35 in debt
    expect(() => quotas.admit("a", limits, 0)).toThrow(expect.objectContaining({ code: "QUOTA_EXCEEDED", retryAfterMs: 3_500 }));
    expect(() => quotas.admit("a", limits, 3_499)).toThrow(expect.objectContaining({ retryAfterMs: 1 }));
    quotas.admit("a", limits, 3_500);
    quotas.admit("other", limits, 0); // another principal has its own
  });

  it("the deeper of the two debts decides the wait", () => {
    const quotas = new QuotaBuckets();
    const bytesLimits = { eventsPerS: 1_000, bytesPerS: 100, socketsMax: 1 };
    quotas.take("a", bytesLimits, 0, { events: 1, bytes: 400 });
    expect(() => quotas.admit("a", bytesLimits, 0)).toThrow(expect.objectContaining({ retryAfterMs: 3_000 }));
  });

  it("refill stops at the burst: a long pause does not bank more than one second of the rate", () => {
    const quotas = new QuotaBuckets();
    quotas.take("a", limits, 0, { events: 1, bytes: 1 });
    quotas.take("a", limits, 3_600_000, { events: 11, bytes: 1 }); // full (10) then 11 taken: 1 in debt
    expect(() => quotas.admit("a", limits, 3_600_000)).toThrow(expect.objectContaining({ retryAfterMs: 100 }));
  });

  it("keep at most their bound, forgetting full ones first, then the one closest to full", () => {
    const quotas = new QuotaBuckets(3);
    quotas.take("deep", limits, 0, { events: 100, bytes: 1 }); // full again at 11,000 ms
    quotas.take("shallow", limits, 0, { events: 30, bytes: 1 }); // full again at 3,000 ms
    quotas.take("full-soon", limits, 900, { events: 1, bytes: 1 }); // full again at 1,000 ms
    quotas.take("new", limits, 2_000, { events: 1, bytes: 1 }); // "full-soon" is full by now: forgotten
    expect(quotas.size).toBe(3);
    quotas.take("newer", limits, 2_000, { events: 1, bytes: 1 }); // none full: "new" (100 ms from full) goes
    expect(quotas.size).toBe(3);
    // The ones in debt are kept: forgetting them would hand their principals a fresh burst.
    expect(() => quotas.admit("deep", limits, 2_000)).toThrow(expect.objectContaining({ retryAfterMs: 7_000 }));
    expect(() => quotas.admit("shallow", limits, 1_500)).toThrow(expect.objectContaining({ retryAfterMs: 500 }));
  });

  it("in the partition object stay within QUOTA_BUCKETS_MAX whatever the number of principals", async () => {
    const { stub } = await topicWithClock();
    const size = await runInDurableObject(stub, (instance: Partition) => {
      const many = { eventsPerS: 1, bytesPerS: 1, socketsMax: 1 };
      for (let i = 0; i < QUOTA_BUCKETS_MAX + 500; i++) instance.quotas.take(`p${i}`, many, instance.clock.now(), { events: 5, bytes: 5 });
      return instance.quotas.size;
    });
    expect(size).toBe(QUOTA_BUCKETS_MAX);
  });
});

describe("the deployment's defaults", () => {
  it("come from the vars, each bounded; a malformed one fails the deployment closed", async () => {
    expect(quotaDefaults({})).toMatchObject({ eventsPerS: QUOTA_EVENTS_PER_S_DEFAULT });
    expect(quotaDefaults({ EDGELOG_QUOTA_EVENTS_PER_S: "50", EDGELOG_QUOTA_SOCKETS_MAX: 3 })).toMatchObject({
      eventsPerS: 50,
      socketsMax: 3,
    });
    for (const bad of ["0", "-1", "1.5", "lots", "2000000", "Infinity"]) {
      expect(quotaDefaults({ EDGELOG_QUOTA_EVENTS_PER_S: bad })).toMatch(/EDGELOG_QUOTA_EVENTS_PER_S/);
    }
    const config = await authConfig({ EDGELOG_AUTH: "off", EDGELOG_QUOTA_BYTES_PER_S: "many" });
    expect(config.problem).toMatch(/EDGELOG_QUOTA_BYTES_PER_S/);
  });

  it("a token's quota claim of unknown members or out of range is refused (401)", async () => {
    for (const quota of [{ eventsPerSec: 5 }, { eventsPerS: 0 }, { socketsMax: 1e9 }] as Record<string, number>[]) {
      const token = await tokenFor("write:*", { quota });
      await expectCall("GET /v1/topics", { token }, 401);
    }
  });
});

describe("produce over HTTP", () => {
  it("is refused 429 with Retry-After and retryAfterMs while in debt, storing nothing, then admitted on time", async () => {
    const { topic, clock } = await topicWithClock();
    const token = await tokenFor(`write:${topic}`, { sub: "hana", quota: { eventsPerS: 10 } });
    expect((await produce(topic, token, 10)).status).toBe(200);
    expect((await produce(topic, token, 1)).status).toBe(200); // at zero: admitted, 1 in debt
    const refused = await produce(topic, token, 1);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(await refused.json()).toEqual({ error: { code: "QUOTA_EXCEEDED", message: expect.any(String), retryAfterMs: 100 } });
    expect(await highWatermark(topic)).toBe(11);
    clock.advance(99);
    expect(await (await produce(topic, token, 1)).json()).toMatchObject({ error: { retryAfterMs: 1 } });
    clock.advance(1);
    expect((await produce(topic, token, 1)).status).toBe(200);
    expect(await highWatermark(topic)).toBe(12);
  });

  it("admits a batch bigger than the burst and then waits it out, in whole seconds rounded up", async () => {
    const { topic, clock } = await topicWithClock();
    const token = await tokenFor(`write:${topic}`, { sub: "ivan", quota: { eventsPerS: 100 } });
    expect((await produce(topic, token, 1_050)).status).toBe(200); // 950 in debt: 9,500 ms
    const refused = await produce(topic, token, 1);
    expect(refused.headers.get("retry-after")).toBe("10");
    expect(await refused.json()).toMatchObject({ error: { retryAfterMs: 9_500 } });
    clock.advance(9_500);
    expect((await produce(topic, token, 1)).status).toBe(200);
  });

  it("meters bytes as stored, and each principal on its own", async () => {
    const { topic, clock } = await topicWithClock();
    const token = await tokenFor(`write:${topic}`, { sub: "jo", quota: { bytesPerS: 1_000 } });
    const other = await tokenFor(`write:${topic}`, { sub: "kim", quota: { bytesPerS: 1_000 } });
    expect((await produce(topic, token, 1, "x".repeat(1_936))).status).toBe(200); // 2,000 bytes stored
    expect(await (await produce(topic, token, 1)).json()).toMatchObject({ error: { code: "QUOTA_EXCEEDED", retryAfterMs: 1_000 } });
    expect((await produce(topic, other, 1)).status).toBe(200);
    clock.advance(1_000);
    expect((await produce(topic, token, 1)).status).toBe(200);
  });

  it("a request spanning partitions is refused whole when one partition is in debt", async () => {
    const { topic } = await topicWithClock(2);
    const token = await tokenFor(`write:${topic}`, { sub: "lee", quota: { eventsPerS: 1 } });
    await produce(topic, token, 2); // partition 0: 1 in debt
    const both = {
      records: [
        { value: "to 1", partition: 1 },
        { value: "to 0", partition: 0 },
      ],
    };
    const refused = await call(`POST /v1/topics/${topic}/records`, { token, body: both });
    expect(refused.status).toBe(429);
    expect([await highWatermark(topic, 0), await highWatermark(topic, 1)]).toEqual([2, 0]);
  });

  it("a retry of a stored idempotent batch is answered as delivered, even in debt", async () => {
    const { topic } = await topicWithClock();
    const token = await tokenFor(`write:${topic}`, { sub: "max", quota: { eventsPerS: 1 } });
    const body = { ...records(3), producer: { id: "pm", epoch: 0, sequence: 0 } };
    const route = `POST /v1/topics/${topic}/partitions/0/records`;
    await expectCall(route, { token, body }, 200);
    expect(await expectCall(route, { token, body }, 200)).toMatchObject({ duplicate: true });
    const next = { ...records(1), producer: { id: "pm", epoch: 0, sequence: 3 } };
    expect((await call(route, { token, body: next })).status).toBe(429);
    expect(await highWatermark(topic)).toBe(3);
  });
});

describe("the partition socket", () => {
  async function authenticated(path: string, token: string) {
    const sock = await openAuthSocket(path);
    sock.send({ type: "auth", id: "a1", token });
    await sock.next("authenticated");
    await sock.next("hello");
    return sock;
  }

  it("refuses a produce in debt with an error carrying retryAfterMs, storing nothing", async () => {
    const { topic, clock } = await topicWithClock();
    const path = `/v1/topics/${topic}/partitions/0/ws`;
    const sock = await authenticated(path, await tokenFor(`write:${topic}`, { sub: "nia", quota: { eventsPerS: 2 }, nowMs: clock.now() }));
    sock.send({ type: "produce", id: "p1", records: [{ value: 1 }, { value: 2 }, { value: 3 }] });
    await sock.next("ack");
    sock.send({ type: "produce", id: "p2", records: [{ value: 4 }] });
    expect(await sock.next("error")).toEqual({
      type: "error",
      id: "p2",
      code: "QUOTA_EXCEEDED",
      message: expect.any(String),
      retryAfterMs: 500,
    });
    expect(await highWatermark(topic)).toBe(3);
    clock.advance(500);
    sock.send({ type: "produce", id: "p3", records: [{ value: 4 }] });
    expect(await sock.next("ack")).toMatchObject({ id: "p3", offsets: [{ offset: 3 }] });
  });

  it("bounds the sockets of one principal: over socketsMax, error QUOTA_EXCEEDED and close 4429; others unaffected", async () => {
    const { topic, clock } = await topicWithClock();
    const path = `/v1/topics/${topic}/partitions/0/ws`;
    const token = await tokenFor(`read:${topic}`, { sub: "oli", quota: { socketsMax: 2 }, nowMs: clock.now() });
    const first = await authenticated(path, token);
    await authenticated(path, token);
    const third = await openAuthSocket(path);
    third.send({ type: "auth", id: "a3", token });
    expect(await third.next("error")).toMatchObject({ id: "a3", code: "QUOTA_EXCEEDED" });
    expect((await third.closed()).code).toBe(CLOSE_QUOTA_EXCEEDED);
    // Re-authenticating a held socket is not a new one.
    first.send({ type: "auth", id: "a4", token });
    await first.next("authenticated");
    // Another principal has its own bound.
    await authenticated(path, await tokenFor(`read:${topic}`, { sub: "pat", quota: { socketsMax: 1 }, nowMs: clock.now() }));
    // A socket closed frees its place.
    first.close();
    await first.closed();
    await authenticated(path, token);
  });
});
