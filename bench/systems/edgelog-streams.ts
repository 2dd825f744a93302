/**
 * edgelog's Durable Streams routes (`/v1/stream/`, PROTOCOL.md section 24) as a bench system,
 * beside the reference server: the same worker on the Miniflare API, the same client code as the
 * `durable-streams` system (durable-streams.ts's openDsLog: a log is a JSON-mode stream, produce
 * POSTs a JSON array, live reads are SSE, catch-up follows Stream-Next-Offset), so the two rows
 * differ only in the server.
 *
 * @example
 * const streams = await startEdgelogStreams(workDir);
 * const log = await streams.openLog("serial-0");
 * await (await log.producer("native")).send(['{"i":0}']);
 * await streams.stop();
 */
import { join } from "node:path";
import { bundleWorker, startMiniflare } from "../../test/node/runtime.ts";
import { cpuOfTrees } from "../cpu.ts";
import { HttpClient } from "../http-client.ts";
import { openDsLog } from "./durable-streams.ts";
import type { BenchSystem } from "./types.ts";

const JSON_HEADERS = { "content-type": "application/json" };

/**
 * Starts edgelog on the Miniflare API (state under `workDir`) and measures its Durable Streams routes.
 *
 * @example
 * const system = await startEdgelogStreams(await makeTempDir("bench-streams-"));
 */
export async function startEdgelogStreams(workDir: string): Promise<BenchSystem> {
  const runtime = await startMiniflare({ scriptPath: await bundleWorker(workDir), persistDir: join(workDir, "do") });
  const { url } = runtime;
  // workerd is a child of this process: account for it, not for the bench's own CPU.
  const pids = cpuOfTrees([process.pid])
    .filter((p) => p.name.startsWith("workerd"))
    .map((p) => p.pid);
  const admin = new HttpClient(2);
  return {
    id: "edgelog-streams",
    label: "edgelog Durable Streams routes (Miniflare API)",
    variants: {
      produce: ["native"],
      batch: ["native"],
      latency: [{ producer: "native", subscriber: "sse" }],
      catchUp: ["read"],
      fanOut: { producer: "native", subscriber: "sse" },
      preload: "native",
    },
    describe: () => ({ runtime: "Miniflare API (workerd on the port), /v1/stream/ routes, one Stream object per log", url }),
    serverPids: () => pids,
    openLog: async (name) => {
      const streamUrl = `${url}/v1/stream/${name}`;
      await admin.expectOk("PUT", streamUrl, undefined, JSON_HEADERS);
      return openDsLog(streamUrl);
    },
    stop: async () => {
      admin.close();
      await runtime.stop();
    },
  };
}
