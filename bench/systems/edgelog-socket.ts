/**
 * A minimal client of edgelog's partition socket (README "Live"), as a subscriber or a producer
 * would use it: protocol version 2 when the server's `hello` lists it (one compact `ack` per
 * produce, PROTOCOL.md SOCKET-20), `produce` -> `ack` by id, and `subscribe` from earliest
 * with a `consumed` after every `records` message (the protocol's SHOULD, which keeps the
 * server's push window open). Node 20 has no global WebSocket, hence the `ws` package.
 *
 * @example
 * const socket = await PartitionSocket.open("ws://127.0.0.1:8787/v1/topics/t/partitions/0/ws", counts);
 * await socket.produce(['{"i":0}']);
 * await socket.subscribe((values) => console.log(values.length));
 * await socket.close();
 */
import WebSocket from "ws";
import type { OnValues, WireCounts } from "./types.ts";

/** How long opening a socket (until `hello`) or a subscribe (until `subscribed`) may take, in ms. */
export const SOCKET_STEP_TIMEOUT_MS = 30_000;
/**
 * How long a closing handshake may take before the socket is dropped, in ms. edgelog's partition
 * answers a client's close frame with the same code (worker/sockets/socket-layer.ts `closed`), so
 * this only bounds a server that would not, without slowing the bench down.
 */
const SOCKET_CLOSE_TIMEOUT_MS = 200;

/**
 * A `produce` frame of edgelog's socket protocol (v1 and v2 alike) holding these JSON texts as record values:
 * the bytes the bench's edgelog producer sends, and the floors' producer too (same client work).
 *
 * @example
 * produceFrame("p0", ['{"i":0}']); // '{"type":"produce","id":"p0","records":[{"value":{"i":0}}]}'
 */
export function produceFrame(id: string, values: readonly string[]): string {
  return `{"type":"produce","id":"${id}","records":[${values.map((v) => `{"value":${v}}`).join(",")}]}`;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/** The fields of server messages this client reads (see client/messages.ts for the full types). */
interface ServerFrame {
  type: string;
  id?: string | null;
  code?: string;
  message?: string;
  records?: { offset: number; value: unknown }[];
  versions?: number[];
}

/**
 * One partition socket: produce with acks by id, or subscribe with `consumed` after each push.
 *
 * @example
 * const socket = await PartitionSocket.open(url, counts);
 * await socket.produce(['{"i":0}']);
 */
export class PartitionSocket {
  private readonly ws: WebSocket;
  private readonly counts: WireCounts;
  private readonly pending = new Map<string, Waiter>();
  private nextId = 0;
  private onValues: OnValues | null = null;
  private subscribing: Waiter | null = null;
  private closedError: Error | null = null;
  private captured: string[] | null = null;

  private constructor(ws: WebSocket, counts: WireCounts) {
    this.ws = ws;
    this.counts = counts;
  }

  /**
   * Connects, waits for the server's `hello`, and chooses protocol version 2 if it is listed
   * (SOCKET-4: the server answers nothing, and the acks of every later produce are compact).
   *
   * @example
   * const socket = await PartitionSocket.open(url, { httpRequests: 0, wsMessagesIn: 0, wsMessagesOut: 0 });
   */
  static open(url: string, counts: WireCounts): Promise<PartitionSocket> {
    counts.httpRequests++; // the upgrade request
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const socket = new PartitionSocket(ws, counts);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`no hello from ${url} within ${SOCKET_STEP_TIMEOUT_MS} ms`));
      }, SOCKET_STEP_TIMEOUT_MS);
      ws.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      ws.on("message", (data) => {
        const frame = JSON.parse(data.toString()) as ServerFrame;
        if (frame.type === "hello") {
          clearTimeout(timer);
          ws.removeAllListeners("message");
          ws.on("message", (raw) => socket.handle(raw.toString()));
          ws.on("close", (code, reason) =>
            socket.failAll(
              new Error(`socket to ${url} closed by the server (code ${code}${reason.length > 0 ? `, ${reason.toString()}` : ""})`),
            ),
          );
          counts.wsMessagesOut++;
          if (frame.versions?.includes(2) === true) socket.sendFrame('{"type":"hello","version":2}');
          resolve(socket);
        }
      });
    });
  }

  private sendFrame(frame: string): void {
    if (this.closedError) throw this.closedError;
    this.counts.wsMessagesIn++;
    this.ws.send(frame);
  }

  /**
   * Appends JSON texts as one `produce` and resolves on its `ack` (rejects on `error`).
   *
   * @example
   * await socket.produce(['{"i":0}', '{"i":1}']);
   */
  produce(values: readonly string[]): Promise<void> {
    const id = `p${this.nextId++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.sendFrame(produceFrame(id, values));
      } catch (error) {
        this.pending.delete(id);
        reject(error as Error);
      }
    });
  }

  /**
   * Subscribes from the earliest offset; `onValues` gets each pushed message's decoded values.
   * Resolves on `subscribed`.
   *
   * @example
   * await socket.subscribe((values) => (received += values.length));
   */
  subscribe(onValues: OnValues): Promise<void> {
    this.onValues = onValues;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not subscribed within ${SOCKET_STEP_TIMEOUT_MS} ms`)), SOCKET_STEP_TIMEOUT_MS);
      this.subscribing = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.sendFrame('{"type":"subscribe","id":"s","from":"earliest"}');
    });
  }

  /**
   * Keeps the text of every `records` frame received from now on in `into` (the catch-up's exact
   * frames, for the client-decode floor).
   *
   * @example
   * const frames: string[] = [];
   * socket.capture(frames);
   */
  capture(into: string[]): void {
    this.captured = into;
  }

  private handle(text: string): void {
    this.counts.wsMessagesOut++;
    const frame = JSON.parse(text) as ServerFrame;
    switch (frame.type) {
      case "records": {
        const records = frame.records ?? [];
        if (records.length === 0) return;
        this.captured?.push(text);
        // Report progress before handing the values over, so the window reopens at once.
        this.sendFrame(`{"type":"consumed","offset":${records[records.length - 1]!.offset + 1}}`);
        this.onValues?.(records.map((r) => r.value));
        return;
      }
      case "ack":
        this.settle(frame.id, null);
        return;
      case "subscribed":
        this.subscribing?.resolve();
        this.subscribing = null;
        return;
      case "error": {
        const error = new Error(`edgelog socket error ${frame.code}: ${frame.message}`);
        if (typeof frame.id === "string" && this.pending.has(frame.id)) this.settle(frame.id, error);
        else if (this.subscribing) this.subscribing.reject(error);
        else this.failAll(error);
        return;
      }
      default:
        return; // live, paused, pong: nothing to do
    }
  }

  private settle(id: string | null | undefined, error: Error | null): void {
    if (typeof id !== "string") return;
    const waiter = this.pending.get(id);
    if (!waiter) return;
    this.pending.delete(id);
    if (error) waiter.reject(error);
    else waiter.resolve();
  }

  private failAll(error: Error): void {
    this.closedError ??= error;
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
    this.subscribing?.reject(error);
    this.subscribing = null;
  }

  /** Closes the socket (bounded: dropped if the closing handshake takes too long). */
  async close(): Promise<void> {
    this.closedError ??= new Error("socket closed by the bench");
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.ws.once("close", () => resolve()));
    this.ws.close(1000);
    const timer = new Promise<void>((resolve) => setTimeout(resolve, SOCKET_CLOSE_TIMEOUT_MS).unref());
    await Promise.race([closed, timer]);
    this.ws.terminate();
  }
}
