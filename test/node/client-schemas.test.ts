/**
 * The client checks a record against its topic's registry schemas before queueing it (SCHEMA-8),
 * against the real worker under Miniflare with fake-indexeddb: the schemas come with the topic's
 * lookup and are kept in IndexedDB with it, so a record that fails is refused at `produce()` with
 * SCHEMA_VIOLATION (the server's message) while offline, and by a new client on the same database
 * (a reload) that never reached the server; nothing refused enters the outbox, and what passes is
 * sent once the server is back. A topic without schemas takes anything, and the server still
 * refuses what a client that never looked its topic up sends.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-schemas.test.ts
 */
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { openCache } from "../../client/cache/open.ts";
import { offlineFetch, settledCode, testRig } from "./client-harness.ts";
import { requestJson } from "./http-api.ts";
import { waitFor } from "./waits.ts";

const rig = testRig();
const ORDER = { type: "object", required: ["item", "qty"], properties: { item: { type: "string" }, qty: { type: "integer", minimum: 1 } } };

async function registerSchema(subject: string, schema: unknown): Promise<void> {
  const answer = await requestJson("POST", `${rig.server.url}/v1/schemas/subjects/${subject}/versions`, { schema: JSON.stringify(schema) });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

/** Waits (bounded) until the database's cached topic holds schemas: the client's lookup stored them. */
async function schemasCached(dbName: string, topic: string): Promise<void> {
  const cache = await openCache({ cache: "indexeddb", dbName });
  await waitFor("the topic's schemas in the cache", async () => ((await cache.topic(topic))?.schemas?.value ? true : undefined), 10_000);
  await cache.close();
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
  throw new Error("expected a refusal");
}

describe("the client's schema check", () => {
  it("refuses an invalid record at produce() offline, and by a reloaded client that never reached the server", async () => {
    const topic = "orders-schema";
    await rig.server.api.createTopic(topic, 2);
    await registerSchema(`${topic}-value`, ORDER);
    const dbName = "client-schemas-1";
    const c = rig.client({ cache: "indexeddb", dbName, tabs: false });
    await c.produce(topic, { key: "a", value: { item: "book", qty: 1 } });
    await schemasCached(dbName, topic);
    await rig.server.stop();
    const refused = await refusal(c.enqueue(topic, { key: "a", value: { item: "pen", qty: "2" } }));
    expect(refused.code).toBe("SCHEMA_VIOLATION");
    expect(refused.message).toBe(
      `record.value does not match ${topic}-value version 1 at #/qty: Instance type "string" is invalid. Expected "integer".`,
    );
    const kept = await c.enqueue(topic, { key: "a", value: { item: "pen", qty: 2 } });
    expect((await c.outbox()).map((r) => r.value)).toEqual([{ item: "pen", qty: 2 }]);
    c.close();

    // A reload: a new client on the same database, with no network at all.
    const reloaded = rig.client({ cache: "indexeddb", dbName, tabs: false, fetch: offlineFetch });
    expect((await refusal(reloaded.enqueue(topic, { value: { qty: 1 } }))).code).toBe("SCHEMA_VIOLATION");
    expect((await reloaded.outbox()).map((r) => r.value)).toEqual([{ item: "pen", qty: 2 }]);
    reloaded.close();

    await rig.server.start();
    const sender = rig.client({ cache: "indexeddb", dbName, tabs: false });
    await sender.flush();
    expect(await sender.outbox()).toEqual([]);
    const stored = await rig.server.api.readAll(topic, kept.partition ?? 0);
    expect(stored.records.map((r) => r.value)).toEqual([
      { item: "book", qty: 1 },
      { item: "pen", qty: 2 },
    ]);
  });

  it("checks keys with the -key subject; a topic without schemas takes anything", async () => {
    await rig.server.api.createTopic("keyed-schema", 1);
    await rig.server.api.createTopic("free-schema", 1);
    await registerSchema("keyed-schema-key", { type: "string", pattern: "^u[0-9]+$" });
    const dbName = "client-schemas-2";
    const c = rig.client({ cache: "indexeddb", dbName, tabs: false });
    await c.produce("keyed-schema", { key: "u1", value: 1 });
    const cache = await openCache({ cache: "indexeddb", dbName });
    await waitFor("the key schema cached", async () => ((await cache.topic("keyed-schema"))?.schemas?.key ? true : undefined), 10_000);
    await cache.close();
    const refused = await refusal(c.produce("keyed-schema", { key: "admin", value: 1 }));
    expect([refused.code, refused.message.startsWith("record.key does not match keyed-schema-key version 1 at #")]).toEqual([
      "SCHEMA_VIOLATION",
      true,
    ]);
    expect((await c.produce("free-schema", { value: { anything: [1, "two"] } })).offset).toBe(0);
  });

  it("a batch refused for one record it could not check keeps the others: they are sent, the refused one rejected", async () => {
    await rig.server.api.createTopic("mixed-schema", 1);
    await registerSchema("mixed-schema-value", { type: "integer" });
    // The schema routes wait for the gate: the records are queued before the client knows the schema.
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const gated: typeof fetch = async (input, init) => {
      if (String(input instanceof Request ? input.url : input).includes("/v1/schemas/")) await gate;
      return fetch(input, init);
    };
    const c = rig.client({ cache: "memory", fetch: gated });
    const queued = [
      await c.enqueue("mixed-schema", { value: 1 }),
      await c.enqueue("mixed-schema", { value: "two" }),
      await c.enqueue("mixed-schema", { value: 3 }),
    ];
    open();
    const outcomes = await Promise.all(queued.map((q) => settledCode(q.delivered)));
    expect(outcomes).toEqual(["delivered", "SCHEMA_VIOLATION", "delivered"]);
    expect(await c.outbox()).toEqual([]);
    expect((await rig.server.api.readAll("mixed-schema", 0)).records.map((r) => r.value)).toEqual([1, 3]);
  });

  it("a record the client could not check (its topic never looked up) is refused by the server and not retried", async () => {
    await rig.server.api.createTopic("late-schema", 1);
    await registerSchema("late-schema-value", { type: "integer" });
    const c = rig.client({ cache: "memory" });
    // Refused by the client once its lookup holds the schema, or by the server before: SCHEMA_VIOLATION either way.
    expect(await settledCode(c.produce("late-schema", { value: "one" }))).toBe("SCHEMA_VIOLATION");
    expect(await c.outbox()).toEqual([]);
    expect((await rig.server.api.readAll("late-schema", 0)).records).toEqual([]);
  });
});
