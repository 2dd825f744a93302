/**
 * A request body that never arrives whole, from outside (issue 10): a declared Content-Length
 * never sent, and a body trickled a byte a second, held a request open with no end. Through the
 * Miniflare API's own listener (no proxy in front, so the Worker sees the trickle as it comes), a
 * raw TCP client does both at once: each is answered 408 REQUEST_TIMEOUT once REQUEST_BODY_MS_MAX
 * has passed, and nothing is stored. Bounded by the deadline itself (about 30 s), not a sleep.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/body-deadline.test.ts
 */
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { REQUEST_BODY_MS_MAX } from "../../client/protocol/index.ts";
import { edgelogApi, withTimeout } from "./runtime.ts";
import { useScratchRuntime } from "./scratch-runtime.ts";

/** How long past the deadline an answer may take (a loaded machine). */
const ANSWER_SLACK_MS = 15_000;
/** Bytes the trickling client sends at most (one a second, far past the deadline). */
const TRICKLE_BYTES_MAX = 90;

const topic = "held";
const runtime = useScratchRuntime("edgelog-body-deadline-", { [topic]: 1 });

/** What came back on a held request: the status line, the error code, and the bytes it sent first. */
interface Held {
  status: string;
  code: string | null;
  sentBytes: number;
}

/**
 * POSTs with `Content-Length: 100`, sends `first` at once, then (when `trickle`) one more byte a
 * second, and never ends the body; resolves with the answer once the server gives one.
 */
function holdRequest(first: string, trickle: boolean): Promise<Held> {
  const { hostname, port } = new URL(runtime().url);
  const socket = connect({ host: hostname, port: Number(port) });
  let sentBytes = 0;
  let answer = "";
  let timer: ReturnType<typeof setInterval> | null = null;
  const done = new Promise<Held>((resolve, reject) => {
    socket.on("error", reject);
    socket.on("data", (chunk) => {
      answer += chunk.toString("utf8");
      const body = answer.split("\r\n\r\n")[1];
      if (body === undefined || !body.includes("}}")) return;
      if (timer !== null) clearInterval(timer);
      const code = /"code":"([A-Z_]+)"/.exec(body)?.[1] ?? null;
      resolve({ status: answer.split("\r\n")[0]!, code, sentBytes });
      socket.destroy();
    });
  });
  socket.on("connect", () => {
    const head = `POST /v1/topics/${topic}/partitions/0/records HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`;
    socket.write(head + first);
    sentBytes = first.length;
    if (!trickle) return;
    timer = setInterval(() => {
      if (sentBytes >= TRICKLE_BYTES_MAX) return;
      socket.write(" ");
      sentBytes++;
    }, 1_000);
  });
  return withTimeout(done, REQUEST_BODY_MS_MAX + ANSWER_SLACK_MS, "the held request's answer").finally(() => {
    if (timer !== null) clearInterval(timer);
    socket.destroy();
  });
}

describe("a body that never arrives whole", () => {
  it("is answered 408 REQUEST_TIMEOUT, a declared length never sent and a byte-a-second trickle alike", async () => {
    const [declared, trickled] = await Promise.all([holdRequest('{"records":[{"value":', false), holdRequest("{", true)]);
    expect(declared).toMatchObject({ status: "HTTP/1.1 408 Request Timeout", code: "REQUEST_TIMEOUT" });
    expect(trickled).toMatchObject({ status: "HTTP/1.1 408 Request Timeout", code: "REQUEST_TIMEOUT" });
    // The trickle went on for about the deadline, a byte a second, and never completed the body.
    expect(trickled.sentBytes).toBeGreaterThan(REQUEST_BODY_MS_MAX / 1_000 / 2);
    expect(trickled.sentBytes).toBeLessThan(100);
    expect((await edgelogApi(runtime().url).fetch(topic, 0, 0)).highWatermark).toBe(0);
  });
});
