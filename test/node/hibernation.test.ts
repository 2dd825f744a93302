/**
 * The Hibernation API, black-box in the local runtime (workerd through the Miniflare API): an
 * idle partition object is evicted from memory while its subscribers stay connected, and the next
 * append wakes a new instance that still knows every subscription (it lives in the sockets'
 * attachments, as does a socket's protocol version: a version 2 socket still gets the compact
 * `ack`) and pushes to it. Heartbeats (exact PING) are answered by the runtime without
 * waking the object, so a pinged subscriber does not keep it in memory either.
 *
 * Eviction is seen through `GET .../stats`: `startedAt` is when the instance answering started,
 * so a later value after an idle wait means the earlier instance was evicted meanwhile. The stats
 * request itself wakes the object, so it is asked only before and after the idle wait.
 *
 * Measured here (Miniflare 4.20260426): an object with only hibernated sockets is evicted after
 * 9.5-10 s idle. The test idles 30 s (3x that) with nothing in flight, no requests at all.
 *
 * Miniflare rather than `wrangler dev`: wrangler dev reloads when a source file changes (others
 * edit this repository while tests run), and a reload drops every socket (close 1006), as a
 * deploy does; the Miniflare bundle is built once.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/hibernation.test.ts
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { PartitionStatsResponse } from "../../client/protocol/index.ts";
import { PING, PONG, type ServerMessage, type ServerMessageOf } from "../../client/protocol/index.ts";
import { bundleWorker, edgelogApi, expectJson, type LocalRuntime, makeTempDir, removeDir, sleep, startMiniflare } from "./runtime.ts";

/** How long the test stays idle: about 3x the eviction time measured locally. */
const IDLE_MS = 30_000;
/** Bound on any one wait for a frame. */
const FRAME_TIMEOUT_MS = 10_000;

/** A `ws` client socket with a mailbox of the frames it received, in order. */
class NodeSocket {
  readonly ws: WebSocket;
  readonly frames: string[] = [];
  closeCode: number | null = null;
  private taken = 0;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on("message", (data) => this.frames.push(String(data)));
    this.ws.on("close", (code) => (this.closeCode = code));
    this.ws.on("error", () => undefined); // the close event reports it
  }

  async opened(): Promise<void> {
    await waitUntil("the socket to open", () => this.ws.readyState === WebSocket.OPEN || this.closeCode !== null);
    expect(this.closeCode).toBeNull();
  }

  /** The next frame not yet taken (bounded wait). */
  async nextRaw(): Promise<string> {
    await waitUntil(`frame #${this.taken}`, () => this.frames.length > this.taken);
    return this.frames[this.taken++]!;
  }

  /** The next frame, which must be of `type`. */
  async next<T extends ServerMessage["type"]>(type: T): Promise<ServerMessageOf<T>> {
    const raw = await this.nextRaw();
    const message = JSON.parse(raw) as ServerMessage;
    expect(message.type, raw).toBe(type);
    return message as ServerMessageOf<T>;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }
}

/** Polls `done` every 20 ms for at most FRAME_TIMEOUT_MS. */
async function waitUntil(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + FRAME_TIMEOUT_MS;
  for (let turn = 0; turn < 100_000 && !done(); turn++) {
    if (Date.now() > deadline) throw new Error(`timed out after ${FRAME_TIMEOUT_MS} ms waiting for ${what}`);
    await sleep(20);
  }
}

describe("hibernation", () => {
  let dir = "";
  let runtime: LocalRuntime | null = null;
  const sockets: NodeSocket[] = [];

  beforeAll(async () => {
    dir = await makeTempDir("edgelog-hibernation-");
    runtime = await startMiniflare({ scriptPath: await bundleWorker(join(dir, "bundle")), persistDir: join(dir, "do") });
  });

  afterAll(async () => {
    for (const sock of sockets) sock.close();
    await runtime?.stop();
    await removeDir(dir);
  });

  it(
    "evicts an idle partition while its subscribers stay connected, and the next append reaches them",
    async () => {
      const url = runtime!.url;
      const api = edgelogApi(url);
      const stats = (topic: string) => expectJson<PartitionStatsResponse>("GET", `${url}/v1/topics/${topic}/partitions/0/stats`);

      // Three objects: one left wholly idle, one whose subscriber keeps sending heartbeats, and
      // one whose socket chose protocol version 2 (SOCKET-21: the choice outlives the eviction).
      const topics = ["idle", "pinged", "compact"];
      const subscribers: NodeSocket[] = [];
      const before: PartitionStatsResponse[] = [];
      for (const topic of topics) {
        await api.createTopic(topic, 1);
        await api.produce(topic, { records: [{ value: "before" }] }, 0);
        const sock = new NodeSocket(`${url.replace(/^http/, "ws")}/v1/topics/${topic}/partitions/0/ws`);
        sockets.push(sock);
        await sock.opened();
        expect(await sock.next("hello")).toMatchObject({ topic, partition: 0, highWatermark: 1 });
        if (topic === "compact") sock.send({ type: "hello", version: 2 });
        sock.send({ type: "subscribe", id: "s", from: "latest" });
        expect(await sock.next("subscribed")).toMatchObject({ offset: 1 });
        expect(await sock.next("live")).toEqual({ type: "live", id: "s", offset: 1 });
        subscribers.push(sock);
        const stat = await stats(topic);
        expect(stat.sockets).toBe(1);
        before.push(stat);
      }

      // Idle: no request to either object. The pinged subscriber sends PING every 5 s meanwhile.
      const idleStart = Date.now();
      const pinged = subscribers[1]!;
      for (let turn = 0; turn < 100 && Date.now() - idleStart < IDLE_MS; turn++) {
        await sleep(Math.min(5_000, Math.max(0, IDLE_MS - (Date.now() - idleStart))));
        if (Date.now() - idleStart >= IDLE_MS) break;
        pinged.send(PING);
        expect(await pinged.nextRaw()).toBe(PONG);
      }

      for (const [i, topic] of topics.entries()) {
        const sock = subscribers[i]!;
        // Still connected through the eviction, and nothing was pushed meanwhile.
        expect(sock.closeCode, topic).toBeNull();
        expect(sock.ws.readyState, topic).toBe(WebSocket.OPEN);
        if (topic === "compact") {
          // Produced on the socket itself: the woken instance reads version 2 from the attachment.
          sock.send({ type: "produce", id: "p", records: [{ key: "k", value: `after ${topic}` }] });
        } else {
          const produced = await api.produce(topic, { records: [{ key: "k", value: `after ${topic}` }] }, 0);
          expect(produced.offsets).toEqual([{ partition: 0, offset: 1 }]);
        }
        const pushed = await sock.next("records");
        expect(pushed.records.map((r) => [r.offset, r.key, r.value])).toEqual([[1, "k", `after ${topic}`]]);
        if (topic === "compact") expect(await sock.nextRaw()).toBe('{"type":"ack","id":"p","partition":0,"baseOffset":1,"count":1}');

        const after = await stats(topic);
        // A new instance answers (the idle one was evicted), and it sees the socket still open.
        expect(after.startedAt, `${topic}: startedAt before ${before[i]!.startedAt}`).toBeGreaterThan(before[i]!.startedAt);
        expect(after.sockets).toBe(1);
        expect(after.highWatermark).toBe(2);
      }
      // A version 1 socket on a woken object keeps version 1's ack.
      subscribers[0]!.send({ type: "produce", id: "v1", records: [{ value: "v1" }] });
      expect((await subscribers[0]!.next("records")).records.map((r) => r.offset)).toEqual([2]);
      expect(await subscribers[0]!.nextRaw()).toBe('{"type":"ack","id":"v1","offsets":[{"partition":0,"offset":2}]}');
    },
    IDLE_MS + 60_000,
  );
});
