/**
 * Scenarios 1 and 2: acked produce. One producer sends a batch (1 event for serial produce, 100 or
 * 1,000 for batched), waits for the system's ack, and repeats, until the run's event count or
 * seconds are reached. The figure is acked events per second. For edgelog the run also reads the
 * partition's measured SQLite rows and counts requests and messages: the inputs of the cost model.
 *
 * @example
 * const sample = await produceRun(log, "ws", 1, profile.serial); // sample.metrics.rate: events/s
 */

import type { CpuWindow } from "../cpu.ts";
import { eventBatch } from "../events.ts";
import type { Bounds } from "../profiles.ts";
import type { RunSample } from "../result.ts";
import { perSecond } from "../stats.ts";
import type { LogHandle, MeterReading, WireCounts } from "../systems/types.ts";

/**
 * The counts a run adds for the cost model: events, SQLite rows and wire traffic between two
 * readings (empty for peers, which have no meter).
 *
 * @example
 * const counts = costCounts(events, before, after, wire0, wire1);
 */
export function costCounts(
  events: number,
  before: MeterReading | undefined,
  after: MeterReading | undefined,
  wireBefore: WireCounts | undefined,
  wireAfter: WireCounts | undefined,
): Record<string, number> {
  const counts: Record<string, number> = { events };
  if (before && after) {
    // A restarted object counts from 0 again: then only `after` is this run's (an undercount, flagged).
    const restarted = before.startedAt !== after.startedAt;
    counts.rowsWritten = restarted ? after.rowsWritten : after.rowsWritten - before.rowsWritten;
    counts.rowsRead = restarted ? after.rowsRead : after.rowsRead - before.rowsRead;
    counts.objectRestarted = restarted ? 1 : 0;
  }
  if (wireBefore && wireAfter) {
    counts.httpRequests = wireAfter.httpRequests - wireBefore.httpRequests;
    counts.wsMessagesIn = wireAfter.wsMessagesIn - wireBefore.wsMessagesIn;
    counts.wsMessagesOut = wireAfter.wsMessagesOut - wireBefore.wsMessagesOut;
  }
  return counts;
}

/**
 * One run: a fresh producer on `log` sends batches of `batchSize` events, each awaited, within
 * `bounds`; answers acked events per second and, for edgelog, the cost counts.
 *
 * @example
 * await produceRun(log, "http", 100, { eventsMax: 100_000, secondsMax: 1.5 });
 */
export async function produceRun(
  log: LogHandle,
  variant: string,
  batchSize: number,
  bounds: Bounds,
  window?: CpuWindow,
): Promise<RunSample> {
  const producer = await log.producer(variant);
  const meterBefore = await log.meter?.();
  const wireBefore = log.wire?.();
  let sent = 0;
  window?.begin();
  const start = performance.now();
  const deadline = start + bounds.secondsMax * 1000;
  while (sent < bounds.eventsMax && performance.now() < deadline) {
    await producer.send(eventBatch(sent, batchSize, performance.now()));
    sent += batchSize;
  }
  const elapsed = performance.now() - start;
  window?.end();
  const wireAfter = log.wire?.();
  await producer.close();
  const meterAfter = await log.meter?.();
  const counts = costCounts(sent, meterBefore, meterAfter, wireBefore, wireAfter);
  return { metrics: { rate: perSecond(sent, elapsed) }, counts };
}

/**
 * Sends `events` events in batches of `batchSize` (acked) to warm a system up or to store events
 * for catch-up, within `secondsMax`; answers how many were stored.
 *
 * @example
 * await fill(log, "native", 100_000, 1_000, 120);
 */
export async function fill(log: LogHandle, variant: string, events: number, batchSize: number, secondsMax: number): Promise<number> {
  const producer = await log.producer(variant);
  const deadline = performance.now() + secondsMax * 1000;
  let sent = 0;
  while (sent < events && performance.now() < deadline) {
    const size = Math.min(batchSize, events - sent);
    await producer.send(eventBatch(sent, size, performance.now()));
    sent += size;
  }
  await producer.close();
  return sent;
}
