/**
 * Floor (c), the relay (issue 12): a Node WebSocket server with no storage that forwards each
 * produced record to the subscribers of the same path at once, speaking the subset of edgelog's
 * socket protocol v1 the bench's client uses (`hello` on connect; `produce` -> `ack` by id;
 * `subscribe` -> `subscribed`, then `records` frames; `consumed` ignored). Its end-to-end latency
 * is the floor of the loop itself: the bench client, the loopback and one hop through a server.
 * Run as its own process (bench/floors/relay-system.ts bundles and spawns it), so it does not
 * share the bench client's event loop: `node relay.mjs <port>` prints `listening <port>`.
 *
 * @example
 * // node .tmp/bench-floors/relay.mjs 40123
 * // ws://127.0.0.1:40123/latency-1 -> {"type":"hello"}
 */
import { type WebSocket, WebSocketServer } from "ws";

/** The longest path the relay accepts, in characters (the bench's log names are shorter). */
const PATH_LENGTH_MAX = 256;

interface ClientFrame {
  type?: unknown;
  id?: unknown;
  records?: ({ value?: unknown } | null)[];
}

/** The subscribers and the next offset of one path. */
interface Channel {
  subscribers: Set<WebSocket>;
  next: number;
}

const channels = new Map<string, Channel>();

function channel(path: string): Channel {
  let found = channels.get(path);
  if (!found) {
    found = { subscribers: new Set(), next: 0 };
    channels.set(path, found);
  }
  return found;
}

function relay(ws: WebSocket, path: string, text: string): void {
  let frame: ClientFrame;
  try {
    frame = JSON.parse(text) as ClientFrame;
  } catch {
    ws.send('{"type":"error","id":null,"code":"INVALID_MESSAGE","message":"not JSON"}');
    return;
  }
  const id = typeof frame.id === "string" ? frame.id : null;
  const target = channel(path);
  if (frame.type === "subscribe") {
    target.subscribers.add(ws);
    ws.send(JSON.stringify({ type: "subscribed", id }));
  } else if (frame.type === "produce" && Array.isArray(frame.records)) {
    const records = frame.records.map((record) => ({
      offset: target.next++,
      value: typeof record === "object" && record !== null ? (record.value ?? null) : null,
    }));
    const pushed = JSON.stringify({ type: "records", id: "s", records });
    for (const subscriber of target.subscribers) subscriber.send(pushed);
    ws.send(JSON.stringify({ type: "ack", id }));
  }
}

function main(): void {
  const port = Number(process.argv[2]);
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) throw new Error(`usage: relay.mjs <port> (got ${process.argv[2]})`);
  const server = new WebSocketServer({ host: "127.0.0.1", port, perMessageDeflate: false });
  server.on("connection", (ws, request) => {
    const path = (request.url ?? "/").slice(0, PATH_LENGTH_MAX);
    ws.on("message", (data) => relay(ws, path, data.toString()));
    ws.on("close", () => channels.get(path)?.subscribers.delete(ws));
    ws.send('{"type":"hello"}');
  });
  server.on("listening", () => console.log(`listening ${port}`));
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => server.close(() => process.exit(0)));
}

main();
