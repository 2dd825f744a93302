/**
 * Scenario 1b: concurrent producers on one partition (issue 12: 32 of them). Each producer has a
 * connection of its own and is serial (sends one event, waits for its ack, repeats); together
 * they stop at the run's event count or seconds. The figure is acked events per second over all
 * of them: what a group commit (concurrent appends sharing one commit) can raise above the serial
 * rate while each ack still waits for its own data to be durable.
 *
 * @example
 * const sample = await concurrentRun(log, "ws", profile.concurrent);
 * sample.metrics.rate; // events/s, all producers together
 */
import type { CpuWindow } from "../cpu.ts";
import { eventJson } from "../events.ts";
import type { BenchProfile } from "../profiles.ts";
import type { RunSample } from "../result.ts";
import { perSecond } from "../stats.ts";
import type { LogHandle, Producer } from "../systems/types.ts";
import { costCounts } from "./produce.ts";

/**
 * One run: open `options.producers` producers of `variant` on `log` (not timed), then let each
 * send serially until the shared count or the deadline; answers events/s and the slowest
 * producer's share (how evenly the server served them).
 *
 * @example
 * await concurrentRun(log, "native", { producers: 32, eventsMax: 20_000, secondsMax: 1.5 });
 */
export async function concurrentRun(
  log: LogHandle,
  variant: string,
  options: BenchProfile["concurrent"],
  window?: CpuWindow,
): Promise<RunSample> {
  const producers: Producer[] = [];
  for (let i = 0; i < options.producers; i++) producers.push(await log.producer(variant));
  const meterBefore = await log.meter?.();
  const wireBefore = log.wire?.();
  let claimed = 0;
  const acked = producers.map(() => 0);
  window?.begin();
  const start = performance.now();
  const deadline = start + options.secondsMax * 1000;
  await Promise.all(
    producers.map(async (producer, index) => {
      while (claimed < options.eventsMax && performance.now() < deadline) {
        const sequence = claimed++;
        await producer.send([eventJson(sequence, performance.now())]);
        acked[index]!++;
      }
    }),
  );
  const elapsed = performance.now() - start;
  window?.end();
  const wireAfter = log.wire?.();
  await Promise.all(producers.map((p) => p.close()));
  const meterAfter = await log.meter?.();
  const total = acked.reduce((sum, n) => sum + n, 0);
  const fairShare = total / producers.length;
  return {
    metrics: { rate: perSecond(total, elapsed), slowestShare: fairShare > 0 ? Math.min(...acked) / fairShare : 0 },
    counts: { ...costCounts(total, meterBefore, meterAfter, wireBefore, wireAfter), producers: producers.length },
  };
}
