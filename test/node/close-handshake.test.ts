/**
 * A client that closes a partition or group socket gets the server's close frame back at once,
 * with its own code: the Durable Objects answer the closing handshake in webSocketClose. Without
 * that answer a client hangs in CLOSING until its own timeout and sees 1006 (abnormal).
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/close-handshake.test.ts
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { bundleWorker, edgelogApi, type LocalRuntime, makeTempDir, removeDir, startMiniflare, withTimeout } from "./runtime.ts";

/** Far below ws's own close timeout (30 s), so a missing answer fails here rather than passing late. */
const CLOSE_ANSWER_MS_MAX = 5_000;

let dir = "";
let runtime: LocalRuntime | null = null;

beforeAll(async () => {
  dir = await makeTempDir("edgelog-close-");
  const scriptPath = await bundleWorker(join(dir, "bundle"));
  runtime = await startMiniflare({ scriptPath, persistDir: join(dir, "state") });
  await edgelogApi(runtime.url).createTopic("close-topic", 1);
});

afterAll(async () => {
  await runtime?.stop();
  await removeDir(dir);
});

/** Opens a socket, waits for its first frame, closes with `code`, and returns the close code seen. */
async function closeAndObserve(path: string, firstFrame: boolean): Promise<number> {
  const ws = new WebSocket(`${runtime!.url.replace("http", "ws")}${path}`);
  ws.on("error", () => undefined); // the close event reports it
  const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
  await withTimeout(
    new Promise<void>((resolve) => (firstFrame ? ws.once("message", () => resolve()) : ws.once("open", () => resolve()))),
    CLOSE_ANSWER_MS_MAX,
    "the socket to open",
  );
  ws.close(4000, "done here");
  return withTimeout(closed, CLOSE_ANSWER_MS_MAX, "the server to answer the close frame");
}

describe("closing handshake", () => {
  it("a partition socket echoes the client's close code", async () => {
    expect(await closeAndObserve("/v1/topics/close-topic/partitions/0/ws", true)).toBe(4000);
  });

  it("a group socket echoes the client's close code", async () => {
    expect(await closeAndObserve("/v1/groups/close-group/ws", false)).toBe(4000);
  });
});
