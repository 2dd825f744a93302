/**
 * A topic deleted and created again under a client that cached it (decision D10), against the
 * real worker under Miniflare and fake-indexeddb: the cache and named positions are keyed by the
 * topic id `hello` carries, so a new incarnation is told from the old one even when it grew past
 * what the client stored. The client reports CACHE_STALE, drops the old records and positions,
 * and applies `from` again: nothing of the new topic is skipped, and the cache never mixes the
 * two logs (an offline replay afterwards holds only the new one).
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-recreate.test.ts
 */
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import type { ClientError, EdgelogClient, SubscribeOptions, TopicRecord } from "../../client/index.ts";
import { collect, testRig, WAIT_MS, waitForStatus } from "./client-harness.ts";
import { waitFor } from "./runtime.ts";

const rig = testRig();

function client(dbName: string): { client: EdgelogClient; errors: ClientError[] } {
  const made = rig.client({ cache: "indexeddb", dbName, tabs: false });
  const errors: ClientError[] = [];
  made.onError((error) => errors.push(error));
  return { client: made, errors };
}

function values(prefix: string, count: number): { value: string }[] {
  return Array.from({ length: count }, (_, i) => ({ value: `${prefix}-${i}` }));
}

/** Creates the topic with `count` records of `prefix`, deleting it first when it exists. */
async function freshTopic(topic: string, prefix: string, count: number): Promise<void> {
  await rig.server.api.deleteTopic(topic).catch(() => undefined);
  await rig.server.api.createTopic(topic, 1);
  await rig.server.api.produce(topic, { records: values(prefix, count) });
}

/** Subscribes, reads `count` records, and closes the client (the cache and positions stay). */
async function readAndLeave(dbName: string, topic: string, options: SubscribeOptions, count: number): Promise<void> {
  const { client: c } = client(dbName);
  const got = collect();
  c.subscribe(topic, options, got.callback);
  await got.waitForCount(count);
  await waitForStatus(c, "live");
  c.close();
}

describe("a topic deleted and created again", () => {
  it("is told apart by its topic id though it grew past a named position: CACHE_STALE, then all of it", async () => {
    await freshTopic("renamed-feed", "old", 5);
    await readAndLeave("recreate-named", "renamed-feed", { name: "feed", from: "earliest" }, 5);
    // The new topic has more records than the stored position (5): offsets alone cannot tell.
    await freshTopic("renamed-feed", "new", 8);

    const { client: c, errors } = client("recreate-named");
    const log: string[] = [];
    c.onError((error) => log.push(error.code));
    c.subscribe("renamed-feed", { name: "feed", from: "earliest" }, (record: TopicRecord) => {
      log.push(String(record.value));
    });
    await waitFor("the new topic's 8 records", () => (log.filter((e) => e.startsWith("new-")).length >= 8 ? true : undefined), WAIT_MS);
    expect(errors.map((e) => e.code)).toContain("CACHE_STALE");
    const stale = log.indexOf("CACHE_STALE");
    expect(log.slice(stale + 1)).toEqual(values("new", 8).map((v) => v.value));
  });

  it("never mixes the two logs in the cache: an offline replay afterwards holds only the new one", async () => {
    await freshTopic("recreated", "old", 5);
    await readAndLeave("recreate-mixed", "recreated", { from: "earliest" }, 5);
    await freshTopic("recreated", "new", 8);

    // Online: the replay of the old records is followed by CACHE_STALE and the new topic whole.
    const { client: online, errors } = client("recreate-mixed");
    const seen = collect();
    online.subscribe("recreated", { from: "earliest" }, seen.callback);
    await waitFor(
      "the new records",
      () => (seen.records.filter((r) => String(r.value).startsWith("new-")).length >= 8 ? true : undefined),
      WAIT_MS,
    );
    await waitForStatus(online, "live");
    expect(errors.map((e) => e.code)).toContain("CACHE_STALE");
    online.close();

    await rig.server.stop();
    const { client: offline } = client("recreate-mixed");
    const replayed = collect();
    offline.subscribe("recreated", { from: "earliest" }, replayed.callback);
    await replayed.waitForCount(8);
    await waitForStatus(offline, "offline");
    expect(replayed.records.map((r) => [r.offset, r.value])).toEqual(values("new", 8).map((v, i) => [i, v.value]));
  });
});
