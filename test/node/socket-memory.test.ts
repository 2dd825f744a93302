/**
 * What a subscribed socket costs the partition object, asserted on its mechanisms rather than on
 * resident memory (which is workerd's, noisy, and ~90 KiB per socket even for a trivial object):
 * - no compression: a client that offers permessage-deflate (browsers and Node's `ws` do, by
 *   default) gets no extension on the partition or the group socket, and no
 *   `Sec-WebSocket-Extensions` header; with compression workerd held a zlib context per socket
 *   (~225 KiB each: 353 instead of 129 KiB per socket at 2,000 sockets);
 * - the isolate's reachable heap (a heap snapshot, compiled code left out: isolate-heap.ts) grows
 *   by at most SOCKET_HEAP_BYTES_MAX per live subscribed socket, in each of HEAP_STEPS steps of
 *   SOCKETS_STEP sockets (measured ~1.0 KiB, the same in every run: the runtime's WebSocket
 *   object 576 B, its attachment 108 B, auto-response bookkeeping, the object's cached state), so
 *   32,768 sockets hold ~33 MiB of one object's 128 MB.
 * Seen failing: before socket-upgrade.ts's switchingProtocols, `ws.extensions` was
 * "permessage-deflate" on both sockets and the 101 named it; an 8 KB array kept per accepted
 * socket measured 8.9 KiB per socket here.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/socket-memory.test.ts
 */
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { dirname, join } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { isolateHeapReachableBytes } from "./isolate-heap.ts";
import {
  bundleWorker,
  compatibilityDate,
  compatibilityFlags,
  EDGELOG_DURABLE_OBJECTS,
  edgelogApi,
  makeTempDir,
  readyMiniflare,
  removeDir,
  sleep,
  withTimeout,
} from "./runtime.ts";

/** The most the isolate's heap may grow per live subscribed socket, in bytes (measured 0.97-1.02 KiB). */
const SOCKET_HEAP_BYTES_MAX = 4 * 1024;
/** Sockets open before the first heap reading (the code paths they take are compiled by then). */
const SOCKETS_FIRST = 100;
/** Sockets opened between two readings. */
const SOCKETS_STEP = 200;
/** Steps of SOCKETS_STEP sockets, each measured: the largest growth counts. */
const HEAP_STEPS = 2;
/** Sockets connecting at once. */
const CONNECT_CONCURRENCY_MAX = 25;
/** How long a socket may take to reach its first frame or `live`, in ms. */
const SOCKET_STEP_MS_MAX = 15_000;
/** Time left for the upgrade requests' ends to be released before a heap reading, in ms. */
const SETTLE_MS = 1_000;
const TOPIC = "memory-topic";

let dir = "";
let url = "";
let inspectorUrl: URL | null = null;
let stop: (() => Promise<void>) | null = null;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  dir = await makeTempDir("edgelog-socket-memory-");
  const scriptPath = await bundleWorker(join(dir, "bundle"));
  const miniflare = new Miniflare({
    modules: true,
    scriptPath,
    modulesRoot: dirname(scriptPath),
    compatibilityDate: await compatibilityDate(),
    compatibilityFlags: await compatibilityFlags(),
    durableObjects: EDGELOG_DURABLE_OBJECTS,
    durableObjectsPersist: join(dir, "state"),
    bindings: { EDGELOG_AUTH: "off" },
    host: "127.0.0.1",
    port: 0,
    inspectorPort: 0,
    cf: false,
  });
  const ready = await readyMiniflare(miniflare, "Miniflare to start");
  stop = ready.stop;
  url = ready.url.origin;
  inspectorUrl = await miniflare.getInspectorURL();
  await edgelogApi(url).createTopic(TOPIC, 1);
});

afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  await stop?.();
  await removeDir(dir);
});

/** What Chromium and Firefox offer in a handshake (and Node's `ws` by default). */
const BROWSER_OFFER = "permessage-deflate; client_max_window_bits";

/** A raw handshake for `path` offering BROWSER_OFFER; answers the 101's headers. */
function rawUpgrade(path: string): Promise<IncomingHttpHeaders> {
  const answer = new Promise<IncomingHttpHeaders>((resolve, reject) => {
    const request = httpRequest(`${url}${path}`, {
      headers: {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        "sec-websocket-extensions": BROWSER_OFFER,
      },
    });
    request.once("upgrade", (response, socket) => {
      socket.destroy();
      resolve(response.headers);
    });
    request.once("response", (response) => reject(new Error(`answered ${response.statusCode}, not 101`)));
    request.once("error", reject);
    request.end();
  });
  return withTimeout(answer, SOCKET_STEP_MS_MAX, "the 101");
}

/** A `ws` socket (it offers permessage-deflate by default), once open. */
async function openOffering(path: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace("http", "ws")}${path}`);
  sockets.push(ws);
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    }),
    SOCKET_STEP_MS_MAX,
    "the socket to open",
  );
  return ws;
}

/** Opens a partition socket, subscribes from earliest and resolves once it is `live`. */
function openLive(): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace("http", "ws")}/v1/topics/${TOPIC}/partitions/0/ws`);
  sockets.push(ws);
  const live = new Promise<WebSocket>((resolve, reject) => {
    ws.once("error", reject);
    ws.on("message", (data) => {
      const type = (JSON.parse(data.toString()) as { type: string }).type;
      if (type === "hello") ws.send('{"type":"subscribe","id":"s","from":"earliest"}');
      if (type === "live") resolve(ws);
    });
  });
  return withTimeout(live, SOCKET_STEP_MS_MAX, "a subscribed socket to be live");
}

/** Opens `count` live sockets, at most CONNECT_CONCURRENCY_MAX at once. */
async function openLiveSockets(count: number): Promise<void> {
  let left = count;
  const worker = async (): Promise<void> => {
    while (left > 0) {
      left--;
      await openLive();
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY_MAX, count) }, worker));
}

describe("socket compression", () => {
  it.each([
    ["partition", `/v1/topics/${TOPIC}/partitions/0/ws`],
    ["group", "/v1/groups/memory-group/ws"],
  ])("a %s socket offered permessage-deflate negotiates no extension", async (_, path) => {
    const headers = await rawUpgrade(path);
    expect(headers["sec-websocket-accept"]).toBeTypeOf("string");
    expect(headers["sec-websocket-extensions"]).toBeUndefined();
    const ws = await openOffering(path);
    expect(ws.extensions).toBe("");
    ws.terminate();
  });

  it("pushes records uncompressed to a socket that offered compression", async () => {
    const ws = await openLive();
    const pushed = new Promise<unknown>((resolve) =>
      ws.on("message", (data) => {
        const message = JSON.parse(data.toString()) as { type: string; records?: { value: unknown }[] };
        if (message.type === "records") resolve(message.records?.[0]?.value);
      }),
    );
    await edgelogApi(url).produce(TOPIC, { records: [{ value: { text: "x".repeat(2_000) } }] }, 0);
    expect(await withTimeout(pushed, SOCKET_STEP_MS_MAX, "the push")).toEqual({ text: "x".repeat(2_000) });
    expect(ws.extensions).toBe("");
  });
});

describe("the isolate's heap per subscribed socket", () => {
  it(`grows by at most ${SOCKET_HEAP_BYTES_MAX} bytes per live socket`, async () => {
    await openLiveSockets(SOCKETS_FIRST);
    const readings: number[] = [];
    for (let step = 0; step <= HEAP_STEPS; step++) {
      if (step > 0) await openLiveSockets(SOCKETS_STEP);
      await sleep(SETTLE_MS);
      readings.push(await isolateHeapReachableBytes(inspectorUrl!));
    }
    const growths = readings.slice(1).map((bytes, i) => (bytes - readings[i]!) / SOCKETS_STEP);
    console.log(`isolate heap per live subscribed socket, step by step: ${growths.map((g) => (g / 1024).toFixed(2)).join(", ")} KiB`);
    const perSocket = Math.max(...growths);
    expect(perSocket).toBeLessThanOrEqual(SOCKET_HEAP_BYTES_MAX);
  });
});
