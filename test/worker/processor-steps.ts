/**
 * Processor partitions stepped by hand in workerd (test/worker/processors.test.ts,
 * test/worker/metrics-processors.test.ts): woken with their alarm deleted, then stepped until
 * they have read everything.
 *
 * @example
 * await drain("example-views-by-page", 0);
 */
import { env, runInDurableObject } from "cloudflare:test";
import type { ProcessorObject } from "../../worker/processors/processor-object.ts";
import { processorStub } from "../../worker/processors/processor-routes.ts";

const HOUR_MS = 3_600_000;

/**
 * Wakes a processor partition and deletes the alarm the wake set: the test steps it by hand. The
 * object's clock runs an hour ahead first, so the wake's alarm cannot fire (and step beside the
 * test) before it is deleted.
 */
export async function wakeQuiet(name: string, partition: number) {
  const stub = processorStub(env, name, partition);
  await runInDurableObject(stub, (instance: ProcessorObject) => {
    instance.clock = { now: () => Date.now() + HOUR_MS, at: (runtimeMs) => runtimeMs + HOUR_MS };
  });
  await stub.wake(name, partition);
  await runInDurableObject(stub, (_instance: ProcessorObject, state) => state.storage.deleteAlarm());
  return stub;
}

/** Steps a processor partition until it has read everything. */
export async function drain(name: string, partition: number): Promise<void> {
  const stub = await wakeQuiet(name, partition);
  for (let guard = 0; guard < 50; guard++) {
    const result = await runInDurableObject(stub, (instance: ProcessorObject) => instance.step());
    if (result === null || !result.more) return;
  }
  throw new Error("the processor did not catch up in 50 steps");
}
