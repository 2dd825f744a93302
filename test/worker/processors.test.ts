/**
 * Stream processors in workerd: the operators and the tumbling windows as functions (record
 * timestamps only, no clock), then the Processor objects of this repository's example processors
 * (worker/example-processors.ts) stepped by hand over real partitions: the outputs, the compacted
 * window table, a replay of a step whose state store failed after its appends (nothing twice,
 * PROC-3), and the status routes (PROC-6).
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project worker test/worker/processors.test.ts
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { EXAMPLE_PROCESSORS } from "../../worker/example-processors.ts";
import { applyOperators, filter, map, rekey, type StreamRecord } from "../../worker/processors/processor-definition.ts";
import type { ProcessorObject } from "../../worker/processors/processor-object.ts";
import { runStep } from "../../worker/processors/processor-step.ts";
import { aggregateWindows, type WindowTotals } from "../../worker/processors/windows.ts";
import { api, createTopic, expectError, produce, readAll } from "./http.ts";
import { drain, wakeQuiet } from "./processor-steps.ts";

const MINUTE_MS = 60_000;

function record(offset: number, timestamp: number, key: string | null, value: StreamRecord["value"]): StreamRecord {
  return { offset, timestamp, key, value, headers: {} };
}

describe("operators", () => {
  it("filter drops, map replaces the value, rekey replaces the key, in order", () => {
    const operators = [filter((r) => Number(r.value) > 1), map((r) => Number(r.value) * 10), rekey((r) => `k${String(r.value)}`)];
    expect(applyOperators(operators, record(0, 0, "a", 1))).toBeNull();
    expect(applyOperators(operators, record(1, 5, "a", 2))).toEqual({ offset: 1, timestamp: 5, key: "k20", value: 20, headers: {} });
    expect(applyOperators([], record(2, 0, null, 3))).toEqual(record(2, 0, null, 3));
  });
});

describe("tumbling windows", () => {
  const window = { sizeMs: MINUTE_MS, graceMs: 5_000, sum: (r: StreamRecord) => Number(r.value) };

  it("counts and sums per key and window, emitting each window touched once with its totals", () => {
    const open = new Map<string, WindowTotals>();
    const step = aggregateWindows(window, open, 0, [
      record(0, 1_000, "a", 2),
      record(1, 2_000, "b", 5),
      record(2, 59_999, "a", 3),
      record(3, 60_000, "a", 7),
    ]);
    expect(step.emitted).toEqual([
      { key: "a@0", value: { key: "a", windowStartMs: 0, windowEndMs: 60_000, count: 2, sum: 5 }, timestamp: 59_999 },
      { key: "b@0", value: { key: "b", windowStartMs: 0, windowEndMs: 60_000, count: 1, sum: 5 }, timestamp: 2_000 },
      { key: "a@60000", value: { key: "a", windowStartMs: 60_000, windowEndMs: 120_000, count: 1, sum: 7 }, timestamp: 60_000 },
    ]);
    expect(step.streamTimeMs).toBe(60_000);
    expect(open.size).toBe(3);
    // A later batch adds to the open window and emits its new totals.
    const next = aggregateWindows(window, open, step.streamTimeMs, [record(4, 61_000, "a", 1)]);
    expect(next.emitted).toEqual([
      { key: "a@60000", value: { key: "a", windowStartMs: 60_000, windowEndMs: 120_000, count: 2, sum: 8 }, timestamp: 61_000 },
    ]);
  });

  it("closes windows the stream time passed by more than the grace, and drops late records for them", () => {
    const open = new Map<string, WindowTotals>();
    aggregateWindows(window, open, 0, [record(0, 1_000, "a", 1)]);
    // 64_999: window [0, 60000) is still within its 5 s grace; a record for it counts.
    const within = aggregateWindows(window, open, 0, [record(1, 64_999, "b", 1), record(2, 30_000, "a", 1)]);
    expect(within.late).toBe(0);
    expect(within.emitted.map((r) => r.key)).toEqual(["a@0", "b@60000"]);
    // 65_000 closes it: its last value was emitted already; a record for it is late.
    const after = aggregateWindows(window, open, within.streamTimeMs, [record(3, 65_000, "b", 1), record(4, 10_000, "a", 1)]);
    expect(after.late).toBe(1);
    expect(after.closed.map((w) => `${w.key}@${w.startMs}`)).toEqual(["a@0"]);
    expect([...open.keys()]).toEqual(["60000|b"]);
  });
});

async function outputOf(topic: string, partitions: number) {
  const all = [];
  for (let p = 0; p < partitions; p++) all.push(...(await readAll(topic, p)));
  return all;
}

describe("the example processors over real partitions", () => {
  const [byPage, perMinute, slow] = EXAMPLE_PROCESSORS;
  const base = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 10 * MINUTE_MS;

  it("filter, map and re-key into one topic; windows into a compacted one; each output record once across a replay", async () => {
    if (byPage === undefined || perMinute === undefined || slow === undefined) throw new Error("three example processors");
    await createTopic(byPage.input, 1);
    await createTopic(byPage.output, 2);
    await createTopic(perMinute.output, 2, { "cleanup.policy": "compact" });
    await createTopic(slow.output, 2);
    const views = [
      { page: "home", ms: 200 },
      { page: "home", ms: 1_500 },
      { page: "docs", ms: 3_000 },
      { page: "home", ms: 100 },
    ];
    await produce(byPage.input, { records: views.map((value, i) => ({ value, timestamp: base + i * 1_000 })) }, 0);

    // A step whose state store fails after its appends: the appends happened, the position did not move.
    const stub = await wakeQuiet(slow.name, 0);
    await expect(
      runInDurableObject(stub, (instance: ProcessorObject) =>
        runStep({
          env,
          definition: slow,
          partition: 0,
          state: instance.state,
          nowMs: base,
          transaction: () => {
            throw new Error("killed before the store");
          },
        }),
      ),
    ).rejects.toThrow("killed before the store");
    expect((await outputOf(slow.output, 2)).length).toBe(2); // appended once already
    await drain(slow.name, 0); // the replay: the same appends, recognised as retries
    const slowOut = await outputOf(slow.output, 2);
    expect(slowOut.map((r) => [r.key, r.value]).sort()).toEqual([
      ["docs", { page: "docs", ms: 3_000 }],
      ["home", { page: "home", ms: 1_500 }],
    ]);

    await drain(byPage.name, 0);
    await drain(perMinute.name, 0);
    await drain(perMinute.name, 1);
    const counts = await outputOf(perMinute.output, 2);
    const latest = new Map(counts.map((r) => [r.key, r.value]));
    expect(latest.get(`home@${base}`)).toEqual({ key: "home", windowStartMs: base, windowEndMs: base + MINUTE_MS, count: 3, sum: 1_800 });
    expect(latest.get(`docs@${base}`)).toEqual({ key: "docs", windowStartMs: base, windowEndMs: base + MINUTE_MS, count: 1, sum: 3_000 });

    // More input: the window's new totals follow, and the status shows no lag.
    await produce(byPage.input, { records: [{ value: { page: "home", ms: 1 }, timestamp: base + 5_000 }] }, 0);
    await drain(byPage.name, 0);
    await drain(perMinute.name, 0);
    await drain(perMinute.name, 1);
    const again = new Map((await outputOf(perMinute.output, 2)).map((r) => [r.key, r.value]));
    expect(again.get(`home@${base}`)).toMatchObject({ count: 4, sum: 1_801 });
    const status = await api("GET", `/v1/processors/${perMinute.name}`);
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ name: perMinute.name, state: "running", lag: 0, recordsIn: 5, windowed: true });
    expect(status.json.partitions.map((p: { openWindows: number }) => p.openWindows).sort()).toEqual([1, 1]);
    const list = await api("GET", "/v1/processors");
    expect(list.json.processors.map((p: { name: string }) => p.name)).toEqual([byPage.name, perMinute.name, slow.name]);
    // The consumer group's committed offset follows the processor (PROC-4).
    const group = await api("GET", `/v1/groups/processor.${byPage.name}/offsets?topic=${byPage.input}`);
    expect(group.json.totalLag).toBe(0);
    const groups = await api("GET", "/v1/groups");
    expect(groups.json.groups).toContainEqual({ group: `processor.${byPage.name}`, topics: [byPage.input] });
  });

  it("an unknown processor is 404 UNKNOWN_PROCESSOR", async () => {
    expectError(await api("GET", "/v1/processors/nope"), 404, "UNKNOWN_PROCESSOR");
  });
});
