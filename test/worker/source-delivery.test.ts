/**
 * HTTP source deliveries in workerd (auth off): a redelivery of a seen id appends nothing and
 * answers the original offset; the dedupe window and SOURCE_DELIVERY_IDS_MAX bound what is
 * remembered; the topic's schema applies as on every produce path; a crash between the stored
 * intent and the append, or between the append and its acknowledgement, still leaves each
 * delivery in the topic once (SOURCE-5); SOURCES_MAX bounds the sources.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project worker test/worker/source-delivery.test.ts
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SOURCES_MAX } from "../../client/protocol/index.ts";
import { app } from "../../worker/index.ts";
import { deliver } from "../../worker/sources/source-delivery.ts";
import { SOURCE_INDEX_NAME, type SourceObject } from "../../worker/sources/source-object.ts";
import { sourceStub } from "../../worker/sources/source-routes.ts";
import { hmacKey } from "../../worker/sources/source-signature.ts";
import type { SourceState } from "../../worker/sources/source-state.ts";
import { api, createTopic, expectError, readAll, uniqueTopic } from "./http.ts";
import { sendDelivery, sha256Signature } from "./source-signing.ts";

const SECRET = "a-shared-secret-0123456789";
const HOUR_MS = 3_600_000;

async function source(config: Record<string, unknown> = {}, partitions = 1): Promise<string> {
  const topic = uniqueTopic("src-dlv");
  await createTopic(topic, partitions);
  const answer = await api("PUT", `/v1/sources/${topic}`, { topic, secret: SECRET, ...config });
  expect(answer.status, JSON.stringify(answer.json)).toBe(201);
  return topic;
}

async function signed(name: string, body: string, id?: string) {
  const headers: Record<string, string> = { "x-hub-signature-256": await sha256Signature(SECRET, body) };
  if (id !== undefined) headers["x-delivery-id"] = id;
  return sendDelivery(name, body, headers);
}

async function setClock(name: string, nowMs: number): Promise<void> {
  await runInDurableObject(sourceStub(env, name), (instance: SourceObject) => {
    instance.clock = { now: () => nowMs, at: (runtimeMs) => runtimeMs };
  });
}

describe("redeliveries", () => {
  it("the same delivery id twice is one record: 202, then 200 duplicate with the original offset", async () => {
    const name = await source();
    const first = await signed(name, '{"n":1}', "gh-1");
    const again = await signed(name, '{"n":1}', "gh-1");
    const other = await signed(name, '{"n":2}', "gh-2");
    expect([first.status, again.status, other.status]).toEqual([202, 200, 202]);
    expect(again.json).toEqual({ ...first.json, duplicate: true });
    expect(other.json.offset).toBe(first.json.offset + 1);
    expect((await readAll(name, 0)).map((r) => r.value)).toEqual([{ n: 1 }, { n: 2 }]);
    expect((await api("GET", `/v1/sources/${name}`)).json).toMatchObject({ accepted: 2, duplicates: 1, deliveryIds: 2 });
  });

  it("without a delivery id header the body's SHA-256 is the id: the same body is one record", async () => {
    const name = await source();
    expect((await signed(name, '{"event":"x"}')).status).toBe(202);
    expect((await signed(name, '{"event":"x"}')).json).toMatchObject({ duplicate: true });
    expectError(await signed(name, "{}", "x".repeat(257)), 400, "INVALID_REQUEST");
    expect((await readAll(name, 0)).length).toBe(1);
  });

  it("an id is forgotten after the dedupe window, and past SOURCE_DELIVERY_IDS_MAX the oldest first", async () => {
    const name = await source({ dedupeWindowMs: HOUR_MS });
    const startMs = 1_900_000_000_000;
    await setClock(name, startMs);
    expect((await signed(name, "{}", "w-1")).status).toBe(202);
    await setClock(name, startMs + HOUR_MS - 1);
    expect((await signed(name, "{}", "w-1")).status).toBe(200);
    await setClock(name, startMs + HOUR_MS + 1);
    expect((await signed(name, "{}", "w-1")).status).toBe(202); // a new delivery now: the window passed
    expect((await readAll(name, 0)).length).toBe(2);
    // The count bound (SOURCE_DELIVERY_IDS_MAX - 1 kept before each new one), tried with a small one.
    await runInDurableObject(sourceStub(env, name), (instance: SourceObject) => {
      for (const id of ["a", "b", "c"]) {
        instance.state.intend(
          {
            deliveryId: id,
            receivedMs: startMs + HOUR_MS + 2,
            topic: name,
            topicId: "t",
            partition: 0,
            sequence: 0,
            offset: null,
            request: "{}",
          },
          (body) => body(),
        );
        instance.state.complete(id, 0, startMs);
      }
      instance.state.evict(startMs + HOUR_MS + 3, HOUR_MS, 2);
      expect([instance.state.seen("w-1"), instance.state.seen("a")]).toEqual([null, null]);
      expect(instance.state.seen("c")).not.toBeNull();
    });
  });
});

describe("metrics", () => {
  it("GET /v1/metrics has each source's accepted, duplicates and signature refusals", async () => {
    const name = await source();
    await signed(name, "{}", "m-1");
    await signed(name, "{}", "m-1");
    await sendDelivery(name, "{}", { "x-hub-signature-256": "sha256=00" });
    const response = await app.request("/v1/metrics", {}, env);
    const text = await response.text();
    const labels = `{source="${name}",topic="${name}"}`;
    expect(text).toContain(`edgelog_source_accepted_total${labels} 1\n`);
    expect(text).toContain(`edgelog_source_duplicates_total${labels} 1\n`);
    expect(text).toContain(`edgelog_source_signature_refusals_total${labels} 1\n`);
  });
});

describe("the produce path's rules", () => {
  it("the topic's schema refuses a delivery (422 SCHEMA_VIOLATION): nothing stored, the id not remembered", async () => {
    const name = await source();
    const schema = { type: "object", required: ["qty"], properties: { qty: { type: "integer" } } };
    expect((await api("POST", `/v1/schemas/subjects/${name}-value/versions`, { schema: JSON.stringify(schema) })).status).toBe(200);
    expectError(await signed(name, '{"item":"x"}', "s-1"), 422, "SCHEMA_VIOLATION");
    expect(await readAll(name, 0)).toEqual([]);
    expect((await signed(name, '{"qty":1}', "s-1")).status).toBe(202);
    expect((await signed(name, '{"qty":2}', "s-2")).json).toMatchObject({ offset: 1 }); // its sequence was given back
  });

  it("a topic that does not exist is 404 UNKNOWN_TOPIC after the signature", async () => {
    const name = uniqueTopic("src-notopic");
    expect((await api("PUT", `/v1/sources/${name}`, { topic: `${name}-missing`, secret: SECRET })).status).toBe(201);
    expectError(await signed(name, "{}", "n-1"), 404, "UNKNOWN_TOPIC");
    expectError(await sendDelivery(name, "{}", {}), 401, "INVALID_SIGNATURE");
    expectError(await signed(`${name}-none`, "{}", "n-1"), 404, "UNKNOWN_SOURCE");
  });
});

/** Runs one delivery inside the object with `state` wrapped by `around`, which may kill it. */
async function deliverKilled(name: string, body: string, id: string, around: (state: SourceState) => SourceState) {
  const headers = { "x-hub-signature-256": await sha256Signature(SECRET, body), "x-delivery-id": id };
  return runInDurableObject(sourceStub(env, name), async (instance: SourceObject, ctx) => {
    const line = instance.state.read()!;
    const context = {
      env,
      state: around(instance.state),
      nowMs: Date.now(),
      transaction: (run: () => void) => ctx.storage.transactionSync(run),
      key: await hmacKey(SECRET),
    };
    return deliver(context, line, { headers, body: new TextEncoder().encode(body) });
  });
}

describe("a crash between the intent, the append and its acknowledgement (SOURCE-5)", () => {
  it("killed after the append, before the id records its offset: the redelivery resends as a retry, one record", async () => {
    const name = await source();
    const killed = (state: SourceState) =>
      Object.assign(Object.create(state) as SourceState, {
        complete: () => {
          throw new Error("killed after the append");
        },
      });
    await expect(deliverKilled(name, '{"n":1}', "c-1", killed)).rejects.toThrow("killed after the append");
    expect((await readAll(name, 0)).length).toBe(1);
    const redelivered = await signed(name, '{"n":1}', "c-1");
    expect(redelivered.status).toBe(200);
    expect(redelivered.json).toMatchObject({ offset: 0, duplicate: true });
    expect((await signed(name, '{"n":2}', "c-2")).json).toMatchObject({ offset: 1, duplicate: false });
    expect((await readAll(name, 0)).map((r) => r.value)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("killed after the intent, before the append: the next delivery appends it first, each once", async () => {
    const name = await source();
    const killed = (state: SourceState) =>
      Object.assign(Object.create(state) as SourceState, {
        intend: (...args: Parameters<SourceState["intend"]>) => {
          state.intend(...args);
          throw new Error("killed before the append");
        },
      });
    await expect(deliverKilled(name, '{"n":1}', "k-1", killed)).rejects.toThrow("killed before the append");
    expect(await readAll(name, 0)).toEqual([]);
    expect((await signed(name, '{"n":2}', "k-2")).json).toMatchObject({ offset: 1 });
    expect((await signed(name, '{"n":1}', "k-1")).json).toMatchObject({ offset: 0, duplicate: true });
    expect((await readAll(name, 0)).map((r) => r.value)).toEqual([{ n: 1 }, { n: 2 }]);
    expect((await api("GET", `/v1/sources/${name}`)).json).toMatchObject({ accepted: 2, duplicates: 1 });
  });
});

describe("limits", () => {
  it(`at SOURCES_MAX (${SOURCES_MAX}) sources a new name is 409 SOURCE_LIMIT_REACHED; a listed one may be replaced`, async () => {
    const index = sourceStub(env, SOURCE_INDEX_NAME);
    const listed = await index.indexNames();
    const seeded = Array.from({ length: SOURCES_MAX - listed.length }, (_, i) => `zz-seed-${i}`);
    for (const seed of seeded) expect(await index.indexReserve(seed)).toBe(true);
    try {
      expectError(await api("PUT", "/v1/sources/one-too-many", { topic: "t", secret: SECRET }), 409, "SOURCE_LIMIT_REACHED");
      expect((await api("PUT", `/v1/sources/${seeded[0]}`, { topic: "t", secret: SECRET })).status).toBe(201);
      // Listing skips the seeded names that were never configured.
      expect((await api("GET", "/v1/sources")).json.sources.map((s: { name: string }) => s.name)).toContain(seeded[0]);
    } finally {
      for (const seed of seeded) await api("DELETE", `/v1/sources/${seed}`);
    }
    expect((await index.indexNames()).length).toBe(listed.length);
  });
});
