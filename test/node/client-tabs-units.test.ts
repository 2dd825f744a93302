/**
 * The tab-sharing parts that need no server: mirrored link states move only along the link
 * state machine, shared sockets resolve symbolic starts as the partition object does, the
 * election moves only along its table, and sharing stays off in Node unless injected.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-tabs-units.test.ts
 */
import { describe, expect, it } from "vitest";
import { createClient } from "../../client/index.ts";
import type { ServerMessageOf } from "../../client/protocol/index.ts";
import { canMove, LINK_TRANSITIONS, type LinkState } from "../../client/status.ts";
import { ELECTION_TRANSITIONS } from "../../client/tabs/election.ts";
import { resolveStart, type StartLookups } from "../../client/tabs/resolve-start.ts";
import { linkPath } from "../../client/tabs/tab-link.ts";
import { browserTabs } from "../../client/tabs/tabs.ts";
import { NodeWebSocket } from "./client-harness.ts";

const STATES = Object.keys(LINK_TRANSITIONS) as LinkState[];

const hello: ServerMessageOf<"hello"> = {
  type: "hello",
  version: 1,
  topic: "t",
  topicId: "id-1",
  partition: 0,
  logStartOffset: 10,
  highWatermark: 50,
};

function lookups(committed: number | null, byTimestamp = 30): StartLookups {
  return { committedOffset: async () => committed, offsetForTimestamp: async () => byTimestamp };
}

describe("linkPath", () => {
  it("walks only allowed moves, by the shortest way", () => {
    expect(linkPath("live", "connecting")).toEqual(["waiting", "connecting"]);
    expect(linkPath("idle", "live")).toEqual(["connecting", "open", "catching-up", "live"]);
    expect(linkPath("waiting", "waiting")).toEqual([]);
    expect(linkPath("closed", "live")).toEqual([]);
    for (const from of STATES) {
      for (const to of STATES) {
        let at = from;
        for (const step of linkPath(from, to)) {
          expect(canMove(at, step)).toBe(true);
          at = step;
        }
        // Every state but idle is reachable from every state but closed.
        if (from !== "closed" && to !== "idle") expect(at).toBe(to);
      }
    }
  });
});

describe("resolveStart", () => {
  it("resolves earliest, latest and offsets from the hello, clamped to the log", async () => {
    expect(await resolveStart({ from: "earliest" }, hello, lookups(null))).toBe(10);
    // A table's latest-per-key catch-up, shared with other subscriptions, reads from the log's start.
    expect(await resolveStart({ from: "latest-per-key" }, hello, lookups(null))).toBe(10);
    expect(await resolveStart({ from: "latest" }, hello, lookups(null))).toBe(50);
    expect(await resolveStart({ from: { offset: 20 } }, hello, lookups(null))).toBe(20);
    expect(await resolveStart({ from: { offset: 3 } }, hello, lookups(null))).toBe(10);
    expect(await resolveStart({ from: { offset: 99 } }, hello, lookups(null))).toBe(50);
  });

  it("looks timestamps and commits up, with the group's reset when there is no usable commit", async () => {
    expect(await resolveStart({ from: { timestamp: 1 } }, hello, lookups(null, 30))).toBe(30);
    expect(await resolveStart({ from: "committed", group: "g" }, hello, lookups(25))).toBe(25);
    expect(await resolveStart({ from: "committed", group: "g" }, hello, lookups(null))).toBe(50);
    expect(await resolveStart({ from: "committed", group: "g", reset: "earliest" }, hello, lookups(null))).toBe(10);
    expect(await resolveStart({ from: "committed", group: "g", reset: "earliest" }, hello, lookups(4))).toBe(10);
  });
});

describe("tab sharing", () => {
  it("has an election table whose moves all lead to closed", () => {
    for (const [state, moves] of Object.entries(ELECTION_TRANSITIONS)) {
      if (state !== "closed") expect(moves).toContain("closed");
    }
    expect(ELECTION_TRANSITIONS.leader).toEqual(["closed"]);
  });

  it("is off in Node unless the platform is injected", () => {
    expect(browserTabs()).toBeNull();
    const client = createClient({ url: "http://127.0.0.1:1", dbName: "solo", WebSocket: NodeWebSocket });
    expect(client.role).toBe("solo");
    client.close();
  });
});
