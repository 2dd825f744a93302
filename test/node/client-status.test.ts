/**
 * The client's status says only what is so (decision D14), against the real worker under
 * Miniflare: nothing is `live` before every subscribed partition's socket said so, a
 * subscription still resolving its partitions counts as connecting (and an ended one not at
 * all), the browser's `online` event moves `offline` to `connecting` at once, and `close()` ends
 * in `closed`, which nothing leaves. The pure rules are in client-units.test.ts.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-status.test.ts
 */
import { describe, expect, it } from "vitest";
import type { ClientEnvironment, ClientStatus, EnvironmentEvent } from "../../client/index.ts";
import { collect, offlineFetch, testRig, trackStatuses, WAIT_MS, waitForStatus } from "./client-harness.ts";
import { waitFor } from "./runtime.ts";

const rig = testRig();
const client = rig.client;

/** An environment the test drives: `hear` sends the client an online/offline event. */
function drivenEnvironment(): { environment: ClientEnvironment; hear: (event: EnvironmentEvent) => void; online: { value: boolean } } {
  const online = { value: true };
  let listener: ((event: EnvironmentEvent) => void) | null = null;
  return {
    environment: {
      watch: (on) => {
        listener = on;
        return () => undefined;
      },
      isOnline: () => online.value,
    },
    hear: (event) => {
      online.value = event !== "offline";
      listener?.(event);
    },
    online,
  };
}

describe("the client's status", () => {
  it("goes connecting -> catching-up -> live, and says live only once the partition's socket did", async () => {
    await rig.server.api.createTopic("status-live", 1);
    await rig.server.api.produce("status-live", { records: [{ value: 1 }, { value: 2 }] });
    const c = client();
    const statuses = trackStatuses(c);
    const got = collect();
    c.subscribe("status-live", { from: "earliest" }, got.callback);
    await got.waitForCount(2);
    await waitForStatus(c, "live");
    // Before the fix the partition-count lookup's answer made it "live" with no socket yet.
    expect(statuses).toEqual(["connecting", "catching-up", "live"]);
  });

  it("counts a subscription resolving an unknown topic as connecting, and the ended one not at all", async () => {
    const c = client();
    const seen: { status: ClientStatus; ended: boolean }[] = [];
    const sub = c.subscribe("status-unknown");
    c.onStatus((status) => seen.push({ status, ended: sub.error != null }));
    expect(c.status).toBe("connecting");
    await waitFor("the subscription to end", () => sub.error ?? undefined, WAIT_MS, 20);
    expect(seen.filter((s) => s.status === "live" && !s.ended)).toEqual([]);
    // Nothing is subscribed any more and the server answered: the connection is fine.
    expect(c.status).toBe("live");
  });

  it("moves offline to connecting at once on the browser's online event", async () => {
    await rig.server.api.createTopic("status-online", 1);
    const driven = drivenEnvironment();
    const c = client({ environment: driven.environment, random: () => 0 });
    c.subscribe("status-online", { from: "latest" });
    await waitForStatus(c, "live");
    await rig.server.stop();
    await waitForStatus(c, "offline");
    driven.hear("online");
    // At once: before any socket could open (the server is still down).
    expect(c.status).toBe("connecting");
    await rig.server.start();
    await waitForStatus(c, "live");
  });

  it("moves a client with no socket from offline to connecting on the online event", async () => {
    const driven = drivenEnvironment();
    const c = client({ environment: driven.environment, WebSocket: undefined, fetch: offlineFetch });
    void c.produce("status-http", { value: 1 }).catch(() => undefined);
    // The produce request failed: with no socket, that is what the status goes by.
    await waitForStatus(c, "offline");
    driven.hear("online");
    expect(c.status).toBe("connecting");
  });

  it("ends in closed after close(), which no later event moves", async () => {
    await rig.server.api.createTopic("status-closed", 1);
    const driven = drivenEnvironment();
    const c = client({ environment: driven.environment });
    const statuses = trackStatuses(c);
    c.subscribe("status-closed", { from: "latest" });
    await waitForStatus(c, "live");
    c.close();
    expect(c.status).toBe("closed");
    driven.hear("offline");
    driven.hear("online");
    expect(c.status).toBe("closed");
    expect(statuses[statuses.length - 1]).toBe("closed");
    expect(statuses.filter((s) => s === "closed")).toHaveLength(1);
  });
});
