/**
 * Helpers for the browser client's tests in Node: the real worker under Miniflare (stoppable and
 * restartable on the same port and state, to take the network away and give it back), the `ws`
 * package as the client's WebSocket (with a spy that logs what the client sends), fetch wrappers
 * that lose answers, and a record collector with bounded waits.
 *
 * @example
 * const server = await startServer();
 * const client = createClient({ url: server.url, cache: "memory", WebSocket: ws.WebSocket });
 * const got = collect();
 * client.subscribe("orders", {}, got.callback);
 * await got.waitForCount(3);
 */
import { join } from "node:path";
import { afterAll, afterEach, beforeAll } from "vitest";
import { WebSocket } from "ws";
import {
  type ClientOptions,
  type ClientStatus,
  createClient,
  type EdgelogClient,
  errorCode,
  type FetchFunction,
  type TopicRecord,
  type WebSocketClass,
} from "../../client/index.ts";
import { bundleWorker, type EdgelogApi, edgelogApi, freePort, makeTempDir, removeDir, startMiniflare, waitFor } from "./runtime.ts";

/** How long a test waits for anything the client does (bounded; generous for a noisy machine). */
export const WAIT_MS = 20_000;

/** The worker under Miniflare on a fixed port, stoppable and restartable on the same state. */
export interface TestServer {
  url: string;
  api: EdgelogApi;
  /** Stops the runtime: the port refuses connections, sockets drop. */
  stop(): Promise<void>;
  /** Starts it again on the same port and state (nothing if it is running). */
  start(): Promise<void>;
  /** Stops it and removes its files. */
  dispose(): Promise<void>;
}

/**
 * How a test server runs.
 *
 * @example
 * const options: ServerOptions = { vars: { EDGELOG_AUTH: "required", EDGELOG_JWT_SECRET: secret } };
 */
export interface ServerOptions {
  /** The worker's vars (authentication is off unless these say otherwise). */
  vars?: Record<string, string>;
}

/**
 * Bundles the worker and starts it on a free 127.0.0.1 port.
 *
 * @example
 * const server = await startServer();
 * await server.api.createTopic("t", 2);
 */
export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const dir = await makeTempDir("edgelog-client-");
  const scriptPath = await bundleWorker(dir);
  const port = await freePort();
  const persistDir = join(dir, "do");
  let runtime: Awaited<ReturnType<typeof startMiniflare>> | null = null;
  const start = async (): Promise<void> => {
    if (runtime !== null) return;
    // The port was just released by the previous runtime; a few tries cover a slow release.
    runtime = await waitFor(
      "Miniflare to start on its port",
      () => startMiniflare({ scriptPath, persistDir, port, ...(options.vars ? { vars: options.vars } : {}) }),
      WAIT_MS,
      200,
    );
  };
  const stop = async (): Promise<void> => {
    await runtime?.stop();
    runtime = null;
  };
  await start();
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    api: edgelogApi(url),
    start,
    stop,
    dispose: async () => {
      await stop();
      await removeDir(dir);
    },
  };
}

/** The `ws` package's WebSocket, as the client takes it (this also checks the types fit). */
export const NodeWebSocket: WebSocketClass = WebSocket;

/**
 * A WebSocket class that logs every frame the client sends (parsed), for checking what the
 * client asked the server.
 *
 * @example
 * const spy = spyWebSocket();
 * createClient({ url, WebSocket: spy.WebSocket });
 * spy.sent.filter((m) => m.type === "subscribe");
 */
export function spyWebSocket(): { WebSocket: WebSocketClass; sent: Record<string, unknown>[] } {
  const sent: Record<string, unknown>[] = [];
  class SpyWebSocket extends WebSocket {
    override send(data: unknown): void {
      if (typeof data === "string") sent.push(JSON.parse(data) as Record<string, unknown>);
      super.send(data as string);
    }
  }
  return { WebSocket: SpyWebSocket, sent };
}

/**
 * A fetch that sends produce requests to the server but loses the answer of the first `lose`
 * ones (the request reached the server and was appended; the client sees a network error).
 *
 * @example
 * const lossy = losingFetch(1);
 * createClient({ url, fetch: lossy.fetch });
 */
export function losingFetch(lose: number): { fetch: FetchFunction; lost: () => number; produced: () => number } {
  let lost = 0;
  let produced = 0;
  return {
    fetch: async (url, init) => {
      const response = await fetch(url, init);
      if (init.method !== "POST") return response;
      produced++;
      if (lost >= lose) return response;
      await response.text();
      lost++;
      throw new TypeError("fetch failed: the connection dropped before the answer (simulated)");
    },
    lost: () => lost,
    produced: () => produced,
  };
}

/** A fetch that always fails, as with no network at all. */
export const offlineFetch: FetchFunction = async () => {
  throw new TypeError("fetch failed: no network (simulated)");
};

/** Collects delivered records. */
export interface Collector {
  records: TopicRecord[];
  callback: (record: TopicRecord) => void;
  /** Waits until at least `count` records were delivered. */
  waitForCount(count: number): Promise<TopicRecord[]>;
  /** The delivered records of one partition, as offsets. */
  offsets(partition: number): number[];
}

/**
 * A record collector for `subscribe`'s callback.
 *
 * @example
 * const got = collect();
 * client.subscribe("t", {}, got.callback);
 * await got.waitForCount(10);
 */
export function collect(): Collector {
  const records: TopicRecord[] = [];
  return {
    records,
    callback: (record) => {
      records.push(record);
    },
    waitForCount: (count) =>
      waitFor(`${count} records (have ${records.length})`, () => (records.length >= count ? records : undefined), WAIT_MS, 20),
    offsets: (partition) => records.filter((r) => r.partition === partition).map((r) => r.offset),
  };
}

/**
 * Waits until the client's status is `status`.
 *
 * @example
 * await waitForStatus(client, "live");
 */
export async function waitForStatus(client: EdgelogClient, status: ClientStatus): Promise<void> {
  await waitFor(`status "${status}" (is "${client.status}")`, () => (client.status === status ? true : undefined), WAIT_MS, 20);
}

/**
 * Records the statuses a client goes through, starting with the current one.
 *
 * @example
 * const seen = trackStatuses(client);
 * expect(seen).toEqual(["connecting", "catching-up", "live"]);
 */
export function trackStatuses(client: EdgelogClient): ClientStatus[] {
  const seen: ClientStatus[] = [client.status];
  client.onStatus((status) => seen.push(status));
  return seen;
}

/**
 * Whether `sequence` contains `expected` in order (other statuses may come between).
 *
 * @example
 * inOrder(["connecting", "catching-up", "live"], ["connecting", "live"]); // true
 */
export function inOrder<T>(sequence: readonly T[], expected: readonly T[]): boolean {
  let at = 0;
  for (const item of sequence) if (item === expected[at]) at++;
  return at === expected.length;
}

/**
 * A test file's server and clients: registers the hooks that start the server once, close every
 * client after each test (and start the server again, for tests that stop it), and dispose of it.
 *
 * @example
 * const rig = testRig();
 * it("...", async () => { const c = rig.client({ dbName: "x" }); await rig.server.api.createTopic("t", 1); });
 */
export interface TestRig {
  /** The server (set once `beforeAll` ran). */
  readonly server: TestServer;
  /** A client of the server: memory cache, the `ws` WebSocket, a 1 s heartbeat, unless `options` say otherwise. */
  client(options?: Partial<ClientOptions>): EdgelogClient;
}

/**
 * Makes the file's TestRig (call it at the top level of a test file).
 *
 * @example
 * const rig = testRig();
 */
export function testRig(options: ServerOptions = {}): TestRig {
  let server: TestServer | null = null;
  const clients: EdgelogClient[] = [];
  beforeAll(async () => {
    server = await startServer(options);
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server?.start().catch(() => undefined);
  });
  afterAll(async () => {
    await server?.dispose();
  });
  return {
    get server() {
      if (server === null) throw new Error("the server starts in beforeAll");
      return server;
    },
    client(clientOptions = {}) {
      if (server === null) throw new Error("the server starts in beforeAll");
      const made = createClient({
        url: server.url,
        cache: "memory",
        WebSocket: NodeWebSocket,
        heartbeatIntervalMs: 1_000,
        ...clientOptions,
      });
      clients.push(made);
      return made;
    },
  };
}

/**
 * How a promise settled: "delivered", or the code it rejected with.
 *
 * @example
 * expect(await settledCode(queued.delivered)).toBe("UNKNOWN_TOPIC");
 */
export function settledCode(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "delivered",
    (error: unknown) => String(errorCode(error)),
  );
}
