/**
 * Schemas enforced on produce (SCHEMA-6), in workerd: HTTP produce (topic and partition routes,
 * a request spanning partitions) and socket produce refuse a record whose value or key does not
 * validate with SCHEMA_VIOLATION naming the record and the instance location, and store nothing
 * of the request; a new version is enforced from its registration on (pushed), a schema
 * registered before its topic is enforced from the topic's creation, a deleted subject no longer.
 */
import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { partitionForKey } from "../../client/protocol/index.ts";
import { PartitionSchemas } from "../../worker/partition/partition-schemas.ts";
import { api, createTopic, expectError, partitionStub, produce, readAll, uniqueTopic } from "./http.ts";
import { closeAllSockets, openSocket } from "./socket.ts";

afterEach(() => closeAllSockets());

const ORDER = {
  type: "object",
  required: ["item", "qty"],
  properties: { item: { type: "string" }, qty: { type: "integer", minimum: 1 } },
};

async function register(subject: string, schema: unknown): Promise<void> {
  const answer = await api("POST", `/v1/schemas/subjects/${subject}/versions`, { schema: JSON.stringify(schema) });
  expect(answer.status, JSON.stringify(answer.json)).toBe(200);
}

async function stored(topic: string, partitions: number): Promise<unknown[][]> {
  const all: unknown[][] = [];
  for (let p = 0; p < partitions; p++) all.push((await readAll(topic, p)).map((r) => r.value));
  return all;
}

describe("HTTP produce", () => {
  it("refuses a batch with one invalid record, naming it and its path, and stores nothing of it", async () => {
    const topic = uniqueTopic("orders");
    await createTopic(topic, 1);
    await register(`${topic}-value`, ORDER);
    await produce(topic, { records: [{ value: { item: "book", qty: 1 } }] });
    const records = [{ value: { item: "pen", qty: 2 } }, { value: { item: "ink", qty: 3 } }, { value: { item: "cap", qty: "4" } }];
    for (const path of [`/v1/topics/${topic}/records`, `/v1/topics/${topic}/partitions/0/records`]) {
      const answer = await api("POST", path, { records });
      expectError(answer, 422, "SCHEMA_VIOLATION");
      expect(answer.json.error.message).toContain(`records[2].value does not match ${topic}-value version 1 at #/qty`);
    }
    const missing = await api("POST", `/v1/topics/${topic}/records`, { records: [{ value: { item: "pen" } }] });
    expectError(missing, 422, "SCHEMA_VIOLATION");
    expect(missing.json.error.message).toContain("records[0].value does not match");
    expect(missing.json.error.message).toContain('"qty"');
    expect(await stored(topic, 1)).toEqual([[{ item: "book", qty: 1 }]]);
  });

  it("refuses a request spanning partitions when any share fails: no partition stores anything", async () => {
    const topic = uniqueTopic("spread");
    await createTopic(topic, 4);
    await register(`${topic}-value`, ORDER);
    // Keys on distinct partitions; the invalid record is on a partition of its own.
    const keys = ["a", "b", "c", "d", "e", "f", "g", "h"];
    const byPartition = new Map(keys.map((k) => [partitionForKey(k, 4), k]));
    expect(byPartition.size).toBeGreaterThan(2);
    const chosen = [...byPartition.values()];
    const records = chosen.map((key, i) => ({ key, value: i === chosen.length - 1 ? { item: 5, qty: 1 } : { item: key, qty: 1 } }));
    const answer = await api("POST", `/v1/topics/${topic}/records`, { records });
    expectError(answer, 422, "SCHEMA_VIOLATION");
    expect(answer.json.error.message).toContain(`records[${chosen.length - 1}].value`);
    expect(await stored(topic, 4)).toEqual([[], [], [], []]);
    const valid = records.map((r) => ({ ...r, value: { item: r.key, qty: 2 } }));
    expect((await produce(topic, { records: valid })).offsets).toHaveLength(chosen.length);
  });

  it("validates keys with the -key subject; null keys pass", async () => {
    const topic = uniqueTopic("keyed");
    await createTopic(topic, 2);
    await register(`${topic}-key`, { type: "string", pattern: "^user-[0-9]+$" });
    await produce(topic, { records: [{ key: "user-1", value: 1 }, { value: 2 }] });
    const answer = await api("POST", `/v1/topics/${topic}/records`, { records: [{ key: "admin", value: 3 }] });
    expectError(answer, 422, "SCHEMA_VIOLATION");
    expect(answer.json.error.message).toContain("records[0].key does not match");
  });

  it("enforces a new version at once, a schema registered before its topic, and no deleted subject", async () => {
    const topic = uniqueTopic("evolve");
    await register(`${topic}-value`, ORDER);
    await createTopic(topic, 2);
    expectError(await api("POST", `/v1/topics/${topic}/records`, { records: [{ value: { item: "x" } }] }), 422, "SCHEMA_VIOLATION");
    // Version 2 (BACKWARD): qty no longer required.
    await register(`${topic}-value`, { ...ORDER, required: ["item"] });
    await produce(topic, { records: [{ value: { item: "x" } }] });
    expectError(await api("POST", `/v1/topics/${topic}/records`, { records: [{ value: { qty: 1 } }] }), 422, "SCHEMA_VIOLATION");
    expect((await api("DELETE", `/v1/schemas/subjects/${topic}-value`)).status).toBe(200);
    await produce(topic, { records: [{ value: "anything" }] });
  });

  it("a topic created again (a new incarnation) is validated with the subject's schema", async () => {
    const topic = uniqueTopic("again");
    await createTopic(topic, 1);
    await register(`${topic}-value`, { type: "integer" });
    expect((await api("DELETE", `/v1/topics/${topic}`)).status).toBe(204);
    await createTopic(topic, 1);
    expectError(await api("POST", `/v1/topics/${topic}/records`, { records: [{ value: "one" }] }), 422, "SCHEMA_VIOLATION");
    await produce(topic, { records: [{ value: 1 }] });
  });

  it("keeps the schemas in the partition's storage: a fresh start of the object enforces them", async () => {
    const topic = uniqueTopic("durable");
    await createTopic(topic, 1);
    await register(`${topic}-value`, { type: "integer" });
    const stub = await partitionStub(topic, 0);
    await runInDurableObject(stub, (instance, state) => {
      const fresh = new PartitionSchemas(state.storage.sql);
      const topicId = instance.log.identity!.topicId;
      expect(() => fresh.check(topicId, ['"key":null,"value":"x","headers":{}}'])).toThrow(/SCHEMA|does not match/);
      expect(() => fresh.check(topicId, ['"key":null,"value":7,"headers":{}}'])).not.toThrow();
      // A push older than what it holds is ignored.
      expect(fresh.set(topicId, { seq: 0, value: null, key: null })).toBe(false);
    });
  });
});

describe("idempotent retries", () => {
  it("a retry of a batch stored before a schema refusing it is answered as stored (duplicate), not refused", async () => {
    const topic = uniqueTopic("retry");
    await createTopic(topic, 1);
    const request = { records: [{ value: "text" }], producer: { id: "p-retry", epoch: 0, sequence: 0 } };
    await produce(topic, request, 0);
    await register(`${topic}-value`, { type: "integer" });
    const retry = await api("POST", `/v1/topics/${topic}/partitions/0/records`, request);
    expect([retry.status, retry.json.duplicate]).toEqual([200, true]);
    const next = await api("POST", `/v1/topics/${topic}/partitions/0/records`, {
      ...request,
      producer: { ...request.producer, sequence: 1 },
    });
    expectError(next, 422, "SCHEMA_VIOLATION");
    expect(await stored(topic, 1)).toEqual([["text"]]);
  });
});

describe("socket produce", () => {
  it("refuses an invalid frame with SCHEMA_VIOLATION, stores nothing, and acks the next valid one", async () => {
    const topic = uniqueTopic("sock");
    await createTopic(topic, 1);
    await register(`${topic}-value`, ORDER);
    const sock = await openSocket(topic, 0);
    sock.send({ type: "produce", id: "bad", records: [{ value: { item: "a", qty: 1 } }, { value: { item: "b", qty: 0 } }] });
    const error = await sock.next("error");
    expect(error).toMatchObject({ id: "bad", code: "SCHEMA_VIOLATION" });
    expect(error.message).toContain("records[1].value does not match");
    expect(error.message).toContain("#/qty");
    sock.send({ type: "produce", id: "good", records: [{ value: { item: "c", qty: 1 } }] });
    expect(await sock.next("ack")).toMatchObject({ id: "good", offsets: [{ partition: 0, offset: 0 }] });
    expect(await stored(topic, 1)).toEqual([[{ item: "c", qty: 1 }]]);
  });
});
