/**
 * The bench: starts each system in turn (edgelog under wrangler dev, edgelog on the Miniflare API,
 * Redis Streams, NATS JetStream, the Durable Streams server), runs every scenario on it, stops it,
 * then runs scenario 6 (the browser client's IndexedDB cache, in Chromium, no server) and
 * prints one comparison table and writes the JSON result and the SVG chart. Every process it
 * starts is stopped, on success, on error, and (through `stopEverything`) on SIGINT.
 *
 * @example
 * const { result, jsonPath, svgPath } = await runBench({ profile: "smoke", outDir: "/tmp/bench-out" });
 */
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, release, totalmem } from "node:os";
import { join } from "node:path";
import { makeTempDir, ROOT, removeDir } from "../test/node/runtime.ts";
import { comparisonRows } from "./comparisons.ts";
import { costReport } from "./cost.ts";
import { machineBusyMs } from "./cpu.ts";
import { startFloors } from "./floors/floor-system.ts";
import { startFloorsWrangler } from "./floors/floor-wrangler.ts";
import { startRelay } from "./floors/relay-system.ts";
import { ensurePeerBinaries, type PeerBinaries } from "./install.ts";
import { measureSystem } from "./measure-system.ts";
import { killAllPeers } from "./processes.ts";
import { type BenchProfile, PROFILES } from "./profiles.ts";
import { contextNotes, costNotes, fanOutNotes, loadNotes, profileNotes } from "./report/notes.ts";
import { renderSvg } from "./report/svg.ts";
import { renderTable } from "./report/table.ts";
import type { BenchResult } from "./result.ts";
import { Runner } from "./runner.ts";
import { browserCacheRun, type CachePage, missingChromium, startCachePage } from "./scenarios/browser-cache.ts";
import { startDurableStreams } from "./systems/durable-streams.ts";
import { startEdgelog } from "./systems/edgelog.ts";
import { startEdgelogStreams } from "./systems/edgelog-streams.ts";
import { startNats } from "./systems/nats.ts";
import { startRedis } from "./systems/redis.ts";
import type { BenchSystem, SystemId } from "./systems/types.ts";

/** Every system, in the order measured. */
export const ALL_SYSTEMS: readonly SystemId[] = [
  "edgelog-wrangler",
  "edgelog-miniflare",
  "floor-wrangler",
  "floor-miniflare",
  "node-relay",
  "redis",
  "redis-always",
  "nats",
  "durable-streams",
  "edgelog-streams",
];

/** How long the bench samples the machine's load before starting, in ms. */
const LOAD_SAMPLE_MS = 2_000;
/** Other load above this many cores at the start gets a warning: the figures will be noisy. */
const BUSY_MACHINE_CORES = 0.5;

/** How long stopping one system may take on SIGINT before the bench exits anyway, in ms. */
const STOP_ON_SIGNAL_TIMEOUT_MS = 15_000;

export interface BenchOptions {
  profile: BenchProfile["name"];
  /** Where the JSON and SVG go (default bench/results). */
  outDir?: string;
  /** Also write latest.json and latest.svg there (the copy that may be committed). */
  writeLatest?: boolean;
  /** Which systems to run (default all). */
  systems?: readonly SystemId[];
  /** apt-get install redis-server / nats-server when missing (default true). */
  installPeers?: boolean;
  /** A missing peer binary fails the bench (CI) instead of skipping that peer. */
  requirePeers?: boolean;
  /** Run scenario 6 (the browser client's IndexedDB cache, in Chromium; default true). */
  browserCache?: boolean;
  /** A missing Chromium fails the bench (CI) instead of skipping scenario 6 with a message. */
  requireChromium?: boolean;
  log?: (line: string) => void;
}

export interface BenchOutput {
  result: BenchResult;
  jsonPath: string;
  svgPath: string;
  /** The printed table and notes. */
  report: string[];
}

/** What is running now, for stopEverything. */
const active = {
  system: null as BenchSystem | null,
  workDir: null as string | null,
  runner: null as Runner | null,
  page: null as CachePage | null,
};

/**
 * Stops whatever the bench has running (for SIGINT/SIGTERM): the current system, bounded, then
 * SIGKILL to every peer group left, and removes the temp dir.
 *
 * @example
 * process.once("SIGINT", () => void stopEverything().finally(() => process.exit(130)));
 */
export async function stopEverything(): Promise<void> {
  if (active.runner) active.runner.aborted = true;
  const system = active.system;
  active.system = null;
  if (system) {
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, STOP_ON_SIGNAL_TIMEOUT_MS).unref());
    await Promise.race([system.stop().catch(() => undefined), timeout]);
  }
  const page = active.page;
  active.page = null;
  if (page) await page.stop().catch(() => undefined);
  killAllPeers();
  if (active.workDir) await removeDir(active.workDir).catch(() => undefined);
}

async function startSystem(id: SystemId, binaries: PeerBinaries, workDir: string): Promise<BenchSystem> {
  const dir = join(workDir, id);
  await mkdir(dir, { recursive: true });
  switch (id) {
    case "edgelog-wrangler":
      return startEdgelog("wrangler", dir);
    case "edgelog-miniflare":
      return startEdgelog("miniflare", dir);
    case "floor-wrangler":
      return startFloorsWrangler(dir);
    case "floor-miniflare":
      return startFloors(dir);
    case "node-relay":
      return startRelay(dir);
    case "redis":
      return startRedis(binaries.redis!, dir);
    case "redis-always":
      return startRedis(binaries.redis!, dir, "always");
    case "nats":
      return startNats(binaries.nats!, dir);
    case "durable-streams":
      return startDurableStreams(dir);
    case "edgelog-streams":
      return startEdgelogStreams(dir);
  }
}

/** Why a peer cannot run here, or null when it can. */
function missingBinary(id: SystemId, binaries: PeerBinaries): string | null {
  if ((id === "redis" || id === "redis-always") && binaries.redis === null) return "redis-server is not installed";
  if (id === "nats" && binaries.nats === null) return "nats-server is not installed";
  return null;
}

function machine(): Record<string, string | number> {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
    note: "shared, noisy",
  };
}

/** Scenario 6's stand-in for a system: the browser client alone, in Chromium, no server. */
const BROWSER_CLIENT = { id: "edgelog-browser", label: "edgelog client (Chromium, IndexedDB)", serverPids: () => [] } as const;

/**
 * Scenario 6: the browser client's IndexedDB cache write and replay rates, in Chromium, on a
 * fresh profile per run. Without Chromium it is skipped with a message, or fails when
 * `requireChromium` (CI) says it must run.
 */
async function measureBrowserCache(runner: Runner, workDir: string, options: BenchOptions, log: (line: string) => void): Promise<void> {
  if (runner.aborted) return;
  const missing = missingChromium();
  if (missing !== null) {
    if (options.requireChromium) throw new Error(`${missing}: scenario 6 needs it`);
    log(`${BROWSER_CLIENT.id}: SKIPPED, ${missing}`);
    runner.skip(BROWSER_CLIENT.id, "browser-cache", "indexeddb", missing);
    return;
  }
  log(`${BROWSER_CLIENT.id}: scenario 6, ${runner.profile.browserCache.events} events in Chromium`);
  const dir = join(workDir, BROWSER_CLIENT.id);
  await mkdir(dir, { recursive: true });
  const page = await startCachePage(dir);
  active.page = page;
  try {
    await runner.measure(BROWSER_CLIENT, "browser-cache", "indexeddb", runner.profile.runs, (index) =>
      browserCacheRun(page.url, runner.profile.browserCache, index),
    );
  } finally {
    active.page = null;
    await page.stop();
  }
}

/**
 * Runs the bench with `options.profile` and writes its result; answers the result and paths.
 * Fails only when nothing could be written; failed measurements are in the result (and the
 * caller decides whether they fail the run).
 *
 * @example
 * const out = await runBench({ profile: "full", writeLatest: true, log: console.log });
 */
export async function runBench(options: BenchOptions): Promise<BenchOutput> {
  const profile = PROFILES[options.profile];
  const log = options.log ?? (() => undefined);
  const started = new Date();
  const runner = new Runner(profile, log, started.getTime());
  active.runner = runner;
  const binaries = await ensurePeerBinaries({ install: options.installPeers ?? true, log });
  const busyBefore = machineBusyMs();
  await new Promise((resolve) => setTimeout(resolve, LOAD_SAMPLE_MS));
  const loadAtStart = (machineBusyMs() - busyBefore) / LOAD_SAMPLE_MS;
  if (loadAtStart > BUSY_MACHINE_CORES)
    log(`warning: other processes are using ${loadAtStart.toFixed(2)} cores of ${cpus().length} right now: expect noisy figures`);
  const workDir = await makeTempDir("edgelog-bench-");
  active.workDir = workDir;
  const systems: BenchResult["systems"] = [];
  try {
    for (const id of options.systems ?? ALL_SYSTEMS) {
      if (runner.aborted) break;
      const missing = missingBinary(id, binaries);
      if (missing !== null) {
        if (options.requirePeers) throw new Error(`${missing}: the bench needs it (apt-get install -y redis-server nats-server)`);
        log(`${id}: SKIPPED, ${missing}`);
        systems.push({ id, label: id, details: {}, skipped: missing });
        continue;
      }
      log(`${id}: starting`);
      const system = await startSystem(id, binaries, workDir);
      active.system = system;
      try {
        systems.push({ id, label: system.label, details: system.describe() });
        await measureSystem(system, runner);
      } finally {
        active.system = null;
        await system.stop();
        log(`${id}: stopped`);
      }
    }
    if (options.browserCache ?? true) await measureBrowserCache(runner, workDir, options, log);
  } finally {
    active.runner = null;
    await stopEverything();
    active.workDir = null;
  }
  const hasWrangler = runner.measurements.some((m) => m.system === "edgelog-wrangler" && m.runs.length > 0);
  const priced: SystemId = hasWrangler ? "edgelog-wrangler" : "edgelog-miniflare";
  const cost = costReport(runner.measurements, priced);
  // Scenario 6 alone (`--scenarios 6`): only its rows; the others would all say "not measured".
  const onlyBrowserCache = (options.systems ?? ALL_SYSTEMS).length === 0;
  const rows = comparisonRows(runner.measurements, profile, cost).filter((row) => !onlyBrowserCache || row.label.startsWith("6 "));
  const result: BenchResult = {
    version: 1,
    profile: profile.name,
    startedAt: started.toISOString(),
    seconds: Math.round((Date.now() - started.getTime()) / 1000),
    machine: { ...machine(), otherLoadAtStartCores: Number(loadAtStart.toFixed(2)) },
    ratioRuntime: {
      system: "edgelog-wrangler",
      reason: "wrangler dev is how users run edgelog locally (npm start); Miniflare shows the same worker without wrangler's proxy",
    },
    systems,
    measurements: runner.measurements,
    rows,
    cost: cost as unknown as Record<string, unknown>,
    notes: onlyBrowserCache
      ? []
      : [...contextNotes(profile), ...loadNotes(runner.measurements), ...fanOutNotes(runner.measurements, profile), ...costNotes(cost)],
    profileNotes: onlyBrowserCache ? [] : profileNotes(runner.measurements),
  };
  return writeOutputs(result, options);
}

async function writeOutputs(result: BenchResult, options: BenchOptions): Promise<BenchOutput> {
  const outDir = options.outDir ?? join(ROOT, "bench", "results");
  await mkdir(outDir, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, "-").slice(0, 19);
  const jsonPath = join(outDir, `${result.profile}-${stamp}.json`);
  const svgPath = join(outDir, `${result.profile}-${stamp}.svg`);
  // Six significant digits are more than any figure here can claim, and keep the file small.
  const json = `${JSON.stringify(result, (_, v: unknown) => (typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v), 1)}\n`;
  const svg = renderSvg(result);
  await writeFile(jsonPath, json);
  await writeFile(svgPath, svg);
  if (options.writeLatest) {
    await writeFile(join(outDir, "latest.json"), json);
    await writeFile(join(outDir, "latest.svg"), svg);
  }
  const m = result.machine;
  const report = [
    `edgelog bench, ${result.profile} profile, ${result.startedAt}, ${result.seconds} s; machine: ${m.cpus} cores ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node} (${m.note})`,
    "",
    ...renderTable(result.rows),
    "",
    ...result.notes,
    "",
    ...result.profileNotes,
    "",
    `JSON: ${jsonPath}`,
    `SVG:  ${svgPath}`,
  ];
  (options.log ?? (() => undefined))(report.join("\n"));
  return { result, jsonPath, svgPath, report };
}
