/**
 * Retention (`retention.ms`): the partition's alarm deletes whole batches whose records are all
 * older than the retention, oldest first, as Kafka deletes segments, and sets itself again for
 * the next batch to expire. Each test sets a clock on the partition's object (clock.ts) and moves
 * it: records carry timestamps on that clock, and no test waits on the wall clock.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Partition } from "../../worker/partition/partition.ts";
import { type ManualClock, useClock } from "./clock.ts";
import { api, createTopic, expectError, fetchRecords, partitionStub, produce, uniqueTopic } from "./http.ts";

const RETENTION_MS = 10_000;
const HOUR_MS = 3_600_000;

function values(prefix: string, count: number, timestamp: number) {
  return Array.from({ length: count }, (_, i) => ({ value: `${prefix}-${i}`, timestamp }));
}

/**
 * Runs the retention alarm now if one is set. The test clock runs a day ahead of the runtime's,
 * so an alarm the partition sets never fires by itself first.
 */
async function runRetention(stub: DurableObjectStub<Partition>): Promise<void> {
  await runDurableObjectAlarm(stub);
}

/** A topic of one partition with RETENTION_MS, the partition's object and the clock set on it. */
async function retained(prefix: string): Promise<{ topic: string; stub: DurableObjectStub<Partition>; clock: ManualClock }> {
  const topic = uniqueTopic(prefix);
  await createTopic(topic, 1, { "retention.ms": RETENTION_MS });
  const stub = await partitionStub(topic, 0);
  return { topic, stub, clock: await useClock(stub) };
}

async function alarmAt(stub: DurableObjectStub<Partition>): Promise<number | null> {
  return runInDurableObject(stub, (_, state) => state.storage.getAlarm());
}

describe("retention", () => {
  it("deletes the expired batch on the alarm and keeps the newer one readable", async () => {
    const { topic, stub, clock } = await retained("expire");
    const fresh = clock.now();
    const old = fresh - 10 * RETENTION_MS;
    await produce(topic, { records: values("old", 3, old) }, 0);
    await produce(topic, { records: values("new", 2, fresh) }, 0);
    // The oldest batch is past its retention already: the alarm is due at once.
    expect(await alarmAt(stub)).toBe(fresh + 1);

    await runRetention(stub);
    const page = await fetchRecords(topic, 0, { offset: "earliest" });
    expect(page.logStartOffset).toBe(3);
    expect(page.highWatermark).toBe(5);
    expect(page.records.map((r) => [r.offset, r.value, r.timestamp])).toEqual([
      [3, "new-0", fresh],
      [4, "new-1", fresh],
    ]);
    expectError(await api("GET", `/v1/topics/${topic}/partitions/0/records?offset=0`), 416, "OFFSET_OUT_OF_RANGE");
    // The next alarm is due when the kept batch passes its retention: a record exactly
    // RETENTION_MS old is kept (only an older one expires), so the alarm is set one millisecond
    // past that and deletes it when it fires, not an alarm earlier that finds nothing to do.
    expect(await alarmAt(stub)).toBe(fresh + RETENTION_MS + 1);
    // An alarm run early (alarms are at-least-once) keeps it and sets the same time again.
    clock.set(fresh + RETENTION_MS);
    await runRetention(stub);
    expect((await fetchRecords(topic, 0, { offset: "earliest" })).logStartOffset).toBe(3);
    expect(await alarmAt(stub)).toBe(fresh + RETENTION_MS + 1);
    // At its due time, it goes too.
    clock.advance(1);
    await runRetention(stub);
    expect(await fetchRecords(topic, 0, { offset: "earliest" })).toEqual({
      records: [],
      nextOffset: 5,
      highWatermark: 5,
      logStartOffset: 5,
    });
    expect(await alarmAt(stub)).toBeNull();
  });

  it("deletes every batch when all are expired; new offsets continue after them", async () => {
    const { topic, stub, clock } = await retained("all");
    const old = clock.now() - HOUR_MS;
    await produce(topic, { records: values("a", 2, old) }, 0);
    await produce(topic, { records: values("b", 2, old + 1) }, 0);
    await runRetention(stub);
    expect(await fetchRecords(topic, 0, { offset: "earliest" })).toEqual({
      records: [],
      nextOffset: 4,
      highWatermark: 4,
      logStartOffset: 4,
    });
    // Nothing left to expire: no alarm until the next append.
    expect(await alarmAt(stub)).toBeNull();
    const next = await produce(topic, { records: [{ value: "later" }] }, 0);
    expect(next.offsets).toEqual([{ partition: 0, offset: 4 }]);
    expect(await alarmAt(stub)).toBe(clock.now() + RETENTION_MS + 1);
  });

  it("keeps a batch whole while any of its records is within retention", async () => {
    const { topic, stub, clock } = await retained("whole");
    const old = clock.now() - HOUR_MS;
    await produce(topic, { records: values("expired", 2, old) }, 0);
    await produce(
      topic,
      {
        records: [
          { value: "old-in-mixed", timestamp: old },
          { value: "fresh-in-mixed", timestamp: clock.now() },
        ],
      },
      0,
    );
    await runRetention(stub);
    const page = await fetchRecords(topic, 0, { offset: "earliest" });
    expect(page.logStartOffset).toBe(2);
    expect(page.records.map((r) => r.value)).toEqual(["old-in-mixed", "fresh-in-mixed"]);
  });

  it("deletes only a prefix: an old batch after a fresh one waits for it", async () => {
    const { topic, stub, clock } = await retained("prefix");
    await produce(topic, { records: values("fresh", 1, clock.now()) }, 0);
    await produce(topic, { records: values("late-old", 1, clock.now() - HOUR_MS) }, 0);
    await runRetention(stub);
    const page = await fetchRecords(topic, 0, { offset: "earliest" });
    expect(page.logStartOffset).toBe(0);
    expect(page.records.map((r) => r.value)).toEqual(["fresh-0", "late-old-0"]);
  });

  it("runs after deleteRecords moved the start inside a batch that has not expired", async () => {
    const { topic, stub, clock } = await retained("after-delete");
    await produce(topic, { records: values("kept", 4, clock.now()) }, 0);
    expect((await api("DELETE", `/v1/topics/${topic}/partitions/0/records?before=2`)).status).toBe(200);
    // The alarm is due when the batch expires; run early, the first batch reaching the cutoff
    // starts below logStartOffset, which must be a no-op, not an error.
    expect(await alarmAt(stub)).toBe(clock.now() + RETENTION_MS + 1);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const page = await fetchRecords(topic, 0, { offset: "earliest" });
    expect(page.logStartOffset).toBe(2);
    expect(page.records.map((r) => r.value)).toEqual(["kept-2", "kept-3"]);
    expect(await alarmAt(stub)).toBe(clock.now() + RETENTION_MS + 1);
  });

  it("sets no alarm on a topic that keeps records forever", async () => {
    const topic = uniqueTopic("forever");
    await createTopic(topic, 1);
    await produce(topic, { records: values("ancient", 2, 1) }, 0);
    const stub = await partitionStub(topic, 0);
    expect(await alarmAt(stub)).toBeNull();
    expect(await runDurableObjectAlarm(stub)).toBe(false);
    expect((await fetchRecords(topic, 0)).records).toHaveLength(2);
  });
});
