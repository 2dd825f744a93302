/**
 * Retention by size (`retention.bytes`, RETAIN-1, RETAIN-2): after an append, and in the alarm for
 * what one bounded step left, whole batches are deleted oldest first while the partition's stored
 * bytes exceed the bound, never the last batch; logStartOffset moves and a read below it is
 * OFFSET_OUT_OF_RANGE, as after time retention. Bytes are checked against SQLite's own sum.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Partition } from "../../worker/partition/partition.ts";
import { RETENTION_BATCHES_PER_STEP } from "../../worker/partition/retention.ts";
import { useClock } from "./clock.ts";
import { api, createTopic, expectError, fetchRecords, partitionStub, produce, readAll, uniqueTopic } from "./http.ts";

/** A batch of `count` records of about `size` characters each. */
function batch(prefix: string, count: number, size: number) {
  return { records: Array.from({ length: count }, (_, i) => ({ value: `${prefix}-${i}-${"x".repeat(size)}` })) };
}

/** The partition's stored bytes as it keeps them, and as SQLite sums the rows. */
async function bytes(stub: DurableObjectStub<Partition>): Promise<{ kept: number; summed: number; batches: number }> {
  return runInDurableObject(stub, (partition, state) => {
    const row = state.storage.sql
      .exec<{ summed: number; batches: number }>("SELECT COALESCE(SUM(records_bytes), 0) AS summed, COUNT(*) AS batches FROM batches")
      .one();
    return { kept: partition.log.storedBytes(), ...row };
  });
}

describe("retention.bytes", () => {
  it("deletes the oldest whole batches after an append while the bytes exceed the bound", async () => {
    const topic = uniqueTopic("size");
    await createTopic(topic, 1, { "retention.bytes": 4_000 });
    const stub = await partitionStub(topic, 0);
    for (let i = 0; i < 6; i++) await produce(topic, batch(`b${i}`, 10, 90), 0);
    const after = await bytes(stub);
    expect(after.kept).toBe(after.summed);
    expect(after.kept).toBeLessThanOrEqual(4_000);
    // Each batch is ~1,500 bytes: two fit, a third would not.
    expect(after.batches).toBe(2);
    const page = await fetchRecords(topic, 0, { offset: "earliest" });
    expect(page.logStartOffset).toBe(40);
    expect(page.highWatermark).toBe(60);
    expect(page.records[0]?.offset).toBe(40);
    expect((await readAll(topic, 0)).map((r) => r.offset)).toEqual(Array.from({ length: 20 }, (_, i) => 40 + i));
    expectError(await api("GET", `/v1/topics/${topic}/partitions/0/records?offset=39`), 416, "OFFSET_OUT_OF_RANGE");
  });

  it("keeps the last batch even when it alone exceeds the bound", async () => {
    const topic = uniqueTopic("size-last");
    await createTopic(topic, 1, { "retention.bytes": 100 });
    const stub = await partitionStub(topic, 0);
    await produce(topic, batch("a", 3, 200), 0);
    await produce(topic, batch("b", 3, 200), 0);
    const after = await bytes(stub);
    expect(after.batches).toBe(1);
    expect(after.kept).toBe(after.summed);
    expect((await readAll(topic, 0)).map((r) => r.value)).toEqual([0, 1, 2].map((i) => `b-${i}-${"x".repeat(200)}`));
  });

  it("deletes at most one step's batches in the append and the rest in the alarm", async () => {
    const topic = uniqueTopic("size-step");
    // A bound that every small batch fits under until the last, large one arrives.
    await createTopic(topic, 1, { "retention.bytes": 200_000 });
    const stub = await partitionStub(topic, 0);
    const clock = await useClock(stub);
    const small = RETENTION_BATCHES_PER_STEP + 20;
    // Many small batches in one turn each (not grouped): sent over RPC-backed HTTP one by one.
    for (let i = 0; i < small; i++) await produce(topic, { records: [{ value: i }] }, 0);
    expect((await bytes(stub)).batches).toBe(small);
    await produce(topic, batch("large", 1, 199_990), 0);
    // One step deleted RETENTION_BATCHES_PER_STEP batches and asked for the alarm at once.
    expect((await bytes(stub)).batches).toBe(small + 1 - RETENTION_BATCHES_PER_STEP);
    expect(await runInDurableObject(stub, (_, state) => state.storage.getAlarm())).toBe(clock.now() + 1);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const after = await bytes(stub);
    expect(after).toEqual({ kept: after.summed, summed: after.summed, batches: 1 });
    expect((await fetchRecords(topic, 0)).logStartOffset).toBe(small);
  });

  it("keeps its byte count in step with deleteRecords", async () => {
    const topic = uniqueTopic("size-mixed");
    await createTopic(topic, 1, { "retention.bytes": 5_000, "retention.ms": 60_000 });
    const stub = await partitionStub(topic, 0);
    for (let i = 0; i < 4; i++) await produce(topic, batch(`m${i}`, 5, 50), 0);
    expect((await api("DELETE", `/v1/topics/${topic}/partitions/0/records?before=10`)).status).toBe(200);
    const after = await bytes(stub);
    expect(after.batches).toBe(2);
    expect(after.kept).toBe(after.summed);
  });

  it("does not delete by size on a compact-only topic", async () => {
    const topic = uniqueTopic("size-compact");
    await createTopic(topic, 1, { "retention.bytes": 100, "cleanup.policy": "compact" });
    for (let i = 0; i < 3; i++) await produce(topic, { records: [{ key: `k${i}`, value: "v".repeat(200) }] }, 0);
    expect((await fetchRecords(topic, 0)).logStartOffset).toBe(0);
  });
});
