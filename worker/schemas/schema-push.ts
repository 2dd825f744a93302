/**
 * How a topic's partitions learn its schemas: pushed. After every change to a `<topic>-value` or
 * `<topic>-key` subject (a registration, a delete) and when a topic is created, the Worker reads
 * the topic's schemas from the registry (with the registry's change number) and hands them to
 * every partition, which keeps the newest (partition-schemas.ts). Produce never asks the registry.
 * A push that fails leaves the change stored in the registry and the route answers an error; the
 * same request again (a registration is idempotent) pushes again.
 *
 * Rules: PROTOCOL.md SCHEMA-6.
 *
 * @example
 * await pushSubjectChange(env, "orders-value"); // every partition of "orders" validates with its latest version
 */
import { subjectTopic } from "../../client/protocol/index.ts";
import type { Env } from "../env.ts";
import { partitionStub, registryStub } from "../object-names.ts";
import type { TopicMeta } from "../topic-meta.ts";

/**
 * Pushes a topic incarnation's current schemas to each of its partitions.
 *
 * @example
 * await pushTopicSchemas(env, meta); // in createTopic, once the partitions are initialised
 */
export async function pushTopicSchemas(env: Env, meta: TopicMeta): Promise<void> {
  const schemas = await registryStub(env).topicSchemas(meta.name);
  await Promise.all(
    Array.from({ length: meta.partitions }, (_, p) => partitionStub(env, meta.topicId, p).setSchemas(meta.topicId, schemas)),
  );
}

/**
 * After a change to `subject`: pushes to its topic's partitions when it is a topic's `-value` or
 * `-key` subject and that topic exists (a topic being created gets them at its creation's end).
 *
 * @example
 * await pushSubjectChange(env, "shared-types"); // no topic's subject: nothing to push
 */
export async function pushSubjectChange(env: Env, subject: string): Promise<void> {
  const named = subjectTopic(subject);
  if (named === null) return;
  const meta = await registryStub(env).get(named.topic);
  if (meta === null || meta.state === "deleting") return;
  await pushTopicSchemas(env, meta);
}
