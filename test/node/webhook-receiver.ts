/**
 * A real HTTP endpoint for the connector tests: `node:http` on 127.0.0.1 on a free port, recording
 * every request (path, headers, body, when it arrived) and answering as the test's `answer` says:
 * a status, or `hang` (no answer until the server closes), possibly after awaiting something (the
 * test looks at edgelog while a delivery is held open).
 *
 * @example
 * const receiver = await startReceiver(async (request) => (request.path === "/fail" ? 500 : 200));
 * // POST `${receiver.url}/ok` ...
 * await receiver.close();
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { freePort } from "./waits.ts";

/** The most bytes of one request body the receiver keeps. */
const BODY_BYTES_MAX = 8 * 1_048_576;

/**
 * One request as the receiver saw it.
 *
 * @example
 * const { path, headers, body, atMs } = receiver.requests[0]!;
 */
export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  atMs: number;
}

/**
 * What the receiver answers a request: a status, or `hang` to hold it open.
 *
 * @example
 * const answer: Answer = (request) => (request.path === "/hang" ? "hang" : 200);
 */
export type Answer = (request: Received) => Promise<number | "hang"> | number | "hang";

/**
 * A running receiver.
 *
 * @example
 * const hooks = receiver.on("/orders");
 */
export interface Receiver {
  url: string;
  /** Every request, in arrival order. */
  requests: Received[];
  /** The requests to `path`. */
  on(path: string): Received[];
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    request.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > BODY_BYTES_MAX) request.destroy(new Error("body too large"));
      else chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/**
 * Starts a receiver.
 *
 * @example
 * const receiver = await startReceiver(() => 200);
 */
export async function startReceiver(answer: Answer): Promise<Receiver> {
  const requests: Received[] = [];
  const held = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) if (typeof value === "string") headers[name] = value;
      const received = { path: request.url ?? "", headers, body, atMs: Date.now() };
      requests.push(received);
      const status = await answer(received);
      if (status === "hang") {
        held.add(response);
        return;
      }
      response.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : "failed");
    })().catch(() => response.destroy());
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on: (path) => requests.filter((r) => r.path === path),
    close: async () => {
      for (const response of held) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Whether `header` (edgelog-signature: `t=<s>,v1=<hex>`) signs `body` with `secret`, as a receiver checks it.
 *
 * @example
 * verifySignature(secret, request.headers["edgelog-signature"], request.body); // true
 */
export function verifySignature(secret: string, header: string | undefined, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? "");
  if (match === null) return false;
  const expected = createHmac("sha256", secret).update(`${match[1]}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2] ?? "", "hex"));
}
