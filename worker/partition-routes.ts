/**
 * Partition routes: produce to and fetch from one partition (long-poll and SSE included),
 * delete records, look offsets up by time, stats, and the partition's WebSocket (forwarded to the
 * partition's object). Thin: path parameters and bodies come parsed from the middleware.
 *
 * Rules: PROTOCOL.md PRODUCE-2, PRODUCE-7, PRODUCE-8, FETCH-1 to FETCH-5, LOG-1 to LOG-3, SOCKET-1, AUTH-5, AUTH-15.
 *
 * @example
 * app.route("/", partitionRoutes);
 */
import { Hono } from "hono";
import type { PartitionStatsResponse } from "../client/protocol/index.ts";
import { EdgelogError, PROTOCOL_HEADER, produceAnswerVersion, ROUTE } from "../client/protocol/index.ts";
import { producePrincipal } from "./auth/access.ts";
import type { AppEnv } from "./env.ts";
import { produceBody } from "./middleware/json-body.ts";
import { socketOrigin } from "./middleware/origins.ts";
import { partitionParams } from "./middleware/path-params.ts";
import { requireUpgrade } from "./middleware/require-upgrade.ts";
import { routeGrant } from "./middleware/route-grant.ts";
import { partitionStub } from "./object-names.ts";
import { readPartition } from "./operations.ts";
import { intParam, offsetParam, requiredParam, timestampParam } from "./params.ts";
import { TOPIC_ID_HEADER } from "./partition/partition-api.ts";
import { produce } from "./produce.ts";
import { produceAnswer } from "./produce-answer.ts";
import { readRequestOf } from "./read-request.ts";
import { unwrap } from "./result.ts";
import { sseResponse, sseStart } from "./sse.ts";
import type { TopicMeta } from "./topic-meta.ts";
import { checkPartition, onPartition, onTopic } from "./topics.ts";

const partitionRoutes = new Hono<AppEnv>();

partitionRoutes.post(ROUTE.partitionRecords, partitionParams(), routeGrant("POST partitionRecords"), produceBody(), async (c) => {
  const principal = producePrincipal(c.var.access);
  const version = produceAnswerVersion(c.req.header(PROTOCOL_HEADER));
  return produceAnswer(c, await produce(c.env, c.var.topic, c.var.produce, c.var.partition, principal), version);
});

partitionRoutes.get(ROUTE.partitionRecords, partitionParams(), routeGrant("GET partitionRecords"), async (c) => {
  const { topic, partition } = c.var;
  const live = c.req.query("live");
  if (live !== undefined && live !== "sse") throw new EdgelogError("INVALID_PARAMETER", 'live must be "sse"');
  if (live === "sse") {
    const start = sseStart(c.req.header("last-event-id"), offsetParam(c.req.query("offset")));
    const from = c.req.query("from");
    if (from !== undefined && from !== "latest-per-key") throw new EdgelogError("INVALID_PARAMETER", 'from must be "latest-per-key"');
    return sseResponse(c.env, topic, partition, start, c.req.raw.signal, from === undefined ? {} : { from });
  }
  const page = await readPartition(
    c.env,
    topic,
    partition,
    readRequestOf((name) => c.req.query(name)),
  );
  // The records arrive serialised from the partition; only the envelope is written here.
  // A compacted topic's read says what compaction cleaned and how the page was read (COMPACT-6, TABLE-2).
  const compacted =
    page.cleanedTombstonesBelow === undefined
      ? ""
      : `,"cleanedTombstonesBelow":${page.cleanedTombstonesBelow}${page.latestPerKey ? ',"latestPerKey":true' : ""}${page.reset ? ',"reset":true' : ""}`;
  const body = `{"records":${page.recordsJson},"nextOffset":${page.nextOffset},"highWatermark":${page.highWatermark},"logStartOffset":${page.logStartOffset}${compacted}}`;
  return c.body(body, 200, { "content-type": "application/json; charset=utf-8" });
});

partitionRoutes.delete(ROUTE.partitionRecords, partitionParams(), routeGrant("DELETE partitionRecords"), async (c) => {
  const before = intParam(requiredParam(c.req.query("before"), "before"), "before", 0, Number.MAX_SAFE_INTEGER, 0);
  return c.json(await onPartition(c.env, c.var.topic, c.var.partition, (stub, meta) => stub.deleteRecords(meta.topicId, before)));
});

partitionRoutes.get(ROUTE.partitionOffsets, partitionParams(), routeGrant("GET partitionOffsets"), async (c) => {
  const timestamp = timestampParam(c.req.query("timestamp"));
  return c.json(await onPartition(c.env, c.var.topic, c.var.partition, (stub, meta) => stub.lookup(meta.topicId, timestamp)));
});

partitionRoutes.get(ROUTE.partitionStats, partitionParams(), routeGrant("GET partitionStats"), async (c) => {
  const { topic, partition } = c.var;
  const stats = async (meta: TopicMeta): Promise<PartitionStatsResponse> => {
    checkPartition(meta, partition);
    const stub = partitionStub(c.env, meta.topicId, partition);
    // stats() is not topic-checked; offsets() first answers UNKNOWN_TOPIC for a dropped object.
    unwrap(await stub.offsets(meta.topicId));
    return { partition, ...(await stub.stats()) };
  };
  return c.json(await onTopic(c.env, topic, stats));
});

partitionRoutes.get(
  ROUTE.partitionSocket,
  partitionParams(),
  routeGrant("GET partitionSocket"),
  requireUpgrade(),
  socketOrigin(),
  async (c) => {
    const { topic, partition } = c.var;
    // Forwarded to the partition's object, which accepts the socket with the Hibernation API. An
    // unknown topic or partition is a plain 404 before any upgrade.
    const forward = async (meta: TopicMeta) => {
      checkPartition(meta, partition);
      const headers = new Headers(c.req.raw.headers);
      headers.set(TOPIC_ID_HEADER, meta.topicId);
      const response = await partitionStub(c.env, meta.topicId, partition).fetch(c.req.url, { headers });
      if (response.status === 404) throw new EdgelogError("UNKNOWN_TOPIC", `topic "${topic}" does not exist`);
      return response;
    };
    return onTopic(c.env, topic, forward);
  },
);

export { partitionRoutes };
