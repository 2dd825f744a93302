/**
 * GET /v1/metrics's processor families (PROTOCOL.md METRICS-5): this repository's example
 * processors (worker/example-processors.ts) stepped by hand over real partitions, one of them
 * failing on a deleted output topic; the scrape parses as Prometheus text, its numbers are
 * GET /v1/processors/:name's, it sets no alarm and writes nothing to a processor object never
 * woken, it keeps its budget, and a processor it cannot read is counted, not a 500.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project worker test/worker/metrics-processors.test.ts
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ProcessorPartitionStatus } from "../../client/protocol/index.ts";
import type { Access } from "../../worker/auth/access.ts";
import { OPEN_ACCESS } from "../../worker/auth/access.ts";
import type { Env } from "../../worker/env.ts";
import { EXAMPLE_PROCESSORS } from "../../worker/example-processors.ts";
import { app } from "../../worker/index.ts";
import { gatherMetrics } from "../../worker/metrics.ts";
import { processorMetrics } from "../../worker/metrics-processors.ts";
import type { ProcessorDefinition } from "../../worker/processors/processor-definition.ts";
import type { ProcessorObject } from "../../worker/processors/processor-object.ts";
import { processorStub } from "../../worker/processors/processor-routes.ts";
import { prometheusText } from "../../worker/prometheus.ts";
import { api, createTopic, produce } from "./http.ts";
import { drain } from "./processor-steps.ts";
import { type ParsedFamily, parsePrometheus, sampleValue } from "./prometheus-text.ts";

function example(index: number): ProcessorDefinition {
  const definition = EXAMPLE_PROCESSORS[index];
  if (definition === undefined) throw new Error(`no example processor ${index}`);
  return definition;
}

const [byPage, perMinute, slow] = [example(0), example(1), example(2)];

const MINUTE_MS = 60_000;

const LINE_FIELDS = [
  ["edgelog_processor_lag", "lag"],
  ["edgelog_processor_input_offset", "inputOffset"],
  ["edgelog_processor_input_high_watermark", "highWatermark"],
  ["edgelog_processor_records_in_total", "recordsIn"],
  ["edgelog_processor_records_out_total", "recordsOut"],
  ["edgelog_processor_late_records_total", "lateRecords"],
  ["edgelog_processor_steps_total", "steps"],
  ["edgelog_processor_records_in_per_second", "recordsInPerS"],
  ["edgelog_processor_open_windows", "openWindows"],
] as const;

async function scrape(): Promise<Map<string, ParsedFamily>> {
  const response = await app.request("/v1/metrics", {}, env);
  expect(response.status).toBe(200);
  return parsePrometheus(await response.text());
}

/** The example topics, with page views produced and a record late for its closed window. */
async function examples(): Promise<void> {
  const base = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 10 * MINUTE_MS;
  await createTopic(byPage.input, 1);
  await createTopic(byPage.output, 2);
  await createTopic(perMinute.output, 2, { "cleanup.policy": "compact" });
  await createTopic(slow.output, 2);
  const views = [
    { value: { page: "home", ms: 200 }, timestamp: base },
    { value: { page: "home", ms: 1_500 }, timestamp: base + 1_000 },
    { value: { page: "home", ms: 1 }, timestamp: base + 2 * MINUTE_MS },
    { value: { page: "home", ms: 3 }, timestamp: base + 2_000 },
  ];
  await produce(byPage.input, { records: views }, 0);
}

let created: Promise<void> | undefined;

/** The example topics, created by the first test that needs them. */
function examplesOnce(): Promise<void> {
  created ??= examples();
  return created;
}

/** Every partition line of `name` in the scrape equals its line in GET /v1/processors/:name. */
async function expectSameAsRoute(families: Map<string, ParsedFamily>, name: string): Promise<ProcessorPartitionStatus[]> {
  const status = (await api("GET", `/v1/processors/${name}`)).json as { partitions: ProcessorPartitionStatus[] };
  for (const line of status.partitions) {
    const labels = { processor: name, partition: String(line.partition) };
    for (const [metric, field] of LINE_FIELDS) expect([metric, sampleValue(families, metric, labels)]).toEqual([metric, line[field]]);
    const stepped = families
      .get("edgelog_processor_last_step_timestamp_seconds")
      ?.samples.find((s) => s.labels.processor === name && s.labels.partition === labels.partition);
    expect(stepped?.value ?? null).toBe(line.lastStepMs === null ? null : line.lastStepMs / 1000);
    expect(sampleValue(families, "edgelog_processor_failing", labels)).toBe(line.lastError === null ? 0 : 1);
  }
  return status.partitions;
}

// The tests share the file's storage and run in order: the first scrapes before the example topics exist.
describe("GET /v1/metrics's processor families (METRICS-5)", () => {
  it("before any wake: no partition line, and the objects it looked at hold no tables and no alarm", async () => {
    const waiting = await scrape();
    expect(sampleValue(waiting, "edgelog_processor_running", { processor: byPage.name })).toBe(0); // no input topic yet
    await examplesOnce();
    const families = await scrape();
    expect(sampleValue(families, "edgelog_processor_running", { processor: byPage.name })).toBe(1);
    expect(families.get("edgelog_processor_lag")?.samples).toEqual([]);
    const stored = await runInDurableObject(processorStub(env, byPage.name, 0), (_o: ProcessorObject, state) => ({
      tables: state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'").toArray(),
      alarm: state.storage.getAlarm(),
    }));
    expect({ tables: stored.tables, alarm: await stored.alarm }).toEqual({ tables: [], alarm: null });
  });

  it("visit at most their budget of processor partitions and count the processors left out", async () => {
    await examplesOnce();
    // by-page (1 partition) fits, per-minute (2) does not fit what is left, slow-views (1) does.
    const text = prometheusText(await processorMetrics(EXAMPLE_PROCESSORS, { partitionsMax: 2 })(env, OPEN_ACCESS));
    const families = parsePrometheus(text);
    expect(families.get("edgelog_processor_running")?.samples.map((s) => s.labels.processor)).toEqual([byPage.name, slow.name]);
    expect(sampleValue(families, "edgelog_metrics_processors_skipped", {})).toBe(1);
  });

  it("count a processor whose status cannot be read, and the scrape still answers", async () => {
    await examplesOnce();
    const unbound = { ...env, PROCESSOR: undefined } as unknown as Env; // a Worker that left the binding out
    const text = prometheusText(await gatherMetrics(unbound, OPEN_ACCESS, undefined, [processorMetrics(EXAMPLE_PROCESSORS)]));
    const families = parsePrometheus(text);
    expect(sampleValue(families, "edgelog_metrics_processors_unreadable", {})).toBe(3);
    expect(sampleValue(families, "edgelog_metrics_processor_unreadable_info", { processor: byPage.name, code: "NOT_FOUND" })).toBe(1);
    expect(families.get("edgelog_partition_high_watermark")?.samples.length).toBeGreaterThan(0); // the rest of the scrape is there
  });

  it("are not shown to a token without admin on *", async () => {
    await examplesOnce();
    const narrow: Access = {
      principal: { sub: "ops", expiresAt: Date.now() + MINUTE_MS, grants: [{ action: "admin", pattern: "example-*" }], quota: null },
    };
    const families = parsePrometheus(prometheusText(await gatherMetrics(env, narrow, undefined, [processorMetrics(EXAMPLE_PROCESSORS)])));
    expect(families.has("edgelog_processor_lag")).toBe(false);
    expect(families.has("edgelog_metrics_processors_skipped")).toBe(false);
    expect(families.get("edgelog_partition_high_watermark")?.samples.length).toBeGreaterThan(0);
  });

  it("match GET /v1/processors/:name partition by partition, failing step included, and set no alarm", async () => {
    await examplesOnce();
    await drain(byPage.name, 0);
    await drain(perMinute.name, 0);
    await drain(perMinute.name, 1);
    // The slow views' output deleted: its step fails and the failure stays in its status.
    expect((await api("DELETE", `/v1/topics/${slow.output}`)).status).toBe(204);
    await expect(drain(slow.name, 0)).rejects.toThrow();

    const families = await scrape();
    expect(families.get("edgelog_processor_records_in_total")?.type).toBe("counter");
    expect(families.get("edgelog_processor_lag")?.type).toBe("gauge");
    expect(families.get("edgelog_processor_records_in_total")?.help).toMatch(/does not reset/);
    // The scrape read without waking: the drained objects still have no alarm.
    for (const [name, partition] of [
      [byPage.name, 0],
      [perMinute.name, 1],
      [slow.name, 0],
    ] as const) {
      const alarm = await runInDurableObject(processorStub(env, name, partition), (_o: ProcessorObject, state) => state.storage.getAlarm());
      expect([name, alarm]).toEqual([name, null]);
    }

    expect((await expectSameAsRoute(families, byPage.name)).map((l) => l.recordsIn)).toEqual([4]);
    const windows = await expectSameAsRoute(families, perMinute.name);
    expect(windows.reduce((sum, l) => sum + l.recordsIn, 0)).toBe(4);
    expect(windows.reduce((sum, l) => sum + l.lateRecords, 0)).toBe(1); // the record for the window closed two minutes back
    const failing = await expectSameAsRoute(families, slow.name);
    expect(failing[0]?.lastError?.code).toBe("UNKNOWN_TOPIC");
    const labels = { processor: slow.name, partition: "0" };
    expect(sampleValue(families, "edgelog_processor_failing", labels)).toBe(1);
    expect(sampleValue(families, "edgelog_processor_lag", labels)).toBe(4);
    expect(sampleValue(families, "edgelog_processor_last_error_info", { ...labels, code: "UNKNOWN_TOPIC" })).toBe(1);
    expect(sampleValue(families, "edgelog_processor_last_error_timestamp_seconds", labels)).toBe((failing[0]?.lastError?.atMs ?? 0) / 1000);
    expect(sampleValue(families, "edgelog_processor_running", { processor: slow.name })).toBe(1);
    expect(sampleValue(families, "edgelog_metrics_processors_skipped", {})).toBe(0);
    expect(sampleValue(families, "edgelog_metrics_processors_unreadable", {})).toBe(0);
  });
});
