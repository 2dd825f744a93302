/**
 * Socket authentication on the objects' injected clocks (PROTOCOL.md AUTH-9 to AUTH-12): the
 * deadline, the reauth notice, expiry, re-authentication that keeps the subscription, the state
 * kept in the attachment, and the one alarm shared with retention (Partition) and with session
 * expiry (Group). Time moves by hand (test/worker/clock.ts) and alarms are fired with
 * runDurableObjectAlarm: nothing here sleeps.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project worker-auth test/worker-auth/socket-auth.test.ts
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import {
  type ClientMessage,
  SOCKET_AUTH_DEADLINE_MS,
  SOCKET_REAUTH_LEAD_MS,
  TOKEN_CLOCK_SKEW_MS_MAX,
} from "../../client/protocol/index.ts";
import { groupStub, partitionStub } from "../../worker/object-names.ts";
import { useClock } from "../worker/clock.ts";
import { closeAllSockets, type TestSocket } from "../worker/socket.ts";
import { expectCall, openAuthSocket, tokenFor } from "./harness.ts";

afterEach(closeAllSockets);

let admin = "";
async function adminToken(): Promise<string> {
  admin ||= await tokenFor("admin:* group:*", { sub: "admin" });
  return admin;
}

/** A topic of one partition, its partition object with a manual clock, and the socket path. */
async function partition(config: Record<string, unknown> = {}) {
  const topic = `sa-${crypto.randomUUID().slice(0, 8)}`;
  const created = (await expectCall(`PUT /v1/topics/${topic}`, { token: await adminToken(), body: { partitions: 1, config } }, 201)) as {
    topicId: string;
  };
  const stub = partitionStub(env, created.topicId, 0);
  return { topic, stub, clock: await useClock(stub), path: `/v1/topics/${topic}/partitions/0/ws` };
}

/** Nothing more came: a refused frame is answered next. */
async function quiet(sock: TestSocket): Promise<void> {
  await sock.barrier();
  expect(sock.closeEvent).toBeNull();
}

describe("the partition socket", () => {
  it("sends nothing before auth and is closed with 4401 at the deadline, on the object's clock", async () => {
    const { stub, clock, path } = await partition();
    const sock = await openAuthSocket(path);
    clock.advance(SOCKET_AUTH_DEADLINE_MS - 1);
    await runDurableObjectAlarm(stub);
    expect(sock.log).toEqual([]);
    clock.advance(2);
    await runDurableObjectAlarm(stub);
    expect((await sock.nextFrame()).message).toMatchObject({ type: "error", id: null, code: "UNAUTHENTICATED" });
    expect((await sock.closed()).code).toBe(4401);
  });

  it("keeps the principal in the attachment, tells the client before expiry and closes at expiry", async () => {
    const { stub, clock, path } = await partition();
    const sock = await openAuthSocket(path);
    const token = await tokenFor("read:*", { sub: "erin", ttlS: 120, nowMs: clock.now() });
    sock.send({ type: "auth", id: "a1", token });
    const authenticated = await sock.next("authenticated");
    expect(authenticated).toMatchObject({ sub: "erin" });
    await sock.next("hello");
    const attachments = await runInDurableObject(stub, (_instance, state) => state.getWebSockets().map((ws) => ws.deserializeAttachment()));
    expect(attachments).toEqual([
      {
        v: 2,
        state: { sub: null, subscribes: 0, window: [] },
        auth: { phase: "authenticated", sub: "erin", scope: "read:*", quota: null, expiresAt: authenticated.expiresAt, reauthSent: false },
      },
    ]);
    clock.set(authenticated.expiresAt! - SOCKET_REAUTH_LEAD_MS - 1);
    await runDurableObjectAlarm(stub);
    await quiet(sock);
    clock.advance(1);
    await runDurableObjectAlarm(stub);
    expect(await sock.next("reauth")).toEqual({ type: "reauth", expiresAt: authenticated.expiresAt });
    clock.set(authenticated.expiresAt! + TOKEN_CLOCK_SKEW_MS_MAX - 1);
    await runDurableObjectAlarm(stub);
    await quiet(sock);
    clock.advance(1);
    await runDurableObjectAlarm(stub);
    expect(await sock.next("error")).toMatchObject({ id: null, code: "UNAUTHENTICATED" });
    expect((await sock.closed()).code).toBe(4401);
  });

  it("re-authenticates with a fresh token of the same sub without dropping the subscription", async () => {
    const { topic, stub, clock, path } = await partition();
    const sock = await openAuthSocket(path);
    sock.send({ type: "auth", id: "a1", token: await tokenFor(`read:${topic}`, { sub: "frank", ttlS: 120, nowMs: clock.now() }) });
    const first = await sock.next("authenticated");
    await sock.next("hello");
    sock.send({ type: "subscribe", id: "s1", from: "latest" });
    await sock.next("subscribed");
    clock.set(first.expiresAt! - 30_000);
    await runDurableObjectAlarm(stub);
    await sock.next("reauth");
    sock.send({ type: "auth", id: "a2", token: await tokenFor(`read:${topic}`, { sub: "frank", ttlS: 3_600, nowMs: clock.now() }) });
    const fresh = await sock.next("authenticated");
    expect(fresh.expiresAt!).toBeGreaterThan(first.expiresAt!);
    clock.set(first.expiresAt! + TOKEN_CLOCK_SKEW_MS_MAX + 1_000);
    await runDurableObjectAlarm(stub);
    await quiet(sock);
    await expectCall(
      `POST /v1/topics/${topic}/records`,
      { token: await adminToken(), body: { records: [{ value: "after re-auth" }] } },
      200,
    );
    expect((await sock.next("records")).records.map((r) => r.value)).toEqual(["after re-auth"]);
    // Another principal's token cannot take the socket over; the socket stays as it was.
    sock.send({ type: "auth", id: "a3", token: await tokenFor("admin:*", { sub: "mallory", nowMs: clock.now() }) });
    expect(await sock.next("error")).toMatchObject({ id: "a3", code: "FORBIDDEN" });
    sock.send({ type: "produce", id: "p1", records: [{ value: 1 }] });
    expect(await sock.next("error")).toMatchObject({ id: "p1", code: "FORBIDDEN" });
  });

  it("shares the object's one alarm with retention: the earlier timer first, then the other", async () => {
    const { topic, stub, clock, path } = await partition({ "retention.ms": 600_000 });
    await expectCall(`POST /v1/topics/${topic}/records`, { token: await adminToken(), body: { records: [{ value: 0 }] } }, 200);
    const alarmAt = () => runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    const retentionDue = await alarmAt();
    expect(retentionDue).toBeGreaterThan(clock.now() + SOCKET_AUTH_DEADLINE_MS);
    const sock = await openAuthSocket(path);
    expect(await alarmAt()).toBe(clock.now() + SOCKET_AUTH_DEADLINE_MS);
    clock.advance(SOCKET_AUTH_DEADLINE_MS);
    await runDurableObjectAlarm(stub);
    expect((await sock.closed()).code).toBe(4401);
    expect(await alarmAt()).toBe(retentionDue);
    clock.set(retentionDue!);
    await runDurableObjectAlarm(stub);
    const page = (await expectCall(`GET /v1/topics/${topic}/partitions/0/records`, { token: await adminToken() }, 200)) as {
      logStartOffset: number;
    };
    expect(page.logStartOffset).toBe(1);
  });
});

describe("the group socket", () => {
  it("is closed at the deadline though the group has no member (the alarm is not deleted under it)", async () => {
    const group = `sag-${crypto.randomUUID().slice(0, 8)}`;
    const stub = groupStub(env, group);
    const clock = await useClock(stub);
    const sock = await openAuthSocket(`/v1/groups/${group}/ws`);
    const alarmAt = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    expect(alarmAt).toBe(clock.now() + SOCKET_AUTH_DEADLINE_MS);
    clock.advance(SOCKET_AUTH_DEADLINE_MS);
    await runDurableObjectAlarm(stub);
    expect(await sock.next("error")).toMatchObject({ code: "UNAUTHENTICATED" });
    expect((await sock.closed()).code).toBe(4401);
  });

  it("keeps a member through re-authentication, and its session expiry still closes it with 4408", async () => {
    const { topic } = await partition();
    const group = `sag-${crypto.randomUUID().slice(0, 8)}`;
    const stub = groupStub(env, group);
    const clock = await useClock(stub);
    const sock = await openAuthSocket(`/v1/groups/${group}/ws`);
    const scope = `group:${group} read:${topic}`;
    sock.send({ type: "auth", id: "a1", token: await tokenFor(scope, { sub: "gina", ttlS: 600, nowMs: clock.now() }) });
    await sock.next("authenticated");
    // TestSocket reads any socket's JSON; the group socket's messages are typed apart.
    sock.send({ type: "join", id: "j1", topic, sessionTimeoutMs: 60_000 } as unknown as ClientMessage);
    const joined = (await sock.next("joined" as "ack")) as unknown as { memberId: string };
    sock.send({ type: "auth", id: "a2", token: await tokenFor(scope, { sub: "gina", ttlS: 3_600, nowMs: clock.now() }) });
    await sock.next("authenticated");
    const described = (await expectCall(`GET /v1/groups/${group}`, { token: await adminToken() }, 200)) as {
      members: { memberId: string }[];
    };
    expect(described.members.map((m) => m.memberId)).toEqual([joined.memberId]);
    clock.advance(60_001);
    await runDurableObjectAlarm(stub);
    expect((await sock.closed()).code).toBe(4408);
  });
});
