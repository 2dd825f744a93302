/**
 * Scenario 5: fan-out. N live subscribers of one partition (each on a connection of its own, as
 * N browsers would be), then a producer sends E events in acked batches; the figure is
 * deliveries per second (N x E over the time from the first send to the last delivery). Every
 * subscriber decodes every event. Connecting is not timed, but is bounded and reported.
 *
 * @example
 * const sample = await fanOutRun(log, system.variants.fanOut, { subscribers: 100, events: 1000, runs: 5 }, profile.fanOut);
 * sample.metrics.deliveries; // per second
 */
import type { CpuWindow } from "../cpu.ts";
import type { BenchProfile, FanOutCase } from "../profiles.ts";
import type { RunSample } from "../result.ts";
import { perSecond } from "../stats.ts";
import type { LogHandle, Subscription } from "../systems/types.ts";
import { costCounts, fill } from "./produce.ts";

/** Opens `count` subscriptions, at most `concurrency` connecting at once, within `secondsMax`. */
async function subscribeAll(
  log: LogHandle,
  variant: string,
  count: number,
  concurrency: number,
  secondsMax: number,
  onDelivered: (subscriber: number, values: number) => void,
): Promise<Subscription[]> {
  const subscriptions: Subscription[] = [];
  const deadline = Date.now() + secondsMax * 1000;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      if (Date.now() > deadline) throw new Error(`connected only ${subscriptions.length} of ${count} subscribers in ${secondsMax} s`);
      const index = next++;
      subscriptions.push(await log.subscribe(variant, (values) => onDelivered(index, values.length)));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } catch (error) {
    await Promise.all(subscriptions.map((s) => s.close()));
    throw error;
  }
  return subscriptions;
}

/**
 * One run on a fresh log: connect the subscribers, produce the events, wait (bounded) for every
 * delivery; answers deliveries/s and whether every subscriber got every event.
 *
 * @example
 * await fanOutRun(log, { producer: "http", subscriber: "ws" }, { subscribers: 1000, events: 200, runs: 3 }, profile.fanOut);
 */
export async function fanOutRun(
  log: LogHandle,
  variants: { producer: string; subscriber: string },
  fanOutCase: FanOutCase,
  options: BenchProfile["fanOut"],
  window?: CpuWindow,
): Promise<RunSample> {
  const { subscribers, events } = fanOutCase;
  const expected = subscribers * events;
  const perSubscriber = new Array<number>(subscribers).fill(0);
  let delivered = 0;
  let lastDelivery = 0;
  let allDelivered: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allDelivered = resolve));
  const connectStart = performance.now();
  const subscriptions = await subscribeAll(
    log,
    variants.subscriber,
    subscribers,
    options.connectConcurrency,
    options.connectSecondsMax,
    (i, n) => {
      perSubscriber[i]! += n;
      delivered += n;
      lastDelivery = performance.now();
      if (delivered >= expected) allDelivered();
    },
  );
  const connectSeconds = (performance.now() - connectStart) / 1000;
  const meterBefore = await log.meter?.();
  const wireBefore = log.wire?.();
  window?.begin();
  const start = performance.now();
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, options.secondsMax * 1000).unref());
  await fill(log, variants.producer, events, options.batch, options.secondsMax);
  await Promise.race([done, timeout]);
  const end = delivered >= expected ? lastDelivery : performance.now();
  window?.end();
  const wireAfter = log.wire?.();
  await Promise.all(subscriptions.map((s) => s.close()));
  const meterAfter = await log.meter?.();
  const complete = perSubscriber.filter((n) => n >= events).length;
  const sample: RunSample = {
    metrics: { deliveries: perSecond(delivered, end - start), connectSeconds },
    counts: { ...costCounts(delivered, meterBefore, meterAfter, wireBefore, wireAfter), expected, subscribersComplete: complete },
  };
  if (delivered < expected) {
    sample.notes = [
      `${delivered} of ${expected} deliveries within ${options.secondsMax} s (${complete} of ${subscribers} subscribers complete)`,
    ];
  }
  return sample;
}
