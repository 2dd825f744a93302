/**
 * Floor (d), the client's own decode rate (issue 12): what edgelog's browser client does with each
 * pushed `records` frame before the application sees a record, timed in the bench process over
 * the exact frames a socket catch-up received. Per frame, as client/reconnecting-socket.ts's
 * `receive` does: `JSON.parse` and the shape check; per record, as client/subscription.ts's
 * `received` and `deliverAll` do: the offset filter, the `TopicRecord` it builds
 * (`{ ...record, topic, partition }`) and client/record-delivery.ts's `RecordDelivery` (the
 * library's own code; no decoder, no callback). The IndexedDB cache is left out (scenario 6
 * measures it). Catch-up events/s divided by this rate is how close catch-up gets to the client.
 *
 * @example
 * const sample = decodeFloorRun(frames, "catchup-1"); // sample.metrics.rate: events/s
 */
import { RecordDelivery } from "../../client/record-delivery.ts";
import type { TopicRecord } from "../../client/subscribe-options.ts";
import type { RunSample } from "../result.ts";
import { perSecond } from "../stats.ts";

/** A run decodes the frames this many times at least, and for at least DECODE_MS_MIN. */
const DECODE_PASSES_MIN = 2;
/** The shortest a run decodes for, in ms (short runs are timer noise). */
const DECODE_MS_MIN = 200;
/** The most passes a run makes (bounds a run over a handful of smoke frames). */
const DECODE_PASSES_MAX = 1_000;

/**
 * Decodes every frame once, as the client does; answers the records delivered.
 *
 * @example
 * decodeFrames(['{"type":"records","id":"s","records":[{"offset":0,"value":1}]}'], "t", delivery); // 1
 */
export function decodeFrames(frames: readonly string[], topic: string, delivery: RecordDelivery<unknown>): number {
  let next: number | null = null;
  let delivered = 0;
  for (const text of frames) {
    const message = JSON.parse(text) as unknown;
    if (typeof message !== "object" || message === null || typeof (message as { type?: unknown }).type !== "string") continue;
    const { records } = message as { records?: TopicRecord[] };
    if (!Array.isArray(records)) continue;
    for (const record of records) {
      if (next !== null && record.offset < next) continue;
      const decoded = delivery.decoded({ ...record, topic, partition: 0 });
      if (decoded !== null) delivery.callBack(decoded as TopicRecord<unknown>);
      next = record.offset + 1;
      delivered++;
    }
  }
  return delivered;
}

/**
 * One run: decode `frames` repeatedly (DECODE_PASSES_MIN passes and DECODE_MS_MIN at least);
 * answers decoded events per second. Fails on no frames: there is nothing to time.
 *
 * @example
 * await runner.measure(system, "catch-up", "decode-floor", 5, () => decodeFloorRun(frames, topic));
 */
export function decodeFloorRun(frames: readonly string[], topic: string): Promise<RunSample> {
  if (frames.length === 0) return Promise.reject(new Error("no catch-up frames were captured to decode"));
  const delivery = new RecordDelivery<unknown>({
    callback: undefined,
    subscription: null,
    decode: undefined,
    reportError: (error) => {
      throw error;
    },
  });
  let events = 0;
  let passes = 0;
  const start = performance.now();
  while (passes < DECODE_PASSES_MAX && (passes < DECODE_PASSES_MIN || performance.now() - start < DECODE_MS_MIN)) {
    events += decodeFrames(frames, topic, delivery);
    passes++;
  }
  const elapsed = performance.now() - start;
  return Promise.resolve({ metrics: { rate: perSecond(events, elapsed) }, counts: { events, passes, frames: frames.length } });
}
