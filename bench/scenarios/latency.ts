/**
 * Scenario 3: end-to-end latency from produce to a live subscriber, at a fixed rate (1,000
 * events/s). Each event carries the time it was *due* to be sent, not the time it went out, so a
 * producer that falls behind (its in-flight limit reached) shows up as latency instead of being
 * hidden (coordinated omission). Produce is pipelined, one event per request or message, acks
 * not awaited before the next send. The subscriber decodes every event, as an application would.
 *
 * @example
 * const sample = await latencyRun(log, "ws", "ws", profile.latency);
 * sample.metrics.p99; // ms
 */

import type { CpuWindow } from "../cpu.ts";
import { eventJson, sentAt } from "../events.ts";
import type { BenchProfile } from "../profiles.ts";
import type { RunSample } from "../result.ts";
import { perSecond, quantile } from "../stats.ts";
import type { LogHandle } from "../systems/types.ts";

/** Lead time before the first event is due, so the schedule does not start in the past, in ms. */
const SCHEDULE_LEAD_MS = 20;
/** How often the pacing loop wakes up to send what is due, in ms (Node timers resolve ~1 ms). */
const PACING_TICK_MS = 1;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * One run: subscribe, then produce `eventsPerSecond` for `seconds` and wait (bounded) for the last
 * event; answers p50, p99 and max latency in ms, the rate achieved and events missing.
 *
 * @example
 * await latencyRun(log, "native", "native", { eventsPerSecond: 1000, seconds: 2, drainSecondsMax: 5, inFlightMax: 500 });
 */
export async function latencyRun(
  log: LogHandle,
  producerVariant: string,
  subscriberVariant: string,
  options: BenchProfile["latency"],
  window?: CpuWindow,
): Promise<RunSample> {
  const total = Math.max(1, Math.round(options.eventsPerSecond * options.seconds));
  const latencies: number[] = [];
  let allReceived: () => void = () => undefined;
  const received = new Promise<void>((resolve) => (allReceived = resolve));
  const subscription = await log.subscribe(subscriberVariant, (values) => {
    const now = performance.now();
    for (const value of values) latencies.push(now - sentAt(value));
    if (latencies.length >= total) allReceived();
  });
  const producer = await log.producer(producerVariant);
  const intervalMs = 1000 / options.eventsPerSecond;
  window?.begin();
  const start = performance.now() + SCHEDULE_LEAD_MS;
  const sendDeadline = start + options.seconds * 1000 * 3; // a producer 3x behind schedule gives up
  let sent = 0;
  let inFlight = 0;
  let sendError: Error | null = null;
  let lastSent = start;
  while (sent < total && sendError === null && performance.now() < sendDeadline) {
    const due = Math.min(total, Math.floor((performance.now() - start) / intervalMs) + 1);
    while (sent < due && inFlight < options.inFlightMax) {
      const value = eventJson(sent, start + sent * intervalMs);
      inFlight++;
      producer.send([value]).then(
        () => inFlight--,
        (error: Error) => (sendError ??= error),
      );
      sent++;
      lastSent = performance.now();
    }
    await sleep(PACING_TICK_MS);
  }
  const drain = new Promise<void>((resolve) => setTimeout(resolve, options.drainSecondsMax * 1000).unref());
  await Promise.race([received, drain]);
  window?.end();
  await subscription.close();
  await producer.close();
  if (sendError) throw sendError;
  const missing = total - latencies.length;
  const sample: RunSample = {
    metrics: {
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      max: quantile(latencies, 1),
      rate: perSecond(sent, lastSent - start),
    },
    counts: { events: total, sent, received: latencies.length, missing },
  };
  if (missing > 0) sample.notes = [`${missing} of ${total} events not received within ${options.drainSecondsMax} s after the last send`];
  return sample;
}
