/**
 * The bench's client of the floor objects (bench/floors/worker/floors.ts): it sends the very
 * `produce` frames the edgelog producer sends (`produceFrame`) and takes each answer as the ack
 * of the oldest frame in flight (a floor answers in order and names nothing it need not). An
 * answer that is an error frame rejects that send.
 *
 * @example
 * const socket = await FloorSocket.open("ws://127.0.0.1:8787/serial/run-1");
 * await socket.produce(['{"i":0}']);
 * await socket.close();
 */
import WebSocket from "ws";
import { produceFrame, SOCKET_STEP_TIMEOUT_MS } from "../systems/edgelog-socket.ts";

/** How long a closing handshake may take before the socket is dropped, in ms. */
const FLOOR_CLOSE_TIMEOUT_MS = 200;

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * One socket to a floor object: produce, acked in order.
 *
 * @example
 * const socket = await FloorSocket.open(url);
 * await Promise.all([socket.produce(['{"i":0}']), socket.produce(['{"i":1}'])]);
 */
export class FloorSocket {
  private readonly pending: Waiter[] = [];
  private nextId = 0;
  private closedError: Error | null = null;

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => this.answer(data.toString()));
    ws.on("close", (code) => this.failAll(new Error(`floor socket closed by the server (code ${code})`)));
  }

  /**
   * Connects; resolves once the socket is open.
   *
   * @example
   * const socket = await FloorSocket.open("ws://127.0.0.1:8787/batch/run-1");
   */
  static open(url: string): Promise<FloorSocket> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`${url} did not open within ${SOCKET_STEP_TIMEOUT_MS} ms`));
      }, SOCKET_STEP_TIMEOUT_MS);
      ws.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      ws.once("open", () => {
        clearTimeout(timer);
        resolve(new FloorSocket(ws));
      });
    });
  }

  /**
   * Sends these JSON texts as one `produce` frame; resolves on its answer.
   *
   * @example
   * await socket.produce(['{"i":0}', '{"i":1}']);
   */
  produce(values: readonly string[]): Promise<void> {
    if (this.closedError) return Promise.reject(this.closedError);
    const frame = produceFrame(`p${this.nextId++}`, values);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.ws.send(frame);
    });
  }

  private answer(text: string): void {
    const waiter = this.pending.shift();
    if (!waiter) return;
    if (text.startsWith('{"type":"error"')) waiter.reject(new Error(`floor refused a frame: ${text}`));
    else waiter.resolve();
  }

  private failAll(error: Error): void {
    this.closedError ??= error;
    for (const waiter of this.pending.splice(0)) waiter.reject(error);
  }

  /** Closes the socket (bounded: dropped if the closing handshake takes too long). */
  async close(): Promise<void> {
    this.closedError ??= new Error("floor socket closed by the bench");
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.ws.once("close", () => resolve()));
    this.ws.close(1000);
    const timer = new Promise<void>((resolve) => setTimeout(resolve, FLOOR_CLOSE_TIMEOUT_MS).unref());
    await Promise.race([closed, timer]);
    this.ws.terminate();
  }
}
