/**
 * The Durable Objects' names, spelled once. A partition's object is named `topicId/partition`, by
 * the topic's incarnation and not its name, so a topic deleted and created again starts on new,
 * empty objects; a group's coordinator is named by the group; the one Registry is "registry".
 *
 * @example
 * const stub = partitionStub(env, meta.topicId, 0);
 * const coordinator = groupStub(env, "billing");
 */
import type { Env } from "./env.ts";
import type { Group } from "./group/group.ts";
import type { Partition } from "./partition/partition.ts";
import type { Registry } from "./registry.ts";

/**
 * The name of the one Registry object.
 *
 * @example
 * env.REGISTRY.get(env.REGISTRY.idFromName(REGISTRY_OBJECT_NAME)); // what registryStub(env) does
 */
export const REGISTRY_OBJECT_NAME = "registry";

/**
 * The object name of partition `partition` of topic incarnation `topicId`.
 *
 * @example
 * partitionObjectName("5f0c...", 2); // "5f0c.../2"
 */
export function partitionObjectName(topicId: string, partition: number): string {
  return `${topicId}/${partition}`;
}

/**
 * The one Registry object.
 *
 * @example
 * const meta = await registryStub(env).get("orders");
 */
export function registryStub(env: Env): DurableObjectStub<Registry> {
  return env.REGISTRY.get(env.REGISTRY.idFromName(REGISTRY_OBJECT_NAME));
}

/**
 * The object of one partition of a topic incarnation.
 *
 * @example
 * await partitionStub(env, meta.topicId, 0).offsets(meta.topicId);
 */
export function partitionStub(env: Env, topicId: string, partition: number): DurableObjectStub<Partition> {
  return env.PARTITION.get(env.PARTITION.idFromName(partitionObjectName(topicId, partition)));
}

/**
 * A consumer group's coordinator.
 *
 * @example
 * await groupStub(env, "billing").describe();
 */
export function groupStub(env: Env, group: string): DurableObjectStub<Group> {
  return env.GROUP.get(env.GROUP.idFromName(group));
}
