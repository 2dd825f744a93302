/**
 * A bare RESP pipeline for XADD, as a reference for what redis-server itself takes: the `redis`
 * npm client spends ~0.1-0.2 ms of CPU per command here, so with it a batched produce measures
 * the client more than the server (its figure stays in the table too). This writes a batch's
 * XADD commands as one buffer and counts the replies; nothing else of RESP is needed.
 *
 * @example
 * const producer = await respProducer(port, "stream-key");
 * await producer.send(['{"i":0}', '{"i":1}']); // one write, resolves after both replies
 * await producer.close();
 */
import { connect, type Socket } from "node:net";
import type { Producer } from "./types.ts";

/** How long a batch may wait for its replies, in ms. */
const RESP_REPLY_TIMEOUT_MS = 30_000;

/** `*5 XADD key * v value` in RESP, with lengths in bytes. */
function xaddCommand(key: string, value: string): string {
  const arg = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  return `*5\r\n${arg("XADD")}${arg(key)}${arg("*")}${arg("v")}${arg(value)}`;
}

/**
 * Counts complete XADD replies in `text` (each a bulk string `$N\r\nID\r\n`, or an error
 * `-ERR ...\r\n`); answers the count, the first error and the unparsed rest.
 */
function countReplies(text: string): { replies: number; error: string | null; rest: string } {
  let replies = 0;
  let error: string | null = null;
  let at = 0;
  for (;;) {
    const end = text.indexOf("\r\n", at);
    if (end < 0) break;
    const head = text.slice(at, end);
    if (head.startsWith("-")) {
      error ??= head.slice(1);
      replies++;
      at = end + 2;
      continue;
    }
    // "$N": the ID follows on its own line.
    const idEnd = text.indexOf("\r\n", end + 2);
    if (idEnd < 0) break;
    replies++;
    at = idEnd + 2;
  }
  return { replies, error, rest: text.slice(at) };
}

/**
 * A producer writing each batch as one pipelined buffer of XADDs on a socket of its own.
 *
 * @example
 * const producer = await respProducer(6379, "events");
 */
export async function respProducer(port: number, key: string): Promise<Producer> {
  const socket: Socket = connect({ host: "127.0.0.1", port, noDelay: true });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let buffered = "";
  let waiting: { left: number; resolve: () => void; reject: (e: Error) => void } | null = null;
  socket.on("data", (chunk: Buffer) => {
    const { replies, error, rest } = countReplies(buffered + chunk.toString("utf8"));
    buffered = rest;
    if (!waiting) return;
    if (error !== null) waiting.reject(new Error(`redis-server: ${error}`));
    waiting.left -= replies;
    if (waiting.left <= 0) waiting.resolve();
  });
  socket.on("error", (error) => waiting?.reject(error));
  return {
    send: (values) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no XADD replies within ${RESP_REPLY_TIMEOUT_MS} ms`)), RESP_REPLY_TIMEOUT_MS);
        const done = (error?: Error): void => {
          clearTimeout(timer);
          waiting = null;
          if (error) reject(error);
          else resolve();
        };
        waiting = { left: values.length, resolve: () => done(), reject: (e) => done(e) };
        socket.write(values.map((v) => xaddCommand(key, v)).join(""));
      }),
    close: async () => void socket.destroy(),
  };
}
