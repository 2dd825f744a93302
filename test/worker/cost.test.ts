/**
 * What produce costs on Cloudflare's price list, measured with SQLite's own row counters:
 * one row written per request and partition (two with an idempotent producer), whatever the
 * number of records in the request. The README's "cost of a million events" rests on this.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/index.ts";
import { partitionStub as partitionObject, registryStub } from "../../worker/object-names.ts";

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  return app.request(path, { method, body: body === undefined ? undefined : JSON.stringify(body) }, env);
}

async function partitionStub(topic: string, partition: number) {
  const meta = await registryStub(env).get(topic);
  if (meta === null) throw new Error(`no topic ${topic}`);
  return partitionObject(env, meta.topicId, partition);
}

const records = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: { n: i, pad: "x".repeat(60) } }));

describe("rows written per produce request", () => {
  it("is one per request, independent of the records in it", async () => {
    expect((await call("PUT", "/v1/topics/cost-plain", { partitions: 1 })).status).toBe(201);
    const stub = await partitionStub("cost-plain", 0);
    const before = await stub.stats();
    for (let i = 0; i < 10; i++) {
      const res = await call("POST", "/v1/topics/cost-plain/partitions/0/records", { records: records(100) });
      expect(res.status).toBe(200);
    }
    const after = await stub.stats();
    expect(after.highWatermark - before.highWatermark).toBe(1000);
    expect(after.rowsWritten - before.rowsWritten).toBe(10);
  });

  it("is two per request with an idempotent producer (batch row + producer state row)", async () => {
    expect((await call("PUT", "/v1/topics/cost-idem", { partitions: 1 })).status).toBe(201);
    const stub = await partitionStub("cost-idem", 0);
    const before = await stub.stats();
    for (let i = 0; i < 10; i++) {
      const producer = { id: "cost-producer", epoch: 0, sequence: i * 100 };
      const res = await call("POST", "/v1/topics/cost-idem/partitions/0/records", { records: records(100), producer });
      expect(res.status).toBe(200);
    }
    // A retry of the last request appends nothing and writes nothing.
    const retry = await call("POST", "/v1/topics/cost-idem/partitions/0/records", {
      records: records(100),
      producer: { id: "cost-producer", epoch: 0, sequence: 900 },
    });
    expect(await retry.json()).toMatchObject({ duplicate: true });
    const after = await stub.stats();
    expect(after.highWatermark - before.highWatermark).toBe(1000);
    expect(after.rowsWritten - before.rowsWritten).toBe(20);
  });

  it("is one per group commit", async () => {
    expect((await call("PUT", "/v1/topics/cost-group", { partitions: 1 })).status).toBe(201);
    await call("POST", "/v1/topics/cost-group/records", { records: records(5) });
    const stub = await partitionStub("cost-group", 0);
    const before = await stub.stats();
    for (let offset = 1; offset <= 5; offset++) {
      const res = await call("PUT", "/v1/groups/cost-g/offsets", { offsets: [{ topic: "cost-group", partition: 0, offset }] });
      expect(res.status).toBe(200);
    }
    expect((await stub.stats()).rowsWritten - before.rowsWritten).toBe(5);
  });
});
