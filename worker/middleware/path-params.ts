/**
 * Path parameters parsed once, into typed context variables: `:topic` (a topic name),
 * `:partition` (a partition number), `:group` (a group name) and `:member` (a member id), each
 * refused with its stable code (INVALID_TOPIC_NAME, INVALID_PARTITIONS, INVALID_GROUP_NAME,
 * INVALID_REQUEST). A route names the middleware of the parameters its pattern has.
 *
 * Rules: PROTOCOL.md NAME-1, NAME-2, JSON-3, JSON-4.
 *
 * @example
 * app.get(ROUTE.partitionStats, partitionParams(), (c) => c.json({ topic: c.var.topic, partition: c.var.partition }));
 */
import { createMiddleware } from "hono/factory";
import { groupName, memberId, topicName } from "../../client/protocol/index.ts";
import { partitionParam } from "../params.ts";

/**
 * `:topic`.
 *
 * @example
 * topicRoutes.delete(ROUTE.topic, topicParams(), async (c) => {
 *   await deleteTopic(c.env, c.var.topic); // topic: string, a valid name
 *   return c.body(null, 204);
 * });
 */
export type TopicVariables = { topic: string };

/**
 * `:topic` and `:partition`.
 *
 * @example
 * partitionRoutes.get(ROUTE.partitionStats, partitionParams(), (c) => c.json({ partition: c.var.partition })); // a number
 */
export type PartitionVariables = { topic: string; partition: number };

/**
 * `:group`.
 *
 * @example
 * groupRoutes.get(ROUTE.group, groupParams(), async (c) => c.json(await groupStub(c.env, c.var.group).describe()));
 */
export type GroupVariables = { group: string };

/**
 * `:group` and `:member`.
 *
 * @example
 * groupRoutes.post(ROUTE.groupHeartbeat, memberParams(), async (c) =>
 *   c.json(unwrap(await groupStub(c.env, c.var.group).heartbeat(c.var.member))));
 */
export type MemberVariables = { group: string; member: string };

/** Sets what `parse` reads from the path parameters as the route's variables. */
function pathVariables<V extends Record<string, string | number>>(parse: (param: (name: string) => string) => V) {
  return createMiddleware<{ Variables: V }>(async (c, next) => {
    const variables = parse((name) => c.req.param(name) ?? "");
    for (const key of Object.keys(variables) as (keyof V & string)[]) c.set(key, variables[key]);
    await next();
  });
}

/**
 * `c.var.topic` from `:topic`.
 *
 * @example
 * app.delete(ROUTE.topic, topicParams(), (c) => deleteTopic(c.env, c.var.topic));
 */
export function topicParams() {
  return pathVariables<TopicVariables>((param) => ({ topic: topicName(param("topic")) }));
}

/**
 * `c.var.topic` and `c.var.partition` from `:topic` and `:partition` (the topic checked first).
 *
 * @example
 * app.get(ROUTE.partitionOffsets, partitionParams(), (c) => lookup(c.var.topic, c.var.partition));
 */
export function partitionParams() {
  return pathVariables<PartitionVariables>((param) => {
    const topic = topicName(param("topic"));
    return { topic, partition: partitionParam(param("partition")) };
  });
}

/**
 * `c.var.group` from `:group`.
 *
 * @example
 * app.get(ROUTE.group, groupParams(), (c) => describeGroup(c.env, c.var.group));
 */
export function groupParams() {
  return pathVariables<GroupVariables>((param) => ({ group: groupName(param("group")) }));
}

/**
 * `c.var.group` and `c.var.member` from `:group` and `:member` (the group checked first).
 *
 * @example
 * app.delete(ROUTE.groupMember, memberParams(), (c) => leave(c.env, c.var.group, c.var.member));
 */
export function memberParams() {
  return pathVariables<MemberVariables>((param) => {
    const group = groupName(param("group"));
    return { group, member: memberId(param("member")) };
  });
}
