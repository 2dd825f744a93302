/**
 * Floor (c) as a bench system: the storage-free relay of bench/floors/relay.ts, bundled with
 * esbuild under .tmp/ (so `ws` resolves from the repository's node_modules) and spawned as a
 * process of its own on 127.0.0.1, driven by the same client as edgelog (PartitionSocket). It
 * runs the latency scenario only.
 *
 * @example
 * const relay = await startRelay(workDir);
 * const log = await relay.openLog("latency-0");
 * await relay.stop();
 */
import { join } from "node:path";
import { build } from "esbuild";
import { freePort, ROOT, waitFor } from "../../test/node/runtime.ts";
import { spawnPeer } from "../processes.ts";
import { PartitionSocket } from "../systems/edgelog-socket.ts";
import type { BenchSystem, LogHandle, WireCounts } from "../systems/types.ts";

/** How long the relay may take to say it listens, in ms. */
const RELAY_READY_TIMEOUT_MS = 15_000;

async function bundleRelay(): Promise<string> {
  const outfile = join(ROOT, ".tmp", "bench-floors", "relay.mjs");
  await build({
    entryPoints: [join(ROOT, "bench", "floors", "relay.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "silent",
    outfile,
  });
  return outfile;
}

function openRelayLog(url: string): LogHandle {
  const counts: WireCounts = { httpRequests: 0, wsMessagesIn: 0, wsMessagesOut: 0 };
  const sockets: PartitionSocket[] = [];
  const open = async (variant: string): Promise<PartitionSocket> => {
    if (variant !== "ws") throw new Error(`the relay has no variant "${variant}"`);
    const socket = await PartitionSocket.open(url, counts);
    sockets.push(socket);
    return socket;
  };
  return {
    producer: async (variant) => {
      const socket = await open(variant);
      return { send: (values) => socket.produce(values), close: () => socket.close() };
    },
    subscribe: async (variant, onValues) => {
      const socket = await open(variant);
      await socket.subscribe(onValues);
      return { close: () => socket.close() };
    },
    catchUp: () => Promise.reject(new Error("the relay stores nothing: no catch-up")),
    close: async () => void (await Promise.all(sockets.map((s) => s.close()))),
  };
}

/**
 * Starts the relay on a free port of 127.0.0.1 (`workDir` is its working directory).
 *
 * @example
 * const relay = await startRelay(dir);
 */
export async function startRelay(workDir: string): Promise<BenchSystem> {
  const script = await bundleRelay();
  const port = await freePort();
  const server = spawnPeer("relay", process.execPath, [script, String(port)], { cwd: workDir });
  try {
    await waitFor(
      `the relay to listen on ${port}`,
      () => (server.output().includes(`listening ${port}`) ? true : undefined),
      RELAY_READY_TIMEOUT_MS,
      20,
    );
  } catch (error) {
    await server.stop();
    throw new Error(`${(error as Error).message}\n--- relay output ---\n${server.output()}`);
  }
  return {
    id: "node-relay",
    label: "Node relay (no storage)",
    variants: { produce: [], batch: [], latency: [{ producer: "ws", subscriber: "ws" }], catchUp: [], preload: "ws" },
    describe: () => ({ server: `node ${process.version} + ws, forwards each produced record, stores nothing` }),
    serverPids: () => [server.pid],
    openLog: async (name) => openRelayLog(`ws://127.0.0.1:${port}/${name}`),
    stop: () => server.stop(),
  };
}
