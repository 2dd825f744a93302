/**
 * A transport to any edgelog server from Node: HTTP with node:http (which sends headers and bodies
 * exactly as given, a wrong Content-Length included, where fetch refuses) and WebSockets with the
 * `ws` package. It arranges no fixtures: cases that need one are skipped. It claims
 * "ordered-frames" always, and "declared-length", "held-body" and "bare-upgrade" only when told to
 * (no proxy between it and the server waits for whole bodies or answers handshakes itself).
 *
 * @example
 * const transport = nodeTransport("http://127.0.0.1:8787");
 * const answer = await transport.request({ method: "GET", path: "/v1/topics", headers: {}, body: null });
 */
import http from "node:http";
import https from "node:https";
import WebSocket from "ws";
import { REQUEST_BODY_MS_MAX } from "../../client/protocol/index.ts";
import type { SocketEvents, Transport, WireAnswer, WireRequest, WireSocket } from "./streams.ts";
import type { Json } from "./types.ts";

/** How long a request may wait for its answer's head: past a held body's deadline, with room. */
const ANSWER_HEAD_WAIT_MS = REQUEST_BODY_MS_MAX + 15_000;

/** A Node response read as chunks, the next one on each `read()` (null at the end). */
function answerOf(response: http.IncomingMessage): WireAnswer {
  const chunks: Uint8Array[] = [];
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const poke = () => {
    wake?.();
    wake = null;
  };
  response.on("data", (chunk: Buffer) => {
    chunks.push(new Uint8Array(chunk));
    poke();
  });
  response.on("end", () => {
    ended = true;
    poke();
  });
  response.on("error", (error) => {
    failure = error;
    poke();
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return {
    status: response.statusCode ?? 0,
    headers,
    async read() {
      for (;;) {
        const chunk = chunks.shift();
        if (chunk !== undefined) return chunk;
        if (failure !== null) throw failure;
        if (ended) return null;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
    async cancel() {
      response.destroy();
    },
  };
}

/** One HTTP request; the answer is handed over as soon as its head arrives. A held request is ended only by its answer. */
function request(base: URL, wire: WireRequest): Promise<WireAnswer> {
  const { method, path, body } = wire;
  let { headers } = wire;
  const url = new URL(path, base);
  const client = url.protocol === "https:" ? https : http;
  // A body always goes with its length (a chunked DELETE body can be left unread and poison the connection).
  if (body !== null && !("content-length" in headers)) headers = { ...headers, "content-length": String(body.byteLength) };
  return new Promise((resolve, reject) => {
    const outgoing = client.request(url, { method, headers, timeout: ANSWER_HEAD_WAIT_MS }, (response) => resolve(answerOf(response)));
    outgoing.on("timeout", () => outgoing.destroy(new Error(`no answer to ${method} ${path} within ${ANSWER_HEAD_WAIT_MS} ms`)));
    outgoing.on("error", reject);
    if (wire.hold === true) {
      // Held: the body goes, the request never ends; the answer's end closes the connection.
      if (body !== null) outgoing.write(Buffer.from(body));
      outgoing.on("response", (response) => response.on("close", () => outgoing.destroy()));
      return;
    }
    // A declared Content-Length longer than the body is sent as declared: the server answers first.
    outgoing.end(body === null ? undefined : Buffer.from(body));
  });
}

/** Opens a WebSocket; a refused upgrade resolves with its HTTP answer. */
function upgrade(
  base: URL,
  path: string,
  headers: Record<string, string>,
  events: SocketEvents,
): Promise<{ socket: WireSocket } | { answer: WireAnswer }> {
  const url = new URL(path, base);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, handshakeTimeout: ANSWER_HEAD_WAIT_MS });
    let opened = false;
    ws.on("message", (data: Buffer, isBinary: boolean) => events.frame(isBinary ? new Uint8Array(data) : data.toString("utf8")));
    ws.on("close", (code: number, reason: Buffer) => events.closed(code, reason.toString("utf8")));
    ws.on("unexpected-response", (_request, response) => resolve({ answer: answerOf(response) }));
    ws.on("error", (error) => {
      if (!opened) reject(error);
    });
    ws.on("open", () => {
      opened = true;
      resolve({
        socket: {
          send: (data) => ws.send(typeof data === "string" ? data : Buffer.from(data), { binary: typeof data !== "string" }),
          close: (code, reason) => ws.close(code, reason),
        },
      });
    });
  });
}

/**
 * A transport to the server at `baseUrl`.
 *
 * @example
 * const transport = nodeTransport("http://127.0.0.1:8787");
 */
export function nodeTransport(
  baseUrl: string,
  options: {
    declaredLength?: boolean;
    /** More abilities (the server's auth mode, auth-fixtures.ts). */
    abilities?: readonly string[];
    /** Fixtures this runner can arrange from outside (tokens, when it knows the secret). */
    fixtures?: Record<string, (args: Record<string, Json>) => Promise<Record<string, Json>>>;
  } = {},
): Transport {
  const base = new URL(baseUrl);
  const fixtures = options.fixtures ?? {};
  return {
    request: (wire) => request(base, wire),
    upgrade: (path, headers, events) => upgrade(base, path, headers, events),
    supports: new Set([
      // A ws socket over TCP delivers frames in the order they are sent.
      "ordered-frames",
      ...(options.declaredLength ? ["declared-length", "held-body", "bare-upgrade"] : []),
      ...(options.abilities ?? []),
      ...Object.keys(fixtures),
    ]),
    fixture: async (name, args) => {
      const arrange = fixtures[name];
      if (arrange === undefined) throw new Error(`fixture "${name}" cannot be arranged from outside the server`);
      return arrange(args);
    },
  };
}
