/**
 * Group commit inside the Partition object (worker/partition/group-commit.ts), in workerd: appends
 * submitted while an earlier one may be uncommitted are applied together in one later turn (one
 * commit), in submission order, each with its own idempotence check, quota admission and error;
 * the queue is bounded. The black-box side (many real sockets, a runtime restart) is
 * test/node/group-commit.test.ts.
 * Rules: PROTOCOL.md PRODUCE-6, PRODUCER-4, QUOTA-4, QUOTA-10, LOG-3.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { EdgelogError, encodeRecord, type ProducerInput } from "../../client/protocol/index.ts";
import { GROUP_COMMIT_REQUESTS_MAX, GROUP_COMMIT_RETRY_AFTER_MS } from "../../worker/partition/group-commit.ts";
import type { Partition } from "../../worker/partition/partition.ts";
import type { AppendRequest, AppendResult, ProducePrincipal } from "../../worker/partition/partition-api.ts";
import { createTopic, partitionStub, readAll, topicMeta, uniqueTopic } from "./http.ts";

/** An append of `values` (strings) to partition 0 of `topicId`. */
function request(
  topicId: string,
  values: readonly string[],
  producer: ProducerInput | null = null,
  principal: ProducePrincipal | null = null,
): AppendRequest {
  const tails = values.map((value, i) => encodeRecord({ value }, `records[${i}]`).tail);
  return { topicId, timestamps: values.map(() => null), tails, producer, principal };
}

/** What a submitted append settled to: its result, or its error's code (and retryAfterMs). */
type Settled = AppendResult | { code: string; retryAfterMs: number | null };

function settle(promise: Promise<AppendResult>): Promise<Settled> {
  return promise.then(
    (result) => result,
    (error: unknown) => {
      if (!(error instanceof EdgelogError)) throw error;
      return { code: error.code, retryAfterMs: error.retryAfterMs };
    },
  );
}

async function newPartition(prefix: string): Promise<{ topic: string; topicId: string; stub: DurableObjectStub<Partition> }> {
  const topic = uniqueTopic(prefix);
  await createTopic(topic, 1);
  const { topicId } = await topicMeta(topic);
  return { topic, topicId, stub: await partitionStub(topic, 0) };
}

describe("group commit", () => {
  it("applies the first append at once and the ones submitted meanwhile together in one later turn, in order", async () => {
    const { topic, topicId, stub } = await newPartition("gc-order");
    const settled = await runInDurableObject(stub, async (instance: Partition) => {
      const before = { ...instance.grouped.counts };
      const first = instance.appendGrouped(request(topicId, ["a"]));
      // Applied in this turn: the log already holds it.
      expect(instance.log.highWatermark).toBe(1);
      const rest = [instance.appendGrouped(request(topicId, ["b", "c"])), instance.appendGrouped(request(topicId, ["d"]))];
      expect(instance.grouped.waiting).toBe(2);
      expect(instance.log.highWatermark).toBe(1);
      const answers = await Promise.all([first, ...rest]);
      // Two turns for three requests: the two that waited shared one.
      const { requests, turns } = instance.grouped.counts;
      expect({ requests: requests - before.requests, turns: turns - before.turns }).toEqual({ requests: 3, turns: 2 });
      return answers;
    });
    expect(settled.map((a) => [a.baseOffset, a.count])).toEqual([
      [0, 1],
      [1, 2],
      [3, 1],
    ]);
    expect((await readAll(topic, 0)).map((r) => r.value)).toEqual(["a", "b", "c", "d"]);
  });

  it("recognises an idempotent retry inside the same group commit", async () => {
    const { topic, topicId, stub } = await newPartition("gc-retry");
    const settled = await runInDurableObject(stub, async (instance: Partition) => {
      const producer = { id: "gc-retrier", epoch: 0, sequence: 0 };
      const first = instance.appendGrouped(request(topicId, ["other"]));
      const batch = instance.appendGrouped(request(topicId, ["x", "y"], producer));
      const retry = instance.appendGrouped(request(topicId, ["x", "y"], producer));
      const next = instance.appendGrouped(request(topicId, ["z"], { ...producer, sequence: 2 }));
      expect(instance.grouped.waiting).toBe(3);
      return Promise.all([first, batch, retry, next].map(settle));
    });
    expect(settled).toEqual([
      { baseOffset: 0, count: 1, duplicate: false },
      { baseOffset: 1, count: 2, duplicate: false },
      { baseOffset: 1, count: 2, duplicate: true },
      { baseOffset: 3, count: 1, duplicate: false },
    ]);
    expect((await readAll(topic, 0)).map((r) => r.value)).toEqual(["other", "x", "y", "z"]);
  });

  it("refuses a fenced producer and a principal over quota alone: the others of the group are stored whole", async () => {
    const { topic, topicId, stub } = await newPartition("gc-refused");
    const settled = await runInDurableObject(stub, async (instance: Partition) => {
      // Epoch 1 of "gc-fenced" has written: epoch 0 is a zombie.
      instance.appendNow(request(topicId, ["epoch 1"], { id: "gc-fenced", epoch: 1, sequence: 0 }));
      const slow: ProducePrincipal = { sub: "gc-slow", quota: { eventsPerS: 1 } };
      const first = instance.appendGrouped(request(topicId, ["first"]));
      const waiting = [
        instance.appendGrouped(request(topicId, ["one", "two", "three"], null, slow)), // admitted, then in debt
        instance.appendGrouped(request(topicId, ["zombie"], { id: "gc-fenced", epoch: 0, sequence: 1 })),
        instance.appendGrouped(request(topicId, ["good"])),
        instance.appendGrouped(request(topicId, ["over quota"], null, slow)),
        instance.appendGrouped(request(topicId, ["last"], { id: "gc-fenced", epoch: 1, sequence: 1 })),
      ];
      expect(instance.grouped.waiting).toBe(5);
      return Promise.all([first, ...waiting].map(settle));
    });
    expect(settled[0]).toEqual({ baseOffset: 1, count: 1, duplicate: false });
    expect(settled[1]).toEqual({ baseOffset: 2, count: 3, duplicate: false });
    expect(settled[2]).toEqual({ code: "PRODUCER_FENCED", retryAfterMs: null });
    expect(settled[3]).toEqual({ baseOffset: 5, count: 1, duplicate: false });
    expect(settled[4]).toMatchObject({ code: "QUOTA_EXCEEDED" });
    expect(settled[5]).toEqual({ baseOffset: 6, count: 1, duplicate: false });
    expect((await readAll(topic, 0)).map((r) => r.value)).toEqual(["epoch 1", "first", "one", "two", "three", "good", "last"]);
  });

  it(`queues at most GROUP_COMMIT_REQUESTS_MAX (${GROUP_COMMIT_REQUESTS_MAX}) appends; past it QUOTA_EXCEEDED with retryAfterMs, nothing stored`, async () => {
    const { topic, topicId, stub } = await newPartition("gc-bound");
    const settled = await runInDurableObject(stub, async (instance: Partition) => {
      const all = [instance.appendGrouped(request(topicId, ["at once"]))];
      for (let i = 0; i < GROUP_COMMIT_REQUESTS_MAX; i++) all.push(instance.appendGrouped(request(topicId, [`queued ${i}`])));
      expect(instance.grouped.waiting).toBe(GROUP_COMMIT_REQUESTS_MAX);
      all.push(instance.appendGrouped(request(topicId, ["one too many"])));
      expect(instance.grouped.waiting).toBe(GROUP_COMMIT_REQUESTS_MAX);
      return Promise.all(all.map(settle));
    });
    expect(settled.at(-1)).toEqual({ code: "QUOTA_EXCEEDED", retryAfterMs: GROUP_COMMIT_RETRY_AFTER_MS });
    const offsets = settled.slice(0, -1).map((a) => ("baseOffset" in a ? a.baseOffset : a.code));
    expect(offsets).toEqual(Array.from({ length: GROUP_COMMIT_REQUESTS_MAX + 1 }, (_, i) => i));
    const values = (await readAll(topic, 0)).map((r) => r.value);
    expect(values).toHaveLength(GROUP_COMMIT_REQUESTS_MAX + 1);
    expect(values).not.toContain("one too many");
  });

  it("answers concurrent RPC appends (HTTP produce requests) with distinct contiguous offsets", async () => {
    const { topic, topicId, stub } = await newPartition("gc-rpc");
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => stub.append(request(topicId, [`r${i}a`, `r${i}b`]))));
    const bases = answers.map((answer) => {
      if (!answer.ok) throw new Error(answer.error.message);
      return answer.value.baseOffset;
    });
    expect([...bases].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i));
    const values = (await readAll(topic, 0)).map((r) => r.value);
    expect(bases.map((base) => values.slice(base, base + 2))).toEqual(bases.map((_, i) => [`r${i}a`, `r${i}b`]));
  });
});
