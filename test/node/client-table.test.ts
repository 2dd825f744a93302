/**
 * client.table's rules and storage through fake-indexeddb: the pure start/apply/swap rules
 * (table-plan.ts); a table driven by a scripted link (the server's messages played by the test:
 * a first build from `latest-per-key` swapped in only when live, per-key changes with their
 * previous values, a `reset` rebuilt behind the old view, readers on another connection never
 * seeing half a table, a reload reading the stored view with no server); two writers on one
 * database; and against the real worker (Miniflare), on a topic that is not compacted, where the
 * server refuses `latest-per-key` (TABLE-2): the table falls back to an "earliest" rebuild and
 * converges on the latest value per key.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-table.test.ts
 */
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { TABLES_OPEN_MAX } from "../../client/local-limits.ts";
import type { JsonValue } from "../../client/protocol/index.ts";
import { TableViewStore } from "../../client/react/table-view-store.ts";
import type { Table } from "../../client/table/table.ts";
import type { TableChange } from "../../client/table/table-change.ts";
import { planApply, planSwap, planTableStart } from "../../client/table/table-plan.ts";
import type { StoredTablePartition } from "../../client/table/table-rows.ts";
import { openTableStore } from "../../client/table/table-store.ts";
import { testRig, WAIT_MS } from "./client-harness.ts";
import { entries, hello, record, scriptedTable, stores } from "./table-harness.ts";
import { waitFor } from "./waits.ts";

function stored(view: Partial<StoredTablePartition["view"]>, building: StoredTablePartition["building"] = null): StoredTablePartition {
  return { topic: "t", partition: 0, view: { generation: 1, next: 10, size: 1, topicId: "id-1", ...view }, building };
}

describe("table-plan", () => {
  it("starts a rebuild with nothing stored, resumes a rebuild first, then the view, and rebuilds a view it cannot resume", () => {
    expect(planTableStart(undefined, hello())).toEqual({ kind: "rebuild" });
    const building = { generation: 2, next: 5, size: 0, topicId: "id-1" };
    expect(planTableStart(stored({}, building), hello())).toEqual({ kind: "resume", target: { kind: "building", generation: 2 }, next: 5 });
    expect(planTableStart(stored({}), hello())).toEqual({ kind: "resume", target: { kind: "view" }, next: 10 });
    // Another incarnation, records lost to retention, a log shorter than the position: rebuild.
    expect(planTableStart(stored({}), hello({ topicId: "id-2" }))).toEqual({ kind: "rebuild" });
    expect(planTableStart(stored({}), hello({ logStartOffset: 11 }))).toEqual({ kind: "rebuild" });
    expect(planTableStart(stored({}), hello({ highWatermark: 9 }))).toEqual({ kind: "rebuild" });
    expect(planTableStart(stored({ next: null }), hello())).toEqual({ kind: "rebuild" });
  });

  it("applies from the writer's offset, or from a stored one ahead of it, and never across a hole", () => {
    const view = { kind: "view" } as const;
    expect(planApply(stored({ next: 10 }), view, 10)).toEqual({ kind: "apply", from: 10 });
    expect(planApply(stored({ next: 14 }), view, 10)).toEqual({ kind: "apply", from: 14 });
    expect(planApply(stored({ next: 8 }), view, 10).kind).toBe("moved");
    expect(planApply(undefined, view, 10).kind).toBe("moved");
    const building = { generation: 3, next: null, size: 0, topicId: "id-1" };
    expect(planApply(stored({}, building), { kind: "building", generation: 3 }, null)).toEqual({ kind: "apply", from: null });
    expect(planApply(stored({}, building), { kind: "building", generation: 2 }, null).kind).toBe("moved");
    expect(planApply(stored({}, { ...building, next: 4 }), { kind: "building", generation: 3 }, null)).toEqual({ kind: "apply", from: 4 });
    expect(planApply(stored({}, building), { kind: "building", generation: 3 }, 4).kind).toBe("moved");
  });

  it("swaps a rebuild stored at least as far as the writer, and knows one swapped by another", () => {
    const building = { generation: 3, next: 20, size: 2, topicId: "id-1" };
    expect(planSwap(stored({}, building), 3, 20)).toEqual({ kind: "swap" });
    expect(planSwap(stored({}, building), 3, 15)).toEqual({ kind: "swap" });
    expect(planSwap(stored({}, building), 3, 25).kind).toBe("moved");
    expect(planSwap(stored({ generation: 3 }), 3, 20)).toEqual({ kind: "already" });
    expect(planSwap(stored({}, { ...building, generation: 4 }), 3, 20).kind).toBe("moved");
  });
});

describe("a table over a scripted link", () => {
  it("builds from latest-per-key behind an empty view, swaps it in when live, then applies changes with their previous values", async () => {
    const t = scriptedTable("table-build");
    const link = await t.link(0);
    expect(await link.hello()).toEqual({ from: "latest-per-key" });
    // The log ends at 10: offset 9 was compacted away, so the view resumes from 10, not 9.
    await link.subscribed(0, true, 10);
    await link.records([record(2, "a", 1), record(5, "b", 2), record(7, null, "keyless"), record(8, "c", 3)]);
    // Another connection (an offline tab) sees nothing of the rebuild before it is live.
    const reader = await openTableStore("table-build");
    stores.push(reader);
    expect(await reader.size("t")).toBe(0);
    expect(await reader.get("t", "a")).toBeUndefined();
    expect(t.table.live).toBe(false);
    link.live();
    await t.table.whenLive();
    expect(await reader.get("t", "a")).toEqual({ value: 1, offset: 2, partition: 0 });
    expect(await t.table.size()).toBe(3);
    expect(t.resets).toEqual([{ partition: 0, size: 3 }]);
    expect(t.changes).toEqual([]);

    expect(await link.hello()).toEqual({ from: { offset: 10 } });
    await link.subscribed(10);
    await link.records([record(10, "a", 10), record(11, "b", null), record(12, "zz", null), record(13, "a", 11)]);
    expect(t.changes).toEqual([
      { key: "a", value: 10, previous: 1, offset: 10, partition: 0 },
      { key: "b", value: null, previous: 2, offset: 11, partition: 0 },
      { key: "a", value: 11, previous: 10, offset: 13, partition: 0 },
    ]);
    expect(await entries(t.table)).toEqual([
      ["a", 11],
      ["c", 3],
    ]);
    expect(await t.table.size()).toBe(2);
    // A reconnect resumes the view from one past the last record; records below it are skipped.
    expect(await link.hello()).toEqual({ from: { offset: 14 } });
    await link.subscribed(14);
    await link.records([record(13, "a", 99), record(14, "d", 4)]);
    expect(await t.table.get("a")).toBe(11);
    expect(await t.table.get("d")).toBe(4);
  });

  it("rebuilds on reset behind the old view, which readers keep until live, and forgets keys the new view lacks", async () => {
    const t = scriptedTable("table-reset");
    const link = await t.link(0);
    await link.hello();
    await link.subscribed(0, true, 3);
    await link.records([record(0, "a", 1), record(1, "b", 2), record(2, "gone", 3)]);
    link.live();
    await t.table.whenLive();
    // Offline, the server compacts past offset 3 and removes the tombstone of "gone": it says reset.
    expect(await link.hello()).toEqual({ from: { offset: 3 } });
    await link.subscribed(0, true, 7, 5);
    await link.records([record(1, "b", 2), record(6, "a", 5)]);
    expect(await entries(t.table)).toEqual([
      ["a", 1],
      ["b", 2],
      ["gone", 3],
    ]);
    expect(t.table.live).toBe(false);
    link.live();
    await t.table.whenLive();
    expect(await entries(t.table)).toEqual([
      ["a", 5],
      ["b", 2],
    ]);
    expect(t.resets.map((reset) => reset.size)).toEqual([3, 2]);
    // The view resumes telling the server the cleanedTombstonesBelow it saw (not reset again for it).
    expect(await link.hello()).toEqual({ from: { offset: 7 }, cleaned: 5 });
    // An interrupted rebuild resumes where its stored part ends.
    await link.subscribed(0, true, 9, 6);
    await link.records([record(6, "a", 5)]);
    expect(await link.hello()).toEqual({ from: { offset: 7 }, cleaned: 6 });
  });

  it("reads the stored view after a reload, with no server at all", async () => {
    const first = scriptedTable("table-reload");
    const link = await first.link(0);
    await link.hello();
    await link.subscribed(0, true, 2);
    await link.records([record(0, "a", { price: 3 }), record(1, "b", { price: 4 })]);
    link.live();
    await first.table.whenLive();
    first.table.close();
    const again = scriptedTable("table-reload");
    expect(await again.table.get("a")).toEqual({ price: 3 });
    expect(await again.table.size()).toBe(2);
    expect((await again.link(0)).starts).toEqual([]);
  });

  it("refuses a page whose offsets do not rise (nothing of it stored) and starts over from what is stored", async () => {
    const t = scriptedTable("table-bad-page");
    const link = await t.link(0);
    await link.hello();
    await link.subscribed(0, true, 3);
    await link.records([record(0, "a", 1)]);
    await link.records([record(2, "b", 2), record(1, "c", 3)]);
    expect(t.errors).toEqual([expect.objectContaining({ code: "CACHE_FAILED" })]);
    const again = await t.link(1);
    expect(link.closed).toBe(true);
    // The rebuild goes on from its stored part: offset 1, nothing of the refused page.
    expect(await again.hello({ highWatermark: 3 })).toEqual({ from: { offset: 1 } });
  });

  it("a writer whose rebuild another writer replaced starts over from what is stored", async () => {
    const one = scriptedTable("table-two");
    const two = scriptedTable("table-two");
    const a = await one.link(0);
    const b = await two.link(0);
    await a.hello();
    await a.subscribed(0, true, 2);
    await a.records([record(0, "a", 1)]);
    await b.hello({ highWatermark: 5 });
    await b.subscribed(0, true, 2);
    // b's reset dropped a's rebuild: a's next page finds it gone, and a makes a new link.
    await a.records([record(1, "b", 2)]);
    const again = await one.link(1);
    expect(a.closed).toBe(true);
    await b.records([record(0, "a", 1), record(1, "b", 2)]);
    expect(await again.hello()).toEqual({ from: { offset: 2 } });
    b.live();
    await two.table.whenLive();
    expect(await entries(one.table)).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
  });
});

describe("a table against the worker", () => {
  const rig = testRig();

  it("falls back to an earliest rebuild where the server refuses latest-per-key, and converges on the latest value per key", async () => {
    const { api } = rig.server;
    await api.createTopic("prices", 1);
    const client = rig.client({ cache: "indexeddb", dbName: "table-worker", tabs: false });
    const errors: string[] = [];
    client.onError((error) => errors.push(`${error.code}: ${error.message}`));
    await client.produce("prices", { key: "apple", value: 1 });
    await client.produce("prices", { key: "pear", value: 2 });
    await client.produce("prices", { key: "apple", value: 3 });
    await client.produce("prices", { key: "pear", value: null });
    const prices = client.table<number>("prices");
    await prices.whenLive();
    expect(await entries(prices as Table<JsonValue>)).toEqual([["apple", 3]]);
    const changes: TableChange<number>[] = [];
    prices.onChange((change) => changes.push(change));
    await client.produce("prices", { key: "fig", value: 7 });
    await waitFor("the live change", () => (changes.length > 0 ? changes : undefined), WAIT_MS, 20);
    expect(changes).toEqual([{ key: "fig", value: 7, previous: null, offset: 4, partition: 0 }]);
    // The refused latest-per-key is expected of this server, not reported.
    expect(errors).toEqual([]);
    client.close();
    // A reload, offline: the stored view answers.
    const offline = rig.client({
      cache: "indexeddb",
      dbName: "table-worker",
      tabs: false,
      fetch: async () => Promise.reject(new TypeError("offline")),
    });
    const again = offline.table<number>("prices");
    expect(await again.get("fig")).toBe(7);
    expect(await again.size()).toBe(2);
  });

  it("refuses a table without IndexedDB, and one past TABLES_OPEN_MAX", async () => {
    const memory = rig.client({ cache: "memory" });
    expect(() => memory.table("prices")).toThrow(expect.objectContaining({ code: "INVALID_USE" }));
    const client = rig.client({
      cache: "indexeddb",
      dbName: "table-many",
      tabs: false,
      fetch: async () => Promise.reject(new TypeError("offline")),
    });
    const open = Array.from({ length: TABLES_OPEN_MAX }, (_, i) => client.table(`t${i}`));
    expect(() => client.table("one-more")).toThrow(expect.objectContaining({ code: "INVALID_USE" }));
    open[0]?.close();
    client.table("one-more").close();
    for (const table of open) table.close();
  });

  it("feeds the table hooks' store: a watched key and a list follow the table, each slice replaced only when it changes", async () => {
    const { api } = rig.server;
    await api.createTopic("stock", 2);
    const client = rig.client({ cache: "indexeddb", dbName: "table-hooks", tabs: false });
    await client.produce("stock", { key: "nut", value: 1 });
    await client.produce("stock", { key: "bolt", value: 2 });
    const store = new TableViewStore(client, "stock");
    let renders = 0;
    store.listen(() => renders++);
    const unwatchKey = store.watchKey("nut");
    const unwatchList = store.watchList(10);
    expect(store.keyState("nut").loading).toBe(true);
    await waitFor("the list to show both keys", () => (store.listState(10).size === 2 ? true : undefined), WAIT_MS, 20);
    expect(store.keyState("nut")).toEqual({ value: 1, loading: false, error: null });
    const before = store.keyState("nut");
    await client.produce("stock", { key: "bolt", value: 3 });
    await waitFor(
      "bolt's new value in the list",
      () => (store.listState(10).entries.some(([k, v]) => k === "bolt" && v === 3) ? true : undefined),
      WAIT_MS,
      20,
    );
    expect(store.keyState("nut")).toBe(before);
    await client.produce("stock", { key: "nut", value: null });
    await waitFor("nut deleted", () => (store.keyState("nut").value === undefined ? true : undefined), WAIT_MS, 20);
    await waitFor("the list without nut", () => (store.listState(10).size === 1 ? true : undefined), WAIT_MS, 20);
    expect(renders).toBeGreaterThan(0);
    expect(() => store.watchList(5_000)).toThrow(/limit/);
    unwatchKey();
    unwatchList();
    expect(store.keyState("nut").loading).toBe(true);
    store.close();
  });
});
