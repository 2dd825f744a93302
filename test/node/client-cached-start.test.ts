/**
 * Where a subscription starts from the cache (decision D15), against the real worker under
 * Miniflare and fake-indexeddb: `from: "cached"` (client-only, never sent) replays every cached
 * record of a partition from the cached run's low end and then resumes at the server from the
 * run's end, and with nothing cached behaves as "earliest"; a `name` is this database's cursor,
 * shared by its tabs, so a second subscription with the same name resumes where the first left
 * off rather than showing history.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-cached-start.test.ts
 */
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import type { EdgelogClient, WebSocketClass } from "../../client/index.ts";
import { collect, NodeWebSocket, spyWebSocket, testRig, waitForStatus } from "./client-harness.ts";

const rig = testRig();

function client(dbName: string | null, WebSocket: WebSocketClass = NodeWebSocket): EdgelogClient {
  return rig.client({ ...(dbName === null ? {} : { cache: "indexeddb" as const, dbName }), WebSocket, tabs: false });
}

function values(from: number, to: number): { value: number }[] {
  return Array.from({ length: to - from }, (_, i) => ({ value: from + i }));
}

describe("from: cached", () => {
  it("replays every cached record, though the run began mid-log, then resumes at the server from its end", async () => {
    await rig.server.api.createTopic("cached-mid", 1);
    await rig.server.api.produce("cached-mid", { records: values(0, 6) });
    // The cache holds 3..5 only: a run that does not begin at the log's start.
    const first = client("cached-mid-db");
    const before = collect();
    first.subscribe("cached-mid", { from: { offset: 3 } }, before.callback);
    await before.waitForCount(3);
    await waitForStatus(first, "live");
    first.close();
    await rig.server.api.produce("cached-mid", { records: values(6, 9) });

    const spy = spyWebSocket();
    const second = client("cached-mid-db", spy.WebSocket);
    const got = collect();
    second.subscribe("cached-mid", { from: "cached" }, got.callback);
    await got.waitForCount(6);
    await waitForStatus(second, "live");
    expect(got.offsets(0)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(spy.sent.filter((m) => m.type === "subscribe").map((m) => m.from)).toEqual([{ offset: 6 }]);
  });

  it("behaves as earliest with nothing cached, and says earliest on the wire", async () => {
    await rig.server.api.createTopic("cached-empty", 1);
    await rig.server.api.produce("cached-empty", { records: values(0, 4) });
    const spy = spyWebSocket();
    const c = client(null, spy.WebSocket);
    const got = collect();
    c.subscribe("cached-empty", { from: "cached" }, got.callback);
    await got.waitForCount(4);
    expect(got.offsets(0)).toEqual([0, 1, 2, 3]);
    expect(spy.sent.filter((m) => m.type === "subscribe").map((m) => m.from)).toEqual(["earliest"]);
  });
});

describe("a named subscription", () => {
  it("is this database's cursor: the same name resumes where it left off, while cached shows the history", async () => {
    await rig.server.api.createTopic("named-cursor", 1);
    await rig.server.api.produce("named-cursor", { records: values(0, 5) });
    const first = client("named-cursor-db");
    const once = collect();
    first.subscribe("named-cursor", { name: "notifier", from: "earliest" }, once.callback);
    await once.waitForCount(5);
    await waitForStatus(first, "live");
    first.close();
    await rig.server.api.produce("named-cursor", { records: values(5, 7) });

    const second = client("named-cursor-db");
    const resumed = collect();
    second.subscribe("named-cursor", { name: "notifier", from: "earliest" }, resumed.callback);
    const history = collect();
    second.subscribe("named-cursor", { from: "cached" }, history.callback);
    await Promise.all([resumed.waitForCount(2), history.waitForCount(7)]);
    await waitForStatus(second, "live");
    expect(resumed.offsets(0)).toEqual([5, 6]);
    expect(history.offsets(0)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});
