/**
 * Topic routes: list, create, describe and delete topics, and produce to a topic (each record
 * routed to its partition by produce.ts). Thin: path parameters and bodies come parsed from the
 * middleware; the work is in operations.ts, topics.ts and produce.ts (shared with the RPC service).
 *
 * Rules: PROTOCOL.md TOPIC-1 to TOPIC-6, PRODUCE-1, PRODUCE-7, PRODUCE-8, AUTH-5.
 *
 * @example
 * app.route("/", topicRoutes);
 */
import { Hono } from "hono";
import { PROTOCOL_HEADER, produceAnswerVersion, ROUTE } from "../client/protocol/index.ts";
import { producePrincipal } from "./auth/access.ts";
import type { AppEnv } from "./env.ts";
import { jsonBody, produceBody } from "./middleware/json-body.ts";
import { topicParams } from "./middleware/path-params.ts";
import { routeGrant } from "./middleware/route-grant.ts";
import { createDescribedTopic, describeTopic, listTopics } from "./operations.ts";
import { produce } from "./produce.ts";
import { produceAnswer } from "./produce-answer.ts";
import { deleteTopic } from "./topics.ts";

const topicRoutes = new Hono<AppEnv>();

topicRoutes.get(ROUTE.topics, routeGrant("GET topics"), async (c) => c.json({ topics: await listTopics(c.env, c.var.access) }));

topicRoutes.put(ROUTE.topic, topicParams(), routeGrant("PUT topic"), jsonBody(), async (c) => {
  const { created, description } = await createDescribedTopic(c.env, c.var.topic, c.var.body);
  return c.json(description, created ? 201 : 200);
});

topicRoutes.get(ROUTE.topic, topicParams(), routeGrant("GET topic"), async (c) => c.json(await describeTopic(c.env, c.var.topic)));

topicRoutes.delete(ROUTE.topic, topicParams(), routeGrant("DELETE topic"), async (c) => {
  await deleteTopic(c.env, c.var.topic);
  return c.body(null, 204);
});

topicRoutes.post(ROUTE.topicRecords, topicParams(), routeGrant("POST topicRecords"), produceBody(), async (c) => {
  const version = produceAnswerVersion(c.req.header(PROTOCOL_HEADER));
  return produceAnswer(c, await produce(c.env, c.var.topic, c.var.produce, null, producePrincipal(c.var.access)), version);
});

export { topicRoutes };
