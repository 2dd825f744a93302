/**
 * A topic's metadata as the Registry keeps it and the routes read it, apart from the Registry
 * class so the routes import it without importing the object.
 *
 * @example
 * const meta: TopicMeta = await getTopic(env, "orders");
 */
import type { FullTopicConfig } from "../client/protocol/index.ts";

/**
 * A topic's lifecycle: partitions are initialised while "creating" and dropped while "deleting".
 *
 * @example
 * if (meta.state !== "ready") throw new EdgelogError("UNKNOWN_TOPIC", `topic "${meta.name}" does not exist`);
 */
export type TopicState = "creating" | "ready" | "deleting";

/**
 * What the registry stores for a topic.
 *
 * @example
 * const meta: TopicMeta = await getTopic(env, "orders");
 * partitionStub(env, meta.topicId, 0); // objects are named by the incarnation, not the name
 */
export interface TopicMeta {
  name: string;
  topicId: string;
  partitions: number;
  config: FullTopicConfig;
  createdAt: number;
  state: TopicState;
}

/**
 * The outcome of a create: new, already there with the same settings, or refused.
 *
 * @example
 * const result: CreateOutcome = await registryStub(env).create("orders", 3, TOPIC_CONFIG_DEFAULT);
 * if (result.outcome === "conflict") throw new EdgelogError("TOPIC_ALREADY_EXISTS", "other settings");
 */
export type CreateOutcome =
  | { outcome: "created" | "same"; meta: TopicMeta }
  | { outcome: "conflict"; meta: TopicMeta }
  | { outcome: "deleting"; meta: TopicMeta }
  | { outcome: "limit"; meta: null };
