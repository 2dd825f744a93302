/**
 * The HTTP API: a Hono app whose routes validate input with the shared protocol module and hand
 * the work to topic and partition objects. Names follow Kafka (topics, partitions, offsets,
 * groups); the README documents every route.
 *
 * @example
 * const res = await app.request("/v1/topics/orders", { method: "PUT", body: '{"partitions":3}' }, env);
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import type { PartitionStatsResponse, TopicDescription, TopicSummary } from "../client/protocol/index.ts";
import {
  EdgelogError,
  FETCH_BYTES_DEFAULT,
  FETCH_BYTES_MAX,
  FETCH_RECORDS_DEFAULT,
  FETCH_RECORDS_MAX,
  LONG_POLL_WAIT_MS_MAX,
  parseCreateTopic,
  parseProduceRequest,
  topicName,
} from "../client/protocol/index.ts";
import type { Env } from "./env.ts";
import { errorJson, errorResponse, readJson } from "./error-response.ts";
import { groupRoutes } from "./group-routes.ts";
import { TOPIC_BROWSER_HTML } from "./page.ts";
import { intParam, offsetParam, partitionParam, requiredParam, timestampParam } from "./params.ts";
import { TOPIC_ID_HEADER } from "./partition/partition.ts";
import { produce } from "./produce.ts";
import type { TopicMeta } from "./registry.ts";
import { unwrap } from "./result.ts";
import { sseResponse, sseStart } from "./sse.ts";
import {
  checkPartition,
  createTopic,
  deleteTopic,
  getTopic,
  onPartition,
  onTopic,
  partitionOffsets,
  partitionStub,
  registry,
} from "./topics.ts";

const app = new Hono<{ Bindings: Env }>();

function summary(meta: TopicMeta): TopicSummary {
  return { name: meta.name, partitions: meta.partitions, config: meta.config, createdAt: meta.createdAt };
}

async function describe(env: Env, meta: TopicMeta): Promise<TopicDescription> {
  return {
    name: meta.name,
    topicId: meta.topicId,
    config: meta.config,
    createdAt: meta.createdAt,
    partitions: await partitionOffsets(env, meta),
  };
}

app.use("/v1/*", cors());
app.onError(errorResponse);
app.notFound(() => errorJson("NOT_FOUND", "no such route; see the README for the API"));

app.get("/", (c) => c.html(TOPIC_BROWSER_HTML));

app.get("/v1/topics", async (c) => {
  const topics = (await registry(c.env).list()).filter((meta) => meta.state === "ready").map(summary);
  return c.json({ topics });
});

app.put("/v1/topics/:topic", async (c) => {
  const name = topicName(c.req.param("topic"));
  const { partitions, config } = parseCreateTopic(await readJson(c.req.raw));
  const { created, meta } = await createTopic(c.env, name, partitions, config);
  return c.json(await describe(c.env, meta), created ? 201 : 200);
});

app.get("/v1/topics/:topic", async (c) => {
  const name = topicName(c.req.param("topic"));
  await getTopic(c.env, name, true);
  return c.json(await onTopic(c.env, name, (meta) => describe(c.env, meta)));
});

app.delete("/v1/topics/:topic", async (c) => {
  await deleteTopic(c.env, topicName(c.req.param("topic")));
  return c.body(null, 204);
});

app.post("/v1/topics/:topic/records", async (c) => {
  const name = topicName(c.req.param("topic"));
  const parsed = parseProduceRequest(await readJson(c.req.raw));
  return c.json(await produce(c.env, name, parsed, null));
});

app.post("/v1/topics/:topic/partitions/:partition/records", async (c) => {
  const name = topicName(c.req.param("topic"));
  const partition = partitionParam(c.req.param("partition"));
  const parsed = parseProduceRequest(await readJson(c.req.raw));
  return c.json(await produce(c.env, name, parsed, partition));
});

app.get("/v1/topics/:topic/partitions/:partition/records", async (c) => {
  const name = topicName(c.req.param("topic"));
  const partition = partitionParam(c.req.param("partition"));
  const live = c.req.query("live");
  if (live !== undefined && live !== "sse") throw new EdgelogError("INVALID_PARAMETER", 'live must be "sse"');
  if (live === "sse") {
    const start = sseStart(c.req.header("last-event-id"), offsetParam(c.req.query("offset")));
    return sseResponse(c.env, name, partition, start, c.req.raw.signal);
  }
  const request = {
    offset: offsetParam(c.req.query("offset")),
    limit: intParam(c.req.query("limit"), "limit", 1, FETCH_RECORDS_MAX, FETCH_RECORDS_DEFAULT),
    maxBytes: intParam(c.req.query("maxBytes"), "maxBytes", 1, FETCH_BYTES_MAX, FETCH_BYTES_DEFAULT),
    maxWaitMs: intParam(c.req.query("maxWaitMs"), "maxWaitMs", 0, LONG_POLL_WAIT_MS_MAX, 0),
  };
  const page = await onPartition(c.env, name, partition, (stub, meta) => stub.read({ topicId: meta.topicId, ...request }));
  // The records arrive serialised from the partition; only the envelope is written here.
  const body = `{"records":${page.recordsJson},"nextOffset":${page.nextOffset},"highWatermark":${page.highWatermark},"logStartOffset":${page.logStartOffset}}`;
  return c.body(body, 200, { "content-type": "application/json; charset=utf-8" });
});

app.get("/v1/topics/:topic/partitions/:partition/stats", async (c) => {
  const name = topicName(c.req.param("topic"));
  const partition = partitionParam(c.req.param("partition"));
  return c.json(
    await onTopic(c.env, name, async (meta): Promise<PartitionStatsResponse> => {
      checkPartition(meta, partition);
      const stub = partitionStub(c.env, meta, partition);
      // stats() is not topic-checked; offsets() first answers UNKNOWN_TOPIC for a dropped object.
      unwrap(await stub.offsets(meta.topicId));
      return { partition, ...(await stub.stats()) };
    }),
  );
});

app.get("/v1/topics/:topic/partitions/:partition/ws", async (c) => {
  const name = topicName(c.req.param("topic"));
  const partition = partitionParam(c.req.param("partition"));
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    return errorJson("UPGRADE_REQUIRED", "this route takes a WebSocket (Upgrade: websocket)");
  }
  // Forwarded to the partition's object, which accepts the socket with the Hibernation API.
  const forward = async (meta: TopicMeta) => {
    checkPartition(meta, partition);
    const headers = new Headers(c.req.raw.headers);
    headers.set(TOPIC_ID_HEADER, meta.topicId);
    const response = await partitionStub(c.env, meta, partition).fetch(c.req.url, { headers });
    if (response.status === 404) throw new EdgelogError("UNKNOWN_TOPIC", `topic "${name}" does not exist`);
    return response;
  };
  return onTopic(c.env, name, forward);
});

app.delete("/v1/topics/:topic/partitions/:partition/records", async (c) => {
  const name = topicName(c.req.param("topic"));
  const partition = partitionParam(c.req.param("partition"));
  const before = intParam(requiredParam(c.req.query("before"), "before"), "before", 0, Number.MAX_SAFE_INTEGER, 0);
  return c.json(await onPartition(c.env, name, partition, (stub, meta) => stub.deleteRecords(meta.topicId, before)));
});

app.get("/v1/topics/:topic/partitions/:partition/offsets", async (c) => {
  const name = topicName(c.req.param("topic"));
  const partition = partitionParam(c.req.param("partition"));
  const timestamp = timestampParam(c.req.query("timestamp"));
  return c.json(await onPartition(c.env, name, partition, (stub, meta) => stub.lookup(meta.topicId, timestamp)));
});

app.route("/v1/groups", groupRoutes);

// Known paths with a method they do not take: 405 rather than 404.
for (const path of [
  "/v1/topics",
  "/v1/topics/:topic",
  "/v1/topics/:topic/records",
  "/v1/topics/:topic/partitions/:partition/records",
  "/v1/topics/:topic/partitions/:partition/offsets",
  "/v1/topics/:topic/partitions/:partition/ws",
  "/v1/topics/:topic/partitions/:partition/stats",
]) {
  app.all(path, (c) => errorJson("METHOD_NOT_ALLOWED", `${c.req.method} is not allowed on ${path}`));
}

export { app };
