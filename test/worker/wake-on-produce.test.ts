/**
 * Wake on produce (PROTOCOL.md PROC-7) in workerd: a processor partition and a connector that find
 * their input caught up register as watchers on the input Partition within that read and set the
 * long backstop alarm; the next append moves their alarm to now and forgets them (a wake that
 * arrives during a step makes the next step run at once); past
 * PARTITION_WATCHERS_MAX a registration is refused and the watcher keeps its 1 s poll; a wake that
 * throws never fails the produce. Objects run on ManualClocks a day ahead, so no alarm fires by
 * itself: each is read with `state.storage.getAlarm()` and run by calling `alarm()` by hand.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project worker test/worker/wake-on-produce.test.ts
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PARTITION_WATCHERS_MAX } from "../../client/protocol/index.ts";
import type { ConnectorObject } from "../../worker/connectors/connector-object.ts";
import { connectorStub } from "../../worker/connectors/connector-routes.ts";
import { CONNECTOR_IDLE_BACKSTOP_MS } from "../../worker/connectors/connector-step.ts";
import { EXAMPLE_PROCESSORS } from "../../worker/example-processors.ts";
import type { Partition } from "../../worker/partition/partition.ts";
import { PROCESSOR_IDLE_BACKSTOP_MS, PROCESSOR_IDLE_MS, type ProcessorObject } from "../../worker/processors/processor-object.ts";
import { processorStub } from "../../worker/processors/processor-routes.ts";
import { ManualClock } from "./clock.ts";
import { api, createTopic, partitionStub, produce, topicMeta, uniqueTopic } from "./http.ts";

const SECRET = "workerd-secret-0123456789";
/** Nothing listens on the discard port (no delivery happens here: the topics stay empty until the end). */
const REFUSED_URL = "http://127.0.0.1:9/hook";

const byPage = EXAMPLE_PROCESSORS[0];
if (byPage === undefined) throw new Error("an example processor");

/** The watchers a partition holds, as its table has them. */
async function watchersOf(topic: string, partition: number): Promise<{ kind: string; name: string }[]> {
  return runInDurableObject(await partitionStub(topic, partition), (_instance: Partition, state) =>
    state.storage.sql.exec<{ kind: string; name: string }>("SELECT kind, name FROM watchers ORDER BY kind, name").toArray(),
  );
}

/** Waits for the wakes a partition sent after its appends to be answered. */
async function woken(topic: string, partition: number): Promise<void> {
  await runInDurableObject(await partitionStub(topic, partition), (instance: Partition) => instance.watchers.woken());
}

function alarmOf<O extends ProcessorObject | ConnectorObject>(stub: DurableObjectStub<O>): Promise<number | null> {
  return runInDurableObject(stub, (_instance: O, state) => state.storage.getAlarm());
}

/** The example processor's partition 0 on a ManualClock, woken (its alarm set a day ahead, never firing by itself). */
async function manualProcessor(): Promise<{ clock: ManualClock; stub: DurableObjectStub<ProcessorObject> }> {
  if (byPage === undefined) throw new Error("an example processor");
  const clock = new ManualClock();
  const stub = processorStub(env, byPage.name, 0);
  await runInDurableObject(stub, (instance: ProcessorObject) => {
    instance.clock = clock;
  });
  await stub.wake(byPage.name, 0);
  return { clock, stub };
}

async function runAlarm<O extends ProcessorObject | ConnectorObject>(stub: DurableObjectStub<O>): Promise<void> {
  await runInDurableObject(stub, (instance: O) => instance.alarm());
}

describe("wake on produce", () => {
  it("a caught-up processor partition watches its input, and the next produce moves its alarm to now; past the limit it polls", async () => {
    await createTopic(byPage.input, 1);
    await createTopic(byPage.output, 2);
    const { clock, stub } = await manualProcessor();
    const self = { kind: "processor", name: `${byPage.name}/0` };

    // (a) Caught up (the input is empty): registered on the input partition, the backstop alarm set.
    await runAlarm(stub);
    expect(await alarmOf(stub)).toBe(clock.now() + PROCESSOR_IDLE_BACKSTOP_MS);
    expect(await watchersOf(byPage.input, 0)).toEqual([self]);
    // A second idle step keeps the one registration.
    await runAlarm(stub);
    expect(await watchersOf(byPage.input, 0)).toEqual([self]);

    // (b) A produce wakes it: the alarm is now, the registration is gone (one-shot).
    clock.advance(5_000);
    await produce(byPage.input, { records: [{ value: { page: "home", ms: 1 } }] }, 0);
    await woken(byPage.input, 0);
    expect(await alarmOf(stub)).toBe(clock.now());
    expect(await watchersOf(byPage.input, 0)).toEqual([]);
    // Its step reads the record (no registration: the read had records), then polls once and watches again.
    await runAlarm(stub);
    expect(await alarmOf(stub)).toBe(clock.now() + PROCESSOR_IDLE_MS);
    expect(await watchersOf(byPage.input, 0)).toEqual([]);
    await runAlarm(stub);
    expect(await alarmOf(stub)).toBe(clock.now() + PROCESSOR_IDLE_BACKSTOP_MS);
    expect(await watchersOf(byPage.input, 0)).toEqual([self]);
    expect((await api("GET", `/v1/processors/${byPage.name}`)).json.partitions[0]).toMatchObject({ inputOffset: 1, recordsIn: 1 });
    // A wake that arrives while a step runs: that step's alarm is now, not its backstop.
    await runInDurableObject(stub, async (instance: ProcessorObject) => {
      const step = instance.alarm();
      expect(await instance.wakeOnProduce()).toBe(true);
      await step;
    });
    expect(await alarmOf(stub)).toBe(clock.now());

    // (c) A full table refuses the registration: the processor keeps its 1 s poll.
    const partition = await partitionStub(byPage.input, 0);
    const { topicId } = await topicMeta(byPage.input);
    const read = { topicId, offset: "latest" as const, limit: 1, maxBytes: 1_024, maxWaitMs: 0 };
    for (let i = 1; i < PARTITION_WATCHERS_MAX; i++) {
      const page = await partition.read({ ...read, watch: { kind: "processor", name: `ghost-${i}/0` } });
      expect(page.ok && page.value.watching).toBe(true);
    }
    const refused = await partition.read({ ...read, watch: { kind: "connector", name: "one-too-many" } });
    expect(refused.ok && refused.value.watching).toBe(false);
    // The ghosts' wakes go to processor objects with no processor: ignored, and all forgotten.
    await produce(byPage.input, { records: [{ value: { page: "docs", ms: 2 } }] }, 0);
    await woken(byPage.input, 0);
    expect(await watchersOf(byPage.input, 0)).toEqual([]);
    for (let i = 0; i < PARTITION_WATCHERS_MAX; i++) {
      await partition.read({ ...read, watch: { kind: "processor", name: `ghost-${i}/0` } });
    }
    expect((await watchersOf(byPage.input, 0)).length).toBe(PARTITION_WATCHERS_MAX);
    await runAlarm(stub); // reads the second record
    await runAlarm(stub); // caught up, refused
    expect(await alarmOf(stub)).toBe(clock.now() + PROCESSOR_IDLE_MS);
    expect(await watchersOf(byPage.input, 0)).not.toContainEqual(self);
    expect((await watchersOf(byPage.input, 0)).length).toBe(PARTITION_WATCHERS_MAX);
  });

  it("a caught-up connector watches each partition of its topic, and a produce to one wakes it", async () => {
    const topic = uniqueTopic("wake-conn");
    await createTopic(topic, 2);
    const name = `${topic}-hook`;
    const clock = new ManualClock();
    const stub = connectorStub(env, name);
    await runInDurableObject(stub, (instance: ConnectorObject) => {
      instance.clock = clock;
    });
    const body = { kind: "webhook", topic, url: REFUSED_URL, secret: SECRET };
    expect((await api("PUT", `/v1/connectors/${name}`, body)).status).toBe(201);

    // (d) Both partitions caught up: both hold the connector, its alarm is the backstop.
    await runAlarm(stub);
    expect(await alarmOf(stub)).toBe(clock.now() + CONNECTOR_IDLE_BACKSTOP_MS);
    const self = { kind: "connector", name };
    expect(await watchersOf(topic, 0)).toEqual([self]);
    expect(await watchersOf(topic, 1)).toEqual([self]);
    expect((await api("GET", `/v1/topics/${topic}/partitions/1/stats`)).json.watchers).toBe(1);
    clock.advance(1_000);
    await produce(topic, { records: [{ value: 1 }] }, 1);
    await woken(topic, 1);
    expect(await alarmOf(stub)).toBe(clock.now());
    expect(await watchersOf(topic, 1)).toEqual([]);
    expect(await watchersOf(topic, 0)).toEqual([self]);

    // Removed, the connector ignores a wake: no alarm comes back, and the partition forgets it.
    expect((await api("DELETE", `/v1/connectors/${name}`)).status).toBe(204);
    await produce(topic, { records: [{ value: 2 }] }, 0);
    await woken(topic, 0);
    expect(await alarmOf(stub)).toBeNull();
    expect(await watchersOf(topic, 0)).toEqual([]);
  });

  it("a produce succeeds, and forgets the watchers, when their wakes throw or reject", async () => {
    // (e) The wakes are replaced on the live partition by ones that fail both ways.
    const topic = uniqueTopic("wake-fail");
    await createTopic(topic, 1);
    const stub = await partitionStub(topic, 0);
    const { topicId } = await topicMeta(topic);
    const calls: string[] = [];
    let release = () => {};
    const hanging = new Promise<void>((resolve) => {
      release = resolve;
    });
    await runInDurableObject(stub, (instance: Partition) => {
      instance.watchers.wake = (watch) => {
        calls.push(watch.name);
        if (watch.name === "throws") throw new Error("the wake threw");
        if (watch.name === "hangs") return hanging;
        return Promise.reject(new Error("the wake failed"));
      };
    });
    const read = { topicId, offset: "latest" as const, limit: 1, maxBytes: 1_024, maxWaitMs: 0 };
    for (const name of ["throws", "rejects", "hangs"]) await stub.read({ ...read, watch: { kind: "processor", name } });
    // Answered while a wake is still unanswered: the produce never waits for its watchers.
    const answer = await produce(topic, { records: [{ value: 1 }, { value: 2 }] }, 0);
    expect(answer.offsets.map((o) => o.offset)).toEqual([0, 1]);
    expect(await watchersOf(topic, 0)).toEqual([]);
    release();
    await woken(topic, 0);
    expect(calls.sort()).toEqual(["hangs", "rejects", "throws"]);
    expect(await watchersOf(topic, 0)).toEqual([]);
    expect((await produce(topic, { records: [{ value: 3 }] }, 0)).offsets.map((o) => o.offset)).toEqual([2]);
    expect(calls.length).toBe(3); // one-shot: nobody to wake the second time
  });

  it("a read's watch that is not a watcher is INVALID_REQUEST, and a read with records registers nothing", async () => {
    const topic = uniqueTopic("wake-bad");
    await createTopic(topic, 1);
    await produce(topic, { records: [{ value: 1 }] }, 0);
    const stub = await partitionStub(topic, 0);
    const { topicId } = await topicMeta(topic);
    const read = { topicId, offset: 0, limit: 10, maxBytes: 1_024, maxWaitMs: 0 };
    const bad = await stub.read({ ...read, watch: { kind: "stream", name: "x" } as never });
    expect(bad.ok ? null : bad.error.code).toBe("INVALID_REQUEST");
    const long = await stub.read({ ...read, watch: { kind: "processor", name: "x".repeat(257) } });
    expect(long.ok ? null : long.error.code).toBe("INVALID_REQUEST");
    const page = await stub.read({ ...read, watch: { kind: "processor", name: "reader/0" } });
    expect(page.ok && page.value.count === 1 && page.value.watching === false).toBe(true);
    expect(await watchersOf(topic, 0)).toEqual([]);
  });
});
