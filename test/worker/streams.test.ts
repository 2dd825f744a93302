/**
 * Durable Streams inside workerd, with the stream object's clock moved by hand (no sleeps): a
 * TTL slides with reads and expires by the object's alarm, Expires-At ends a stream at its time,
 * an expired fork releases its soft-deleted source (which the release wipes), and the producer
 * table keeps at most STREAM_PRODUCERS_MAX producers, the least recently used forgotten.
 *
 * Rules: PROTOCOL.md STREAM-9, STREAM-12, STREAM-19.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project worker test/worker/streams.test.ts
 */
import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { STREAM_PRODUCERS_MAX } from "../../client/protocol/index.ts";
import type { StreamObject } from "../../worker/streams/stream-object.ts";
import { commitProducer, validateProducer } from "../../worker/streams/stream-producers.ts";
import { ManualClock } from "./clock.ts";

const BASE = "http://edgelog.test/v1/stream/";
let counter = 0;

/** A fresh stream name and its object, with a manual clock set before its first request. */
async function freshStream(prefix: string): Promise<{ name: string; stub: DurableObjectStub<StreamObject>; clock: ManualClock }> {
  counter += 1;
  const name = `${prefix}-${counter}-${Date.now()}`;
  const stub = env.STREAM.getByName(name) as DurableObjectStub<StreamObject>;
  const clock = new ManualClock();
  await runInDurableObject(stub, (instance: StreamObject) => {
    instance.clock = clock;
  });
  return { name, stub, clock };
}

function call(name: string, init: RequestInit = {}, query = ""): Promise<Response> {
  return SELF.fetch(`${BASE}${name}${query}`, init);
}

describe("TTL and Expires-At", () => {
  it("a TTL slides with each read, and the alarm expires the stream once it has passed", async () => {
    const { name, stub, clock } = await freshStream("ttl");
    expect((await call(name, { method: "PUT", headers: { "content-type": "text/plain", "stream-ttl": "60" }, body: "x" })).status).toBe(
      201,
    );
    clock.advance(50_000);
    expect((await call(name)).status).toBe(200); // a read: the TTL starts again
    clock.advance(50_000);
    await runDurableObjectAlarm(stub); // due at the first expiry: not expired, set again
    expect((await call(name, { method: "HEAD" })).status).toBe(200);
    clock.advance(11_000);
    await runDurableObjectAlarm(stub);
    const rows = await runInDurableObject(
      stub,
      (_: StreamObject, state) => state.storage.sql.exec("SELECT COUNT(*) AS n FROM batches").one().n,
    );
    expect(rows).toBe(0);
    expect((await call(name)).status).toBe(404);
    expect((await call(name, { method: "PUT", headers: { "content-type": "text/plain" } })).status).toBe(201);
  });

  it("a stream past its Expires-At answers 404, and HEAD does not slide a TTL", async () => {
    const { name, clock } = await freshStream("expires");
    const at = new Date(clock.now() + 10_000).toISOString();
    expect((await call(name, { method: "PUT", headers: { "content-type": "text/plain", "stream-expires-at": at } })).status).toBe(201);
    expect((await call(name, { method: "HEAD" })).headers.get("stream-expires-at")).toBe(at);
    clock.advance(10_000);
    expect((await call(name)).status).toBe(404);
  });
});

describe("forks", () => {
  it("an expired fork releases its soft-deleted source, which is then wiped", async () => {
    const source = await freshStream("fsrc");
    const fork = await freshStream("fork");
    fork.clock.set(source.clock.now());
    expect((await call(source.name, { method: "PUT", headers: { "content-type": "text/plain" }, body: "abc" })).status).toBe(201);
    const created = await call(fork.name, {
      method: "PUT",
      headers: { "stream-forked-from": `/v1/stream/${source.name}`, "stream-ttl": "5" },
    });
    expect(created.status).toBe(201);
    expect(await (await call(fork.name)).text()).toBe("abc");
    expect((await call(source.name, { method: "DELETE" })).status).toBe(204);
    expect((await call(source.name)).status).toBe(410);
    fork.clock.advance(6_000);
    await runDurableObjectAlarm(fork.stub);
    expect((await call(fork.name)).status).toBe(404);
    expect((await call(source.name)).status).toBe(404);
  });
});

describe("producers", () => {
  it("keeps at most STREAM_PRODUCERS_MAX producers, forgetting the least recently used", async () => {
    const { stub } = await freshStream("producers");
    await runInDurableObject(stub, (_: StreamObject, state) => {
      const sql = state.storage.sql;
      for (let i = 0; i <= STREAM_PRODUCERS_MAX; i++) {
        const producer = { producerId: `p${i}`, epoch: 0, seq: 0 };
        const verdict = validateProducer(sql, producer);
        if (verdict.status !== "accepted") throw new Error(`p${i} refused`);
        commitProducer(sql, verdict, 1_000 + i);
      }
      expect(sql.exec("SELECT COUNT(*) AS n FROM stream_producers").one().n).toBe(STREAM_PRODUCERS_MAX);
      // p0, the least recently used, is forgotten: its sequence 1 is a new producer's gap.
      expect(validateProducer(sql, { producerId: "p0", epoch: 0, seq: 1 })).toStrictEqual({
        status: "sequence_gap",
        expectedSeq: 0,
        receivedSeq: 1,
      });
      expect(validateProducer(sql, { producerId: "p1", epoch: 0, seq: 1 })).toStrictEqual({
        status: "accepted",
        producer: { producerId: "p1", epoch: 0, seq: 1 },
      });
    });
  });
});
