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
import { partitionStub } from "./object-names.ts";
import { unwrap } from "./result.ts";
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
