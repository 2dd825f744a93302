/**
 * Scenario 4: catch-up. A log is filled once per system with 100k events (batches of 1,000, not
 * timed); each run then reads them all from offset 0 and decodes each event. The figure is events
 * read per second, from the first request to the last event.
 *
 * @example
 * const log = await preload(system, profile);
 * const sample = await catchUpRun(log, "ws", profile.catchUp);
 */
import type { CpuWindow } from "../cpu.ts";
import type { BenchProfile } from "../profiles.ts";
import type { RunSample } from "../result.ts";
import { perSecond } from "../stats.ts";
import type { BenchSystem, LogHandle } from "../systems/types.ts";
import { costCounts, fill } from "./produce.ts";

/**
 * A fresh log on `system` holding `catchUp.events` events; fails if they could not all be
 * stored within the preload bound.
 *
 * @example
 * const log = await preload(redis, PROFILES.full);
 */
export async function preload(system: BenchSystem, profile: BenchProfile): Promise<LogHandle> {
  const log = await system.openLog(`catchup-${Date.now()}`);
  const { events, preloadBatch, preloadSecondsMax } = profile.catchUp;
  const stored = await fill(log, system.variants.preload, events, preloadBatch, preloadSecondsMax);
  if (stored < events) {
    await log.close();
    throw new Error(`stored only ${stored} of ${events} events in ${preloadSecondsMax} s`);
  }
  return log;
}

/**
 * One run: read every stored event from offset 0 by `variant`; answers events/s, and for edgelog
 * the rows read and messages exchanged (the cost of delivery). `frames` (socket catch-up) gets
 * the text of every frame received, for the client-decode floor.
 *
 * @example
 * await catchUpRun(log, "xrange", { events: 100_000, preloadBatch: 1000, secondsMax: 30, preloadSecondsMax: 120 });
 */
export async function catchUpRun(
  log: LogHandle,
  variant: string,
  options: BenchProfile["catchUp"],
  window?: CpuWindow,
  frames?: string[],
): Promise<RunSample> {
  const meterBefore = await log.meter?.();
  const wireBefore = log.wire?.();
  window?.begin();
  const start = performance.now();
  const read = await log.catchUp(variant, options.events, Date.now() + options.secondsMax * 1000, frames);
  const elapsed = performance.now() - start;
  window?.end();
  const wireAfter = log.wire?.();
  const meterAfter = await log.meter?.();
  const sample: RunSample = {
    metrics: { rate: perSecond(read, elapsed) },
    counts: { ...costCounts(read, meterBefore, meterAfter, wireBefore, wireAfter), expected: options.events },
  };
  if (read < options.events) sample.notes = [`read ${read} of ${options.events} events within ${options.secondsMax} s`];
  return sample;
}
