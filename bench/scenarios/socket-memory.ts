/**
 * Scenario: the memory one partition object costs per subscribed socket. It opens
 * SOCKET_MEMORY_SOCKETS sockets to one partition (each subscribed from earliest and `live`), the
 * way browsers do: with `ws`'s defaults, so each handshake offers permessage-deflate as a browser's
 * does; and reads workerd's resident memory (VmRSS of every workerd process of the system) before
 * and after. The figure is the RSS delta per socket, in KiB, against the issue's target of
 * SOCKET_MEMORY_TARGET_KIB (one object must hold Cloudflare's 32,768 sockets in its 128 MB). It
 * also counts the sockets that negotiated an extension (0 expected: socket-upgrade.ts refuses
 * compression, whose zlib state cost ~225 KiB per socket).
 *
 * The RSS delta is everything workerd spends per connection: locally the client's connection,
 * the Worker that forwards the upgrade and the object's end share one process, so it is an upper
 * bound of the object's share (a trivial object that only accepts a hibernating socket costs
 * ~90 KiB per socket here too; the object's own JS heap is ~1.2 KiB per socket, a V8 heap
 * snapshot through the inspector shows).
 *
 * @example
 * const sample = await socketMemoryRun(system, "full", "socket-memory-1");
 * sample.metrics.kibPerSocket; // e.g. 130, beside sample.metrics.targetKiB (16)
 */
import { readFileSync } from "node:fs";
import WebSocket from "ws";
import { cpuOfTrees } from "../cpu.ts";
import type { BenchProfile } from "../profiles.ts";
import type { RunSample } from "../result.ts";
import type { Runner } from "../runner.ts";
import type { BenchSystem } from "../systems/types.ts";

/** The target: at most this many KiB of object memory per subscribed socket. */
export const SOCKET_MEMORY_TARGET_KIB = 16;

/** Sockets opened per run: the 2,000 in the full profile, a handful in the smoke one. */
export const SOCKET_MEMORY_SOCKETS: Readonly<Record<BenchProfile["name"], number>> = { full: 2_000, smoke: 20 };

/** Sockets connecting at once. */
const CONNECT_CONCURRENCY_MAX = 50;
/** How long all the sockets may take to be open and `live`, in seconds. */
const CONNECT_SECONDS_MAX = 120;
/** How long one socket may take to be `live`, in ms. */
const SOCKET_LIVE_MS_MAX = 30_000;
/** Time left for workerd to settle (the closes of the warm-up, buffers freed) before a reading, in ms. */
const SETTLE_MS = 1_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** The resident memory of the system's workerd processes, in bytes (0 where /proc has none). */
function workerdRssBytes(system: BenchSystem): number {
  let bytes = 0;
  for (const process of cpuOfTrees(system.serverPids())) {
    if (!process.name.startsWith("workerd")) continue;
    try {
      const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${process.pid}/status`, "utf8"));
      if (match) bytes += Number(match[1]) * 1024;
    } catch {
      // The process ended meanwhile: it holds nothing.
    }
  }
  return bytes;
}

/** Opens one socket (offering permessage-deflate, as `ws` and browsers do), subscribes, resolves once `live`. */
function openLive(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`socket not live within ${SOCKET_LIVE_MS_MAX} ms`));
    }, SOCKET_LIVE_MS_MAX);
    ws.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    ws.on("message", (data) => {
      const type = (JSON.parse(data.toString()) as { type: string }).type;
      if (type === "hello") ws.send('{"type":"subscribe","id":"s","from":"earliest"}');
      if (type === "live") {
        clearTimeout(timer);
        resolve(ws);
      }
    });
  });
}

/** Opens `count` live sockets, at most CONNECT_CONCURRENCY_MAX at once, within CONNECT_SECONDS_MAX. */
async function openAll(url: string, count: number, sockets: WebSocket[]): Promise<void> {
  const deadline = Date.now() + CONNECT_SECONDS_MAX * 1000;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      if (Date.now() > deadline) throw new Error(`only ${sockets.length} of ${count} sockets live in ${CONNECT_SECONDS_MAX} s`);
      next++;
      sockets.push(await openLive(url));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY_MAX, count) }, worker));
}

/**
 * One run on a fresh topic: a warm-up socket, the RSS reading, `count` live sockets, the reading
 * again; answers KiB per socket and the sockets that negotiated an extension.
 *
 * @example
 * const { metrics } = await socketMemoryRun(system, "smoke", "socket-memory-1");
 */
export async function socketMemoryRun(system: BenchSystem, profile: BenchProfile["name"], name: string): Promise<RunSample> {
  const count = SOCKET_MEMORY_SOCKETS[profile];
  const log = await system.openLog(name);
  const url = `${system.url!.replace(/^http/, "ws")}/v1/topics/${name}/partitions/0/ws`;
  const sockets: WebSocket[] = [];
  try {
    // The object, its SQLite and the code paths are loaded before the first reading.
    (await openLive(url)).terminate();
    await sleep(SETTLE_MS);
    const before = workerdRssBytes(system);
    await openAll(url, count, sockets);
    await sleep(SETTLE_MS);
    const after = workerdRssBytes(system);
    if (before === 0) throw new Error("no workerd process found to read its memory (/proc)");
    const compressed = sockets.filter((ws) => ws.extensions !== "").length;
    return {
      metrics: {
        kibPerSocket: (after - before) / count / 1024,
        targetKiB: SOCKET_MEMORY_TARGET_KIB,
        rssBeforeMiB: before / 2 ** 20,
        rssAfterMiB: after / 2 ** 20,
      },
      counts: { sockets: count, compressed },
      ...(compressed > 0 && { notes: [`${compressed} of ${count} sockets negotiated an extension`] }),
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    await log.close();
  }
}

/**
 * Measures the scenario on an edgelog system (the others have no partition object); the runner
 * prints the figure with its target (`kibPerSocket`, `targetKiB`).
 *
 * @example
 * await measureSocketMemory(system, runner); // "socket-memory ws: kibPerSocket 130 [130-130], targetKiB 16 ..."
 */
export async function measureSocketMemory(system: BenchSystem, runner: Runner): Promise<void> {
  if (system.url === undefined || !system.id.startsWith("edgelog")) return;
  const name = `socket-memory-${process.pid}-${system.id}`;
  await runner.measure(system, "socket-memory", "ws", 1, () => socketMemoryRun(system, runner.profile.name, name));
}
