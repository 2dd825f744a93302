/**
 * Topic metadata on the Worker side: an isolate-local cache in front of the Registry, so produce
 * and fetch go straight to the partition's own object, plus the create and delete sequences that
 * initialise or drop every partition of a topic.
 *
 * A cached entry can be stale only if the topic was deleted (and perhaps created again) since; the
 * partition object then answers UNKNOWN_TOPIC (or the new incarnation has a partition the cached
 * one lacks: UNKNOWN_PARTITION), and `onTopic` re-reads the registry once.
 *
 * Rules: PROTOCOL.md TOPIC-1, TOPIC-5, TOPIC-6, NAME-5.
 *
 * @example
 * const meta = await getTopic(env, "orders");
 * const page = await onPartition(env, "orders", 0, (stub, m) => stub.read({ topicId: m.topicId, ... }));
 */

import type { FullTopicConfig, PartitionOffsets } from "../client/protocol/index.ts";
import { EdgelogError } from "../client/protocol/index.ts";
import type { Env } from "./env.ts";
import { partitionStub, registryStub } from "./object-names.ts";
import type { Partition } from "./partition/partition.ts";
import { type Result, unwrap } from "./result.ts";
import { pushTopicSchemas } from "./schemas/schema-push.ts";
import type { TopicMeta } from "./topic-meta.ts";

/** How long a cached topic is trusted before the registry is asked again. */
const METADATA_CACHE_MS = 60_000;
/** Topics cached per isolate; the oldest entry goes first past it. */
const METADATA_CACHE_ENTRIES_MAX = 1_000;

const cache = new Map<string, { meta: TopicMeta; cachedAt: number }>();

/**
 * Forgets a cached topic (after a delete, or when a partition says it is gone).
 *
 * @example
 * forgetTopic("orders"); // the next getTopic(env, "orders") asks the registry
 */
export function forgetTopic(name: string): void {
  cache.delete(name);
}

/** Caches a topic as the newest entry; past the bound the least recently stored one goes. */
function remember(meta: TopicMeta): void {
  // Deleted first, so a refresh moves the entry to the end and never evicts another topic.
  cache.delete(meta.name);
  if (cache.size >= METADATA_CACHE_ENTRIES_MAX) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(meta.name, { meta, cachedAt: Date.now() });
}

/**
 * A ready topic's metadata, from the cache when fresh; UNKNOWN_TOPIC when there is none.
 *
 * @example
 * const meta = await getTopic(env, "orders"); // from this isolate's cache when under 60 s old
 * await getTopic(env, "orders", true); // from the registry, always
 */
export async function getTopic(env: Env, name: string, fresh = false): Promise<TopicMeta> {
  const hit = cache.get(name);
  if (!fresh && hit && Date.now() - hit.cachedAt < METADATA_CACHE_MS) return hit.meta;
  const meta = await registryStub(env).get(name);
  if (meta === null || meta.state !== "ready") {
    forgetTopic(name);
    throw new EdgelogError("UNKNOWN_TOPIC", `topic "${name}" does not exist`);
  }
  remember(meta);
  return meta;
}

/**
 * UNKNOWN_PARTITION unless `partition` is one of the topic's.
 *
 * @example
 * checkPartition(meta, 3); // throws UNKNOWN_PARTITION when meta.partitions is 3
 */
export function checkPartition(meta: TopicMeta, partition: number): void {
  if (partition >= meta.partitions) {
    throw new EdgelogError("UNKNOWN_PARTITION", `topic "${meta.name}" has partitions 0 to ${meta.partitions - 1}, not ${partition}`);
  }
}

/**
 * What a stale cached incarnation can cause: its partition objects were dropped (UNKNOWN_TOPIC),
 * or the topic was created again with more partitions than it had (UNKNOWN_PARTITION, raised by
 * checkPartition before any object is touched).
 */
function maybeStale(error: unknown): boolean {
  return error instanceof EdgelogError && (error.code === "UNKNOWN_TOPIC" || error.code === "UNKNOWN_PARTITION");
}

/**
 * Runs `run` with the topic's metadata. If the answer suggests the metadata is stale (see
 * maybeStale), the registry is asked again and `run` repeated once with a new incarnation (a stale
 * attempt touched only a deleted incarnation, and its answer is discarded).
 *
 * @example
 * const offsets = await onTopic(env, "orders", (meta) => partitionOffsets(env, meta));
 */
export async function onTopic<T>(env: Env, name: string, run: (meta: TopicMeta) => Promise<T>): Promise<T> {
  const meta = await getTopic(env, name);
  try {
    return await run(meta);
  } catch (error) {
    if (!maybeStale(error)) throw error;
    forgetTopic(name);
    const fresh = await getTopic(env, name, true);
    if (fresh.topicId === meta.topicId) throw error;
    return run(fresh);
  }
}

/**
 * Runs `call` on one partition's object (see onTopic for stale metadata).
 *
 * @example
 * const { highWatermark } = await onPartition(env, "orders", 0, (stub, meta) => stub.offsets(meta.topicId));
 */
export function onPartition<T>(
  env: Env,
  name: string,
  partition: number,
  call: (stub: DurableObjectStub<Partition>, meta: TopicMeta) => Promise<Result<T>>,
): Promise<T> {
  return onTopic(env, name, async (meta) => {
    checkPartition(meta, partition);
    return unwrap(await call(partitionStub(env, meta.topicId, partition), meta));
  });
}

/**
 * Every partition's bounds, asked in parallel.
 *
 * @example
 * (await partitionOffsets(env, meta)).map((p) => p.highWatermark - p.logStartOffset); // records held per partition
 */
export async function partitionOffsets(env: Env, meta: TopicMeta): Promise<PartitionOffsets[]> {
  const all = Array.from({ length: meta.partitions }, (_, p) => partitionStub(env, meta.topicId, p).offsets(meta.topicId));
  return (await Promise.all(all)).map((result) => unwrap(result));
}

async function initPartitions(env: Env, meta: TopicMeta): Promise<void> {
  const all = Array.from({ length: meta.partitions }, (_, partition) =>
    partitionStub(env, meta.topicId, partition).init({ topic: meta.name, topicId: meta.topicId, partition, config: meta.config }),
  );
  for (const result of await Promise.all(all)) unwrap(result);
}

async function dropPartitions(env: Env, meta: TopicMeta): Promise<void> {
  const all = Array.from({ length: meta.partitions }, (_, p) => partitionStub(env, meta.topicId, p).drop(meta.topicId));
  for (const result of await Promise.all(all)) unwrap(result);
}

/**
 * Creates a topic: registers it, initialises every partition, then marks it ready. Safe to
 * repeat: a create interrupted half-way is finished by the next identical request.
 *
 * @example
 * const { created, meta } = await createTopic(env, "orders", 3, TOPIC_CONFIG_DEFAULT); // created: false when it already existed
 */
export async function createTopic(
  env: Env,
  name: string,
  partitions: number,
  config: FullTopicConfig,
): Promise<{ created: boolean; meta: TopicMeta }> {
  // Two turns at most: the second runs only after finishing an interrupted delete.
  for (let turn = 0; turn < 2; turn++) {
    const result = await registryStub(env).create(name, partitions, config);
    if (result.outcome === "limit") throw new EdgelogError("TOPIC_LIMIT_REACHED", "the deployment holds its maximum number of topics");
    if (result.outcome === "deleting") {
      await finishDelete(env, result.meta);
      continue;
    }
    if (result.outcome === "conflict") {
      throw new EdgelogError("TOPIC_ALREADY_EXISTS", `topic "${name}" exists with ${result.meta.partitions} partitions and other settings`);
    }
    const meta = result.meta;
    if (meta.state === "creating") {
      await initPartitions(env, meta);
      await pushTopicSchemas(env, meta);
      await registryStub(env).setState(name, meta.topicId, "ready");
      meta.state = "ready";
    }
    remember(meta);
    return { created: result.outcome === "created", meta };
  }
  throw new EdgelogError("INTERNAL", `topic "${name}" is being deleted; try again`);
}

async function finishDelete(env: Env, meta: TopicMeta): Promise<void> {
  await dropPartitions(env, meta);
  await registryStub(env).remove(meta.name, meta.topicId);
  forgetTopic(meta.name);
}

/**
 * Deletes a topic: marks it deleting, drops every partition's data, then forgets it.
 *
 * @example
 * await deleteTopic(env, "orders"); // throws UNKNOWN_TOPIC when there is none
 */
export async function deleteTopic(env: Env, name: string): Promise<void> {
  const meta = await registryStub(env).get(name);
  if (meta === null) throw new EdgelogError("UNKNOWN_TOPIC", `topic "${name}" does not exist`);
  await registryStub(env).setState(name, meta.topicId, "deleting");
  forgetTopic(name);
  await finishDelete(env, meta);
}
