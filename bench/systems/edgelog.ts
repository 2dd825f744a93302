/**
 * edgelog as a bench system, in either local runtime: `wrangler dev` (what `npm start` runs, with
 * wrangler's proxy in front of workerd) or the Miniflare API (workerd straight on a port). Both
 * run the same bundle of worker/ with the same Durable Object bindings (test/node/runtime.ts).
 * Each log is a fresh one-partition topic; producers speak HTTP or the partition socket.
 *
 * @example
 * const system = await startEdgelog("wrangler", workDir);
 * const log = await system.openLog("serial-0");
 * await (await log.producer("http")).send(['{"i":0}']);
 * await system.stop();
 */
import { join } from "node:path";
import { bundleWorker, startMiniflare, startWrangler } from "../../test/node/runtime.ts";
import { cpuOfTrees } from "../cpu.ts";
import { HttpClient } from "../http-client.ts";
import { PartitionSocket } from "./edgelog-socket.ts";
import type { BenchSystem, LogHandle, MeterReading, OnValues, Producer, Subscription, WireCounts } from "./types.ts";

/** Records per catch-up page over HTTP: the API's FETCH_RECORDS_MAX. */
const HTTP_PAGE_RECORDS = 10_000;
/** Bytes per catch-up page over HTTP: the API's FETCH_BYTES_MAX (8 MiB), so pages are not cut at 1 MiB. */
const HTTP_PAGE_BYTES = 8 * 1024 * 1024;
/** Keep-alive connections per log: enough for pipelined produce in the latency scenario. */
const HTTP_SOCKETS_PER_LOG = 32;
const JSON_HEADERS = { "content-type": "application/json" };
/** How much of wrangler's output a failed run shows, in characters. */
const DIAGNOSTICS_CHARS = 1_500;

/** The two ways to run edgelog locally. */
export type EdgelogMode = "wrangler" | "miniflare";

/** A log's HTTP producer: one POST per batch to the partition's records route. */
function httpProducer(http: HttpClient, recordsUrl: string): Producer {
  return {
    send: async (values) => {
      const body = `{"records":[${values.map((v) => `{"value":${v}}`).join(",")}]}`;
      await http.expectOk("POST", recordsUrl, body, JSON_HEADERS);
    },
    close: async () => undefined,
  };
}

/** Reads `count` records from offset 0 page by page over HTTP, decoding each page. */
async function httpCatchUp(http: HttpClient, recordsUrl: string, count: number, deadline: number): Promise<number> {
  let read = 0;
  let offset = 0;
  while (read < count && Date.now() < deadline) {
    const url = `${recordsUrl}?offset=${offset}&limit=${HTTP_PAGE_RECORDS}&maxBytes=${HTTP_PAGE_BYTES}`;
    const page = JSON.parse((await http.expectOk("GET", url)).text) as { records: { value: unknown }[]; nextOffset: number };
    if (page.records.length === 0) break;
    read += page.records.length; // JSON.parse above decoded every value
    offset = page.nextOffset;
  }
  return read;
}

/**
 * Subscribes from earliest on a fresh socket and waits until `count` values arrived (or the
 * deadline). The socket is left in `sockets` to be closed with the log, outside the timed part.
 */
async function socketCatchUp(
  socketUrl: string,
  counts: WireCounts,
  sockets: PartitionSocket[],
  count: number,
  deadline: number,
  frames: string[] | undefined,
): Promise<number> {
  const socket = await PartitionSocket.open(socketUrl, counts);
  sockets.push(socket);
  if (frames) socket.capture(frames);
  let read = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    socket
      .subscribe((values) => {
        read += values.length;
        if (read >= count) {
          clearTimeout(timer);
          resolve();
        }
      })
      .catch(reject);
  });
  return read;
}

function openEdgelogLog(baseUrl: string, admin: HttpClient, name: string): LogHandle {
  const topicUrl = `${baseUrl}/v1/topics/${name}`;
  const recordsUrl = `${topicUrl}/partitions/0/records`;
  const socketUrl = `${topicUrl.replace(/^http/, "ws")}/partitions/0/ws`;
  const http = new HttpClient(HTTP_SOCKETS_PER_LOG);
  const counts: WireCounts = { httpRequests: 0, wsMessagesIn: 0, wsMessagesOut: 0 };
  const sockets: PartitionSocket[] = [];
  const openSocket = async (): Promise<PartitionSocket> => {
    const socket = await PartitionSocket.open(socketUrl, counts);
    sockets.push(socket);
    return socket;
  };
  return {
    producer: async (variant) => {
      if (variant === "http") return httpProducer(http, recordsUrl);
      if (variant !== "ws") throw new Error(`edgelog has no producer "${variant}"`);
      const socket = await openSocket();
      return { send: (values) => socket.produce(values), close: () => socket.close() };
    },
    subscribe: async (variant: string, onValues: OnValues): Promise<Subscription> => {
      if (variant !== "ws") throw new Error(`edgelog has no subscriber "${variant}"`);
      const socket = await openSocket();
      await socket.subscribe(onValues);
      return { close: () => socket.close() };
    },
    catchUp: (variant, count, deadline, frames) => {
      if (variant === "http") return httpCatchUp(http, recordsUrl, count, deadline);
      if (variant === "ws") return socketCatchUp(socketUrl, counts, sockets, count, deadline, frames);
      throw new Error(`edgelog has no catch-up "${variant}"`);
    },
    meter: async (): Promise<MeterReading> => {
      const stats = JSON.parse((await admin.expectOk("GET", `${topicUrl}/partitions/0/stats`)).text) as MeterReading;
      return { rowsWritten: stats.rowsWritten, rowsRead: stats.rowsRead, startedAt: stats.startedAt };
    },
    wire: () => ({ ...counts, httpRequests: counts.httpRequests + http.requests }),
    close: async () => {
      await Promise.all(sockets.map((s) => s.close()));
      http.close();
    },
  };
}

/**
 * Starts edgelog locally (wrangler dev, or the Miniflare API on a fresh bundle) with its state
 * under `workDir`, bound to 127.0.0.1 on a free port.
 *
 * @example
 * const direct = await startEdgelog("miniflare", await makeTempDir("bench-mf-"));
 */
export async function startEdgelog(mode: EdgelogMode, workDir: string): Promise<BenchSystem> {
  const admin = new HttpClient(4);
  let url: string;
  let stop: () => Promise<void>;
  let pids: number[];
  let diagnostics: (() => string) | undefined;
  if (mode === "wrangler") {
    const dev = await startWrangler({ persistDir: join(workDir, "state"), sideDir: join(workDir, "side"), readyTimeoutMs: 90_000 });
    url = dev.url;
    // Whole lines only: the tail of the output from the first line break on.
    diagnostics = () =>
      dev
        .output()
        .slice(-DIAGNOSTICS_CHARS)
        .replace(/^[^\n]*\n/, "")
        .trimEnd();
    stop = async () => void (await dev.stopGracefully());
    pids = dev.process.pid === undefined ? [] : [dev.process.pid];
  } else {
    const runtime = await startMiniflare({ scriptPath: await bundleWorker(workDir), persistDir: join(workDir, "do") });
    url = runtime.url;
    stop = runtime.stop;
    // workerd is a child of this process: account for it, not for the bench's own CPU.
    pids = cpuOfTrees([process.pid])
      .filter((p) => p.name.startsWith("workerd"))
      .map((p) => p.pid);
  }
  const label = mode === "wrangler" ? "edgelog (wrangler dev)" : "edgelog (Miniflare API)";
  return {
    id: mode === "wrangler" ? "edgelog-wrangler" : "edgelog-miniflare",
    label,
    url,
    ...(diagnostics && { diagnostics }),
    variants: {
      produce: ["http", "ws"],
      batch: ["http", "ws"],
      concurrent: ["ws"],
      latency: [{ producer: "ws", subscriber: "ws" }],
      catchUp: ["ws", "http"],
      fanOut: { producer: "http", subscriber: "ws" },
      preload: "http",
    },
    describe: () => ({
      runtime: mode === "wrangler" ? "wrangler dev --local (workerd behind wrangler's proxy)" : "Miniflare API (workerd on the port)",
      url,
    }),
    serverPids: () => pids,
    openLog: async (name) => {
      await admin.expectOk("PUT", `${url}/v1/topics/${name}`, '{"partitions":1}', JSON_HEADERS);
      return openEdgelogLog(url, admin, name);
    },
    stop: async () => {
      admin.close();
      await stop();
    },
  };
}
