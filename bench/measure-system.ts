/**
 * Runs every scenario on one started system, in the issue's order: (1) serial produce per
 * producer variant, (1b) concurrent serial producers on one partition, (2) batched produce per batch size, (3) end-to-end latency per
 * producer/subscriber pair, (4) catch-up per read path, (5) fan-out per case, then (edgelog only)
 * the overhead probes. Each run gets a fresh log, so runs do not see each other's data. Before
 * them (edgelog only), the memory per subscribed socket (scenarios/socket-memory.ts), while
 * workerd has not yet grown for the other scenarios' sockets.
 *
 * @example
 * const system = await startRedis(binary, dir);
 * await measureSystem(system, runner);
 * await system.stop();
 */

import { decodeFloorRun } from "./floors/client-decode.ts";
import type { RunSample } from "./result.ts";
import type { Runner } from "./runner.ts";
import { catchUpRun, preload } from "./scenarios/catch-up.ts";
import { concurrentRun } from "./scenarios/concurrent.ts";
import { fanOutRun } from "./scenarios/fan-out.ts";
import { latencyRun } from "./scenarios/latency.ts";
import { OVERHEAD_PROBES, overheadRun } from "./scenarios/overhead.ts";
import { fill, produceRun } from "./scenarios/produce.ts";
import { measureSocketMemory } from "./scenarios/socket-memory.ts";
import type { BenchSystem, LogHandle } from "./systems/types.ts";

let logSerial = 0;

/** A log name unique in this bench process: [a-z0-9-], valid everywhere (topic, key, stream, path). */
function logName(scenario: string, variant: string): string {
  return `${scenario}-${variant.replace(/[^a-z0-9]/gi, "")}-${process.pid}-${logSerial++}`;
}

/** Runs `run` on a fresh log, closing the log afterwards whatever happens. */
async function onFreshLog(
  system: BenchSystem,
  scenario: string,
  variant: string,
  run: (log: LogHandle) => Promise<RunSample>,
): Promise<RunSample> {
  const log = await system.openLog(logName(scenario, variant));
  try {
    return await run(log);
  } finally {
    await log.close();
  }
}

async function measureProduce(system: BenchSystem, runner: Runner): Promise<void> {
  const { profile } = runner;
  for (const variant of system.variants.produce) {
    await runner.measure(system, "serial", variant, profile.runs, (_, window) =>
      onFreshLog(system, "serial", variant, (log) => produceRun(log, variant, 1, profile.serial, window)),
    );
  }
  for (const variant of system.variants.concurrent ?? []) {
    const scenario = `concurrent-${profile.concurrent.producers}`;
    await runner.measure(system, scenario, variant, profile.runs, (_, window) =>
      onFreshLog(system, scenario, variant, (log) => concurrentRun(log, variant, profile.concurrent, window)),
    );
  }
  for (const size of profile.batch.sizes) {
    for (const variant of system.variants.batch) {
      await runner.measure(system, `batch-${size}`, variant, profile.runs, (_, window) =>
        onFreshLog(system, `batch-${size}`, variant, (log) => produceRun(log, variant, size, profile.batch, window)),
      );
    }
  }
}

async function measureLatency(system: BenchSystem, runner: Runner): Promise<void> {
  for (const pair of system.variants.latency) {
    const variant = `${pair.producer}->${pair.subscriber}`;
    await runner.measure(system, "latency", variant, runner.profile.runs, (_, window) =>
      onFreshLog(system, "latency", variant, (log) => latencyRun(log, pair.producer, pair.subscriber, runner.profile.latency, window)),
    );
  }
}

/**
 * Catch-up per read path on one preloaded log; after the socket path, floor (d): the client's
 * decode rate over the very frames that catch-up received (its last run's).
 */
async function measureCatchUp(system: BenchSystem, runner: Runner): Promise<void> {
  const { profile } = runner;
  if (system.variants.catchUp.length === 0) return;
  let log: LogHandle;
  try {
    log = await preload(system, profile);
  } catch (error) {
    for (const variant of system.variants.catchUp)
      runner.skip(system.id, "catch-up", variant, `preload failed: ${(error as Error).message}`);
    return;
  }
  try {
    for (const variant of system.variants.catchUp) {
      const frames: string[] = [];
      await runner.measure(system, "catch-up", variant, profile.runs, (_, window) => {
        frames.length = 0;
        return catchUpRun(log, variant, profile.catchUp, window, variant === "ws" ? frames : undefined);
      });
      if (variant === "ws" && frames.length > 0)
        await runner.measure(system, "catch-up", "decode-floor", profile.runs, () => decodeFloorRun(frames, "catch-up"));
    }
  } finally {
    await log.close();
  }
}

async function measureFanOut(system: BenchSystem, runner: Runner): Promise<void> {
  const { fanOut } = runner.profile;
  const pair = system.variants.fanOut;
  if (pair === undefined) return;
  for (const fanOutCase of fanOut.cases) {
    const scenario = `fan-out-${fanOutCase.subscribers}`;
    await runner.measure(system, scenario, pair.subscriber, fanOutCase.runs, (_, window) =>
      onFreshLog(system, scenario, "fanout", (log) => fanOutRun(log, pair, fanOutCase, fanOut, window)),
    );
  }
}

async function measureOverhead(system: BenchSystem, runner: Runner): Promise<void> {
  const url = system.url;
  if (url === undefined) return;
  const topic = logName("overhead", "probe");
  const log = await system.openLog(topic);
  try {
    for (const probe of OVERHEAD_PROBES) {
      await runner.measure(system, "overhead", probe, runner.profile.runs, () => overheadRun(url, topic, probe, runner.profile.overhead));
    }
  } finally {
    await log.close();
  }
}

/**
 * Warms `system` up (a short serial and batched produce, not measured), then measures every
 * scenario on it.
 *
 * @example
 * await measureSystem(system, runner);
 */
export async function measureSystem(system: BenchSystem, runner: Runner): Promise<void> {
  const warm = runner.profile.warmupEvents;
  await onFreshLog(system, "warmup", "all", async (log) => {
    for (const variant of system.variants.produce) await fill(log, variant, warm, 1, 10);
    await fill(log, system.variants.preload, warm * 10, 100, 10);
    return { metrics: {} };
  });
  await measureSocketMemory(system, runner);
  await measureProduce(system, runner);
  await measureLatency(system, runner);
  await measureCatchUp(system, runner);
  await measureFanOut(system, runner);
  await measureOverhead(system, runner);
}
