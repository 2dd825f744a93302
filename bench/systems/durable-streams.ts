/**
 * The Durable Streams reference server (npm `@durable-streams/server`) as a bench peer, file-backed
 * (`dataDir` in a temp dir) on 127.0.0.1. It runs in a child Node process of its own, so its event
 * loop does not share a thread with the bench's clients, as the other servers don't. A log is a
 * JSON-mode stream; produce POSTs a JSON array, live reads are SSE, catch-up follows
 * `Stream-Next-Offset` until `Stream-Up-To-Date`.
 *
 * @example
 * const ds = await startDurableStreams(workDir);
 * const log = await ds.openLog("serial-0");
 * await (await log.producer("native")).send(['{"i":0}']);
 * await ds.stop();
 */
import { request } from "node:http";
import { ROOT, withTimeout } from "../../test/node/runtime.ts";
import { HttpClient } from "../http-client.ts";
import { spawnPeer } from "../processes.ts";
import type { BenchSystem, LogHandle, OnValues, Subscription } from "./types.ts";

/** How long the server may take to print its URL after starting, in ms. */
const DS_READY_TIMEOUT_MS = 20_000;
/** Keep-alive connections per log (pipelined produce in the latency scenario). */
const HTTP_SOCKETS_PER_LOG = 32;
const JSON_HEADERS = { "content-type": "application/json" };

/**
 * The child's program: start the server on a free port with the file store, print its URL, stop
 * it cleanly on SIGTERM. Evaluated from the repository root, so the package resolves from
 * node_modules whether the bench runs bundled or under vitest.
 */
const CHILD_PROGRAM = `
import { DurableStreamTestServer } from "@durable-streams/server";
const server = new DurableStreamTestServer({ host: "127.0.0.1", port: 0, dataDir: process.env.DS_DATA_DIR });
const url = await server.start();
console.log("DS_READY " + url);
process.once("SIGTERM", () => server.stop().finally(() => process.exit(0)));
`;

/** Parses one SSE stream's chunks into events, handing `data` events' JSON arrays to `onValues`. */
function sseParser(onValues: OnValues): (chunk: string) => void {
  let buffer = "";
  return (chunk) => {
    buffer += chunk;
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const lines = block.split("\n");
      if (!lines.includes("event: data")) continue; // control events carry offsets only
      const data = lines
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).replace(/^ /, ""))
        .join("\n");
      onValues(JSON.parse(data) as unknown[]);
    }
  };
}

/** An SSE subscription from the stream's start, on a connection of its own. */
function subscribeSse(streamUrl: string, onValues: OnValues): Promise<Subscription> {
  return new Promise((resolve, reject) => {
    const req = request(`${streamUrl}?offset=-1&live=sse`, { agent: false }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`SSE ${streamUrl} answered ${res.statusCode}`));
        res.resume();
        return;
      }
      res.setEncoding("utf8");
      res.on("data", sseParser(onValues));
      res.on("error", () => undefined); // closing the request ends the stream with an error
      resolve({ close: async () => void req.destroy() });
    });
    req.on("error", reject);
    req.end();
  });
}

/**
 * A Durable Stream as a bench log: POSTs of JSON arrays, SSE from the start, catch-up by
 * Stream-Next-Offset (the reference server and edgelog's `/v1/stream/` routes alike).
 *
 * @example
 * const log = openDsLog(`${url}/v1/stream/serial-0`);
 */
export function openDsLog(streamUrl: string): LogHandle {
  const http = new HttpClient(HTTP_SOCKETS_PER_LOG);
  return {
    producer: async () => ({
      send: async (values) => void (await http.expectOk("POST", streamUrl, `[${values.join(",")}]`, JSON_HEADERS)),
      close: async () => undefined,
    }),
    subscribe: (_variant, onValues) => subscribeSse(streamUrl, onValues),
    catchUp: async (_variant, count, deadline) => {
      let read = 0;
      let offset = "-1";
      while (read < count && Date.now() < deadline) {
        const answer = await http.expectOk("GET", `${streamUrl}?offset=${offset}`);
        read += (JSON.parse(answer.text) as unknown[]).length;
        const next = answer.headers["stream-next-offset"];
        if (typeof next !== "string" || next === offset || answer.headers["stream-up-to-date"] === "true") break;
        offset = next;
      }
      return read;
    },
    close: async () => http.close(),
  };
}

/**
 * Starts the Durable Streams server in a child process, file-backed in `workDir`.
 *
 * @example
 * const ds = await startDurableStreams(dir);
 */
export async function startDurableStreams(workDir: string): Promise<BenchSystem> {
  const server = spawnPeer("durable-streams", process.execPath, ["--input-type=module", "-e", CHILD_PROGRAM], {
    cwd: ROOT,
    env: { ...process.env, DS_DATA_DIR: workDir },
  });
  let url: string;
  try {
    url = await withTimeout(
      new Promise<string>((resolve, reject) => {
        server.child.stdout?.on("data", () => {
          const match = /DS_READY (\S+)/.exec(server.output());
          if (match?.[1]) resolve(match[1]);
        });
        void server.exited.then(() => reject(new Error("the Durable Streams server exited")));
      }),
      DS_READY_TIMEOUT_MS,
      "the Durable Streams server to start",
    );
  } catch (error) {
    await server.stop();
    throw new Error(`${(error as Error).message}\n--- output ---\n${server.output()}`);
  }
  const admin = new HttpClient(2);
  return {
    id: "durable-streams",
    label: "Durable Streams server",
    variants: {
      produce: ["native"],
      batch: ["native"],
      latency: [{ producer: "native", subscriber: "sse" }],
      catchUp: ["read"],
      fanOut: { producer: "native", subscriber: "sse" },
      preload: "native",
    },
    describe: () => ({ server: "@durable-streams/server 0.3.7 (file-backed: fsync per append)", url }),
    serverPids: () => [server.pid],
    openLog: async (name) => {
      const streamUrl = `${url}/v1/stream/${name}`;
      await admin.expectOk("PUT", streamUrl, undefined, JSON_HEADERS);
      return openDsLog(streamUrl);
    },
    stop: async () => {
      admin.close();
      await server.stop();
    },
  };
}
