/**
 * The client's `auth` option against the real worker in Miniflare with authentication required
 * (PROTOCOL.md AUTH-17 to AUTH-22): the bearer header on every HTTP call and `auth` as every
 * socket's first message, never a token in a URL; a 401 recovered with one fresh token; a token
 * that expires on the open socket refreshed on that socket when the server sends `reauth` (one
 * socket, one subscribe, no gap, no duplicate); a token that is not refreshed closed with 4401
 * and the socket reconnected with a fresh one, the subscription resuming where it was; a failing
 * `auth` reported as AUTH_FAILED and retried with backoff; a server that keeps refusing asked at
 * a bounded rate, the outbox kept.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-auth.test.ts
 */
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type ClientError, errorCode, type FetchFunction, type WebSocketClass } from "../../client/index.ts";
import { collect, testRig, WAIT_MS, waitForStatus } from "./client-harness.ts";
import { waitFor } from "./runtime.ts";
import { AUTH_REQUIRED_VARS, adminRequest, mintToken } from "./test-tokens.ts";

const rig = testRig({ vars: { ...AUTH_REQUIRED_VARS } });
const SCOPE = "read:* write:* group:*";

/** Every socket the client made: its URL, the frames it sent (parsed), and how it closed. */
interface SpiedSocket {
  url: string;
  sent: Record<string, unknown>[];
  closeCode: number | null;
}

function spySockets(): { WebSocket: WebSocketClass; sockets: SpiedSocket[] } {
  const sockets: SpiedSocket[] = [];
  class Spy extends WebSocket {
    readonly spied: SpiedSocket;
    constructor(url: string) {
      super(url);
      this.spied = { url, sent: [], closeCode: null };
      sockets.push(this.spied);
      this.on("close", (code) => {
        this.spied.closeCode = code;
      });
    }
    override send(data: unknown): void {
      if (typeof data === "string" && data.startsWith("{")) this.spied.sent.push(JSON.parse(data) as Record<string, unknown>);
      super.send(data as string);
    }
  }
  return { WebSocket: Spy, sockets };
}

/** A fetch that logs each request's method, URL and Authorization header. */
function spyFetch(): { fetch: FetchFunction; seen: { method: string; url: string; authorization: string | null; status: number }[] } {
  const seen: { method: string; url: string; authorization: string | null; status: number }[] = [];
  return {
    seen,
    fetch: async (url, init) => {
      const authorization = new Headers(init.headers).get("authorization");
      const response = await fetch(url, init);
      seen.push({ method: init.method ?? "GET", url, authorization, status: response.status });
      return response;
    },
  };
}

/** An auth function answering `early` until `windowMs` after its first call, then fresh good tokens; counts its calls. */
function windowedAuth(early: () => Promise<string>, windowMs: number): { auth: () => Promise<string>; calls: () => number } {
  let calls = 0;
  let firstAt: number | null = null;
  return {
    calls: () => calls,
    auth: async () => {
      calls++;
      firstAt ??= Date.now();
      if (Date.now() - firstAt < windowMs) return early();
      return mintToken({ sub: "alice", scope: SCOPE, expiresInS: 3_600, extra: { n: calls } });
    },
  };
}

async function createTopic(name: string, partitions: number): Promise<void> {
  await adminRequest(rig.server.url, "PUT", `/v1/topics/${name}`, { partitions });
}

function values(n: number, from = 0): { value: number }[] {
  return Array.from({ length: n }, (_, i) => ({ value: from + i }));
}

describe("the client with auth required", () => {
  it("sends the bearer header on every HTTP call and auth first on every socket, never a token in a URL", async () => {
    await createTopic("c-basic", 2);
    const tokens: string[] = [];
    const http = spyFetch();
    const ws = spySockets();
    const client = rig.client({
      fetch: http.fetch,
      WebSocket: ws.WebSocket,
      auth: async () => {
        const token = await mintToken({ sub: "alice", scope: SCOPE, expiresInS: 3_600 });
        tokens.push(token);
        return token;
      },
    });
    const got = collect();
    client.subscribe("c-basic", { from: "earliest" }, got.callback);
    await Promise.all(values(4).map((record, i) => client.produce("c-basic", { key: `k${i}`, ...record })));
    await got.waitForCount(4);
    expect(tokens).toHaveLength(1);
    expect(http.seen.length).toBeGreaterThan(0);
    for (const request of http.seen) expect([request.url, request.authorization]).toEqual([request.url, `Bearer ${tokens[0]}`]);
    expect(ws.sockets).toHaveLength(2);
    for (const socket of ws.sockets) {
      expect(socket.sent[0]).toEqual({ type: "auth", id: expect.any(String), token: tokens[0] });
      expect(socket.sent[1]?.type).toBe("subscribe");
    }
    for (const url of [...http.seen.map((r) => r.url), ...ws.sockets.map((s) => s.url)]) {
      expect(url).not.toContain(tokens[0]!.slice(-20));
      expect(url).not.toMatch(/token|auth|jwt|bearer/i);
    }
    // Without the option the same server refuses: the header is what made it work.
    const anonymous = await fetch(`${rig.server.url}/v1/topics/c-basic`);
    expect([anonymous.status, ((await anonymous.json()) as { error: { code: string } }).error.code]).toEqual([401, "UNAUTHENTICATED"]);
  });

  it("recovers a 401 with one fresh token: the request is sent again once, and the socket reconnects", async () => {
    await createTopic("c-401", 1);
    let calls = 0;
    const http = spyFetch();
    const client = rig.client({
      fetch: http.fetch,
      auth: async () => {
        calls++;
        return mintToken({ sub: "alice", scope: SCOPE, expiresInS: 3_600, wrongSecret: calls === 1 });
      },
    });
    const got = collect();
    client.subscribe("c-401", { from: "earliest" }, got.callback);
    const position = await client.produce("c-401", { value: "after a 401" });
    expect(position).toEqual({ partition: 0, offset: 0 });
    await got.waitForCount(1);
    expect(calls).toBe(2);
    // What went out with the refused token was answered 401 and sent again, once each, with the fresh one.
    const bad = http.seen[0]!.authorization;
    const refused = http.seen.filter((r) => r.authorization === bad);
    const retried = http.seen.filter((r) => r.authorization !== bad);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((r) => r.status === 401)).toBe(true);
    expect(retried.every((r) => r.status === 200)).toBe(true);
    for (const request of refused) expect(retried.some((r) => r.url === request.url && r.method === request.method)).toBe(true);
    expect(got.offsets(0)).toEqual([0]);
  });

  it("refreshes a token that expires on the open socket on that socket: one socket, one subscribe, no gap, no duplicate", async () => {
    await createTopic("c-reauth", 1);
    // Past its exp by 20 s: the server accepts it (30 s of clock skew) and closes at +10 s unless re-authenticated.
    const early = mintToken({ sub: "alice", scope: SCOPE, expiresInS: -20 });
    const auth = windowedAuth(() => early, 3_000);
    const ws = spySockets();
    const errors: ClientError[] = [];
    const client = rig.client({ WebSocket: ws.WebSocket, auth: auth.auth });
    client.onError((error) => errors.push(error));
    const got = collect();
    client.subscribe("c-reauth", { from: "earliest" }, got.callback);
    await Promise.all(values(3).map((record) => client.produce("c-reauth", record)));
    await got.waitForCount(3);
    const socket = ws.sockets[0]!;
    expect(socket.sent[0]).toMatchObject({ type: "auth", token: await early });
    await waitFor(
      "a second auth on the socket",
      () => (socket.sent.filter((m) => m.type === "auth").length >= 2 ? true : undefined),
      WAIT_MS,
      50,
    );
    // Past the first token's expiry and the server's skew: the socket would have been closed by now.
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    await Promise.all(values(3, 3).map((record) => client.produce("c-reauth", record)));
    await got.waitForCount(6);
    expect(got.offsets(0)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(got.records.map((r) => r.value)).toEqual([0, 1, 2, 3, 4, 5]);
    expect([ws.sockets.length, socket.closeCode]).toEqual([1, null]);
    expect(socket.sent.filter((m) => m.type === "subscribe")).toHaveLength(1);
    const auths = socket.sent.filter((m) => m.type === "auth");
    expect(auths).toHaveLength(2);
    expect(auths[1]!.token).not.toBe(await early);
    expect(errors).toEqual([]);
  });

  it("reconnects with a fresh token after a 4401 close, resuming the subscription where it was", async () => {
    await createTopic("c-4401", 1);
    // The auth function keeps answering the expiring token for 12 s: the socket cannot re-authenticate in time.
    const early = mintToken({ sub: "alice", scope: SCOPE, expiresInS: -20 });
    const auth = windowedAuth(() => early, 12_000);
    const ws = spySockets();
    const client = rig.client({ WebSocket: ws.WebSocket, auth: auth.auth });
    const got = collect();
    client.subscribe("c-4401", { from: "earliest" }, got.callback);
    await Promise.all(values(3).map((record) => client.produce("c-4401", record)));
    await got.waitForCount(3);
    await waitFor("a second socket", () => (ws.sockets.length >= 2 ? true : undefined), 30_000, 100);
    expect(ws.sockets[0]!.closeCode).toBe(4401);
    await Promise.all(values(3, 3).map((record) => client.produce("c-4401", record)));
    await got.waitForCount(6);
    await waitForStatus(client, "live");
    expect(got.offsets(0)).toEqual([0, 1, 2, 3, 4, 5]);
    const last = ws.sockets[ws.sockets.length - 1]!;
    expect(last.sent[0]).toMatchObject({ type: "auth" });
    expect(last.sent[0]!.token).not.toBe(await early);
    expect(last.sent.find((m) => m.type === "subscribe")).toMatchObject({ from: { offset: 3 } });
    // Rate-limited: 12 s of answers that did not help cost a handful of calls, not a loop.
    expect(auth.calls()).toBeLessThanOrEqual(12);
  });

  it("reports a failing auth function as AUTH_FAILED and retries it with backoff until it works", async () => {
    await createTopic("c-failing", 1);
    let calls = 0;
    const errors: ClientError[] = [];
    const client = rig.client({
      auth: async () => {
        calls++;
        if (calls <= 2) throw new Error(`the session endpoint is down (${calls})`);
        return mintToken({ sub: "alice", scope: SCOPE, expiresInS: 3_600 });
      },
    });
    client.onError((error) => errors.push(error));
    const got = collect();
    client.subscribe("c-failing", { from: "earliest" }, got.callback);
    const delivered = client.produce("c-failing", { value: "eventually" });
    expect(await delivered).toEqual({ partition: 0, offset: 0 });
    await got.waitForCount(1);
    await waitForStatus(client, "live");
    expect(calls).toBe(3);
    expect(errors.map(errorCode)).toEqual(["AUTH_FAILED", "AUTH_FAILED"]);
    expect(String((errors[0] as Error).message)).toContain("the session endpoint is down (1)");
  });

  it("says offline while the auth function fails, with each failure reported", async () => {
    await createTopic("c-no-token", 1);
    let calls = 0;
    const errors: ClientError[] = [];
    const client = rig.client({
      auth: () => {
        calls++;
        throw new Error("signed out");
      },
    });
    client.onError((error) => errors.push(error));
    client.subscribe("c-no-token", { from: "earliest" }, () => undefined);
    await waitForStatus(client, "offline");
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((error) => errorCode(error) === "AUTH_FAILED")).toBe(true);
    // One report per call of the function, however many requests and sockets waited on it.
    expect(errors.length).toBe(calls);
  });

  it("asks a server that keeps refusing at a bounded rate, reports it, and keeps the outbox", async () => {
    await createTopic("c-refused", 1);
    let calls = 0;
    const errors: ClientError[] = [];
    const client = rig.client({
      auth: async () => {
        calls++;
        return mintToken({ sub: "alice", scope: SCOPE, expiresInS: 3_600, wrongSecret: true, extra: { n: calls } });
      },
    });
    client.onError((error) => errors.push(error));
    void client.produce("c-refused", { value: "kept" }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    // At most one call per TOKEN_REFRESH_INTERVAL_MS_MIN (2 s) or the backoff after a refusal.
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(5);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((error) => errorCode(error) === "AUTH_FAILED")).toBe(true);
    expect((await client.outbox()).map((r) => r.value)).toEqual(["kept"]);
  });
});
