/**
 * Producing records that can never be sent, against the real worker under Miniflare: a record
 * for a topic that does not exist is removed from the outbox and its promise rejected with
 * UNKNOWN_TOPIC while the rest keeps flowing (decision D12, the solo path; tabs are
 * client-tabs.test.ts), and a value JSON drops or cannot hold is INVALID_RECORD that leaves the
 * storage status alone (D13).
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-produce-errors.test.ts
 */
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import type { ClientError, JsonValue } from "../../client/index.ts";
import { settledCode as outcome, testRig } from "./client-harness.ts";

const rig = testRig();
const client = rig.client;
let dbCounter = 0;

describe("records that can never be sent", () => {
  it("removes a record for a missing topic, rejects it with UNKNOWN_TOPIC, and sends the rest", async () => {
    await rig.server.api.createTopic("present", 2);
    const c = client();
    const errors: ClientError[] = [];
    c.onError((error) => errors.push(error));
    // Neither topic's partition count is known yet: both wait unplaced in the outbox.
    const missing = await c.enqueue("absent-topic", { key: "k", value: "lost" });
    const kept = await c.enqueue("present", { key: "k", value: "kept" });
    expect([missing.partition, kept.partition]).toEqual([null, null]);
    await c.flush();
    expect(await outcome(missing.delivered)).toBe("UNKNOWN_TOPIC");
    expect(await outcome(kept.delivered)).toBe("delivered");
    expect(await c.outbox()).toEqual([]);
    expect(errors.map((e) => e.code)).toContain("UNKNOWN_TOPIC");
    // The outbox keeps flowing: a later record is sent too.
    expect((await c.produce("present", { key: "k", value: "later" })).offset).toBe(1);
    const stored = await rig.server.api.readAll("present", (await kept.delivered).partition);
    expect(stored.records.map((r) => r.value)).toEqual(["kept", "later"]);
  });

  it("refuses a value JSON drops or cannot hold (RECORD-6: Infinity and NaN too) with INVALID_RECORD, and storage stays ok", async () => {
    const c = client({ cache: "indexeddb", dbName: `produce-errors-${++dbCounter}`, tabs: false });
    const storage: string[] = [];
    c.onStorage((state) => storage.push(state));
    const values: unknown[] = [() => 1, Symbol("s"), { toJSON: () => undefined }, 10n, Number.POSITIVE_INFINITY, { a: [null, Number.NaN] }];
    for (const value of values) {
      expect(await outcome(c.enqueue("json", { value: value as JsonValue }))).toBe("INVALID_RECORD");
    }
    expect(c.storage).toBe("ok");
    expect(storage).toEqual([]);
    expect(await c.outbox()).toEqual([]);
  });

  it("queues exactly the JSON it validated, even when the value would answer otherwise the next time", async () => {
    const c = client({ cache: "indexeddb", dbName: `produce-errors-${++dbCounter}`, tabs: false });
    let calls = 0;
    // Valid JSON the first time it is asked, nothing the second.
    const fickle = { toJSON: () => (++calls === 1 ? { first: true } : undefined) };
    const queued = await c.enqueue("json", { value: fickle as unknown as JsonValue });
    expect(c.storage).toBe("ok");
    expect((await c.outbox()).map((r) => [r.id, r.value])).toEqual([[queued.id, { first: true }]]);
  });
});
