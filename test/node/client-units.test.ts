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
import { checkAgainstLog, planStart } from "../../client/start-plan.ts";
import { canMove, deriveStatus, LINK_TRANSITIONS, type LinkState, move } from "../../client/status.ts";
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
    const status = (links: ReturnType<typeof link>[], online = true, http: "unknown" | "ok" | "failed" = "unknown") =>
      deriveStatus({ links, online, http });
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
  });
});

describe("where a subscription starts", () => {
  const run: CachedRun = { topic: "t", partition: 0, low: 10, high: 20, startsAtLog: true };

  it("replays the cache from the start offset when it lies in the cached run", () => {
    expect(planStart("earliest", run, undefined)).toEqual({ replayFrom: 10, next: 10 });
    expect(planStart({ offset: 15 }, run, undefined)).toEqual({ replayFrom: 15, next: 15 });
    expect(planStart("earliest", run, 18)).toEqual({ replayFrom: 18, next: 18 });
    expect(planStart("latest", run, 12)).toEqual({ replayFrom: 12, next: 12 });
  });

  it("asks the server when the cache cannot answer", () => {
    expect(planStart("earliest", { ...run, startsAtLog: false }, undefined)).toEqual({ replayFrom: null, next: null });
    expect(planStart("earliest", undefined, undefined)).toEqual({ replayFrom: null, next: null });
    expect(planStart("latest", run, undefined)).toEqual({ replayFrom: null, next: null });
    expect(planStart({ timestamp: 5 }, run, undefined)).toEqual({ replayFrom: null, next: null });
    expect(planStart("committed", run, undefined)).toEqual({ replayFrom: null, next: null });
    expect(planStart({ offset: 20 }, run, undefined)).toEqual({ replayFrom: null, next: 20 });
    expect(planStart({ offset: 3 }, run, undefined)).toEqual({ replayFrom: null, next: 3 });
  });

  it("checks the next offset against the log on every hello", () => {
    expect(checkAgainstLog(15, { logStartOffset: 0, highWatermark: 30 })).toEqual({ kind: "resume", next: 15 });
    expect(checkAgainstLog(30, { logStartOffset: 0, highWatermark: 30 })).toEqual({ kind: "resume", next: 30 });
    expect(checkAgainstLog(3, { logStartOffset: 10, highWatermark: 30 })).toEqual({ kind: "lost", next: 10, lost: 7 });
    expect(checkAgainstLog(31, { logStartOffset: 0, highWatermark: 30 })).toEqual({ kind: "stale" });
  });
});

describe("cached runs", () => {
  const plan = (existing: CachedRun | undefined, page: FetchedRecord[], max = 100, logStartOffset?: number) =>
    planRun(existing, "t", 0, page, logStartOffset === undefined ? {} : { logStartOffset }, max);
  const run = (low: number, high: number, startsAtLog = false): CachedRun => ({ topic: "t", partition: 0, low, high, startsAtLog });
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
