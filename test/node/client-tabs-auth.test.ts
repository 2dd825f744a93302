/**
 * Tabs with the `auth` option (PROTOCOL.md AUTH-22), in Node as client-tabs.test.ts does it
 * (fake-indexeddb, Node's BroadcastChannel, an in-process Web Locks), against the real worker in
 * Miniflare with authentication required. Tabs of one `sub` share: one leader, one socket per
 * partition, a follower's subscription fed and its produce sent by the leader with the leader's
 * own token. A tab of another `sub` on the same database name does not: it leads its own group,
 * with its own socket and outbox, and its records are never sent under the other principal's
 * token (here alice may only read and bob may write: bob's produce is delivered, alice's refused).
 * A table (client.table) lives in its principal's database and is shared by that principal's tabs.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-tabs-auth.test.ts
 */
import "fake-indexeddb/auto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type BroadcastChannelClass, createClient, type EdgelogClient, type TabRole } from "../../client/index.ts";
import { openTableStore } from "../../client/table/table-store.ts";
import { principalName } from "../../client/tabs/principal-tabs.ts";
import { collect, NodeWebSocket, settledCode, startServer, type TestServer, WAIT_MS } from "./client-harness.ts";
import { FakeLocks } from "./fake-locks.ts";
import { waitFor } from "./runtime.ts";
import { AUTH_REQUIRED_VARS, adminRequest, mintToken } from "./test-tokens.ts";

let server: TestServer;
const clients: EdgelogClient[] = [];
const locks = new FakeLocks();

beforeAll(async () => {
  server = await startServer({ vars: { ...AUTH_REQUIRED_VARS } });
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

afterAll(async () => {
  await server?.dispose();
});

/** A "tab" of `sub` on database `dbName`, its token minted per call with `scope`. */
function tab(dbName: string, sub: string, scope: string): EdgelogClient {
  const client = createClient({
    url: server.url,
    dbName,
    WebSocket: NodeWebSocket,
    heartbeatIntervalMs: 1_000,
    tabs: { locks, BroadcastChannel: globalThis.BroadcastChannel as unknown as BroadcastChannelClass },
    auth: () => mintToken({ sub, scope, expiresInS: 3_600 }),
  });
  clients.push(client);
  return client;
}

async function waitForRole(client: EdgelogClient, role: TabRole): Promise<void> {
  await waitFor(`role ${role} (is ${client.role})`, () => (client.role === role ? true : undefined), WAIT_MS, 20);
}

async function waitForSockets(topic: string, count: number): Promise<void> {
  let last = -1;
  await waitFor(
    `${count} socket(s) on ${topic}/0 (last ${last})`,
    async () => {
      last = ((await adminRequest(server.url, "GET", `/v1/topics/${topic}/partitions/0/stats`)) as { sockets: number }).sockets;
      return last === count ? true : undefined;
    },
    WAIT_MS,
    100,
  );
}

describe("tabs with auth", () => {
  it("share only between tabs of one sub: the leader sends with its own token, another sub uses its own connection", async () => {
    await adminRequest(server.url, "PUT", "/v1/topics/by-sub", { partitions: 1 });
    const readOnly = "read:* group:*";
    const alice1 = tab("shared-db", "alice", readOnly);
    await waitForRole(alice1, "leader");
    const alice2 = tab("shared-db", "alice", readOnly);
    await waitForRole(alice2, "follower");
    const bob = tab("shared-db", "bob", "read:* write:*");
    await waitForRole(bob, "leader");
    const seen = { alice2: collect(), bob: collect() };
    alice2.subscribe("by-sub", { from: "earliest" }, seen.alice2.callback);
    bob.subscribe("by-sub", { from: "earliest" }, seen.bob.callback);
    // One socket for alice's two tabs (the leader's), one for bob's.
    await waitForSockets("by-sub", 2);
    expect(await bob.produce("by-sub", { value: "from bob" })).toEqual({ partition: 0, offset: 0 });
    // The follower's record goes out through alice's leader, with alice's read-only token.
    expect(await settledCode(alice2.produce("by-sub", { value: "from alice" }))).toBe("FORBIDDEN");
    await seen.alice2.waitForCount(1);
    await seen.bob.waitForCount(1);
    expect([seen.alice2.records.map((r) => r.value), seen.bob.records.map((r) => r.value)]).toEqual([["from bob"], ["from bob"]]);
    expect([alice1.role, alice2.role, bob.role]).toEqual(["leader", "follower", "leader"]);
    expect(await bob.outbox()).toEqual([]);
    expect(await alice1.outbox()).toEqual([]);
  });

  it("keeps a table in its principal's database, shared by that principal's tabs only", async () => {
    await adminRequest(server.url, "PUT", "/v1/topics/sub-table", { partitions: 1 });
    const writer = tab("table-db", "bob", "read:* write:*");
    await writer.produce("sub-table", { key: "colour", value: "teal" });
    const alice1 = tab("table-db", "alice", "read:*");
    await waitForRole(alice1, "leader");
    const alice2 = tab("table-db", "alice", "read:*");
    await waitForRole(alice2, "follower");
    const leading = alice1.table<string>("sub-table");
    const following = alice2.table<string>("sub-table");
    await Promise.all([leading.whenLive(), following.whenLive()]);
    expect(await following.get("colour")).toBe("teal");
    const heard: string[] = [];
    following.onChange((change) => heard.push(`${change.key}=${change.value}`));
    await writer.produce("sub-table", { key: "colour", value: "plum" });
    await waitFor("the change in the follower", () => (heard.length > 0 ? heard : undefined), WAIT_MS, 20);
    expect(heard).toEqual(["colour=plum"]);
    // alice's view is in alice's database; bob's (who never opened a table) and the bare name hold none.
    for (const [name, size] of [
      [principalName("table-db", "alice"), 1],
      [principalName("table-db", "bob"), 0],
      ["table-db", 0],
    ] as const) {
      const store = await openTableStore(name);
      try {
        expect(await store.size("sub-table")).toBe(size);
      } finally {
        store.close();
      }
    }
  });
});
