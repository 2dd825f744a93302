/**
 * GET /v1/metrics (PROTOCOL.md METRICS-1 to METRICS-4) and GET /v1/groups (GROUP-14): the text
 * parses strictly as Prometheus's format, and its numbers are the stats routes' numbers.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { OPEN_ACCESS } from "../../worker/auth/access.ts";
import { app } from "../../worker/index.ts";
import { gatherMetrics } from "../../worker/metrics.ts";
import { prometheusText } from "../../worker/prometheus.ts";
import { api, createTopic, produce, uniqueTopic } from "./http.ts";
import { parsePrometheus, sampleValue } from "./prometheus-text.ts";

async function scrape(): Promise<{ contentType: string | null; text: string }> {
  const response = await app.request("/v1/metrics", {}, env);
  expect(response.status).toBe(200);
  return { contentType: response.headers.get("content-type"), text: await response.text() };
}

const STATS_FIELDS = [
  ["edgelog_partition_appended_records_total", "appendedRecords"],
  ["edgelog_partition_appended_bytes_total", "appendedBytes"],
  ["edgelog_partition_high_watermark", "highWatermark"],
  ["edgelog_partition_log_start_offset", "logStartOffset"],
  ["edgelog_partition_stored_bytes", "storedBytes"],
  ["edgelog_partition_sockets", "sockets"],
  ["edgelog_partition_subscribers_paused", "subscribersPaused"],
  ["edgelog_partition_long_poll_waiters", "longPollWaiters"],
  ["edgelog_partition_rows_written_total", "rowsWritten"],
] as const;

describe("GET /v1/metrics", () => {
  it("parses as Prometheus text and matches the stats and group routes", async () => {
    const topic = uniqueTopic("metrics");
    await createTopic(topic, 2);
    await produce(topic, { records: [{ value: 1 }, { value: 2 }, { value: 3 }] }, 0);
    await produce(topic, { records: [{ value: { pad: "x".repeat(100) } }] }, 1);
    await api("DELETE", `/v1/topics/${topic}/partitions/0/records?before=1`);
    expect((await api("PUT", "/v1/groups/metrics-standalone/offsets", { offsets: [{ topic, partition: 0, offset: 2 }] })).status).toBe(200);
    expect((await api("POST", "/v1/groups/metrics-members/members", { topic, memberId: "m-1" })).status).toBe(200);

    const { contentType, text } = await scrape();
    expect(contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
    const families = parsePrometheus(text);
    expect(families.get("edgelog_partition_appended_records_total")?.type).toBe("counter");
    expect(families.get("edgelog_group_lag")?.type).toBe("gauge");
    for (const partition of [0, 1]) {
      const stats = (await api("GET", `/v1/topics/${topic}/partitions/${partition}/stats`)).json;
      const labels = { topic, partition: String(partition) };
      for (const [name, field] of STATS_FIELDS) expect([name, sampleValue(families, name, labels)]).toEqual([name, stats[field]]);
      // The scrape read group offsets after it gathered the stats: rows read can only have grown.
      expect(sampleValue(families, "edgelog_partition_rows_read_total", labels)).toBeLessThanOrEqual(stats.rowsRead);
    }
    expect(sampleValue(families, "edgelog_partition_high_watermark", { topic, partition: "0" })).toBe(3);
    expect(sampleValue(families, "edgelog_partition_log_start_offset", { topic, partition: "0" })).toBe(1);
    expect(sampleValue(families, "edgelog_partition_appended_records_total", { topic, partition: "0" })).toBe(3);

    const lags = (await api("GET", `/v1/groups/metrics-standalone/offsets?topic=${topic}`)).json;
    expect(lags.partitions[0].lag).toBe(1);
    expect(sampleValue(families, "edgelog_group_lag", { group: "metrics-standalone", topic, partition: "0" })).toBe(lags.partitions[0].lag);
    const members = (await api("GET", "/v1/groups/metrics-members")).json.members.length;
    expect(sampleValue(families, "edgelog_group_members", { group: "metrics-members" })).toBe(members);
    expect(members).toBe(1);
    expect(sampleValue(families, "edgelog_metrics_partitions_skipped", {})).toBe(0);
  });

  it("rejects a broken exposition (the parser can fail)", () => {
    expect(() => parsePrometheus("x 1\n")).toThrow(/before its TYPE/);
    expect(() => parsePrometheus('# TYPE x gauge\nx{a="1} 2\n')).toThrow(/bad labels/);
    expect(() => parsePrometheus("# TYPE x gauge\nx 1")).toThrow(/newline/);
  });
});

describe("GET /v1/groups", () => {
  it("lists each group with the topics it joined or committed on, once", async () => {
    const topic = uniqueTopic("groups-list");
    await createTopic(topic, 1);
    for (let i = 0; i < 2; i++) {
      expect((await api("PUT", "/v1/groups/listed-a/offsets", { offsets: [{ topic, partition: 0, offset: 0 }] })).status).toBe(200);
    }
    expect((await api("POST", "/v1/groups/listed-b/members", { topic })).status).toBe(200);
    const { groups } = (await api("GET", "/v1/groups")).json as { groups: { group: string; topics: string[] }[] };
    expect(groups.filter((g) => g.group.startsWith("listed-"))).toEqual([
      { group: "listed-a", topics: [topic] },
      { group: "listed-b", topics: [topic] },
    ]);
  });
});

describe("GET /v1/metrics's bounds (METRICS-3)", () => {
  it("visits at most its partition and group budgets and counts the rest as skipped", async () => {
    const topic = uniqueTopic("metrics-bound");
    await createTopic(topic, 3);
    await produce(topic, { records: [{ value: 1 }] }, 2);
    for (const group of ["bound-a", "bound-b"]) {
      expect((await api("PUT", `/v1/groups/${group}/offsets`, { offsets: [{ topic, partition: 2, offset: 0 }] })).status).toBe(200);
    }
    const all = parsePrometheus(prometheusText(await gatherMetrics(env, OPEN_ACCESS)));
    const partitions = all.get("edgelog_partition_high_watermark")?.samples.length ?? 0;
    const groups = all.get("edgelog_group_members")?.samples.length ?? 0;
    expect(partitions).toBeGreaterThanOrEqual(3);
    expect(groups).toBeGreaterThanOrEqual(2);
    const bounded = parsePrometheus(prometheusText(await gatherMetrics(env, OPEN_ACCESS, { partitionsMax: 2, groupsMax: 1 })));
    expect(bounded.get("edgelog_partition_high_watermark")?.samples).toHaveLength(2);
    expect(sampleValue(bounded, "edgelog_metrics_partitions_skipped", {})).toBe(partitions - 2);
    expect(bounded.get("edgelog_group_members")?.samples).toHaveLength(1);
    expect(sampleValue(bounded, "edgelog_metrics_groups_skipped", {})).toBe(groups - 1);
    // A group's lag on a topic whose partitions do not fit the budget left is not shown.
    expect(bounded.get("edgelog_group_lag")?.samples.filter((s) => s.labels.topic === topic)).toEqual([]);
  });
});
