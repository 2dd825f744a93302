/**
 * The API's operations that both doors share: the HTTP routes (topic-routes.ts,
 * partition-routes.ts, group-routes.ts) and the RPC service (rpc/edgelog-service.ts) call these,
 * so listing, creating and describing topics, reading a partition and describing a group are
 * written once. Input arrives already checked by the protocol's parsers; `access` decides what a
 * listing shows (the RPC service is trusted and passes OPEN_ACCESS).
 *
 * Rules: PROTOCOL.md TOPIC-1 to TOPIC-5, FETCH-1, GROUP-8, AUTH-5.
 *
 * @example
 * const topics = await listTopics(env, c.var.access);
 * const { created, description } = await createDescribedTopic(env, "orders", { partitions: 3 });
 */
import type { GroupDescription, TopicDescription, TopicSummary } from "../client/protocol/index.ts";
import { parseCreateTopic } from "../client/protocol/index.ts";
import { type Access, can } from "./auth/access.ts";
import type { Env } from "./env.ts";
import { groupStub, registryStub } from "./object-names.ts";
import type { LogPage } from "./partition/log.ts";
import type { ReadRequest } from "./partition/partition-api.ts";
import type { TopicMeta } from "./topic-meta.ts";
import { createTopic, getTopic, onPartition, onTopic, partitionOffsets } from "./topics.ts";

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

/**
 * The ready topics `access` may read.
 *
 * @example
 * const topics = await listTopics(env, OPEN_ACCESS); // every ready topic
 */
export async function listTopics(env: Env, access: Access): Promise<TopicSummary[]> {
  const listed = (meta: TopicMeta) => meta.state === "ready" && can(access, "read", meta.name);
  return (await registryStub(env).list()).filter(listed).map(summary);
}

/**
 * Creates topic `name` from a create request's body (or finds the same one, TOPIC-1) and describes it.
 *
 * @example
 * const { created, description } = await createDescribedTopic(env, "orders", { partitions: 3 });
 * // created: false when the same topic already existed
 */
export async function createDescribedTopic(
  env: Env,
  name: string,
  body: unknown,
): Promise<{ created: boolean; description: TopicDescription }> {
  const { partitions, config } = parseCreateTopic(body);
  const { created, meta } = await createTopic(env, name, partitions, config);
  return { created, description: await describe(env, meta) };
}

/**
 * Topic `name` with every partition's bounds, read from the registry (never a cached incarnation).
 *
 * @example
 * const { partitions } = await describeTopic(env, "orders");
 */
export async function describeTopic(env: Env, name: string): Promise<TopicDescription> {
  await getTopic(env, name, true);
  return onTopic(env, name, (meta) => describe(env, meta));
}

/**
 * One page of a partition's records, serialised by the partition (`recordsJson`).
 *
 * @example
 * const page = await readPartition(env, "orders", 0, readRequestOf(() => undefined));
 */
export function readPartition(env: Env, topic: string, partition: number, request: Omit<ReadRequest, "topicId">): Promise<LogPage> {
  return onPartition(env, topic, partition, (stub, meta) => stub.read({ topicId: meta.topicId, ...request }));
}

/**
 * A consumer group's state, generation and members.
 *
 * @example
 * const { generation, members } = await describeGroup(env, "billing");
 */
export async function describeGroup(env: Env, group: string): Promise<GroupDescription> {
  const { state, members } = await groupStub(env, group).describe();
  return { group, topic: state.topic, assignor: state.assignor, generation: state.generation, members };
}
