/**
 * The outbox-change event (`client.onOutbox`, `client.outboxSnapshot`) against the real worker
 * under Miniflare: solo (Node, no tabs) a listener hears a record queued and then delivered, the
 * snapshot is bounded (OUTBOX_SNAPSHOT_ENTRIES_MAX entries, the full count) and stays the same
 * object while nothing changes, and an unsubscribed listener hears nothing more. With tabs
 * (fake-indexeddb, Node's BroadcastChannel, the in-process Web Locks stand-in) a follower's
 * listener hears the leader's pass deliver what the leader queued: the follower never runs a pass
 * nor reads the outbox by itself, so only the leader's one message per pass can tell it.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-outbox-events.test.ts
 */
import "fake-indexeddb/auto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type BroadcastChannelClass,
  createClient,
  type EdgelogClient,
  OUTBOX_SNAPSHOT_ENTRIES_MAX,
  type OutboxSnapshot,
  type TabRole,
} from "../../client/index.ts";
import { NodeWebSocket, startServer, type TestServer, WAIT_MS } from "./client-harness.ts";
import { FakeLocks } from "./fake-locks.ts";
import { waitFor, withTimeout } from "./runtime.ts";

let server: TestServer;
const clients: EdgelogClient[] = [];
const locks = new FakeLocks();
let dbCounter = 0;

beforeAll(async () => {
  server = await startServer();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server.start();
});

afterAll(async () => {
  await server?.dispose();
});

/** Posts of one type counted on the way out, to check how often the leader tells the tabs. */
function countingChannel(counts: Map<string, number>): BroadcastChannelClass {
  const Base = globalThis.BroadcastChannel as unknown as BroadcastChannelClass;
  return class extends (Base as unknown as typeof BroadcastChannel) {
    override postMessage(message: unknown): void {
      const type = (message as { type?: string }).type ?? "";
      counts.set(type, (counts.get(type) ?? 0) + 1);
      super.postMessage(message);
    }
  } as unknown as BroadcastChannelClass;
}

function tab(dbName: string, BroadcastChannel = globalThis.BroadcastChannel as unknown as BroadcastChannelClass): EdgelogClient {
  const client = createClient({ url: server.url, dbName, WebSocket: NodeWebSocket, tabs: { locks, BroadcastChannel } });
  clients.push(client);
  return client;
}

function solo(): EdgelogClient {
  const client = createClient({ url: server.url, cache: "memory", WebSocket: NodeWebSocket });
  clients.push(client);
  return client;
}

/** Every snapshot a client's listener heard, and a bounded wait for one that fits, driven by the event. */
function heard(client: EdgelogClient): {
  seen: OutboxSnapshot[];
  off: () => void;
  next(what: string, fits: (s: OutboxSnapshot) => boolean): Promise<OutboxSnapshot>;
} {
  const seen: OutboxSnapshot[] = [];
  const waiting = new Set<{ fits: (s: OutboxSnapshot) => boolean; resolve: (s: OutboxSnapshot) => void }>();
  const off = client.onOutbox((snapshot) => {
    seen.push(snapshot);
    for (const waiter of [...waiting]) {
      if (!waiter.fits(snapshot)) continue;
      waiting.delete(waiter);
      waiter.resolve(snapshot);
    }
  });
  return {
    seen,
    off,
    next: (what, fits) => {
      const last = seen[seen.length - 1];
      if (last !== undefined && fits(last)) return Promise.resolve(last);
      return withTimeout(new Promise((resolve) => waiting.add({ fits, resolve })), WAIT_MS, what);
    },
  };
}

async function waitForRole(client: EdgelogClient, role: TabRole): Promise<void> {
  await waitFor(`role ${role} (is ${client.role})`, () => (client.role === role ? true : undefined), WAIT_MS, 20);
}

describe("the outbox-change event", () => {
  it("tells a solo client's listener of a record queued and then delivered, bounded, the same snapshot while nothing changes", async () => {
    await server.api.createTopic("events-solo", 1);
    const client = solo();
    const events = heard(client);
    const empty = await events.next("the first read", (s) => s.count === 0);
    expect(empty.entries).toEqual([]);
    await server.stop();
    const total = OUTBOX_SNAPSHOT_ENTRIES_MAX + 5;
    for (let i = 0; i < total; i++) await client.enqueue("events-solo", { value: i });
    const full = await events.next("every record queued", (s) => s.count === total);
    expect(full.entries.map((e) => e.value)).toEqual(Array.from({ length: OUTBOX_SNAPSHOT_ENTRIES_MAX }, (_, i) => i));
    expect(Object.isFrozen(full) && Object.isFrozen(full.entries)).toBe(true);
    // A pass that fails changes nothing shown: the snapshot is the same object, and no listener is called.
    const calls = events.seen.length;
    await expect(client.flush()).rejects.toThrow();
    await expect(client.flush()).rejects.toThrow();
    expect(client.outboxSnapshot).toBe(full);
    await server.start();
    await client.flush();
    const delivered = await events.next("the outbox emptied by delivery", (s) => s.count === 0);
    expect(delivered.entries).toEqual([]);
    expect(client.outboxSnapshot).toBe(delivered);
    expect(events.seen.slice(calls).filter((s) => s.count === total && s !== full)).toEqual([]);
    // Unsubscribed: hears nothing more, while another listener does.
    events.off();
    const after = events.seen.length;
    const other = heard(client);
    await client.enqueue("events-solo", { value: "late" });
    await other.next("the late record", (s) => s.count === 1);
    expect(events.seen.length).toBe(after);
  });

  it("tells a follower's listener when the leader's pass delivers what the leader queued, one message per pass", async () => {
    await server.api.createTopic("events-tabs", 2);
    const db = `outbox-events-${++dbCounter}`;
    const posted = new Map<string, number>();
    const leader = tab(db, countingChannel(posted));
    await waitForRole(leader, "leader");
    const follower = tab(db);
    await waitForRole(follower, "follower");
    const followerEvents = heard(follower);
    await followerEvents.next("the follower's first read", (s) => s.count === 0);

    // Offline: the leader's pass fails, and still tells the tabs what the outbox holds.
    await server.stop();
    await Promise.all(Array.from({ length: 6 }, (_, i) => leader.enqueue("events-tabs", { key: `k${i % 3}`, value: i })));
    const queued = await followerEvents.next("the leader's queued records, in the follower", (s) => s.count === 6);
    expect(queued.entries.map((e) => e.value)).toEqual([0, 1, 2, 3, 4, 5]);

    await server.start();
    const passesBefore = posted.get("outbox") ?? 0;
    await leader.flush();
    const delivered = await followerEvents.next("the leader's delivery, in the follower", (s) => s.count === 0);
    expect(delivered.entries).toEqual([]);
    // flush ran its passes (at most a few); each told the tabs once, not once per batch.
    const passes = (posted.get("outbox") ?? 0) - passesBefore;
    expect(passes).toBeGreaterThanOrEqual(1);
    expect(passes).toBeLessThanOrEqual(3);
  });

  it("tells the leader's listener, and the follower's, of a record the follower queued while offline", async () => {
    await server.api.createTopic("events-follower", 1);
    const db = `outbox-events-${++dbCounter}`;
    const leader = tab(db);
    await waitForRole(leader, "leader");
    const follower = tab(db);
    await waitForRole(follower, "follower");
    const leaderEvents = heard(leader);
    const followerEvents = heard(follower);
    await Promise.all([leaderEvents, followerEvents].map((e) => e.next("the first read", (s) => s.count === 0)));
    await server.stop();
    await follower.enqueue("events-follower", { value: "from the follower" });
    await followerEvents.next("the follower's own record", (s) => s.count === 1);
    // The follower's pass runs in the leader (and fails offline): the leader tells its own listeners too.
    const inLeader = await leaderEvents.next("the follower's record, in the leader", (s) => s.count === 1);
    expect(inLeader.entries.map((e) => e.value)).toEqual(["from the follower"]);
    await server.start();
    await follower.flush();
    await Promise.all([leaderEvents, followerEvents].map((e) => e.next("the delivery", (s) => s.count === 0)));
  });
});
