/**
 * The group consumer (`client.consumer`) against the real worker under Miniflare, members in Node
 * with the `ws` package: two members split a 4-partition topic and each record is processed by its
 * partition's owner; a member that stops commits first and hands its partitions over with nothing
 * processed twice; a member that missed a rebalance (its group socket's frames held: a zombie)
 * commits with its old generation, is refused, nothing is applied, and it rejoins without ever
 * committing the moved partitions' progress under the new generation; after a crash the group
 * resumes from the committed offsets (at-least-once: exactly what was processed after the last
 * commit is processed again); a session that expires (close 4408) loses the partitions and rejoins.
 *
 * What is allowed: duplicates only where the protocol cannot avoid them (GROUP-12, no revoke
 * barrier: a partition that moves in a rebalance others cause is processed again from its last
 * commit; a crash repeats what was processed after the last commit), never a record lost.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-consumer.test.ts
 */
import { describe, expect, it } from "vitest";
import { AUTO_COMMIT_INTERVAL_MS, type Consumer, type RevokeChange } from "../../client/index.ts";
import { testRig, WAIT_MS } from "./client-harness.ts";
import { controlledSockets, manualTimers, processedLog } from "./consumer-harness.ts";
import { type EdgelogApi, requestJson, waitFor } from "./runtime.ts";

const rig = testRig();

/** Produces `count` records to each of `partitions`. */
async function produceEach(api: EdgelogApi, topic: string, partitions: number[], count: number): Promise<void> {
  for (const partition of partitions) {
    const records = Array.from({ length: count }, (_, i) => ({ value: { partition, i } }));
    await api.produce(topic, { records }, partition);
  }
}

/** Waits until the member owns exactly `partitions`. */
async function waitForPartitions(consumer: Consumer, partitions: number[]): Promise<void> {
  const want = JSON.stringify(partitions);
  await waitFor(
    `${consumer.memberId} to own ${want} (owns ${JSON.stringify(consumer.assignment.partitions)})`,
    () => (JSON.stringify(consumer.assignment.partitions) === want ? true : undefined),
    WAIT_MS,
    20,
  );
}

/** The group's committed offsets on `topic`, by partition. */
async function committed(api: EdgelogApi, group: string, topic: string): Promise<(number | null)[]> {
  return (await api.groupOffsets(group, topic)).partitions.map((line) => line.committedOffset);
}

/** "p@o" for every offset from `from` to `to - 1` of each partition. */
function keys(partitions: number[], from: number, to: number): string[] {
  return partitions.flatMap((p) => Array.from({ length: to - from }, (_, i) => `${p}@${from + i}`));
}

describe("client.consumer: consumer groups from Node", () => {
  it("two members split a 4-partition topic; a member that stops commits and hands over with nothing processed twice", async () => {
    const { api } = rig.server;
    await api.createTopic("split", 4);
    const log = processedLog();
    const revokedA: RevokeChange[] = [];
    const a = rig.client().consumer({ group: "split-g", topic: "split", memberId: "a-node", reset: "earliest" });
    await a.run({ eachRecord: log.by("a"), onRevoke: (change) => void revokedA.push(change) });
    expect(a.assignment).toEqual({ memberId: "a-node", generation: 1, partitions: [0, 1, 2, 3] });

    const b = rig.client().consumer({ group: "split-g", topic: "split", memberId: "b-node", reset: "earliest" });
    await b.run({ eachRecord: log.by("b") });
    expect(b.assignment).toEqual({ memberId: "b-node", generation: 2, partitions: [2, 3] });
    await waitForPartitions(a, [0, 1]);
    expect(a.generation).toBe(2);
    expect(revokedA).toEqual([{ memberId: "a-node", generation: 1, partitions: [2, 3], reason: "rebalance" }]);

    await produceEach(api, "split", [0, 1, 2, 3], 10);
    await log.waitForDistinct(40);
    for (const entry of log.entries) expect(entry.by, `${entry.partition}@${entry.offset}`).toBe(entry.partition < 2 ? "a" : "b");

    await a.stop();
    expect(revokedA.at(-1)).toEqual({ memberId: "a-node", generation: 2, partitions: [0, 1], reason: "stop" });
    expect(a.assignment.partitions).toEqual([]);
    // a committed before it left (generation 2 still valid): b goes on from there.
    expect(await committed(api, "split-g", "split")).toEqual([10, 10, null, null]);
    await waitForPartitions(b, [0, 1, 2, 3]);
    expect(b.generation).toBe(3);
    await produceEach(api, "split", [0, 1, 2, 3], 5);
    await log.waitForDistinct(60);
    expect(log.duplicates()).toEqual([]);
    for (const p of [0, 1, 2, 3]) expect(log.offsets(p)).toEqual(Array.from({ length: 15 }, (_, i) => i));

    await b.stop();
    expect(await committed(api, "split-g", "split")).toEqual([15, 15, 15, 15]);
    expect((await api.groupOffsets("split-g", "split")).totalLag).toBe(0);
  });

  it("a member that missed a rebalance is fenced: its old generation's commit is refused and not applied; it rejoins and keeps only what it still owns", async () => {
    const { api, url } = rig.server;
    await api.createTopic("fence", 4);
    await produceEach(api, "fence", [0, 1, 2, 3], 4);
    const log = processedLog();
    const sockets = controlledSockets();
    const timersA = manualTimers();
    const clientA = rig.client({ WebSocket: sockets.WebSocket });
    const errorsA: string[] = [];
    clientA.onError((error) => errorsA.push(error.code));
    const revokedA: RevokeChange[] = [];
    const a = clientA.consumer({ group: "fence-g", topic: "fence", memberId: "a-zombie", reset: "earliest", timers: timersA });
    await a.run({ eachRecord: log.by("a"), onRevoke: (change) => void revokedA.push(change) });
    await log.waitForDistinct(16);
    expect(a.generation).toBe(1);

    // a stops hearing its group socket (pongs aside): it will miss the rebalance b's join makes.
    sockets.freezeGroups();
    const timersB = manualTimers();
    const b = rig.client().consumer({ group: "fence-g", topic: "fence", memberId: "b-fresh", reset: "earliest", timers: timersB });
    await b.run({ eachRecord: log.by("b") });
    expect(b.assignment).toEqual({ memberId: "b-fresh", generation: 2, partitions: [2, 3] });
    await waitFor(
      "b to process partitions 2 and 3",
      () => (log.entries.filter((e) => e.by === "b").length >= 8 ? true : undefined),
      WAIT_MS,
    );
    expect(a.assignment).toEqual({ memberId: "a-zombie", generation: 1, partitions: [0, 1, 2, 3] });

    // Its auto-commit goes with generation 1: refused, and nothing of it is applied.
    await waitFor("a's auto-commit timer", () => (timersA.count(AUTO_COMMIT_INTERVAL_MS) > 0 ? true : undefined), WAIT_MS);
    timersA.fire(AUTO_COMMIT_INTERVAL_MS);
    await waitFor("a's commit to be refused", () => (errorsA.includes("ILLEGAL_GENERATION") ? true : undefined), WAIT_MS);
    expect(await committed(api, "fence-g", "fence")).toEqual([null, null, null, null]);
    // It rejoined as the same member to learn the generation (the answer waits behind the held frames).
    await waitFor("a's rejoin", () => (sockets.sent.filter((s) => s.message.type === "join").length === 2 ? true : undefined), WAIT_MS);
    expect(sockets.sent.filter((s) => s.message.type === "join").map((s) => s.message.memberId)).toEqual(["a-zombie", "a-zombie"]);

    sockets.release();
    await waitForPartitions(a, [0, 1]);
    expect(a.generation).toBe(2);
    expect(revokedA).toEqual([{ memberId: "a-zombie", generation: 1, partitions: [2, 3], reason: "rebalance" }]);
    // Its progress on 0 and 1 (owned in generations 1 and 2 both) is committed under 2; that on 2 and 3 never.
    await waitFor("a's next auto-commit", () => (timersA.count(AUTO_COMMIT_INTERVAL_MS) > 0 ? true : undefined), WAIT_MS);
    timersA.fire(AUTO_COMMIT_INTERVAL_MS);
    await waitFor("a's commit", async () => ((await committed(api, "fence-g", "fence"))[1] === 4 ? true : undefined), WAIT_MS);
    expect(await committed(api, "fence-g", "fence")).toEqual([4, 4, null, null]);
    await b.commit();
    expect(await committed(api, "fence-g", "fence")).toEqual([4, 4, 4, 4]);

    // Generation 1 stays fenced over HTTP as well: refused, nothing applied.
    const stale = { offsets: [{ topic: "fence", partition: 2, offset: 1 }], memberId: "a-zombie", generation: 1 };
    const answer = await requestJson<{ error: { code: string } }>("PUT", `${url}/v1/groups/fence-g/offsets`, stale);
    expect([answer.status, answer.body.error.code]).toEqual([409, "ILLEGAL_GENERATION"]);
    expect(await committed(api, "fence-g", "fence")).toEqual([4, 4, 4, 4]);
    // The allowed duplicates: partitions 2 and 3, processed by both while a missed the rebalance (GROUP-12).
    expect(log.duplicates().sort()).toEqual(keys([2, 3], 0, 4).sort());
    await a.stop();
    await b.stop();
  });

  it("after a crash the group resumes from the committed offsets: nothing lost, only what came after the last commit again", async () => {
    const { api } = rig.server;
    await api.createTopic("resume", 2);
    await produceEach(api, "resume", [0, 1], 10);
    const log = processedLog();
    const timersA = manualTimers();
    const clientA = rig.client();
    const a = clientA.consumer({ group: "resume-g", topic: "resume", memberId: "a-crash", reset: "earliest", timers: timersA });
    await a.run({ eachRecord: log.by("a") });
    await log.waitForDistinct(20);
    await waitFor("a's auto-commit timer", () => (timersA.count(AUTO_COMMIT_INTERVAL_MS) > 0 ? true : undefined), WAIT_MS);
    timersA.fire(AUTO_COMMIT_INTERVAL_MS);
    await waitFor("a's commit", async () => ((await committed(api, "resume-g", "resume")).join() === "10,10" ? true : undefined), WAIT_MS);
    await produceEach(api, "resume", [0, 1], 5);
    await log.waitForDistinct(30);

    // A crash: the client goes away without a commit; its sockets close and the server removes it.
    clientA.close();
    expect(a.assignment.partitions).toEqual([]);
    const b = rig.client().consumer({ group: "resume-g", topic: "resume", memberId: "b-after", reset: "earliest" });
    await b.run({ eachRecord: log.by("b") });
    await waitForPartitions(b, [0, 1]);
    await waitFor("b to catch up", () => (log.entries.filter((e) => e.by === "b").length >= 10 ? true : undefined), WAIT_MS);
    await produceEach(api, "resume", [0, 1], 5);
    await log.waitForDistinct(40);
    for (const p of [0, 1]) expect(log.offsets(p)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // At-least-once: exactly the offsets a processed after its last commit, 10 to 14, came twice.
    expect(log.duplicates().sort()).toEqual(keys([0, 1], 10, 15).sort());
    await b.stop();
  });

  it("a session that expires (close 4408) loses its partitions; the member rejoins as itself and goes on from the committed offsets", async () => {
    const { api } = rig.server;
    await api.createTopic("expire", 2);
    const log = processedLog();
    const sockets = controlledSockets();
    const revoked: RevokeChange[] = [];
    const a = rig
      .client({ WebSocket: sockets.WebSocket })
      .consumer({ group: "expire-g", topic: "expire", memberId: "a-expire", sessionTimeoutMs: 1_000, reset: "earliest" });
    await a.run({ eachRecord: log.by("a"), onRevoke: (change) => void revoked.push(change) });
    await produceEach(api, "expire", [0, 1], 3);
    await log.waitForDistinct(6);
    await a.commit();
    const generation = a.generation;

    // Its pings stop reaching the server (they are answered here): the session expires.
    sockets.silenceGroupPings(true);
    const isGroupClose = (c: { url: string; code: number }): boolean => c.url.includes("/v1/groups/") && c.code === 4408;
    await waitFor("the group socket to close with 4408", () => (sockets.closes.some(isGroupClose) ? true : undefined), WAIT_MS);
    sockets.silenceGroupPings(false);
    await waitFor("a to rejoin", () => (a.generation > generation && a.assignment.partitions.length === 2 ? true : undefined), WAIT_MS);
    expect(a.memberId).toBe("a-expire");
    expect(revoked).toContainEqual({ memberId: "a-expire", generation, partitions: [0, 1], reason: "lost" });
    await produceEach(api, "expire", [0, 1], 2);
    await log.waitForDistinct(10);
    expect(log.duplicates()).toEqual([]);
    await a.stop();
  });
});
