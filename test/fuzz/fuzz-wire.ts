/**
 * The fuzzer's wire: HTTP with node:http (paths, methods, headers and bodies sent exactly as
 * generated, on kept-alive connections) and WebSockets with `ws`, each with a bounded wait. An
 * answer that is a stream (SSE) or an upgrade is read as far as its head and then dropped.
 *
 * @example
 * const answer = await sendHttp(baseUrl, { route: "topics", method: "GET", path: "/v1/topics", headers: {}, body: null, upgrade: false });
 * answer.status; // 200
 */
import http from "node:http";
import WebSocket from "ws";
import type { HttpCase } from "./http-cases.ts";

/** How long a request may wait for its whole answer; past it the case is a finding (no answer). */
export const ANSWER_WAIT_MS = 15_000;

/**
 * What came back: the status, headers, and the body's text (null for a stream or an upgrade).
 *
 * @example
 * const answer: HttpAnswer = { status: 404, headers: {}, text: '{"error":{"code":"NOT_FOUND","message":"..."}}' };
 */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  text: string | null;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/** A Node header map as one string per name. */
function headerMap(raw: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  return out;
}

/** Reads a whole answer, or only its head when it is an event stream. */
function readAnswer(response: http.IncomingMessage, resolve: (answer: HttpAnswer) => void): void {
  const headers = headerMap(response.headers);
  if ((headers["content-type"] ?? "").startsWith("text/event-stream")) {
    response.destroy();
    resolve({ status: response.statusCode ?? 0, headers, text: null });
    return;
  }
  const chunks: Buffer[] = [];
  response.on("data", (chunk: Buffer) => chunks.push(chunk));
  response.on("end", () => resolve({ status: response.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString("utf8") }));
}

/** Sockets given a last-resort error listener (once each, however often the agent reuses them). */
const guarded = new WeakSet<object>();

/**
 * Gives a connection a last-resort error listener: a server that answers early (a 413 before a
 * 4 MiB body is sent) may reset the connection while the body is still being written, after the
 * answer was read and the request is no one's to fail.
 */
function guardSocket(socket: NodeJS.EventEmitter): void {
  if (guarded.has(socket)) return;
  guarded.add(socket);
  socket.on("error", () => undefined);
}

/**
 * Sends one plain HTTP case; rejects when no answer comes within ANSWER_WAIT_MS.
 *
 * @example
 * const { status, text } = await sendHttp("http://127.0.0.1:8787", fuzzCase);
 */
export async function sendHttp(baseUrl: string, c: HttpCase): Promise<HttpAnswer> {
  let how: SendHow = { via: agent, waitMs: ANSWER_WAIT_MS, expectContinue: false };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await sendOnce(baseUrl, c, how);
    } catch (error) {
      const { reusedSocket, code } = error as { reusedSocket?: boolean; code?: string };
      if (reusedSocket === true) {
        // workerd closes a kept-alive connection after answering a request whose body it did not
        // read (an unrouted PUT): a request that raced onto it was never read; it goes again, alone.
        how = { via: false, waitMs: ANSWER_WAIT_MS, expectContinue: false };
      } else if ((code === "ECONNRESET" || code === "EPIPE") && !how.expectContinue && (c.body?.byteLength ?? 0) > 0) {
        // A server may answer from the head alone (no route, a 413 by Content-Length) and reset the
        // connection while a large body is still being written, and Node then loses the answer.
        // Asked again with `Expect: 100-continue`, it answers the same from the head, no body sent.
        how = { via: false, waitMs: EARLY_ANSWER_WAIT_MS, expectContinue: true };
      } else {
        throw error;
      }
    }
  }
  throw new Error("no answer in 3 tries");
}

/** How long an answer from the head alone may take (workerd's come in milliseconds). */
const EARLY_ANSWER_WAIT_MS = 3_000;

/** How one try is sent. */
interface SendHow {
  via: http.Agent | false;
  waitMs: number;
  /** Send `Expect: 100-continue` and the body only on `100 Continue`. */
  expectContinue: boolean;
}

/** One try of `sendHttp`; a failure on a reused connection says so (`reusedSocket`). */
function sendOnce(baseUrl: string, c: HttpCase, how: SendHow): Promise<HttpAnswer> {
  const url = new URL(baseUrl);
  const headers: Record<string, string> = { ...c.headers, "content-length": String(c.body?.byteLength ?? 0) };
  if (how.expectContinue) headers.expect = "100-continue";
  const body = c.body === null ? undefined : Buffer.from(c.body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: url.hostname, port: url.port, method: c.method, path: c.path, headers, agent: how.via, timeout: how.waitMs },
      (response) => {
        response.on("error", reject);
        readAnswer(response, (answer) => {
          if (how.expectContinue) request.destroy();
          resolve(answer);
        });
      },
    );
    request.on("upgrade", (response, socket) => {
      socket.on("error", () => undefined); // detached from the request: its late errors are nobody's
      socket.destroy();
      resolve({ status: response.statusCode ?? 101, headers: headerMap(response.headers), text: null });
    });
    request.on("socket", guardSocket);
    request.on("timeout", () => request.destroy(new Error(`no answer within ${how.waitMs} ms`)));
    request.on("error", (error) => reject(Object.assign(error, { reusedSocket: request.reusedSocket })));
    if (how.expectContinue) request.on("continue", () => request.end(body));
    else request.end(body);
  });
}

/**
 * Opens a case as a WebSocket: a 101 is closed at once; a refused upgrade answers its HTTP answer.
 *
 * @example
 * const answer = await sendUpgrade(baseUrl, { ...fuzzCase, upgrade: true }); // status 101, or e.g. 400 with its body
 */
export function sendUpgrade(baseUrl: string, c: HttpCase): Promise<HttpAnswer> {
  const url = new URL(c.path, baseUrl.replace(/^http/, "ws"));
  const headers = Object.fromEntries(Object.entries(c.headers).filter(([name]) => !name.startsWith("sec-websocket") && name !== "upgrade"));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no upgrade answer within ${ANSWER_WAIT_MS} ms`)), ANSWER_WAIT_MS);
    const done = (answer: HttpAnswer) => {
      clearTimeout(timer);
      resolve(answer);
    };
    const ws = new WebSocket(url, { headers, handshakeTimeout: ANSWER_WAIT_MS, agent: undefined });
    ws.on("open", () => {
      ws.terminate();
      done({ status: 101, headers: {}, text: null });
    });
    ws.on("unexpected-response", (_request, response) => readAnswer(response, done));
    ws.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * A frame the server sent, parsed (null when it is not JSON) with its text.
 *
 * @example
 * const frame: ServerFrame = { text: '{"type":"pong"}', message: { type: "pong" } };
 */
export interface ServerFrame {
  text: string;
  message: Record<string, unknown> | null;
}

/**
 * One fuzzed socket: every frame received, kept in order, and its close.
 *
 * @example
 * const socket = await FuzzSocket.open(`${baseUrl}/v1/groups/fzg-group/ws`, null);
 * socket.send('{"type":"leave","id":"l1"}');
 * await socket.until((frame) => frame.message?.type === "left", 5_000);
 */
export class FuzzSocket {
  readonly frames: ServerFrame[] = [];
  closed: { code: number; reason: string } | null = null;
  private readonly ws: WebSocket;
  private wake: (() => void) | null = null;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      const text = isBinary ? "<binary>" : data.toString("utf8");
      let message: Record<string, unknown> | null = null;
      try {
        const parsed: unknown = JSON.parse(text);
        if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) message = parsed as Record<string, unknown>;
      } catch {
        message = null;
      }
      this.frames.push({ text, message });
      this.poke();
    });
    ws.on("close", (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString("utf8") };
      this.poke();
    });
    ws.on("error", () => this.poke());
  }

  /** Opens a socket (rejects when the upgrade is refused or takes over ANSWER_WAIT_MS). */
  static open(url: string, headers: Record<string, string>): Promise<FuzzSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url.replace(/^http/, "ws"), { headers, handshakeTimeout: ANSWER_WAIT_MS });
      const socket = new FuzzSocket(ws);
      ws.once("open", () => resolve(socket));
      ws.once("unexpected-response", (_request, response) => reject(new Error(`upgrade refused with ${response.statusCode}`)));
      ws.once("error", reject);
    });
  }

  private poke(): void {
    this.wake?.();
    this.wake = null;
  }

  /** Sends a text frame, or bytes as a binary frame. */
  send(frame: string | Uint8Array): void {
    if (this.closed !== null) return;
    if (typeof frame === "string") this.ws.send(frame);
    else this.ws.send(Buffer.from(frame), { binary: true });
  }

  /** Waits until a frame from index `from` on matches (its index), or the socket closes (null); rejects after `timeoutMs`. */
  async until(match: (frame: ServerFrame) => boolean, timeoutMs: number, from = 0): Promise<number | null> {
    const deadline = Date.now() + timeoutMs;
    for (let seen = from; ; ) {
      for (; seen < this.frames.length; seen++) if (match(this.frames[seen]!)) return seen;
      if (this.closed !== null) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Closes the socket (a normal close; ended at once if the server does not answer in 1 s). */
  close(): void {
    if (this.closed !== null) return;
    this.ws.close(1000);
    setTimeout(() => this.ws.terminate(), 1_000).unref();
  }
}

/**
 * Ends the kept-alive HTTP connections, so a process can exit.
 *
 * @example
 * afterAll(() => closeConnections());
 */
export function closeConnections(): void {
  agent.destroy();
}
