/**
 * Topic routes: list, create, describe and delete topics, and produce to a topic (each record
 * routed to its partition by produce.ts). Thin: path parameters and bodies come parsed from the
 * middleware; the work is in topics.ts and produce.ts.
 *
 * Rules: PROTOCOL.md TOPIC-1 to TOPIC-6, PRODUCE-1, AUTH-5.
 *
 * @example
 * app.route("/", topicRoutes);
 */
import { Hono } from "hono";
import type { TopicDescription, TopicSummary } from "../client/protocol/index.ts";
import { parseCreateTopic, parseProduceRequest, ROUTE } from "../client/protocol/index.ts";
import { can, producePrincipal } from "./auth/access.ts";
import type { AppEnv, Env } from "./env.ts";
import { jsonBody } from "./middleware/json-body.ts";
import { topicParams } from "./middleware/path-params.ts";
import { routeGrant } from "./middleware/route-grant.ts";
import { registryStub } from "./object-names.ts";
import { produce } from "./produce.ts";
import type { TopicMeta } from "./topic-meta.ts";
import { createTopic, deleteTopic, getTopic, onTopic, partitionOffsets } from "./topics.ts";

const topicRoutes = new Hono<AppEnv>();

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

topicRoutes.get(ROUTE.topics, routeGrant("GET topics"), async (c) => {
  const listed = (meta: TopicMeta) => meta.state === "ready" && can(c.var.access, "read", meta.name);
  const topics = (await registryStub(c.env).list()).filter(listed).map(summary);
  return c.json({ topics });
});

topicRoutes.put(ROUTE.topic, topicParams(), routeGrant("PUT topic"), jsonBody(), async (c) => {
  const { partitions, config } = parseCreateTopic(c.var.body);
  const { created, meta } = await createTopic(c.env, c.var.topic, partitions, config);
  return c.json(await describe(c.env, meta), created ? 201 : 200);
});

topicRoutes.get(ROUTE.topic, topicParams(), routeGrant("GET topic"), async (c) => {
  await getTopic(c.env, c.var.topic, true);
  return c.json(await onTopic(c.env, c.var.topic, (meta) => describe(c.env, meta)));
});

topicRoutes.delete(ROUTE.topic, topicParams(), routeGrant("DELETE topic"), async (c) => {
  await deleteTopic(c.env, c.var.topic);
  return c.body(null, 204);
});

topicRoutes.post(ROUTE.topicRecords, topicParams(), routeGrant("POST topicRecords"), jsonBody(), async (c) => {
  return c.json(await produce(c.env, c.var.topic, parseProduceRequest(c.var.body), null, producePrincipal(c.var.access)));
});

export { topicRoutes };
