/**
 * A subscription that ends with an error (decision D11), against the real worker under Miniflare:
 * a topic deleted under its sockets (close code 4404), a server refusing the protocol version
 * (4400), and a topic that does not exist (UNKNOWN_TOPIC from the partition-count lookup). Each
 * ends the subscription for good: no reconnect, no further lookup, `sub.error` set,
 * `sub.onError` heard, the async iterator throwing after the records already queued, and
 * `client.onError` told once.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-ending.test.ts
 */
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  type ClientError,
  type EdgelogClient,
  errorCode,
  RECONNECT_DELAY_MS_MIN,
  type Subscription,
  type TopicRecord,
  type WebSocketClass,
} from "../../client/index.ts";
import { collect, testRig, WAIT_MS } from "./client-harness.ts";
import { sleep, waitFor } from "./runtime.ts";

const rig = testRig();

/** A WebSocket class that counts the sockets made; `onOpen` may speak first on each. */
function countingWebSocket(onOpen?: (ws: WebSocket) => void): { WebSocket: WebSocketClass; made: () => number } {
  let made = 0;
  class Counted extends WebSocket {
    constructor(url: string) {
      super(url);
      made++;
      if (onOpen !== undefined) this.addEventListener("open", () => onOpen(this));
    }
  }
  return { WebSocket: Counted, made: () => made };
}

function client(options: { WebSocket: WebSocketClass; fetch?: typeof fetch }): { client: EdgelogClient; errors: ClientError[] } {
  // random 0: every reconnect would come after exactly RECONNECT_DELAY_MS_MIN.
  const made = rig.client({
    WebSocket: options.WebSocket,
    random: () => 0,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const errors: ClientError[] = [];
  made.onError((error) => errors.push(error));
  return { client: made, errors };
}

/** The subscription's error once it ended (the field D11 adds). */
function endedWith(sub: Subscription): Promise<ClientError> {
  return waitFor("the subscription to end", () => sub.error ?? undefined, WAIT_MS, 20);
}

/** Reads the iterator to its end: the records it gave, then what it threw. */
async function drain(iterator: AsyncIterator<TopicRecord>): Promise<{ offsets: number[]; thrown: unknown }> {
  const offsets: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    try {
      const next = await iterator.next();
      if (next.done) return { offsets, thrown: null };
      offsets.push(next.value.offset);
    } catch (error) {
      return { offsets, thrown: error };
    }
  }
  throw new Error("the iterator never ended");
}

describe("a subscription that ends with an error", () => {
  it("ends when its topic is deleted (4404): no reconnect, the error everywhere once, queued records first", async () => {
    await rig.server.api.createTopic("deleted", 2);
    await rig.server.api.produce("deleted", { records: [0, 1, 2, 3].map((n) => ({ key: `k${n}`, value: n })) });
    const sockets = countingWebSocket();
    const { client: c, errors } = client({ WebSocket: sockets.WebSocket });
    const got = collect();
    const sub = c.subscribe("deleted", { from: "earliest" }, got.callback);
    const heard: ClientError[] = [];
    sub.onError((error) => heard.push(error));
    // Queued for the iterator from here on; read only after the end.
    const iterator = sub[Symbol.asyncIterator]();
    await got.waitForCount(4);
    await waitFor("status live", () => (c.status === "live" ? true : undefined), WAIT_MS, 20);
    const before = sockets.made();
    expect(before).toBe(2);

    await rig.server.api.deleteTopic("deleted");
    const error = await endedWith(sub);
    expect(errorCode(error)).toBe("UNKNOWN_TOPIC");
    // Long enough for several reconnects, each due RECONNECT_DELAY_MS_MIN after a drop.
    await sleep(RECONNECT_DELAY_MS_MIN * 5);
    expect(sockets.made()).toBe(before);
    expect(heard).toEqual([error]);
    expect(errors.filter((e) => e.code === "UNKNOWN_TOPIC")).toEqual([error]);
    const { offsets, thrown } = await drain(iterator);
    expect(offsets).toHaveLength(4);
    expect(thrown).toBe(error);
    // Ended: not counted in the status (nothing is subscribed any more).
    expect(c.status).not.toBe("offline");
  });

  it("ends with the server's error after a close for an unsupported protocol version (4400)", async () => {
    await rig.server.api.createTopic("version", 1);
    const sockets = countingWebSocket((ws) => ws.send(JSON.stringify({ type: "hello", version: 99 })));
    const { client: c, errors } = client({ WebSocket: sockets.WebSocket });
    const sub = c.subscribe("version", { from: "earliest" });
    const error = await endedWith(sub);
    expect(errorCode(error)).toBe("INVALID_REQUEST");
    expect(error.message).toMatch(/version/);
    await sleep(RECONNECT_DELAY_MS_MIN * 5);
    expect(sockets.made()).toBe(1);
    expect(errors.filter((e) => e.code === "INVALID_REQUEST")).toEqual([error]);
  });

  it("ends at the first UNKNOWN_TOPIC answer to its partition-count lookup", async () => {
    let lookups = 0;
    const counting: typeof fetch = async (url, init) => {
      if (String(url).endsWith("/v1/topics/never-made") && (init?.method ?? "GET") === "GET") lookups++;
      return fetch(url, init);
    };
    const sockets = countingWebSocket();
    const { client: c, errors } = client({ WebSocket: sockets.WebSocket, fetch: counting });
    const sub = c.subscribe("never-made");
    const heard: ClientError[] = [];
    sub.onError((error) => heard.push(error));
    const error = await endedWith(sub);
    expect(errorCode(error)).toBe("UNKNOWN_TOPIC");
    await sleep(RECONNECT_DELAY_MS_MIN * 5);
    expect(lookups).toBe(1);
    expect(sockets.made()).toBe(0);
    expect(heard).toEqual([error]);
    expect(errors.filter((e) => e.code === "UNKNOWN_TOPIC")).toEqual([error]);
    // The iterator of an ended subscription throws its error at once.
    await expect(sub[Symbol.asyncIterator]().next()).rejects.toBe(error);
    // A listener added after the end hears the error too (in a microtask), so none misses it.
    const late: ClientError[] = [];
    sub.onError((e) => late.push(e));
    await Promise.resolve();
    expect(late).toEqual([error]);
    // Closing an ended subscription is fine, and its error stays.
    sub.close();
    expect(sub.error).toBe(error);
    expect(heard).toHaveLength(1);
  });
});
