/**
 * Floors (a) and (b) as a bench system (issue 12): the trivial SQLite objects of
 * bench/floors/worker/floors.ts, bundled with esbuild and run on the Miniflare API exactly as the
 * bench runs edgelog there (same workerd, same compatibility date and flags, SQLite-backed
 * objects persisted under the same temp dir on the same disk). Variant "serial" is floor (a), one
 * INSERT per message; "batch" is floor (b), one INSERT per frame. Both are producers only.
 *
 * @example
 * const floor = await startFloors(workDir);
 * const log = await floor.openLog("serial-0");
 * await (await log.producer("serial")).send(['{"i":0}']);
 * await floor.stop();
 */
import { dirname, join } from "node:path";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { compatibilityDate, compatibilityFlags, ROOT, readyMiniflare, WORKER_BUILD } from "../../test/node/runtime.ts";
import { cpuOfTrees } from "../cpu.ts";
import type { BenchSystem, LogHandle } from "../systems/types.ts";
import { FloorSocket } from "./floor-socket.ts";

/**
 * The floors' Durable Object bindings, SQLite-backed as edgelog's are.
 *
 * @example
 * new Miniflare({ modules: true, scriptPath, durableObjects: FLOOR_DURABLE_OBJECTS });
 */
export const FLOOR_DURABLE_OBJECTS = {
  FLOOR_SERIAL: { className: "FloorSerial", useSQLite: true },
  FLOOR_BATCH: { className: "FloorBatch", useSQLite: true },
} as const;

/** The floors' variants: which object a producer talks to. */
const FLOOR_VARIANTS = ["serial", "batch"] as const;

async function bundleFloors(outDir: string): Promise<string> {
  const outfile = join(outDir, "floors.mjs");
  await build({ ...WORKER_BUILD, entryPoints: [join(ROOT, "bench", "floors", "worker", "floors.ts")], outfile });
  return outfile;
}

function openFloorLog(baseUrl: string, name: string): LogHandle {
  const sockets: FloorSocket[] = [];
  const unsupported = (what: string) => () => Promise.reject(new Error(`the floors have no ${what}`));
  return {
    producer: async (variant) => {
      if (!(FLOOR_VARIANTS as readonly string[]).includes(variant)) throw new Error(`the floors have no producer "${variant}"`);
      const socket = await FloorSocket.open(`${baseUrl.replace(/^http/, "ws")}/${variant}/${name}`);
      sockets.push(socket);
      return { send: (values) => socket.produce(values), close: () => socket.close() };
    },
    subscribe: unsupported("subscriber"),
    catchUp: unsupported("catch-up"),
    close: async () => void (await Promise.all(sockets.map((s) => s.close()))),
  };
}

/**
 * The floors as a bench system, whichever runtime serves them at `baseUrl`.
 *
 * @example
 * const system = floorSystem({ id: "floor-miniflare", label, runtime: "Miniflare API", baseUrl, pids, stop });
 */
export function floorSystem(options: {
  id: "floor-miniflare" | "floor-wrangler";
  label: string;
  runtime: string;
  baseUrl: string;
  pids: number[];
  stop: () => Promise<void>;
}): BenchSystem {
  return {
    id: options.id,
    label: options.label,
    variants: { produce: ["serial"], batch: ["batch"], concurrent: ["serial"], latency: [], catchUp: [], preload: "batch" },
    describe: () => ({
      runtime: options.runtime,
      serial: "floor (a): one INSERT per message over a hibernating socket, one-byte answer",
      batch: "floor (b): JSON.parse the frame, one INSERT of its text, short ack",
    }),
    serverPids: () => options.pids,
    openLog: async (name) => openFloorLog(options.baseUrl, name),
    stop: options.stop,
  };
}

/**
 * Starts floors (a) and (b) on the Miniflare API with state under `workDir`, on 127.0.0.1.
 *
 * @example
 * const floor = await startFloors(await makeTempDir("bench-floor-"));
 */
export async function startFloors(workDir: string): Promise<BenchSystem> {
  const scriptPath = await bundleFloors(workDir);
  const before = new Set(cpuOfTrees([process.pid]).map((p) => p.pid));
  const miniflare = new Miniflare({
    modules: true,
    scriptPath,
    modulesRoot: dirname(scriptPath),
    compatibilityDate: await compatibilityDate(),
    compatibilityFlags: await compatibilityFlags(),
    durableObjects: FLOOR_DURABLE_OBJECTS,
    durableObjectsPersist: join(workDir, "do"),
    host: "127.0.0.1",
    port: 0,
    cf: false,
  });
  const { url, stop } = await readyMiniflare(miniflare, "the floors' Miniflare to start");
  // This Miniflare's workerd, not one another system left running.
  const pids = cpuOfTrees([process.pid])
    .filter((p) => p.name.startsWith("workerd") && !before.has(p.pid))
    .map((p) => p.pid);
  return floorSystem({
    id: "floor-miniflare",
    label: "floor objects (Miniflare API)",
    runtime: "Miniflare API (workerd on the port), as edgelog-miniflare",
    baseUrl: url.origin,
    pids,
    stop,
  });
}
