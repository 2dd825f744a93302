/**
 * The browser client under a quota (PROTOCOL.md QUOTA-4 to QUOTA-6, QUOTA-9), against the real
 * worker in Miniflare with authentication required: a token whose `quota` claim allows a few
 * events a second makes the server answer 429 QUOTA_EXCEEDED; the client keeps its outbox, waits
 * the `retryAfterMs` it is told, sends the same batches again, and every record is delivered
 * exactly once, in order. And a socket closed with 4429 (its principal holds its bound of sockets
 * on the partition) is opened again only after at least QUOTA_RECONNECT_DELAY_MS_MIN, against the
 * server (a WebSocket class that sends the `auth` message itself: the client's own socket auth
 * comes with another branch) and on a fake socket.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-quota.test.ts
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { quotaReconnectDelayMs, quotaWaitMs } from "../../client/backoff.ts";
import { createClient, type EdgelogClient, type FetchFunction, type TopicRecord, type WebSocketClass } from "../../client/index.ts";
import { QUOTA_RECONNECT_DELAY_MS_MIN, QUOTA_WAIT_MS_MAX, RECONNECT_DELAY_MS_MIN } from "../../client/local-limits.ts";
import { CLOSE_QUOTA_EXCEEDED } from "../../client/protocol/index.ts";
import { ReconnectingSocket, type SocketDown, type WebSocketLike } from "../../client/reconnecting-socket.ts";
import { mintTestToken } from "../conformance/auth-fixtures.ts";
import { NodeWebSocket } from "./client-harness.ts";
import { bundleWorker, type LocalRuntime, makeTempDir, removeDir, startMiniflare, waitFor } from "./runtime.ts";

const SECRET = "node-quota-secret-0123456789abcdef0123";
const RATE_EVENTS_PER_S = 100;
const RECORDS = 400;

let dir = "";
let runtime: LocalRuntime | null = null;
const clients: EdgelogClient[] = [];

beforeAll(async () => {
  dir = await makeTempDir("edgelog-quota-");
  const scriptPath = await bundleWorker(join(dir, "bundle"));
  runtime = await startMiniflare({
    scriptPath,
    persistDir: join(dir, "state"),
    auth: "unset",
    vars: { EDGELOG_AUTH: "required", EDGELOG_JWT_SECRET: SECRET },
  });
});
afterAll(async () => {
  for (const client of clients) client.close();
  await runtime?.stop();
  await removeDir(dir);
});

/** A fetch that sends `token` and counts each answer's status (what the client saw). */
function bearerFetch(token: string, statuses: number[]): FetchFunction {
  return async (url, init) => {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${token}`);
    const response = await fetch(url, { ...init, headers });
    statuses.push(response.status);
    return response;
  };
}

async function admin(method: string, path: string, body?: unknown): Promise<unknown> {
  const token = await mintTestToken(SECRET, { sub: "admin", scope: "admin:*" });
  const response = await fetch(`${runtime!.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status, `${method} ${path}`).toBeLessThan(300);
  return response.json();
}

describe("the client's producer under a quota", () => {
  it("waits retryAfterMs on 429, keeps its outbox, and delivers every record exactly once, in order", async () => {
    const topic = `quota-client-${Date.now()}`;
    await admin("PUT", `/v1/topics/${topic}`, { partitions: 1 });
    const token = await mintTestToken(SECRET, {
      sub: "throttled",
      scope: `write:${topic} read:${topic}`,
      quota: { eventsPerS: RATE_EVENTS_PER_S },
    });
    const statuses: number[] = [];
    const errors: unknown[] = [];
    const client = createClient({ url: runtime!.url, cache: "memory", WebSocket: NodeWebSocket, fetch: bearerFetch(token, statuses) });
    clients.push(client);
    client.onError((error) => errors.push(error));
    const started = Date.now();
    const positions: { offset: number }[] = [];
    // Four waves of 100, each sent once the one before is acknowledged: the first takes the burst
    // (100), the second is admitted at zero and leaves 1 s of debt, so the third and the fourth
    // are each refused and wait about 1 s.
    for (let wave = 0; wave < 4; wave++) {
      const delivered: Promise<{ offset: number }>[] = [];
      for (let i = 0; i < RECORDS / 4; i++) delivered.push((await client.enqueue(topic, { value: wave * 100 + i })).delivered);
      positions.push(...(await Promise.all(delivered)));
    }
    const elapsedMs = Date.now() - started;
    await client.flush();
    expect(positions.map((p) => p.offset)).toEqual(Array.from({ length: RECORDS }, (_, i) => i));
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(2);
    // Two waves of debt at 100/s: the client waited about 2 s as told, and did not hammer the server.
    expect(elapsedMs).toBeGreaterThanOrEqual(((RECORDS - 2 * RATE_EVENTS_PER_S) / RATE_EVENTS_PER_S) * 1000 - 250);
    expect(statuses.filter((status) => status === 429).length).toBeLessThanOrEqual(4);
    expect(errors).toEqual([]);
    expect(await client.outbox()).toEqual([]);
    const page = (await admin("GET", `/v1/topics/${topic}/partitions/0/records?limit=1000`)) as { records: { value: number }[] };
    expect(page.records.map((r) => r.value)).toEqual(Array.from({ length: RECORDS }, (_, i) => i));
  });

  it("bounds each wait by QUOTA_WAIT_MS_MAX", () => {
    expect(quotaWaitMs(1_200, 0)).toBe(1_200);
    expect(quotaWaitMs(3_600_000, 0)).toBe(QUOTA_WAIT_MS_MAX);
    expect(quotaWaitMs(null, 0, () => 0)).toBe(RECONNECT_DELAY_MS_MIN);
  });
});

describe("the client's socket closed with 4429", () => {
  it("waits at least QUOTA_RECONNECT_DELAY_MS_MIN before it reconnects, more after each such close", async () => {
    const opened: number[] = [];
    class QuotaClosedSocket implements WebSocketLike {
      readyState = 0;
      onopen: ((event: never) => void) | null = null;
      onmessage: ((event: never) => void) | null = null;
      onclose: ((event: never) => void) | null = null;
      onerror: ((event: never) => void) | null = null;
      constructor() {
        opened.push(Date.now());
        setTimeout(() => {
          this.readyState = 3;
          (this.onclose as ((event: { code: number; reason: string }) => void) | null)?.({
            code: CLOSE_QUOTA_EXCEEDED,
            reason: "too many sockets",
          });
        }, 5);
      }
      send(): void {}
      close(): void {}
    }
    const downs: SocketDown[] = [];
    const socket = new ReconnectingSocket(
      { url: "ws://127.0.0.1:9/ws", WebSocket: QuotaClosedSocket, heartbeatIntervalMs: 60_000, random: () => 1 },
      { connecting() {}, open() {}, message() {}, down: (info) => downs.push(info) },
    );
    try {
      socket.start();
      await waitFor("a 4429 close", () => (downs.length >= 1 ? true : undefined), 5_000, 5);
      expect(downs[0]).toMatchObject({ code: CLOSE_QUOTA_EXCEEDED, retryInMs: quotaReconnectDelayMs(0, () => 1) });
      expect(downs[0]!.retryInMs!).toBeGreaterThanOrEqual(QUOTA_RECONNECT_DELAY_MS_MIN);
      await waitFor("a second attempt", () => (downs.length >= 2 ? true : undefined), QUOTA_RECONNECT_DELAY_MS_MIN + 5_000, 20);
      expect(opened[1]! - opened[0]!).toBeGreaterThanOrEqual(QUOTA_RECONNECT_DELAY_MS_MIN);
      expect(downs[1]!.retryInMs!).toBeGreaterThan(downs[0]!.retryInMs!);
    } finally {
      socket.close();
    }
  });
});

/**
 * A `ws` WebSocket that authenticates itself with `token` as its first message and holds what the
 * client sends until the server answers `authenticated`; `opened` logs when each was made.
 */
function authenticatingWebSocket(token: string, opened: number[]): WebSocketClass {
  return class AuthenticatingWebSocket extends WebSocket {
    private held: string[] | null = [];
    constructor(url: string) {
      super(url);
      opened.push(Date.now());
      this.on("open", () => super.send(JSON.stringify({ type: "auth", id: "a1", token })));
      this.on("message", (data) => {
        if (this.held === null || !String(data).includes('"type":"authenticated"')) return;
        for (const text of this.held) super.send(text);
        this.held = null;
      });
    }
    override send(data: unknown): void {
      if (this.held !== null) this.held.push(String(data));
      else super.send(data as string);
    }
  };
}

describe("the client's socket over its principal's bound", () => {
  it("is closed with 4429, waits at least QUOTA_RECONNECT_DELAY_MS_MIN, and subscribes once a place is free", async () => {
    const topic = `quota-sockets-${Date.now()}`;
    await admin("PUT", `/v1/topics/${topic}`, { partitions: 1 });
    await admin("POST", `/v1/topics/${topic}/partitions/0/records`, { records: [{ value: 0 }, { value: 1 }, { value: 2 }] });
    const token = await mintTestToken(SECRET, { sub: "one-socket", scope: `read:${topic}`, quota: { socketsMax: 1 } });
    // Another socket of the same principal holds the one place.
    const holder = new WebSocket(`${runtime!.url.replace("http", "ws")}/v1/topics/${topic}/partitions/0/ws`);
    const holderReady = new Promise<void>((resolve) => holder.on("message", (data) => String(data).includes('"hello"') && resolve()));
    holder.on("open", () => holder.send(JSON.stringify({ type: "auth", id: "h1", token })));
    await holderReady;
    const opened: number[] = [];
    const errors: string[] = [];
    const client = createClient({
      url: runtime!.url,
      cache: "memory",
      WebSocket: authenticatingWebSocket(token, opened),
      fetch: bearerFetch(token, []),
      heartbeatIntervalMs: 1_000,
    });
    clients.push(client);
    client.onError((error) => errors.push(String((error as { code?: unknown }).code)));
    const got: TopicRecord[] = [];
    client.subscribe(topic, { from: "earliest" }, (record) => {
      got.push(record);
    });
    await waitFor("the 4429 refusal", () => (errors.includes("QUOTA_EXCEEDED") ? true : undefined), 10_000, 20);
    holder.close();
    await waitFor(
      "the records once a place is free",
      () => (got.length >= 3 ? true : undefined),
      QUOTA_RECONNECT_DELAY_MS_MIN + 30_000,
      50,
    );
    expect(opened.length).toBeGreaterThanOrEqual(2);
    expect(opened[1]! - opened[0]!).toBeGreaterThanOrEqual(QUOTA_RECONNECT_DELAY_MS_MIN);
    expect(got.map((r) => r.value)).toEqual([0, 1, 2]);
  });
});
