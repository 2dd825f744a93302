/**
 * Consumer-group offsets over HTTP: commits go to each partition's own object (no central
 * coordinator on the commit path), and reads report committed offset and lag per partition.
 *
 * Rules: PROTOCOL.md COMMIT-1, COMMIT-3, COMMIT-4, COMMIT-7.
 *
 * @example
 * await commitGroupOffsets(env, "billing", [{ topic: "orders", partition: 0, offset: 10 }]);
 */
import type { CommitResponse, GroupOffsetsResponse, OffsetCommit } from "../client/protocol/index.ts";
import type { Env } from "./env.ts";
import { groupStub, partitionStub } from "./object-names.ts";
import { invariant, unwrap } from "./result.ts";
import { checkPartition, onPartition, onTopic } from "./topics.ts";

/**
 * Commits every entry. All topics and partitions are checked first, so a bad entry commits
 * nothing; the commits themselves are per partition and not atomic across partitions.
 *
 * @example
 * await commitGroupOffsets(env, "billing", [{ topic: "orders", partition: 0, offset: 43, metadata: "batch-7" }]);
 * // { offsets: [{ topic: "orders", partition: 0, offset: 43 }] }
 */
export async function commitGroupOffsets(env: Env, group: string, offsets: OffsetCommit[]): Promise<CommitResponse> {
  // Through onTopic, so a partition a stale cached incarnation lacks is checked against the registry.
  for (const entry of offsets) await onTopic(env, entry.topic, async (meta) => checkPartition(meta, entry.partition));
  await Promise.all(
    offsets.map((entry) =>
      onPartition(env, entry.topic, entry.partition, (stub, meta) =>
        stub.commit(meta.topicId, group, entry.offset, entry.metadata ?? null),
      ),
    ),
  );
  return { offsets: offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })) };
}

/** Most (group, topic) pairs an isolate remembers having listed; past it the memory starts over (a miss costs one call). */
const LISTED_PAIRS_MAX = 1_024;
/** The (group, topic) pairs this isolate has listed through mirrorGroupOffsets. */
const listedPairs = new Set<string>();

/**
 * Commits the positions a connector or processor keeps in its own storage to its consumer group
 * (so group tools show its lag), and lists the group in `GET /v1/groups` the first time it
 * commits on a topic (GROUP-14), as a standalone commit over HTTP does: one coordinator call per
 * (group, topic) in an isolate's life, the Group object keeping the registry call to one ever.
 *
 * @example
 * await mirrorGroupOffsets(env, "connector.orders-hook", [{ topic: "orders", partition: 0, offset: 17 }]);
 */
export async function mirrorGroupOffsets(env: Env, group: string, offsets: OffsetCommit[]): Promise<void> {
  await commitGroupOffsets(env, group, offsets);
  const topics = [...new Set(offsets.map((entry) => entry.topic))].filter((topic) => !listedPairs.has(`${group}\n${topic}`));
  if (topics.length === 0) return;
  await groupStub(env, group).note(group, topics);
  if (listedPairs.size + topics.length > LISTED_PAIRS_MAX) listedPairs.clear();
  for (const topic of topics) listedPairs.add(`${group}\n${topic}`);
  invariant(listedPairs.size <= LISTED_PAIRS_MAX, "the listed pairs stay within LISTED_PAIRS_MAX");
}

/**
 * A group's committed offsets and lag on every partition of `topic`.
 *
 * @example
 * const { partitions, totalLag } = await groupOffsets(env, "billing", "orders");
 */
export async function groupOffsets(env: Env, group: string, topic: string): Promise<GroupOffsetsResponse> {
  return onTopic(env, topic, async (meta) => {
    const all = Array.from({ length: meta.partitions }, (_, p) => partitionStub(env, meta.topicId, p).groupOffset(meta.topicId, group));
    const partitions = (await Promise.all(all)).map((result) => {
      const line = unwrap(result);
      const lag = line.committedOffset === null ? null : Math.max(0, line.highWatermark - line.committedOffset);
      return { ...line, lag };
    });
    const totalLag = partitions.reduce((sum, line) => sum + (line.lag ?? 0), 0);
    return { group, topic, partitions, totalLag };
  });
}
