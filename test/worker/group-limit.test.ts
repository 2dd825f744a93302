/**
 * Groups per partition are bounded (issue 10: 5,000 commits under distinct group names on one
 * partition were all stored). A partition keeps the offsets of at most GROUPS_PER_PARTITION_MAX
 * groups; a new group's commit past it first forgets groups idle for GROUP_OFFSETS_RETENTION_MS
 * (Kafka's offsets.retention.minutes), and is refused with GROUP_LIMIT_REACHED when none is.
 * Rules: PROTOCOL.md COMMIT-8.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { GROUP_OFFSETS_RETENTION_MS, GROUPS_PER_PARTITION_MAX } from "../../client/protocol/index.ts";
import type { Partition } from "../../worker/partition/partition.ts";
import { useClock } from "./clock.ts";
import { commit, groupOffsets, topicWith, uniqueGroup } from "./group-http.ts";
import { expectError, partitionStub, topicMeta } from "./http.ts";
import { openSocket } from "./socket.ts";

/** Commits `count` groups `prefix-0..` at offset 1 on partition 0, inside the object (fast). */
async function manyGroups(topic: string, prefix: string, count: number): Promise<void> {
  const { topicId } = await topicMeta(topic);
  await runInDurableObject(await partitionStub(topic, 0), (instance: Partition) => {
    for (let i = 0; i < count; i++) instance.commitNow(topicId, { group: `${prefix}-${i}`, offset: 1, metadata: null, generation: null });
  });
}

async function groupRows(topic: string): Promise<number> {
  return runInDurableObject(await partitionStub(topic, 0), (_, state) => {
    return state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM group_offsets").one().n;
  });
}

describe("groups per partition", () => {
  it(`stores at most ${GROUPS_PER_PARTITION_MAX} groups' offsets; a new group's commit past that is GROUP_LIMIT_REACHED`, async () => {
    const topic = await topicWith("group-cap", 2, 3);
    const clock = await useClock(await partitionStub(topic, 0));
    await manyGroups(topic, "g", GROUPS_PER_PARTITION_MAX);
    const newcomer = uniqueGroup("newcomer");
    expectError(await commit(newcomer, { offsets: [{ topic, partition: 0, offset: 2 }] }), 409, "GROUP_LIMIT_REACHED");
    expect(await groupRows(topic)).toBe(GROUPS_PER_PARTITION_MAX);
    // A group already there commits on; another partition has room of its own.
    expect((await commit("g-7", { offsets: [{ topic, partition: 0, offset: 3 }] })).status).toBe(200);
    expect((await commit(newcomer, { offsets: [{ topic, partition: 1, offset: 2 }] })).status).toBe(200);
    // Over the socket too.
    const sock = await openSocket(topic, 0);
    sock.send({ type: "commit", id: "c1", group: newcomer, offset: 2 });
    expect(await sock.next("error")).toMatchObject({ id: "c1", code: "GROUP_LIMIT_REACHED" });
    // Idle groups make room once their offsets are older than the retention, as in Kafka.
    clock.advance(GROUP_OFFSETS_RETENTION_MS - 1);
    expect((await commit("g-8", { offsets: [{ topic, partition: 0, offset: 3 }] })).status).toBe(200);
    clock.advance(2);
    expect((await commit(newcomer, { offsets: [{ topic, partition: 0, offset: 2 }] })).status).toBe(200);
    // g-8 committed within the retention and stays; every group idle longer was forgotten.
    expect(await groupRows(topic)).toBe(2);
    expect((await groupOffsets("g-8", topic)).partitions[0]!.committedOffset).toBe(3);
    expect((await groupOffsets("g-9", topic)).partitions[0]!.committedOffset).toBeNull();
    sock.close();
  });
});
