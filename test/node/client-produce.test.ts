/**
 * Producing with the browser client against the real worker (Miniflare on 127.0.0.1), with
 * fake-indexeddb for the persistent outbox: Kafka's partitioner and batching, validation at
 * enqueue, exactly-once delivery across a lost answer and across a reload (checked on the
 * server: each record exactly once), a bounded outbox, group commits over the socket, and the
 * status of a client that only produces.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-produce.test.ts
 */
import "fake-indexeddb/auto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type ClientEnvironment,
  type ClientOptions,
  createClient,
  type EdgelogClient,
  errorCode,
  type FetchFunction,
  OUTBOX_RECORDS_MAX,
  RECORD_BYTES_MAX,
} from "../../client/index.ts";
import type { FetchedRecord, JsonValue } from "../../client/protocol/index.ts";
import { partitionForKey } from "../../client/protocol/index.ts";
import {
  collect,
  losingFetch,
  NodeWebSocket,
  offlineFetch,
  spyWebSocket,
  startServer,
  type TestServer,
  WAIT_MS,
  waitForStatus,
} from "./client-harness.ts";
import { waitFor } from "./runtime.ts";

let server: TestServer;
const clients: EdgelogClient[] = [];

beforeAll(async () => {
  server = await startServer();
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

afterAll(async () => {
  await server?.dispose();
});

function client(options: Partial<ClientOptions> = {}): EdgelogClient {
  const made = createClient({ url: server.url, cache: "memory", WebSocket: NodeWebSocket, heartbeatIntervalMs: 1_000, ...options });
  clients.push(made);
  return made;
}

/** Every record of a topic on the server, all partitions. */
async function serverLog(topic: string): Promise<(FetchedRecord & { partition: number })[]> {
  const description = await server.api.describeTopic(topic);
  const all: (FetchedRecord & { partition: number })[] = [];
  for (const { partition } of description.partitions) {
    const { records } = await server.api.readAll(topic, partition);
    all.push(...records.map((r) => ({ ...r, partition })));
  }
  return all;
}

/** Each of `expected` values is on the server exactly once (and nothing else is). */
async function expectEachOnce(topic: string, expected: JsonValue[]): Promise<void> {
  const values = (await serverLog(topic)).map((r) => JSON.stringify(r.value)).sort();
  expect(values).toEqual(expected.map((v) => JSON.stringify(v)).sort());
}

/** A fetch that counts produce requests. */
function countingFetch(): { fetch: FetchFunction; posts: () => number } {
  let posts = 0;
  return {
    fetch: (url, init) => {
      if (init.method === "POST") posts++;
      return fetch(url, init);
    },
    posts: () => posts,
  };
}

describe("produce", () => {
  it("places keyed records with Kafka's partitioner and batches what lingers together", async () => {
    await server.api.createTopic("placed", 4);
    const counting = countingFetch();
    const c = client({ fetch: counting.fetch });
    const keys = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    const positions = await Promise.all(keys.map((key, i) => c.produce("placed", { key, value: i })));
    for (const [i, position] of positions.entries()) expect(position.partition).toBe(partitionForKey(keys[i]!, 4));
    // One request per partition: the 40 records lingered into one pass.
    expect(counting.posts()).toBeLessThanOrEqual(4);
    const log = await serverLog("placed");
    for (const [i, position] of positions.entries()) {
      expect(log.filter((r) => r.partition === position.partition && r.offset === position.offset).map((r) => r.value)).toEqual([i]);
    }
    // Keyless records of one batch stick to one partition.
    const keyless = await Promise.all(Array.from({ length: 10 }, (_, i) => c.produce("placed", { value: { keyless: i } })));
    expect(new Set(keyless.map((p) => p.partition)).size).toBe(1);
    expect(await c.outbox()).toEqual([]);
  });

  it("refuses a bad record at once, before it reaches the outbox", async () => {
    await server.api.createTopic("checked", 2);
    const c = client();
    await c.produce("checked", { value: "warm the metadata" });
    const refusals = [
      c.produce("checked", { value: undefined as unknown as JsonValue }),
      c.produce("checked", { value: 1, headers: { n: 2 as unknown as string } }),
      c.produce("checked", { value: "x".repeat(RECORD_BYTES_MAX) }),
      c.produce("no/such topic", { value: 1 }),
      c.produce("checked", { value: 1, partition: 5 }),
    ];
    const codes = await Promise.all(
      refusals.map((p) =>
        p.then(
          () => "resolved",
          (error: unknown) => errorCode(error),
        ),
      ),
    );
    expect(codes).toEqual(["INVALID_RECORD", "INVALID_RECORD", "RECORD_TOO_LARGE", "INVALID_TOPIC_NAME", "UNKNOWN_PARTITION"]);
    expect(await c.outbox()).toEqual([]);
  });

  it("retries a batch whose answer was lost, and the server appends it once", async () => {
    await server.api.createTopic("lost", 2);
    const lossy = losingFetch(1);
    const c = client({ fetch: lossy.fetch });
    const values = Array.from({ length: 8 }, (_, i) => ({ lost: i }));
    const positions = await Promise.all(values.map((value, i) => c.produce("lost", { key: `k${i % 3}`, value })));
    expect(lossy.lost()).toBe(1);
    expect(lossy.produced()).toBeGreaterThan(1);
    await expectEachOnce("lost", values);
    const log = await serverLog("lost");
    positions.forEach((position, i) => {
      expect(log.find((r) => r.partition === position.partition && r.offset === position.offset)?.value).toEqual(values[i]);
    });
  });

  it("keeps the outbox when a flush fails for the network, and the next flush delivers it once", async () => {
    await server.api.createTopic("flaky", 1);
    let mode: "lose" | "up" = "lose";
    const c = client({
      fetch: async (url, init) => {
        const response = await fetch(url, init);
        if (mode === "up" || init.method !== "POST") return response;
        await response.text();
        throw new TypeError("fetch failed (simulated: the answer was lost)");
      },
    });
    const values = Array.from({ length: 5 }, (_, i) => ({ flaky: i }));
    const queued = await Promise.all(values.map((value) => c.enqueue("flaky", { value })));
    const failed = await c.flush().then(
      () => null,
      (error: unknown) => error,
    );
    expect(errorCode(failed)).toBe("NETWORK");
    const waiting = await c.outbox();
    expect(waiting.map((r) => r.value)).toEqual(values);
    expect(waiting.every((r) => r.sent && r.partition === 0)).toBe(true);
    mode = "up";
    await c.flush();
    expect(await c.outbox()).toEqual([]);
    const delivered = await Promise.all(queued.map((q) => q.delivered));
    expect(delivered.map((p) => p.offset)).toEqual([0, 1, 2, 3, 4]);
    await expectEachOnce("flaky", values);
  });

  it("flushes a reloaded page's outbox exactly once: never sent, and sent with the answer lost", async () => {
    await server.api.createTopic("reload", 3);
    // Page 1 was offline the whole time: its records never left, their partitions not even chosen.
    const offline = client({ cache: "indexeddb", dbName: "reload-offline", fetch: offlineFetch });
    const neverSent = Array.from({ length: 6 }, (_, i) => ({ neverSent: i }));
    for (const [i, value] of neverSent.entries()) await offline.enqueue("reload", i % 2 === 0 ? { key: `k${i}`, value } : { value });
    await waitForStatus(offline, "offline");
    expect((await offline.outbox()).map((r) => r.partition)).toEqual([null, null, null, null, null, null]);
    offline.close();

    // Page 2 sent its batches, but every answer was lost before the reload.
    const lossy = losingFetch(Number.POSITIVE_INFINITY);
    const unlucky = client({ cache: "indexeddb", dbName: "reload-lost", fetch: lossy.fetch });
    const answerLost = Array.from({ length: 6 }, (_, i) => ({ answerLost: i }));
    for (const [i, value] of answerLost.entries()) await unlucky.enqueue("reload", { key: `k${i}`, value });
    await waitFor("the batches to reach the server", async () => ((await serverLog("reload")).length === 6 ? true : undefined), WAIT_MS);
    unlucky.close();

    const answers: Record<string, string[]> = {};
    for (const dbName of ["reload-offline", "reload-lost"]) {
      const seen: string[] = [];
      answers[dbName] = seen;
      const reloaded = client({
        cache: "indexeddb",
        dbName,
        fetch: async (url, init) => {
          const response = await fetch(url, init);
          if (init.method === "POST") seen.push(await response.clone().text());
          return response;
        },
      });
      await waitFor(`${dbName}'s outbox to be sent`, async () => ((await reloaded.outbox()).length === 0 ? true : undefined), WAIT_MS);
      await reloaded.flush();
    }
    await expectEachOnce("reload", [...neverSent, ...answerLost]);
    // The retried batches were recognised, not appended again.
    expect(answers["reload-lost"]!.length).toBeGreaterThan(0);
    expect(answers["reload-lost"]!.every((text) => JSON.parse(text).duplicate === true)).toBe(true);
    expect(answers["reload-offline"]!.some((text) => JSON.parse(text).duplicate === true)).toBe(false);
  });

  it("bounds the outbox: past OUTBOX_RECORDS_MAX a record is refused with OUTBOX_FULL", async () => {
    const c = client({ fetch: offlineFetch });
    for (let i = 0; i < OUTBOX_RECORDS_MAX; i++) await c.enqueue("full", { value: i });
    const refused = await c.enqueue("full", { value: "one too many" }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(errorCode(refused)).toBe("OUTBOX_FULL");
    expect((await c.outbox()).length).toBe(OUTBOX_RECORDS_MAX);
  });

  it("commits over the socket, and another client resumes the group after the commit", async () => {
    await server.api.createTopic("commits", 1);
    await server.api.produce("commits", { records: Array.from({ length: 10 }, (_, i) => ({ value: i })) });
    const spy = spyWebSocket();
    const first = client({ WebSocket: spy.WebSocket });
    const got = collect();
    const sub = first.subscribe("commits", { group: "g1" }, got.callback);
    await got.waitForCount(10);
    await waitForStatus(first, "live");
    await first.commit("g1", "commits", 0, 6);
    expect(spy.sent.filter((m) => m.type === "commit")).toEqual([expect.objectContaining({ group: "g1", offset: 6 })]);
    expect((await server.api.groupOffsets("g1", "commits")).partitions[0]?.committedOffset).toBe(6);
    sub.close();

    const second = client();
    const resumed = collect();
    second.subscribe("commits", { group: "g1", from: "committed" }, resumed.callback);
    await resumed.waitForCount(4);
    await waitForStatus(second, "live");
    expect(resumed.offsets(0)).toEqual([6, 7, 8, 9]);
    // sub.commit() commits what the subscription delivered (over HTTP when no socket is open).
    const third = client();
    const all = collect();
    const whole = third.subscribe("commits", { group: "g2", from: "earliest" }, all.callback);
    await all.waitForCount(10);
    await whole.commit();
    expect((await server.api.groupOffsets("g2", "commits")).partitions[0]?.committedOffset).toBe(10);
    await third.commit("g3", "commits", 0, 3);
    expect((await server.api.groupOffsets("g3", "commits")).partitions[0]?.committedOffset).toBe(3);
  });

  it("shows a producing client offline, and live once the network is back", async () => {
    await server.api.createTopic("network", 1);
    let online = false;
    let hear: ((event: "online" | "offline" | "visible") => void) | null = null;
    const environment: ClientEnvironment = {
      watch: (on) => {
        hear = on;
        return () => undefined;
      },
      isOnline: () => online,
    };
    // A client that only produces needs no WebSocket.
    const c = client({
      environment,
      WebSocket: undefined,
      fetch: async (url, init) => (online ? fetch(url, init) : offlineFetch(url, init)),
    });
    expect(c.status).toBe("offline");
    const delivered = c.produce("network", { value: "queued offline" });
    online = true;
    hear!("online");
    expect((await delivered).offset).toBe(0);
    await waitForStatus(c, "live");
  });
});
