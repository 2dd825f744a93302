/**
 * Topic lifecycle through the HTTP API: create (201, then 200 for the same settings, 409 for
 * others), list, describe, delete (204, then 404), and a re-created name that starts empty.
 */

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TOPIC_CONFIG_DEFAULT, type TopicDescription, type TopicSummary } from "../../client/protocol/index.ts";
import { partitionStub as partitionObject } from "../../worker/object-names.ts";
import type { TopicMeta } from "../../worker/topic-meta.ts";
import { api, createTopic, expectError, fetchRecords, produce, registryStub, topicMeta, uniqueTopic } from "./http.ts";

/**
 * Deletes and re-creates a topic the way another isolate would: through the registry and the
 * partition objects, leaving this isolate's metadata cache stale.
 */
async function recreateElsewhere(old: TopicMeta, partitions: number | null): Promise<void> {
  const registry = registryStub();
  const part = (meta: TopicMeta, p: number) => partitionObject(env, meta.topicId, p);
  await registry.setState(old.name, old.topicId, "deleting");
  for (let p = 0; p < old.partitions; p++) await part(old, p).drop(old.topicId);
  await registry.remove(old.name, old.topicId);
  if (partitions === null) return;
  const created = await registry.create(old.name, partitions, old.config);
  if (created.outcome !== "created") throw new Error(`unexpected ${created.outcome}`);
  const meta = created.meta;
  for (let p = 0; p < partitions; p++) {
    await part(meta, p).init({ topic: meta.name, topicId: meta.topicId, partition: p, config: meta.config });
  }
  await registry.setState(meta.name, meta.topicId, "ready");
}

const DEFAULT_CONFIG = TOPIC_CONFIG_DEFAULT;

describe("creating a topic", () => {
  it("answers 201 with every partition at offset 0", async () => {
    const topic = uniqueTopic("create");
    const created = await createTopic(topic, 3);
    expect(created.name).toBe(topic);
    expect(created.config).toEqual(DEFAULT_CONFIG);
    expect(created.partitions).toEqual([0, 1, 2].map((partition) => ({ partition, logStartOffset: 0, highWatermark: 0 })));
  });

  it("answers 200 for the same settings again, without touching the records", async () => {
    const topic = uniqueTopic("same");
    const first = await createTopic(topic, 2, { "retention.ms": 60_000 });
    await produce(topic, { records: [{ value: "kept" }] }, 1);
    const again = await api<TopicDescription>("PUT", `/v1/topics/${topic}`, { partitions: 2, config: { "retention.ms": 60_000 } });
    expect(again.status).toBe(200);
    expect(again.json.createdAt).toBe(first.createdAt);
    expect(again.json.partitions[1]).toEqual({ partition: 1, logStartOffset: 0, highWatermark: 1 });
    // Defaults filled in count as the same settings as naming them.
    const named = await api("PUT", `/v1/topics/${topic}`, {
      partitions: 2,
      config: { "retention.ms": 60_000, "message.timestamp.type": "CreateTime" },
    });
    expect(named.status).toBe(200);
  });

  it("refuses other partitions or another config with 409 TOPIC_ALREADY_EXISTS", async () => {
    const topic = uniqueTopic("conflict");
    await createTopic(topic, 2);
    expectError(await api("PUT", `/v1/topics/${topic}`, { partitions: 3 }), 409, "TOPIC_ALREADY_EXISTS");
    expectError(await api("PUT", `/v1/topics/${topic}`, { partitions: 2, config: { "retention.ms": 5_000 } }), 409, "TOPIC_ALREADY_EXISTS");
    expectError(
      await api("PUT", `/v1/topics/${topic}`, { partitions: 2, config: { "message.timestamp.type": "LogAppendTime" } }),
      409,
      "TOPIC_ALREADY_EXISTS",
    );
    // The refused requests changed nothing.
    const described = await api<TopicDescription>("GET", `/v1/topics/${topic}`);
    expect(described.json.partitions).toHaveLength(2);
    expect(described.json.config).toEqual(DEFAULT_CONFIG);
  });
});

describe("size retention and compaction settings (TOPIC-2, COMPACT-1)", () => {
  it("keeps the settings as given, with Kafka's defaults for the rest", async () => {
    const topic = uniqueTopic("compact-config");
    const config = {
      "cleanup.policy": "compact,delete",
      "retention.bytes": 5_000_000,
      "min.compaction.lag.ms": 1_000,
      "delete.retention.ms": 60_000,
      "min.cleanable.dirty.ratio": 0.25,
    } as const;
    const created = await createTopic(topic, 1, config);
    expect(created.config).toEqual({ ...TOPIC_CONFIG_DEFAULT, ...config });
    // Another setting is another config: fixed at creation (TOPIC-1).
    expectError(
      await api("PUT", `/v1/topics/${topic}`, { partitions: 1, config: { ...config, "cleanup.policy": "compact" } }),
      409,
      "TOPIC_ALREADY_EXISTS",
    );
  });

  it("refuses values out of range with INVALID_CONFIG", async () => {
    const bad: Record<string, unknown>[] = [
      { "retention.bytes": 0 },
      { "retention.bytes": 1.5 },
      { "retention.bytes": 10 * 1_073_741_824 + 1 },
      { "cleanup.policy": "compact, delete" },
      { "cleanup.policy": ["compact"] },
      { "min.compaction.lag.ms": -1 },
      { "delete.retention.ms": "1" },
      { "min.cleanable.dirty.ratio": 1.01 },
      { "min.cleanable.dirty.ratio": -0.1 },
    ];
    for (const config of bad) {
      expectError(await api("PUT", `/v1/topics/${uniqueTopic("bad-config")}`, { partitions: 1, config }), 400, "INVALID_CONFIG");
    }
  });
});

describe("listing and describing", () => {
  it("lists a created topic with its partitions and config", async () => {
    const topic = uniqueTopic("listed");
    const created = await createTopic(topic, 4, { "message.timestamp.type": "LogAppendTime" });
    const listed = await api<{ topics: TopicSummary[] }>("GET", "/v1/topics");
    expect(listed.status).toBe(200);
    const entry = listed.json.topics.find((t) => t.name === topic);
    expect(entry).toEqual({
      name: topic,
      partitions: 4,
      config: { ...TOPIC_CONFIG_DEFAULT, "message.timestamp.type": "LogAppendTime" },
      createdAt: created.createdAt,
    });
  });

  it("describes each partition's bounds after produce", async () => {
    const topic = uniqueTopic("described");
    await createTopic(topic, 3);
    await produce(topic, { records: [{ value: 1 }, { value: 2 }] }, 0);
    await produce(topic, { records: [{ value: 3 }] }, 2);
    const described = await api<TopicDescription>("GET", `/v1/topics/${topic}`);
    expect(described.status).toBe(200);
    expect(described.json.name).toBe(topic);
    expect(described.json.partitions).toEqual([
      { partition: 0, logStartOffset: 0, highWatermark: 2 },
      { partition: 1, logStartOffset: 0, highWatermark: 0 },
      { partition: 2, logStartOffset: 0, highWatermark: 1 },
    ]);
  });

  it("answers 404 UNKNOWN_TOPIC for a topic never created", async () => {
    expectError(await api("GET", `/v1/topics/${uniqueTopic("never")}`), 404, "UNKNOWN_TOPIC");
  });
});

describe("deleting a topic", () => {
  it("answers 204, then the topic is gone from GET and the list", async () => {
    const topic = uniqueTopic("deleted");
    await createTopic(topic, 2);
    const deleted = await api("DELETE", `/v1/topics/${topic}`);
    expect(deleted.status).toBe(204);
    expect(deleted.json).toBeNull();
    expectError(await api("GET", `/v1/topics/${topic}`), 404, "UNKNOWN_TOPIC");
    const listed = await api<{ topics: TopicSummary[] }>("GET", "/v1/topics");
    expect(listed.json.topics.map((t) => t.name)).not.toContain(topic);
    expectError(await api("DELETE", `/v1/topics/${topic}`), 404, "UNKNOWN_TOPIC");
  });

  it("refuses produce, fetch and commit on a deleted topic with 404", async () => {
    const topic = uniqueTopic("gone");
    await createTopic(topic, 1);
    await produce(topic, { records: [{ value: "before" }] });
    expect((await api("DELETE", `/v1/topics/${topic}`)).status).toBe(204);
    expectError(await api("POST", `/v1/topics/${topic}/records`, { records: [{ value: "after" }] }), 404, "UNKNOWN_TOPIC");
    expectError(await api("POST", `/v1/topics/${topic}/partitions/0/records`, { records: [{ value: "after" }] }), 404, "UNKNOWN_TOPIC");
    expectError(await api("GET", `/v1/topics/${topic}/partitions/0/records`), 404, "UNKNOWN_TOPIC");
    expectError(await api("PUT", "/v1/groups/g/offsets", { offsets: [{ topic, partition: 0, offset: 0 }] }), 404, "UNKNOWN_TOPIC");
  });

  it("never shows old records when the same name is created again", async () => {
    const topic = uniqueTopic("reborn");
    await createTopic(topic, 2);
    await produce(topic, { records: [{ value: "old-0" }, { value: "old-1" }, { value: "old-2" }] }, 0);
    await produce(topic, { records: [{ value: "old-p1" }] }, 1);
    await api("PUT", "/v1/groups/reborn-group/offsets", { offsets: [{ topic, partition: 0, offset: 2 }] });
    expect((await api("DELETE", `/v1/topics/${topic}`)).status).toBe(204);

    const recreated = await createTopic(topic, 2);
    expect(recreated.partitions).toEqual([0, 1].map((partition) => ({ partition, logStartOffset: 0, highWatermark: 0 })));
    for (const partition of [0, 1]) {
      const page = await fetchRecords(topic, partition, { offset: "earliest" });
      expect(page.records).toEqual([]);
      expect(page.highWatermark).toBe(0);
      expect(page.nextOffset).toBe(0);
    }
    // An offset that existed before is past the new end.
    expectError(await api("GET", `/v1/topics/${topic}/partitions/0/records?offset=2`), 416, "OFFSET_OUT_OF_RANGE");
    // Group commits belonged to the old incarnation too.
    const group = await api("GET", `/v1/groups/reborn-group/offsets?topic=${topic}`);
    expect(group.json.partitions[0].committedOffset).toBeNull();
    // New records start again at offset 0.
    const answer = await produce(topic, { records: [{ value: "new-0" }] }, 0);
    expect(answer.offsets).toEqual([{ partition: 0, offset: 0 }]);
    const page = await fetchRecords(topic, 0);
    expect(page.records.map((r) => r.value)).toEqual(["new-0"]);
  });

  it("may be re-created with other settings after a delete", async () => {
    const topic = uniqueTopic("resized");
    await createTopic(topic, 1);
    expect((await api("DELETE", `/v1/topics/${topic}`)).status).toBe(204);
    const recreated = await createTopic(topic, 3, { "retention.ms": 1_000 });
    expect(recreated.partitions).toHaveLength(3);
    expect(recreated.config["retention.ms"]).toBe(1_000);
  });

  it("notices a delete and re-create made elsewhere while this isolate's cache is stale", async () => {
    const topic = uniqueTopic("stale");
    await createTopic(topic, 1);
    await produce(topic, { records: [{ value: "old" }] }, 0);
    await recreateElsewhere(await topicMeta(topic), 2);
    // The cached incarnation has no partition 1: the registry is asked again, not trusted stale.
    const commit = await api("PUT", "/v1/groups/stale-group/offsets", { offsets: [{ topic, partition: 1, offset: 0 }] });
    expect(commit.status).toBe(200);
    // The cached incarnation answers UNKNOWN_TOPIC; the route asks the registry again once.
    const answer = await produce(topic, { records: [{ value: "new" }] }, 1);
    expect(answer.offsets).toEqual([{ partition: 1, offset: 0 }]);
    const page = await fetchRecords(topic, 0);
    expect(page.records).toEqual([]);
    expect(page.highWatermark).toBe(0);
  });

  it("answers 404 when a topic cached here was deleted elsewhere", async () => {
    const topic = uniqueTopic("stale-gone");
    await createTopic(topic, 1);
    await produce(topic, { records: [{ value: "old" }] }, 0);
    await recreateElsewhere(await topicMeta(topic), null);
    expectError(await api("POST", `/v1/topics/${topic}/records`, { records: [{ value: "x" }] }), 404, "UNKNOWN_TOPIC");
    expectError(await api("GET", `/v1/topics/${topic}/partitions/0/records`), 404, "UNKNOWN_TOPIC");
  });
});
