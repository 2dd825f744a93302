/**
 * The reconnecting socket against small `ws` servers on 127.0.0.1: a server that stops answering
 * pings gets its socket declared dead after HEARTBEAT_PONGS_MISSED_MAX missed pongs and replaced;
 * one that answers keeps it; a refused connection is retried with growing, bounded delays.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-socket.test.ts
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { RECONNECT_DELAY_MS_MAX, RECONNECT_DELAY_MS_MIN } from "../../client/local-limits.ts";
import { PING, PONG } from "../../client/protocol/index.ts";
import { ReconnectingSocket, type SocketDown } from "../../client/reconnecting-socket.ts";
import { NodeWebSocket, WAIT_MS } from "./client-harness.ts";
import { freePort, waitFor } from "./runtime.ts";

const HEARTBEAT_MS = 50;
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A ws server that says hello and answers pings only while `answering` is true. */
async function pingServer(): Promise<{ url: string; connections: () => number; pings: () => number; answering: { value: boolean } }> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const answering = { value: true };
  let connections = 0;
  let pings = 0;
  server.on("connection", (ws) => {
    connections++;
    ws.send(JSON.stringify({ type: "hello", version: 1, topic: "t", partition: 0, logStartOffset: 0, highWatermark: 0 }));
    ws.on("message", (data) => {
      if (String(data) !== PING) return;
      pings++;
      if (answering.value) ws.send(PONG);
    });
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no address");
  return { url: `ws://127.0.0.1:${address.port}`, connections: () => connections, pings: () => pings, answering };
}

function socketTo(url: string): { socket: ReconnectingSocket; downs: SocketDown[]; opens: () => number } {
  const downs: SocketDown[] = [];
  let opens = 0;
  const socket = new ReconnectingSocket(
    { url, WebSocket: NodeWebSocket, heartbeatIntervalMs: HEARTBEAT_MS },
    {
      connecting: () => undefined,
      open: () => opens++,
      message: () => undefined,
      down: (info) => downs.push(info),
    },
  );
  cleanups.push(() => socket.close());
  socket.start();
  return { socket, downs, opens: () => opens };
}

describe("reconnecting socket", () => {
  it("keeps a socket whose pongs come back", async () => {
    const server = await pingServer();
    const { downs, opens } = socketTo(server.url);
    await waitFor("10 heartbeats answered", () => (server.pings() >= 10 ? true : undefined), WAIT_MS, 10);
    expect(downs).toEqual([]);
    expect(opens()).toBe(1);
    expect(server.connections()).toBe(1);
  });

  it("declares a socket dead after two missed pongs, and replaces it", async () => {
    const server = await pingServer();
    const { downs, opens } = socketTo(server.url);
    await waitFor("the socket to open", () => (opens() === 1 ? true : undefined), WAIT_MS, 10);
    server.answering.value = false;
    await waitFor("the socket declared dead", () => downs[0], WAIT_MS, 10);
    expect(downs[0]).toMatchObject({ opened: true, code: null });
    expect(downs[0]?.reason).toMatch(/2 pongs missed/);
    server.answering.value = true;
    await waitFor("a new socket", () => (opens() === 2 && server.connections() === 2 ? true : undefined), WAIT_MS, 10);
  });

  it("retries a refused connection with bounded delays that grow", async () => {
    const port = await freePort(); // nothing listens there
    const { downs, socket } = socketTo(`ws://127.0.0.1:${port}`);
    await waitFor("three failed attempts", () => (downs.length >= 3 ? true : undefined), WAIT_MS, 10);
    socket.close();
    for (const down of downs) {
      expect(down.opened).toBe(false);
      expect(down.retryInMs).toBeGreaterThanOrEqual(RECONNECT_DELAY_MS_MIN);
      expect(down.retryInMs).toBeLessThanOrEqual(RECONNECT_DELAY_MS_MAX);
    }
    // The first retry waits the minimum; later ones may wait up to the doubled ceiling.
    expect(downs[0]?.retryInMs).toBe(RECONNECT_DELAY_MS_MIN);
  });
});
