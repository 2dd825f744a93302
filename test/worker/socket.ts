/**
 * Shared helpers for the partition WebSocket tests inside workerd: open a socket through the real
 * Hono app, and read what the server pushes as a mailbox.
 *
 * `next(type)` is a selective receive: it takes the oldest message of that type (waiting for it
 * with a bounded timeout) and leaves messages of other types queued in their order, so a test can
 * wait for an `ack` while `records` keep arriving and read those afterwards. Every message is also
 * kept in `log` (with its raw text), for assertions on what was sent and in which order.
 *
 * @example
 * const sock = await openSocket(topic, 0);
 * expect((await sock.next("hello")).highWatermark).toBe(0);
 * sock.send({ type: "subscribe", id: "s", from: "earliest" });
 * await sock.next("subscribed");
 * const records = await sock.collect(100); // offsets up to 99
 * sock.close();
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { ClientMessage, FetchedRecord, ServerMessage, ServerMessageOf } from "../../client/protocol/index.ts";
import { utf8Length } from "../../client/protocol/index.ts";
import { app } from "../../worker/index.ts";
import { Wakeups } from "./wakeups.ts";

/** How long `next` waits when the test does not say. */
export const NEXT_TIMEOUT_MS = 5_000;

/** One received frame: parsed, and its raw text with its UTF-8 size. */
export interface Received {
  message: ServerMessage;
  raw: string;
  bytes: number;
}

/** The path of a partition's socket route. */
export function socketPath(topic: string, partition: number): string {
  return `/v1/topics/${topic}/partitions/${partition}/ws`;
}

/** Sockets opened and not yet closed by the test (closed by `closeAllSockets`). */
const open = new Set<TestSocket>();

export class TestSocket {
  readonly ws: WebSocket;
  /** Every frame received, in order (text frames other than JSON are kept with type "raw"). */
  readonly log: Received[] = [];
  /** Frames not yet taken by `next`/`nextRaw`. */
  private readonly queue: Received[] = [];
  /** Waits in progress (`next` calls), woken by each frame and by the close. */
  private readonly wakeups = new Wakeups();
  /** Set when the socket closes: its code and reason. */
  closeEvent: { code: number; reason: string } | null = null;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.addEventListener("message", (event) => {
      const raw = typeof event.data === "string" ? event.data : "<binary>";
      let message: ServerMessage;
      try {
        message = JSON.parse(raw) as ServerMessage;
      } catch {
        message = { type: "raw" } as unknown as ServerMessage;
      }
      const received = { message, raw, bytes: utf8Length(raw) };
      this.log.push(received);
      this.queue.push(received);
      this.poke();
    });
    ws.addEventListener("close", (event) => {
      this.closeEvent = { code: event.code, reason: event.reason };
      open.delete(this);
      this.poke();
    });
    ws.accept();
    open.add(this);
  }

  private poke(): void {
    this.wakeups.wake();
  }

  /** Sends a client message (or a raw string, for malformed input and PING). */
  send(message: ClientMessage | string): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** Waits (bounded) until `pick` finds something in the queue; fails naming `what`. */
  private async take(what: string, pick: () => Received | undefined, timeoutMs: number): Promise<Received> {
    const found = await this.wakeups.until(pick, timeoutMs, () => this.closeEvent !== null);
    if (found !== undefined) return found;
    const closed = this.closeEvent ? ` (socket closed ${this.closeEvent.code} ${this.closeEvent.reason})` : "";
    const queued = this.queue.map((r) => r.raw.slice(0, 120)).join("\n  ");
    throw new Error(`no ${what} within ${timeoutMs} ms${closed}; queued:\n  ${queued}`);
  }

  /** Takes the oldest queued message of `type`, waiting up to `timeoutMs` for one. */
  async next<T extends ServerMessage["type"]>(type: T, timeoutMs = NEXT_TIMEOUT_MS): Promise<ServerMessageOf<T>> {
    return (await this.nextReceived(type, timeoutMs)).message as ServerMessageOf<T>;
  }

  /** The same as `next`, with the raw frame and its size. */
  async nextReceived(type: ServerMessage["type"], timeoutMs = NEXT_TIMEOUT_MS): Promise<Received> {
    return this.take(
      `"${type}" message`,
      () => {
        const index = this.queue.findIndex((r) => r.message.type === type);
        return index < 0 ? undefined : this.queue.splice(index, 1)[0];
      },
      timeoutMs,
    );
  }

  /** Takes the oldest queued frame whatever it is, parsed and raw (for checks of exact order). */
  async nextFrame(timeoutMs = NEXT_TIMEOUT_MS): Promise<Received> {
    return this.take("frame", () => this.queue.shift(), timeoutMs);
  }

  /** The raw text of the oldest queued frame (for exact-text checks such as PONG). */
  async nextRaw(timeoutMs = NEXT_TIMEOUT_MS): Promise<string> {
    return (await this.nextFrame(timeoutMs)).raw;
  }

  /** The types still queued (not taken), in order. */
  pending(): string[] {
    return this.queue.map((r) => r.message.type);
  }

  /**
   * Takes `records` messages until one reaches offset `endOffset - 1`, and returns their records
   * (bounded: each message waits at most `timeoutMs`). With `consume`, reports each message
   * `consumed` as a well-behaved client does (one past its last record); without it, sends nothing.
   */
  async collect(endOffset: number, options: { timeoutMs?: number; consume?: boolean } = {}): Promise<FetchedRecord[]> {
    const records: FetchedRecord[] = [];
    for (let turn = 0; turn < 100_000; turn++) {
      const last = records[records.length - 1];
      if (last !== undefined && last.offset >= endOffset - 1) return records;
      const message = await this.next("records", options.timeoutMs ?? NEXT_TIMEOUT_MS);
      records.push(...message.records);
      const newest = message.records[message.records.length - 1];
      if (options.consume && newest !== undefined) this.send({ type: "consumed", offset: newest.offset + 1 });
    }
    throw new Error("collect: more than 100,000 messages");
  }

  /**
   * A barrier: sends a frame the partition answers with an error naming `id`, and waits for that
   * answer. The object handles events one at a time and a socket delivers in order, so whatever
   * it sent this socket before handling the frame (pushes caused by an awaited HTTP produce, say)
   * is queued by the time this returns.
   */
  async barrier(id = "barrier"): Promise<void> {
    this.send({ type: "barrier", id } as unknown as ClientMessage);
    const error = await this.next("error");
    if (error.id !== id || error.code !== "INVALID_REQUEST") {
      throw new Error(`an unexpected error before the barrier's answer: ${JSON.stringify(error)}`);
    }
  }

  /** Waits (bounded) for the socket to close and answers its code and reason. */
  async closed(timeoutMs = NEXT_TIMEOUT_MS): Promise<{ code: number; reason: string }> {
    const closed = await this.wakeups.until(() => this.closeEvent ?? undefined, timeoutMs);
    if (closed === undefined) throw new Error(`the socket did not close within ${timeoutMs} ms`);
    return closed;
  }

  /** Closes from the client side (normal closure). */
  close(): void {
    open.delete(this);
    if (this.closeEvent === null) {
      try {
        this.ws.close(1000, "test done");
      } catch {
        // already closing
      }
    }
  }
}

/** The headers of a WebSocket handshake (RFC 6455 section 4.1), as a browser sends them. */
export const UPGRADE_HEADERS: Readonly<Record<string, string>> = {
  upgrade: "websocket",
  "sec-websocket-version": "13",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
};

/** Sends a WebSocket upgrade request for `path` through the app (its answer may be an error). */
export function upgradeRequest(path: string): Promise<Response> {
  return Promise.resolve(app.request(`http://x${path}`, { headers: UPGRADE_HEADERS }, env));
}

/** Opens a partition socket through the app and asserts the upgrade (101). */
export async function openSocket(topic: string, partition: number): Promise<TestSocket> {
  const res = await upgradeRequest(socketPath(topic, partition));
  expect(res.status, res.status === 101 ? "" : await res.text()).toBe(101);
  const ws = res.webSocket;
  if (ws === null || ws === undefined) throw new Error("the 101 answer carries no webSocket");
  return new TestSocket(ws);
}

/** Opens a socket, takes its `hello`, subscribes and takes `subscribed` (records follow). */
export async function subscribeSocket(
  topic: string,
  partition: number,
  subscribe: Omit<Extract<ClientMessage, { type: "subscribe" }>, "type">,
): Promise<{ sock: TestSocket; subscribed: ServerMessageOf<"subscribed"> }> {
  const sock = await openSocket(topic, partition);
  await sock.next("hello");
  sock.send({ type: "subscribe", ...subscribe });
  return { sock, subscribed: await sock.next("subscribed") };
}

/** Closes every socket the file's tests left open (use in afterEach). */
export function closeAllSockets(): void {
  for (const sock of [...open]) sock.close();
}

/** Asserts `records` are exactly offsets `from .. from + count - 1`, in order, once each. */
export function expectOffsets(records: readonly FetchedRecord[], from: number, count: number): void {
  const offsets = records.map((r) => r.offset);
  expect(offsets).toEqual(Array.from({ length: count }, (_, i) => from + i));
}
