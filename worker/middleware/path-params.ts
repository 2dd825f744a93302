/**
 * Path parameters parsed once, into typed context variables: `:topic` (a topic name),
 * `:partition` (a partition number), `:group` (a group name) and `:member` (a member id), each
 * refused with its stable code (INVALID_TOPIC_NAME, INVALID_PARTITIONS, INVALID_GROUP_NAME,
 * INVALID_REQUEST). A route names the middleware of the parameters its pattern has.
 *
 * @example
 * app.get(ROUTE.partitionStats, partitionParams(), (c) => c.json({ topic: c.var.topic, partition: c.var.partition }));
 */
import { createMiddleware } from "hono/factory";
import { groupName, memberId, topicName } from "../../client/protocol/index.ts";
import { partitionParam } from "../params.ts";

/** `:topic`. */
export type TopicVariables = { topic: string };
/** `:topic` and `:partition`. */
export type PartitionVariables = { topic: string; partition: number };
/** `:group`. */
export type GroupVariables = { group: string };
/** `:group` and `:member`. */
export type MemberVariables = { group: string; member: string };

/**
 * `c.var.topic` from `:topic`.
 *
 * @example
 * app.delete(ROUTE.topic, topicParams(), (c) => deleteTopic(c.env, c.var.topic));
 */
export function topicParams() {
  return createMiddleware<{ Variables: TopicVariables }>(async (c, next) => {
    c.set("topic", topicName(c.req.param("topic")));
    await next();
  });
}

/**
 * `c.var.topic` and `c.var.partition` from `:topic` and `:partition` (the topic checked first).
 *
 * @example
 * app.get(ROUTE.partitionOffsets, partitionParams(), (c) => lookup(c.var.topic, c.var.partition));
 */
export function partitionParams() {
  return createMiddleware<{ Variables: PartitionVariables }>(async (c, next) => {
    c.set("topic", topicName(c.req.param("topic")));
    c.set("partition", partitionParam(c.req.param("partition") ?? ""));
    await next();
  });
}

/**
 * `c.var.group` from `:group`.
 *
 * @example
 * app.get(ROUTE.group, groupParams(), (c) => describeGroup(c.env, c.var.group));
 */
export function groupParams() {
  return createMiddleware<{ Variables: GroupVariables }>(async (c, next) => {
    c.set("group", groupName(c.req.param("group")));
    await next();
  });
}

/**
 * `c.var.group` and `c.var.member` from `:group` and `:member` (the group checked first).
 *
 * @example
 * app.delete(ROUTE.groupMember, memberParams(), (c) => leave(c.env, c.var.group, c.var.member));
 */
export function memberParams() {
  return createMiddleware<{ Variables: MemberVariables }>(async (c, next) => {
    c.set("group", groupName(c.req.param("group")));
    c.set("member", memberId(c.req.param("member")));
    await next();
  });
}
