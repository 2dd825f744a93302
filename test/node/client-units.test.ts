/**
 * The browser client's pure parts, alone: the reconnect delay's bounds, the link state machine
 * and the status derived from it, where a subscription starts (cache replay rules), how pages
 * join a cached run, and the iterator's bounded queue.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-units.test.ts
 */

import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { AsyncQueue } from "../../client/async-queue.ts";
import { reconnectCeilingMs, reconnectDelayMs } from "../../client/backoff.ts";
import { planRun } from "../../client/cache/runs.ts";
import type { CachedRun } from "../../client/cache/types.ts";
import { RECONNECT_DELAY_MS_MAX, RECONNECT_DELAY_MS_MIN } from "../../client/local-limits.ts";
import type { FetchedRecord } from "../../client/protocol/index.ts";
import { checkAgainstLog, planStart, wireStart } from "../../client/start-plan.ts";
import {
  CLIENT_STATUSES,
  type ClientStatus,
  canMove,
  canMoveStatus,
  deriveStatus,
  LINK_TRANSITIONS,
  type LinkState,
  move,
  STATUS_TRANSITIONS,
  type StatusInputs,
} from "../../client/status.ts";
import { ROOT } from "./runtime.ts";

function records(from: number, to: number): FetchedRecord[] {
  return Array.from({ length: to - from }, (_, i) => ({ offset: from + i, timestamp: 1, key: null, value: from + i, headers: {} }));
}

describe("reconnect backoff", () => {
  it("stays within [MIN, MAX] for every attempt and draw, and its ceiling only grows", () => {
    const draws = [0, 1e-9, 0.25, 0.5, 0.999999, 1, -1, 2, Number.NaN];
    let previousCeiling = 0;
    for (let attempt = 0; attempt <= 100; attempt++) {
      const ceiling = reconnectCeilingMs(attempt);
      expect(ceiling).toBeGreaterThanOrEqual(previousCeiling);
      expect(ceiling).toBeLessThanOrEqual(RECONNECT_DELAY_MS_MAX);
      previousCeiling = ceiling;
      for (const draw of draws) {
        const delay = reconnectDelayMs(attempt, () => draw);
        expect(delay).toBeGreaterThanOrEqual(RECONNECT_DELAY_MS_MIN);
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(Number.isInteger(delay)).toBe(true);
      }
    }
    expect(reconnectCeilingMs(0)).toBe(RECONNECT_DELAY_MS_MIN);
    expect(reconnectCeilingMs(1_000_000)).toBe(RECONNECT_DELAY_MS_MAX);
    expect(reconnectDelayMs(Number.MAX_SAFE_INTEGER, () => 0.999)).toBeLessThanOrEqual(RECONNECT_DELAY_MS_MAX);
  });

  it("doubles the ceiling per attempt and jitters over the whole range", () => {
    expect(reconnectCeilingMs(1)).toBe(2 * RECONNECT_DELAY_MS_MIN);
    expect(reconnectCeilingMs(3)).toBe(8 * RECONNECT_DELAY_MS_MIN);
    expect(reconnectDelayMs(3, () => 0)).toBe(RECONNECT_DELAY_MS_MIN);
    expect(reconnectDelayMs(3, () => 1)).toBe(8 * RECONNECT_DELAY_MS_MIN);
    const samples = Array.from({ length: 2_000 }, () => reconnectDelayMs(30));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(RECONNECT_DELAY_MS_MIN);
    expect(Math.max(...samples)).toBeLessThanOrEqual(RECONNECT_DELAY_MS_MAX);
    // Full jitter: the draws spread over the range rather than clustering at the ceiling.
    expect(new Set(samples.map((d) => Math.floor(d / 3_000))).size).toBeGreaterThan(5);
  });
});

describe("link state machine", () => {
  const states = Object.keys(LINK_TRANSITIONS) as LinkState[];

  it("allows exactly the moves in the table, and closed is final", () => {
    for (const from of states) {
      for (const to of states) {
        const allowed = from === to || LINK_TRANSITIONS[from].includes(to);
        expect(canMove(from, to)).toBe(allowed);
        if (allowed) expect(move(from, to)).toBe(to);
        else expect(() => move(from, to)).toThrow(/cannot move/);
      }
    }
    expect(LINK_TRANSITIONS.closed).toEqual([]);
    // Every state but closed can close; a link never skips reconnecting.
    for (const from of states.filter((s) => s !== "closed")) expect(canMove(from, "closed")).toBe(true);
    expect(canMove("waiting", "live")).toBe(false);
    expect(canMove("idle", "live")).toBe(false);
  });

  it("derives the client status from its links, the network and HTTP", () => {
    const link = (state: LinkState, failures = 0) => ({ state, failures });
    const status = (links: ReturnType<typeof link>[], online = true, http: StatusInputs["http"] = "unknown") =>
      deriveStatus({ links, online, http, closed: false });
    expect(status([])).toBe("connecting");
    expect(status([], true, "ok")).toBe("live");
    expect(status([], true, "failed")).toBe("offline");
    expect(status([link("idle"), link("connecting")])).toBe("connecting");
    expect(status([link("open"), link("connecting")])).toBe("catching-up");
    expect(status([link("live"), link("catching-up")])).toBe("catching-up");
    expect(status([link("live"), link("live")])).toBe("live");
    expect(status([link("live"), link("closed")])).toBe("live");
    expect(status([link("waiting", 1), link("connecting", 2)])).toBe("offline");
    expect(status([link("waiting", 1), link("connecting", 0)])).toBe("connecting");
    expect(status([link("live"), link("waiting", 3)])).toBe("catching-up");
    expect(status([link("live")], false)).toBe("offline");
    // A subscription resolving its partitions is a connecting link: never live meanwhile.
    expect(status([link("connecting")], true, "ok")).toBe("connecting");
    expect(status([link("live"), link("connecting")], true, "ok")).toBe("catching-up");
    expect(status([link("connecting", 2)], true, "ok")).toBe("offline");
    // Closed wins over everything.
    expect(deriveStatus({ links: [link("live")], online: true, http: "ok", closed: true })).toBe("closed");
  });
});

describe("client status machine", () => {
  it("has a terminal closed that every status reaches, and allows exactly the moves in its table", () => {
    expect(CLIENT_STATUSES).toEqual(Object.keys(STATUS_TRANSITIONS));
    expect(STATUS_TRANSITIONS.closed).toEqual([]);
    for (const from of CLIENT_STATUSES) {
      if (from !== "closed") expect(STATUS_TRANSITIONS[from]).toContain("closed");
      for (const to of CLIENT_STATUSES) {
        expect(canMoveStatus(from, to)).toBe(from === to || STATUS_TRANSITIONS[from].includes(to));
      }
    }
  });

  it("moves through the statuses a client's events give, only along its table", () => {
    const link = (state: LinkState, failures = 0) => ({ state, failures });
    const steps: [string, StatusInputs, ClientStatus][] = [
      ["made", { links: [], online: true, http: "unknown", closed: false }, "connecting"],
      ["subscribed: resolving", { links: [link("connecting")], online: true, http: "ok", closed: false }, "connecting"],
      ["a socket opened", { links: [link("open"), link("connecting")], online: true, http: "ok", closed: false }, "catching-up"],
      ["both live", { links: [link("live"), link("live")], online: true, http: "ok", closed: false }, "live"],
      ["browser offline", { links: [link("live"), link("live")], online: false, http: "ok", closed: false }, "offline"],
      ["sockets failed", { links: [link("waiting", 1), link("waiting", 2)], online: true, http: "ok", closed: false }, "offline"],
      [
        "online: failures count afresh",
        { links: [link("connecting"), link("connecting")], online: true, http: "ok", closed: false },
        "connecting",
      ],
      ["one open", { links: [link("catching-up"), link("connecting")], online: true, http: "ok", closed: false }, "catching-up"],
      ["closed", { links: [], online: true, http: "ok", closed: true }, "closed"],
    ];
    let at: ClientStatus = "connecting";
    for (const [what, inputs, expected] of steps) {
      const next = deriveStatus(inputs);
      expect([what, next]).toEqual([what, expected]);
      expect([what, canMoveStatus(at, next)]).toEqual([what, true]);
      at = next;
    }
  });
});

describe("where a subscription starts", () => {
  const run: CachedRun = { topic: "t", partition: 0, low: 10, high: 20, startsAtLog: true, topicId: "id-1" };
  const at = (next: number, topicId: string | null = "id-1") => ({ next, topicId });

  it("replays the cache from the start offset when it lies in the cached run", () => {
    expect(planStart("earliest", run, undefined)).toEqual({ replayFrom: 10, next: 10, topicId: "id-1" });
    expect(planStart({ offset: 15 }, run, undefined)).toEqual({ replayFrom: 15, next: 15, topicId: "id-1" });
    expect(planStart("earliest", run, at(18))).toEqual({ replayFrom: 18, next: 18, topicId: "id-1" });
    expect(planStart("latest", run, at(12))).toEqual({ replayFrom: 12, next: 12, topicId: "id-1" });
  });

  it("replays every cached record for cached, whether or not the run began at the log", () => {
    expect(planStart("cached", { ...run, startsAtLog: false }, undefined)).toEqual({ replayFrom: 10, next: 10, topicId: "id-1" });
    expect(planStart("cached", undefined, undefined)).toEqual({ replayFrom: null, next: null, topicId: null });
    // A stored position still wins over `from`.
    expect(planStart("cached", run, at(15))).toEqual({ replayFrom: 15, next: 15, topicId: "id-1" });
  });

  it("never replays a run of another incarnation than the stored position's", () => {
    expect(planStart("earliest", run, at(12, "id-0"))).toEqual({ replayFrom: null, next: 12, topicId: "id-0" });
    // Rows of schema version 2 (no topic id) still replay: the first hello checks them.
    expect(planStart("earliest", { ...run, topicId: null }, at(12, null))).toEqual({ replayFrom: 12, next: 12, topicId: null });
    expect(planStart("earliest", run, at(12, null))).toEqual({ replayFrom: 12, next: 12, topicId: "id-1" });
  });

  it("asks the server when the cache cannot answer", () => {
    const none = { replayFrom: null, next: null, topicId: null };
    expect(planStart("earliest", { ...run, startsAtLog: false }, undefined)).toEqual(none);
    expect(planStart("earliest", undefined, undefined)).toEqual(none);
    expect(planStart("latest", run, undefined)).toEqual(none);
    expect(planStart({ timestamp: 5 }, run, undefined)).toEqual(none);
    expect(planStart("committed", run, undefined)).toEqual(none);
    expect(planStart({ offset: 20 }, run, undefined)).toEqual({ replayFrom: null, next: 20, topicId: null });
    expect(planStart({ offset: 3 }, run, undefined)).toEqual({ replayFrom: null, next: 3, topicId: null });
  });

  it("checks the next offset and the topic's incarnation on every hello", () => {
    const log = (logStartOffset: number, highWatermark: number, topicId = "id-1") => ({ logStartOffset, highWatermark, topicId });
    expect(checkAgainstLog(at(15), log(0, 30))).toEqual({ kind: "resume", next: 15 });
    expect(checkAgainstLog(at(30), log(0, 30))).toEqual({ kind: "resume", next: 30 });
    expect(checkAgainstLog(at(3), log(10, 30))).toEqual({ kind: "lost", next: 10, lost: 7 });
    expect(checkAgainstLog(at(31), log(0, 30))).toEqual({ kind: "stale" });
    // Recreated: another topic id, though the new log grew past the stored offset.
    expect(checkAgainstLog(at(15), log(0, 30, "id-2"))).toEqual({ kind: "stale" });
    expect(checkAgainstLog(at(15, null), log(0, 30, "id-2"))).toEqual({ kind: "resume", next: 15 });
  });

  it("says where to subscribe on the wire: never cached, an offset clamped to the log", () => {
    const hello = { logStartOffset: 5, highWatermark: 30 };
    expect(wireStart("cached", {}, hello)).toEqual({ from: "earliest" });
    expect(wireStart({ offset: 99 }, {}, hello)).toEqual({ from: { offset: 30 } });
    expect(wireStart("committed", { group: "g", reset: "earliest" }, hello)).toEqual({ from: "committed", group: "g", reset: "earliest" });
    expect(wireStart({ timestamp: 4 }, {}, hello)).toEqual({ from: { timestamp: 4 } });
  });
});

describe("cached runs", () => {
  const plan = (existing: CachedRun | undefined, page: FetchedRecord[], max = 100, logStartOffset?: number) =>
    planRun(existing, "t", 0, page, logStartOffset === undefined ? {} : { logStartOffset }, max);
  const run = (low: number, high: number, startsAtLog = false): CachedRun => ({
    topic: "t",
    partition: 0,
    low,
    high,
    startsAtLog,
    topicId: null,
  });
  const offsetsOf = (segments: FetchedRecord[][]) => segments.map((segment) => segment.map((r) => r.offset));

  it("starts, extends and merges contiguous pages", () => {
    expect(plan(undefined, records(0, 5), 100, 0).run).toEqual(run(0, 5, true));
    expect(plan(run(0, 5, true), records(5, 8)).run).toEqual(run(0, 8, true));
    expect(plan(run(0, 5, true), records(3, 8)).run).toEqual(run(0, 8, true));
    expect(plan(run(10, 20), records(5, 10), 100, 5).run).toEqual(run(5, 20, true));
    // Only what the cache lacks is written: nothing for a page inside the run, the ends otherwise.
    expect(plan(run(10, 20), records(12, 15)).segments).toEqual([]);
    expect(offsetsOf(plan(run(10, 20), records(8, 23), 100).segments)).toEqual([
      [8, 9],
      [20, 21, 22],
    ]);
    expect(offsetsOf(plan(run(0, 5, true), records(3, 8)).segments)).toEqual([[5, 6, 7]]);
  });

  it("drops the old run for a newer page with a gap, and ignores an older one", () => {
    const newer = plan(run(0, 5), records(9, 12));
    expect(newer.dropAll).toBe(true);
    expect(newer.run).toEqual(run(9, 12));
    const older = plan(run(10, 20), records(0, 5));
    expect(older.run).toBeUndefined();
    expect(older.segments).toEqual([]);
    expect(offsetsOf(newer.segments)).toEqual([[9, 10, 11]]);
  });

  it("evicts the oldest records past the bound", () => {
    const evicted = plan(run(0, 8, true), records(8, 12), 5);
    expect(evicted.run).toEqual(run(7, 12, true));
    expect(evicted.evictBelow).toBe(7);
    const big = plan(undefined, records(0, 12), 5);
    expect(big.run).toEqual(run(7, 12));
    expect(offsetsOf(big.segments)).toEqual([[7, 8, 9, 10, 11]]);
    // A page extending the run downwards past the bound: only the part still kept is written.
    expect(offsetsOf(plan(run(5, 8), records(0, 10), 6).segments)).toEqual([[4], [8, 9]]);
  });

  it("stores only the contiguous prefix of a page", () => {
    const page = [...records(0, 3), ...records(5, 6)];
    expect(plan(undefined, page).run).toEqual(run(0, 3));
  });
});

describe("the iterator's queue", () => {
  it("holds at most its bound: a push waits until a read makes room", async () => {
    const queue = new AsyncQueue<number>(2);
    const pushed: number[] = [];
    const pushes = [1, 2, 3, 4].map((n) => queue.push(n).then(() => pushed.push(n)));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(pushed).toEqual([1, 2]);
    expect(await queue.next()).toEqual({ value: 1, done: false });
    await pushes[2];
    expect(pushed).toEqual([1, 2, 3]);
    queue.close();
    await Promise.all(pushes);
    const rest: number[] = [];
    for await (const n of queue) rest.push(n);
    expect(rest).toEqual([2, 3]);
  });

  it("ends with an error after the items it holds, and then throws it on every read", async () => {
    const queue = new AsyncQueue<number>(10);
    await queue.push(1);
    await queue.push(2);
    const error = new Error("ended");
    queue.fail(error);
    await queue.push(3);
    expect(await queue.next()).toEqual({ value: 1, done: false });
    expect(await queue.next()).toEqual({ value: 2, done: false });
    await expect(queue.next()).rejects.toBe(error);
    await expect(queue.next()).rejects.toBe(error);
    const waiting = new AsyncQueue<number>(10);
    const read = waiting.next();
    waiting.fail(error);
    await expect(read).rejects.toBe(error);
  });

  it("closes what feeds it when a loop breaks early", async () => {
    let closed = 0;
    const queue = new AsyncQueue<number>(10, () => closed++);
    await queue.push(1);
    await queue.push(2);
    for await (const n of queue) if (n === 1) break;
    expect(closed).toBe(1);
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });
});

describe("packaging", () => {
  it("bundles for browsers with no Node built-ins, and the protocol without idb", async () => {
    const bundle = async (entry: string) => {
      const result = await build({
        entryPoints: [join(ROOT, entry)],
        bundle: true,
        write: false,
        format: "esm",
        platform: "browser",
        target: "es2022",
        logLevel: "silent",
      });
      return result.outputFiles[0]?.text ?? "";
    };
    const client = await bundle("client/index.ts");
    expect(client).toContain("createClient");
    expect(client).toContain("indexedDB");
    const protocol = await bundle("client/protocol/index.ts");
    expect(protocol).not.toMatch(/indexedDB|IDBKeyRange|WebSocket\(/);
  });
});
