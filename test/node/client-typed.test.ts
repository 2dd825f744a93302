/**
 * Typed topics against the real worker (Miniflare on 127.0.0.1): typed values end to end
 * (`client.topic<T>`, `produce<T>`, `subscribe<T>`), zod and valibot schemas checked at enqueue
 * (a bad value refused at once, offline, with nothing queued and nothing sent), the schema's
 * output queued (defaults and transforms, read back from the server), an async schema (with
 * call order kept), a schema that throws, incoming values refused and reported with their
 * position, and the bounds (issues kept, an async schema's time, records waiting on schemas).
 * The type-level half is client-typed-types.ts, checked by `tsc -p test/node`.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-typed.test.ts
 */
import * as v from "valibot";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { EnqueueOrder } from "../../client/enqueue-order.ts";
import {
  type ClientError,
  errorCode,
  type FetchFunction,
  type JsonValue,
  SCHEMA_ISSUES_MAX,
  SCHEMA_PENDING_RECORDS_MAX,
  SCHEMA_VALIDATE_MS_MAX,
  SchemaValidationError,
  type StandardSchemaV1,
  type TopicRecord,
} from "../../client/index.ts";
import type { ProduceRecord } from "../../client/producer.ts";
import { checkValue } from "../../client/schema-check.ts";
import { collect, testRig, WAIT_MS } from "./client-harness.ts";
import { waitFor } from "./runtime.ts";

const rig = testRig();

interface Order {
  id: string;
  qty: number;
  tags: string[];
}

/** A fetch that counts calls and fails each, as with no network at all. */
function unreachable(): { fetch: FetchFunction; calls: () => number } {
  let calls = 0;
  return {
    fetch: async () => {
      calls++;
      throw new TypeError("fetch failed: no network (simulated)");
    },
    calls: () => calls,
  };
}

/** A client whose server cannot be reached (nothing listens on its port, and fetch fails). */
function offlineClient(): { client: ReturnType<typeof rig.client>; calls: () => number } {
  const net = unreachable();
  return { client: rig.client({ url: "http://127.0.0.1:9", fetch: net.fetch }), calls: net.calls };
}

/** Every value on partition 0 of `topic`, read from the server. */
async function serverValues(topic: string): Promise<unknown[]> {
  return (await rig.server.api.readAll(topic, 0)).records.map((r) => r.value);
}

/** How long "at once" may take: a refusal needs no network, so this only bounds a broken build. */
const AT_ONCE_MS = 2_000;

/** The error a promise rejected with, at once (fails the test if it resolved or is still pending after AT_ONCE_MS). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${AT_ONCE_MS} ms: not refused at once`)), AT_ONCE_MS);
  });
  const settled = promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error as Error,
  );
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}

/** A Standard Schema written by hand: `validate` answers what `answer` says. */
function handSchema(
  answer: (value: unknown) => StandardSchemaV1.Result<JsonValue> | Promise<StandardSchemaV1.Result<JsonValue>>,
): StandardSchemaV1<unknown, JsonValue> {
  return { "~standard": { version: 1, vendor: "test", validate: answer } };
}

const orderSchema = z.object({ id: z.string().min(1), qty: z.number().int().positive().default(1), tags: z.array(z.string()).default([]) });

describe("typed values end to end", () => {
  it("client.topic<T>: produced typed, delivered typed to the callback and the iterator, values equal", async () => {
    await rig.server.api.createTopic("typed-plain", 1);
    const client = rig.client();
    const orders = client.topic<Order>("typed-plain");
    expect(orders.name).toBe("typed-plain");
    expect(orders.schema).toBeNull();
    const sent: Order[] = [
      { id: "o-1", qty: 2, tags: ["gift"] },
      { id: "o-2", qty: 1, tags: [] },
    ];
    const got: TopicRecord<Order>[] = [];
    const sub = orders.subscribe({ from: "earliest" }, (record) => {
      got.push(record);
    });
    const iterated: Order[] = [];
    const reading = (async () => {
      for await (const record of sub) {
        iterated.push(record.value);
        if (iterated.length === sent.length) break;
      }
    })();
    for (const value of sent) await orders.produce({ key: value.id, value });
    await reading;
    expect(got.map((r) => r.value)).toEqual(sent);
    expect(iterated).toEqual(sent);
    expect(got.map((r) => r.value.qty)).toEqual([2, 1]);
  });

  it("client.produce<T> and client.subscribe<T> type the plain calls the same way", async () => {
    await rig.server.api.createTopic("typed-calls", 1);
    const client = rig.client();
    const got: TopicRecord<Order>[] = [];
    client.subscribe<Order>("typed-calls", { from: "earliest" }, (record) => {
      got.push(record);
    });
    const value: Order = { id: "o-3", qty: 5, tags: ["a", "b"] };
    await client.produce<Order>("typed-calls", { value });
    await waitFor("the record delivered", () => (got.length === 1 ? true : undefined), WAIT_MS, 20);
    expect(got[0]?.value).toEqual(value);
  });
});

describe("a schema at enqueue", () => {
  it("zod: the schema's output (defaults filled) is what is queued, sent and delivered", async () => {
    await rig.server.api.createTopic("typed-zod", 1);
    const client = rig.client();
    const orders = client.topic("typed-zod", { schema: orderSchema });
    const got: TopicRecord<z.output<typeof orderSchema>>[] = [];
    orders.subscribe({ from: "earliest" }, (record) => {
      got.push(record);
    });
    await orders.produce({ key: "alice", value: { id: "o-1" } });
    expect(await serverValues("typed-zod")).toEqual([{ id: "o-1", qty: 1, tags: [] }]);
    await waitFor("the record delivered", () => (got.length === 1 ? true : undefined), WAIT_MS, 20);
    expect(got[0]?.value).toEqual({ id: "o-1", qty: 1, tags: [] });
  });

  it("valibot: a transforming schema queues its output (with incoming: trust, delivered as stored)", async () => {
    await rig.server.api.createTopic("typed-valibot", 1);
    const client = rig.client();
    const schema = v.object({
      text: v.pipe(v.string(), v.trim()),
      length: v.pipe(
        v.string(),
        v.transform((s) => s.length),
      ),
    });
    const notes = client.topic("typed-valibot", { schema, incoming: "trust" });
    const got = collect();
    notes.subscribe({ from: "earliest" }, (record) => {
      got.records.push(record);
    });
    const queued = await notes.enqueue({ value: { text: "  hi  ", length: "abcd" } });
    expect((await client.outbox()).map((r) => r.value)).toEqual([{ text: "hi", length: 4 }]);
    await queued.delivered;
    expect(await serverValues("typed-valibot")).toEqual([{ text: "hi", length: 4 }]);
    expect((await got.waitForCount(1))[0]?.value).toEqual({ text: "hi", length: 4 });
  });

  it("a bad value is refused at once, offline, naming the path and the issue: nothing queued, nothing sent (zod and valibot)", async () => {
    const { client, calls } = offlineClient();
    const zodTopic = client.topic("orders", { schema: orderSchema });
    const valibotTopic = client.topic("orders", { schema: v.object({ id: v.string(), items: v.array(v.object({ qty: v.number() })) }) });
    const before = calls();
    // @ts-expect-error -- a wrong value type, refused by the types and, here, at run time
    const zodError = await rejection(zodTopic.produce({ key: "a", value: { id: 7 } }));
    const valibotError = await rejection(
      // @ts-expect-error -- a string where a number belongs
      valibotTopic.enqueue({ value: { id: "x", items: [{ qty: 1 }, { qty: "2" }] } }),
    );
    for (const error of [zodError, valibotError]) {
      expect(errorCode(error)).toBe("SCHEMA_VALIDATION_FAILED");
      expect(error).toBeInstanceOf(SchemaValidationError);
    }
    expect(zodError.message).toMatch(/^orders: the schema refused the record's value\.id: Invalid input: expected string, received number/);
    expect((zodError as SchemaValidationError).issues).toEqual([{ message: expect.stringContaining("expected string"), path: ["id"] }]);
    expect(valibotError.message).toContain("value.items[1].qty: Invalid type: Expected number but received");
    expect((valibotError as SchemaValidationError).issues[0]?.path).toEqual(["items", 1, "qty"]);
    expect(await client.outbox()).toEqual([]);
    expect(calls()).toBe(before);
    // The same topic offline takes a good value into the outbox (the refusal was the schema's).
    await zodTopic.enqueue({ value: { id: "o-9" } });
    expect((await client.outbox()).map((r) => r.value)).toEqual([{ id: "o-9", qty: 1, tags: [] }]);
  });

  it("an async schema: a bad value rejects once it answers, a good one is queued, and call order is kept", async () => {
    await rig.server.api.createTopic("typed-async", 1);
    const client = rig.client();
    const taken = new Set(["bob"]);
    const schema = z.object({ user: z.string().refine(async (user) => !taken.has(user), "that name is taken") });
    const signups = client.topic("typed-async", { schema });
    const bad = await rejection(signups.produce({ key: "k", value: { user: "bob" } }));
    expect(errorCode(bad)).toBe("SCHEMA_VALIDATION_FAILED");
    expect(bad.message).toContain("value.user: that name is taken");
    expect(await client.outbox()).toEqual([]);
    // Three in a row on one key: the async-checked ones first, then an untyped one: the server keeps call order.
    const first = signups.enqueue({ key: "k", value: { user: "ann" } });
    const second = signups.enqueue({ key: "k", value: { user: "cy" } });
    const third = client.enqueue("typed-async", { key: "k", value: { user: "dee" } });
    const queued = await Promise.all([first, second, third]);
    await Promise.all(queued.map((q) => q.delivered));
    expect(await serverValues("typed-async")).toEqual([{ user: "ann" }, { user: "cy" }, { user: "dee" }]);
  });

  it("a schema that throws, or answers nonsense, is SCHEMA_FAILED, never a crash; nothing queued", async () => {
    const { client } = offlineClient();
    const throwing = client.topic("orders", {
      schema: handSchema(() => {
        throw new Error("validator bug");
      }),
    });
    const rejecting = client.topic("orders", { schema: handSchema(() => Promise.reject(new Error("lookup down"))) });
    const nonsense = client.topic("orders", { schema: handSchema(() => 42 as unknown as StandardSchemaV1.Result<JsonValue>) });
    const errors = [
      await rejection(throwing.produce({ value: 1 })),
      await rejection(rejecting.produce({ value: 1 })),
      await rejection(nonsense.produce({ value: 1 })),
    ];
    expect(errors.map(errorCode)).toEqual(["SCHEMA_FAILED", "SCHEMA_FAILED", "SCHEMA_FAILED"]);
    expect(errors.map((e) => e.message)).toEqual([
      "orders: the schema threw: validator bug",
      "orders: the schema rejected: lookup down",
      "orders: the schema answered something that is not a result",
    ]);
    expect(await client.outbox()).toEqual([]);
    expect(() => client.topic("orders", { schema: {} as StandardSchemaV1<unknown, JsonValue> })).toThrow(/Standard Schema/);
  });

  it("keeps at most SCHEMA_ISSUES_MAX issues, and says how many there were", async () => {
    const { client } = offlineClient();
    const schema = z.object(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}`, z.string()])));
    const error = (await rejection(client.topic("orders", { schema }).produce({ value: {} as never }))) as SchemaValidationError;
    expect(error.issues).toHaveLength(SCHEMA_ISSUES_MAX);
    expect(error.issuesTotal).toBe(50);
    expect(error.message).toContain("(and 49 more issues)");
  });
});

describe("a schema on incoming values", () => {
  it("refuses a value another producer wrote: never delivered, reported with its position; the rest flows", async () => {
    await rig.server.api.createTopic("typed-incoming", 1);
    await rig.server.api.produce("typed-incoming", {
      records: [{ value: { id: "o-1", qty: 1, tags: [] } }, { value: { id: 5 } }, { value: { id: "o-3" } }],
    });
    const client = rig.client();
    const reported: ClientError[] = [];
    client.onError((error) => reported.push(error));
    const got = collect();
    client.topic("typed-incoming", { schema: orderSchema }).subscribe({ from: "earliest" }, (record) => {
      got.records.push(record);
    });
    await got.waitForCount(2);
    expect(got.records.map((r) => [r.offset, r.value])).toEqual([
      [0, { id: "o-1", qty: 1, tags: [] }],
      [2, { id: "o-3", qty: 1, tags: [] }],
    ]);
    const refused = reported.filter((e) => e.code === "SCHEMA_VALIDATION_FAILED");
    expect(refused).toHaveLength(1);
    expect((refused[0] as SchemaValidationError).where).toEqual({ topic: "typed-incoming", partition: 0, offset: 1 });
    expect(refused[0]?.message).toMatch(/^typed-incoming\/0@1: the schema refused the record's value\.id/);
  });
});

describe("bounds, alone", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("an async schema that never answers is SCHEMA_FAILED after SCHEMA_VALIDATE_MS_MAX", async () => {
    vi.useFakeTimers();
    const never = handSchema(() => new Promise(() => undefined));
    const checked = checkValue(never, 1, { topic: "orders" });
    const settled = Promise.resolve(checked).then(
      () => "answered",
      (error: unknown) => `${errorCode(error)}: ${(error as Error).message}`,
    );
    await vi.advanceTimersByTimeAsync(SCHEMA_VALIDATE_MS_MAX - 1);
    let early = "pending";
    void settled.then((s) => {
      early = s;
    });
    await Promise.resolve();
    expect(early).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled).toBe(`SCHEMA_FAILED: orders: the schema did not answer within ${SCHEMA_VALIDATE_MS_MAX} ms`);
  });

  it("hands records on in call order whatever order their schemas answer in, and bounds how many wait", async () => {
    vi.useFakeTimers();
    const order = new EnqueueOrder();
    const queued: unknown[] = [];
    const queue = async (record: ProduceRecord) => {
      queued.push(record.value);
      return record.value;
    };
    // Value n answers after (10 - n) ms: the last called answers first.
    const slow = handSchema(
      (value) => new Promise((resolve) => setTimeout(() => resolve({ value: value as JsonValue }), 10 - (value as number))),
    );
    const runs = [1, 2, 3].map((n) => order.run({ topic: "t", record: { value: n }, schema: slow }, queue));
    const plain = order.run({ topic: "t", record: { value: 4 }, schema: null }, queue);
    await vi.advanceTimersByTimeAsync(20);
    expect(await Promise.all([...runs, plain])).toEqual([1, 2, 3, 4]);
    expect(queued).toEqual([1, 2, 3, 4]);
    // Nothing waits now: an unchecked record goes straight through.
    await order.run({ topic: "t", record: { value: 5 }, schema: null }, queue);
    expect(queued).toEqual([1, 2, 3, 4, 5]);
    // SCHEMA_PENDING_RECORDS_MAX waiting on a schema that never answers: the next is OUTBOX_FULL at once.
    const never = handSchema(() => new Promise(() => undefined));
    const waiting = Array.from({ length: SCHEMA_PENDING_RECORDS_MAX }, () =>
      order.run({ topic: "t", record: { value: 0 }, schema: never }, queue).catch((error: unknown) => errorCode(error)),
    );
    expect(() => order.run({ topic: "t", record: { value: 6 }, schema: null }, queue)).toThrow(/wait for their schema/);
    await vi.advanceTimersByTimeAsync(SCHEMA_VALIDATE_MS_MAX);
    expect(new Set(await Promise.all(waiting))).toEqual(new Set(["SCHEMA_FAILED"]));
    expect(queued).toEqual([1, 2, 3, 4, 5]);
  });
});
