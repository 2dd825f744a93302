/**
 * Amplification from outside (issue 10): a client that stops reading its TCP socket and re-sends
 * `subscribe from earliest` 600 times (about 30 KB of frames) made the partition push a whole
 * window per subscribe, all of it held unsent in the object's memory (886 MiB measured), because
 * each subscribe started with an empty window. The window is the socket's now (FLOW-2, FLOW-6)
 * and a socket subscribes at most SOCKET_SUBSCRIBES_MAX times (SOCKET-17), so what the object
 * pushes to such a client is one window plus one small answer per frame.
 *
 * Measured here as what the object pushed, not wall time: the raw `ws` client pauses its TCP
 * socket, sends the frames and a barrier, then resumes and counts every byte up to the barrier's
 * answer (the socket is ordered, so nothing pushed for the subscribes comes after it).
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/socket-amplification.test.ts
 */
import { beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { RECORD_TIMESTAMP_BYTES_MAX, SOCKET_SUBSCRIBES_MAX, SUBSCRIBER_WINDOW_BYTES_MAX, utf8Length } from "../../client/protocol/index.ts";
import { edgelogApi, withTimeout } from "./runtime.ts";
import { useScratchRuntime } from "./scratch-runtime.ts";

/** The attack as reported. */
const SUBSCRIBES = 600;
/** Bytes of each record's value: a log of 3 windows, so every subscribe from earliest could fill one. */
const VALUE_BYTES = 10_000;
const RECORDS_PER_REQUEST = 90;
const REQUESTS = 3;
/** What one answer frame (subscribed, paused, live, error) may cost at most: a generous bound. */
const ANSWER_BYTES_MAX = 400;

const topic = "amplified";
const runtime = useScratchRuntime("edgelog-amplification-", { [topic]: 1 });

beforeAll(async () => {
  const value = "v".repeat(VALUE_BYTES);
  for (let request = 0; request < REQUESTS; request++) {
    const records = Array.from({ length: RECORDS_PER_REQUEST }, () => ({ value }));
    await edgelogApi(runtime().url).produce(topic, { records }, 0);
  }
});

/** What the client got up to the barrier's answer: bytes of every frame and of `records` frames alone. */
interface Pushed {
  frames: number;
  bytes: number;
  recordsBytes: number;
  subscribed: number;
  refused: number;
}

/**
 * Opens a socket, pauses reading, sends `frames` then a barrier, resumes and counts what came
 * before the barrier's `error`.
 */
async function pushedFor(frames: readonly string[]): Promise<Pushed> {
  const ws = new WebSocket(`${runtime().url.replace("http", "ws")}/v1/topics/${topic}/partitions/0/ws`);
  ws.on("error", () => undefined);
  await withTimeout(new Promise<void>((resolve) => ws.once("message", () => resolve())), 10_000, "hello");
  ws.pause();
  for (const frame of frames) ws.send(frame);
  ws.send(JSON.stringify({ type: "barrier", id: "barrier" }));
  const pushed: Pushed = { frames: 0, bytes: 0, recordsBytes: 0, subscribed: 0, refused: 0 };
  const done = new Promise<void>((resolve) => {
    ws.on("message", (data: Buffer) => {
      const text = data.toString("utf8");
      const message = JSON.parse(text) as { type: string; id?: string };
      if (message.type === "error" && message.id === "barrier") return resolve();
      pushed.frames++;
      pushed.bytes += utf8Length(text);
      if (message.type === "records") pushed.recordsBytes += utf8Length(text);
      if (message.type === "subscribed") pushed.subscribed++;
      if (message.type === "error") pushed.refused++;
    });
  });
  ws.resume();
  await withTimeout(done, 60_000, "the barrier's answer");
  ws.close();
  return pushed;
}

describe("a client that does not read its socket", () => {
  it("re-subscribing from earliest 600 times gets one window, not 600", async () => {
    const subscribes = Array.from({ length: SUBSCRIBES }, (_, i) => JSON.stringify({ type: "subscribe", id: `s${i}`, from: "earliest" }));
    const sent = subscribes.reduce((bytes, frame) => bytes + utf8Length(frame), 0);
    const pushed = await pushedFor(subscribes);
    // One window (and the one-record exception's record) for the whole socket, whatever the seeks.
    expect(pushed.recordsBytes).toBeLessThanOrEqual(SUBSCRIBER_WINDOW_BYTES_MAX + VALUE_BYTES + RECORD_TIMESTAMP_BYTES_MAX);
    expect(pushed.recordsBytes).toBeGreaterThan(0);
    // Past the limit a subscribe is refused, and each frame gets at most a small answer.
    expect(pushed.subscribed).toBe(SOCKET_SUBSCRIBES_MAX);
    expect(pushed.refused).toBe(SUBSCRIBES - SOCKET_SUBSCRIBES_MAX);
    expect(pushed.bytes - pushed.recordsBytes).toBeLessThanOrEqual(2 * SUBSCRIBES * ANSWER_BYTES_MAX);
    // What the object holds for it is about 40 times what it sent, not 30,000 times.
    expect(pushed.bytes).toBeLessThan(64 * sent);
  });

  it("subscribe and unsubscribe in turn do not free the window either", async () => {
    const frames: string[] = [];
    for (let i = 0; i < 50; i++) {
      frames.push(JSON.stringify({ type: "subscribe", id: `s${i}`, from: "earliest" }));
      frames.push(JSON.stringify({ type: "unsubscribe", id: `s${i}` }));
    }
    const pushed = await pushedFor(frames);
    expect(pushed.recordsBytes).toBeLessThanOrEqual(SUBSCRIBER_WINDOW_BYTES_MAX + VALUE_BYTES + RECORD_TIMESTAMP_BYTES_MAX);
  });
});
