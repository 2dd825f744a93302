/**
 * The webhook sink end to end (CONNECT-3 to CONNECT-9): edgelog in workerd through Miniflare, in a
 * process of its own that the last test kills with `kill -9` (test/chaos/runtime-process.ts),
 * delivering to a real `node:http` endpoint on 127.0.0.1 (webhook-receiver.ts). Time is real, so
 * backoffs are configured short; every wait is bounded. Proved: delivery in offset order per
 * partition (and so per key), signatures a receiver verifies with the secret, retries with
 * backoff on 500s and the commit only after the success, dead-lettering after attemptsMax (the
 * records land in the dead-letter topic with their origin, and the commit moves), a connector
 * without a dead-letter topic shown failing and never moving, and a delivery held open across a
 * crash delivered again under the same delivery id with nothing committed before; and an idle
 * connector woken by the next produce (PROC-7) well before its 60 s backstop alarm.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/connectors.test.ts
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectorStatus, FetchedRecord, GroupOffsetsResponse, PartitionStatsResponse } from "../../client/protocol/index.ts";
import { type KillableRuntime, killableRuntime } from "../chaos/runtime-process.ts";
import { edgelogApi, expectJson, makeTempDir, removeDir, requestJson, waitFor } from "./runtime.ts";
import { type Received, type Receiver, startReceiver, verifySignature } from "./webhook-receiver.ts";

const SECRET = "test-secret-0123456789";
const WAIT_MS = 30_000;

interface Delivery {
  connector: string;
  topic: string;
  partition: number;
  records: FetchedRecord[];
}

let runtime: KillableRuntime;
let receiver: Receiver;
let dir = "";
/** What the receiver answers per path (default 200); a function may look at edgelog first. */
const behaviour = new Map<string, (request: Received) => Promise<number | "hang"> | number | "hang">();

beforeAll(async () => {
  dir = await makeTempDir("edgelog-connectors-");
  receiver = await startReceiver((request) => behaviour.get(request.path)?.(request) ?? 200);
  runtime = await killableRuntime({ dir });
  await runtime.start();
});

afterAll(async () => {
  await runtime?.kill();
  await receiver?.close();
  if (dir !== "") await removeDir(dir);
});

function delivery(request: Received): Delivery {
  return JSON.parse(request.body) as Delivery;
}

async function putConnector(name: string, body: Record<string, unknown>): Promise<ConnectorStatus> {
  return expectJson<ConnectorStatus>("PUT", `${runtime.url}/v1/connectors/${name}`, { kind: "webhook", secret: SECRET, ...body }, [201]);
}

async function status(name: string): Promise<ConnectorStatus> {
  return expectJson<ConnectorStatus>("GET", `${runtime.url}/v1/connectors/${name}`);
}

async function committed(group: string, topic: string): Promise<(number | null)[]> {
  const offsets = await expectJson<GroupOffsetsResponse>("GET", `${runtime.url}/v1/groups/${group}/offsets?topic=${topic}`);
  return offsets.partitions.map((line) => line.committedOffset);
}

async function readTopic(topic: string, partitions: number): Promise<FetchedRecord[]> {
  const api = edgelogApi(runtime.url);
  const all: FetchedRecord[] = [];
  for (let p = 0; p < partitions; p++) all.push(...(await api.readAll(topic, p)).records);
  return all;
}

describe("the webhook sink against a real HTTP endpoint", () => {
  it("delivers every partition in offset order, each key in order, signed and committed", { timeout: 90_000 }, async () => {
    const api = edgelogApi(runtime.url);
    await api.createTopic("orders", 2);
    for (let round = 0; round < 3; round++) {
      const records = Array.from({ length: 10 }, (_, i) => ({ key: `k${i % 5}`, value: { round, i } }));
      await api.produce("orders", { records });
    }
    const created = await putConnector("orders-hook", { topic: "orders", url: `${receiver.url}/orders`, batchRecordsMax: 4 });
    expect(created.config).not.toHaveProperty("secret");
    expect(created.partitions).toHaveLength(2);
    const done = await waitFor(
      "every record delivered",
      async () => {
        const s = await status("orders-hook");
        return s.deliveredRecords === 30 && s.lag === 0 ? s : undefined;
      },
      WAIT_MS,
    );
    expect(done.partitions.map((line) => line.state)).toEqual(["idle", "idle"]);
    const requests = receiver.on("/orders");
    expect(requests).toHaveLength(done.partitions.reduce((n, line) => n + line.deliveredBatches, 0));
    const offsetsByPartition = new Map<number, number[]>();
    const valuesByKey = new Map<string, string[]>();
    for (const request of requests) {
      expect(verifySignature(SECRET, request.headers["edgelog-signature"], request.body)).toBe(true);
      expect(verifySignature("another-secret-0123", request.headers["edgelog-signature"], request.body)).toBe(false);
      expect(request.headers["content-type"]).toBe("application/json");
      const body = delivery(request);
      expect(body.connector).toBe("orders-hook");
      expect(body.records.length).toBeLessThanOrEqual(4);
      const first = body.records[0]?.offset;
      const last = body.records[body.records.length - 1]?.offset;
      expect(request.headers["edgelog-delivery-id"]).toBe(`orders-hook/${body.partition}/${first}-${last}`);
      offsetsByPartition.set(body.partition, [...(offsetsByPartition.get(body.partition) ?? []), ...body.records.map((r) => r.offset)]);
      for (const record of body.records) {
        const { round, i } = record.value as { round: number; i: number };
        valuesByKey.set(record.key ?? "", [...(valuesByKey.get(record.key ?? "") ?? []), `${round}.${i}`]);
      }
    }
    const offsets = await Promise.all([0, 1].map(async (p) => (await api.fetch("orders", p, 0, 100)).highWatermark));
    for (const [p, hwm] of offsets.entries()) {
      expect(offsetsByPartition.get(p) ?? []).toEqual(Array.from({ length: hwm }, (_, i) => i));
    }
    for (const [, values] of valuesByKey) expect(values).toEqual([...values].sort());
    expect(await committed("connector.orders-hook", "orders")).toEqual(offsets);
    const metrics = await (await fetch(`${runtime.url}/v1/metrics`)).text();
    expect(metrics).toMatch(/edgelog_connector_delivered_records_total\{connector="orders-hook",topic="orders",partition="0"\} \d+/);
  });

  it("retries 500s with backoff and commits only after the success", { timeout: 60_000 }, async () => {
    const api = edgelogApi(runtime.url);
    await api.createTopic("payments", 1);
    await api.produce("payments", { records: [{ value: 1 }, { value: 2 }, { value: 3 }] });
    const seenWhileHeld: { offset: number; group: (number | null)[] }[] = [];
    let calls = 0;
    behaviour.set("/payments", async () => {
      calls++;
      if (calls <= 3) return 500;
      // The success is held while edgelog is asked what it committed: nothing yet.
      const s = await status("payments-hook");
      seenWhileHeld.push({ offset: s.partitions[0]?.committedOffset ?? -1, group: await committed("connector.payments-hook", "payments") });
      return 204;
    });
    await putConnector("payments-hook", { topic: "payments", url: `${receiver.url}/payments`, backoffInitialMs: 200, backoffMaxMs: 500 });
    const failing = await waitFor(
      "a second failed attempt",
      async () => {
        const s = await status("payments-hook");
        return (s.partitions[0]?.attempts ?? 0) >= 2 ? s : undefined;
      },
      WAIT_MS,
      20,
    );
    const line = failing.partitions[0];
    expect(line?.committedOffset).toBe(0);
    expect(line?.state).toBe("retrying");
    expect(line?.lastError?.message).toContain("HTTP 500");
    expect(line?.pending).toEqual({ firstOffset: 0, lastOffset: 2 });
    expect(line?.nextAttemptMs).toBeGreaterThan(Date.now() - 1_000);
    await waitFor("the delivery", async () => ((await status("payments-hook")).deliveredRecords === 3 ? true : undefined), WAIT_MS);
    const requests = receiver.on("/payments");
    expect(requests).toHaveLength(4);
    // The same batch every time, under the same delivery id.
    expect(new Set(requests.map((r) => r.headers["edgelog-delivery-id"]))).toEqual(new Set(["payments-hook/0/0-2"]));
    expect(new Set(requests.map((r) => JSON.stringify(delivery(r).records)))).toHaveProperty("size", 1);
    // Waits of 200, 400, then 500 (backoffMaxMs) ms between the attempts, at least.
    const gaps = requests.slice(1).map((r, i) => r.atMs - (requests[i]?.atMs ?? 0));
    for (const [i, wait] of [200, 400, 500].entries()) expect(gaps[i]).toBeGreaterThanOrEqual(wait - 25);
    expect(seenWhileHeld).toEqual([{ offset: 0, group: [null] }]);
    const after = await status("payments-hook");
    expect(after.partitions[0]).toMatchObject({ committedOffset: 3, attempts: 0, failedAttempts: 3, lastError: null, state: "idle" });
    expect(await committed("connector.payments-hook", "payments")).toEqual([3]);
  });

  it("dead-letters a batch after attemptsMax attempts and moves past it", { timeout: 60_000 }, async () => {
    const api = edgelogApi(runtime.url);
    await api.createTopic("invoices", 1);
    await api.createTopic("invoices.dlq", 2);
    const sent = Array.from({ length: 5 }, (_, i) => ({ key: `inv-${i}`, value: { n: i }, headers: { trace: `t${i}` } }));
    await api.produce("invoices", { records: sent });
    behaviour.set("/invoices", () => 500);
    await putConnector("invoices-hook", {
      topic: "invoices",
      url: `${receiver.url}/invoices`,
      deadLetterTopic: "invoices.dlq",
      attemptsMax: 3,
      backoffInitialMs: 20,
      backoffMaxMs: 40,
      batchRecordsMax: 2,
    });
    const done = await waitFor(
      "every batch dead-lettered",
      async () => {
        const s = await status("invoices-hook");
        return s.deadLetteredRecords === 5 ? s : undefined;
      },
      WAIT_MS,
    );
    expect(done.partitions[0]).toMatchObject({ committedOffset: 5, failedAttempts: 9, deliveredRecords: 0, attempts: 0 });
    // Three attempts of each batch, one batch after the other.
    const ids = receiver.on("/invoices").map((r) => r.headers["edgelog-delivery-id"]);
    expect(ids).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2].map((b) => `invoices-hook/0/${["0-1", "2-3", "4-4"][b]}`));
    const letters = (await readTopic("invoices.dlq", 2)).sort(
      (a, b) => Number(a.headers["edgelog-dead-letter-offset"]) - Number(b.headers["edgelog-dead-letter-offset"]),
    );
    expect(letters.map(({ key, value }) => ({ key, value }))).toEqual(sent.map(({ key, value }) => ({ key, value })));
    for (const [i, letter] of letters.entries()) {
      expect(letter.headers).toEqual({
        "edgelog-dead-letter-connector": "invoices-hook",
        "edgelog-dead-letter-topic": "invoices",
        "edgelog-dead-letter-partition": "0",
        "edgelog-dead-letter-offset": String(i),
        "edgelog-dead-letter-error": "HTTP 500 Internal Server Error",
        trace: `t${i}`,
      });
    }
    expect(await committed("connector.invoices-hook", "invoices")).toEqual([5]);
    const metrics = await (await fetch(`${runtime.url}/v1/metrics`)).text();
    expect(metrics).toContain('edgelog_connector_dead_lettered_records_total{connector="invoices-hook",topic="invoices",partition="0"} 5');
    expect(metrics).toContain('edgelog_connector_failed_attempts_total{connector="invoices-hook",topic="invoices",partition="0"} 9');
  });

  it("without a dead-letter topic, keeps retrying at backoffMaxMs, shown failing, committing nothing", { timeout: 60_000 }, async () => {
    const api = edgelogApi(runtime.url);
    await api.createTopic("audits", 1);
    await api.produce("audits", { records: [{ value: "a" }] });
    let healthy = false;
    behaviour.set("/audits", () => (healthy ? 200 : 503));
    await putConnector("audits-hook", {
      topic: "audits",
      url: `${receiver.url}/audits`,
      attemptsMax: 2,
      backoffInitialMs: 20,
      backoffMaxMs: 100,
    });
    const failing = await waitFor(
      "the connector to show failing",
      async () => {
        const s = await status("audits-hook");
        return (s.partitions[0]?.attempts ?? 0) >= 4 ? s : undefined;
      },
      WAIT_MS,
      20,
    );
    expect(failing.partitions[0]).toMatchObject({ state: "failing", committedOffset: 0, deadLetteredRecords: 0 });
    expect(await committed("connector.audits-hook", "audits")).toEqual([null]);
    healthy = true;
    await waitFor("the delivery", async () => ((await status("audits-hook")).deliveredRecords === 1 ? true : undefined), WAIT_MS);
    expect(await committed("connector.audits-hook", "audits")).toEqual([1]);
  });

  it("an idle connector is woken by the next produce, long before its backstop alarm (PROC-7)", { timeout: 60_000 }, async () => {
    const api = edgelogApi(runtime.url);
    await api.createTopic("refunds", 1);
    const stats = () => expectJson<PartitionStatsResponse>("GET", `${runtime.url}/v1/topics/refunds/partitions/0/stats`);
    await putConnector("refunds-hook", { topic: "refunds", url: `${receiver.url}/refunds` });
    // Its first step finds the empty partition caught up: the partition holds it as a watcher, and
    // its next alarm is the 60 s backstop (CONNECTOR_IDLE_BACKSTOP_MS), no longer 1 s away.
    await waitFor("the connector to watch the partition", async () => ((await stats()).watchers === 1 ? true : undefined), WAIT_MS, 20);
    await api.produce("refunds", { records: [{ key: "r1", value: { amount: 5 } }] });
    // Well inside the backstop: only the produce's wake can have brought the delivery this soon.
    await waitFor("the delivery the produce woke", () => (receiver.on("/refunds").length === 1 ? true : undefined), 20_000, 20);
    expect(delivery(receiver.on("/refunds")[0] as Received).records.map((r) => r.key)).toEqual(["r1"]);
  });

  it("a delivery held open across kill -9 is delivered again under the same id, nothing committed before", {
    timeout: 120_000,
  }, async () => {
    const api = edgelogApi(runtime.url);
    await api.createTopic("shipments", 1);
    await api.produce("shipments", {
      records: [
        { key: "s", value: 1 },
        { key: "s", value: 2 },
      ],
    });
    let held = 0;
    const seenAtSuccess: number[] = [];
    behaviour.set("/shipments", async () => {
      if (held === 0) {
        held++;
        return "hang";
      }
      seenAtSuccess.push((await status("shipments-hook")).partitions[0]?.committedOffset ?? -1);
      return 200;
    });
    await putConnector("shipments-hook", { topic: "shipments", url: `${receiver.url}/shipments` });
    await waitFor("the first delivery to arrive", () => (receiver.on("/shipments").length === 1 ? true : undefined), WAIT_MS, 20);
    expect((await status("shipments-hook")).partitions[0]?.committedOffset).toBe(0);
    await runtime.kill();
    await runtime.start();
    const answer = await requestJson<ConnectorStatus>("GET", `${runtime.url}/v1/connectors/shipments-hook`);
    expect(answer.status).toBe(200);
    await waitFor(
      "the delivery after the restart",
      async () => ((await status("shipments-hook")).deliveredRecords === 2 ? true : undefined),
      WAIT_MS,
    );
    const requests = receiver.on("/shipments");
    expect(requests.length).toBe(2);
    expect(requests.map((r) => r.headers["edgelog-delivery-id"])).toEqual(["shipments-hook/0/0-1", "shipments-hook/0/0-1"]);
    expect(requests[1]?.body).toBe(requests[0]?.body);
    expect(seenAtSuccess).toEqual([0]);
    expect(await committed("connector.shipments-hook", "shipments")).toEqual([2]);
  });
});
