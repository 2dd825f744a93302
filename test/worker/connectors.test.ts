/**
 * Connectors in workerd: the configuration parser and the backoff rule as functions, then a
 * Connector object stepped by hand on a clock the test moves (the alarm it sets is a day ahead
 * and never fires by itself), delivering to an address that refuses connections: each failed
 * attempt counted and backed off as CONNECT-7 says, nothing committed, the batch dead-lettered
 * after attemptsMax attempts with the position moved past it (and mirrored to the consumer
 * group), the delete forgetting everything. The deliveries that succeed are proved end to end
 * against a real HTTP server by test/node/connectors.test.ts.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project worker test/worker/connectors.test.ts
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  backoffDelayMs,
  CONNECTOR_BACKOFF_MAX_MS_DEFAULT,
  type ConnectorStatus,
  parseConnectorConfig,
  publicConfig,
} from "../../client/protocol/index.ts";
import type { ConnectorObject } from "../../worker/connectors/connector-object.ts";
import { connectorStub } from "../../worker/connectors/connector-routes.ts";
import { ManualClock } from "./clock.ts";
import { api, createTopic, produce, readAll, uniqueTopic } from "./http.ts";

const SECRET = "workerd-secret-0123456789";
/** Nothing listens on the discard port: every attempt fails at once. */
const REFUSED_URL = "http://127.0.0.1:9/hook";

describe("the configuration", () => {
  it("fills the defaults, lower-cases header names and hides the secret", () => {
    const config = parseConnectorConfig({
      kind: "webhook",
      topic: "t",
      url: "https://example.com/h",
      secret: SECRET,
      headers: { "X-Token": "a" },
    });
    expect(config).toEqual({
      kind: "webhook",
      topic: "t",
      deadLetterTopic: null,
      attemptsMax: 10,
      backoffInitialMs: 1_000,
      backoffMaxMs: CONNECTOR_BACKOFF_MAX_MS_DEFAULT,
      batchRecordsMax: 100,
      url: "https://example.com/h",
      secret: SECRET,
      headers: { "x-token": "a" },
    });
    expect(publicConfig(config)).not.toHaveProperty("secret");
    expect(publicConfig(config)).toMatchObject({ headerNames: ["x-token"] });
    // A long initial backoff raises the default maximum to it.
    expect(
      parseConnectorConfig({ kind: "webhook", topic: "t", url: "http://h/", secret: SECRET, backoffInitialMs: 600_000 }).backoffMaxMs,
    ).toBe(600_000);
  });

  it("backs off exponentially, bounded, and at the maximum once the attempts ran out", () => {
    const config = { backoffInitialMs: 100, backoffMaxMs: 1_000, attemptsMax: 6 };
    expect([1, 2, 3, 4, 5, 6, 7, 60].map((attempt) => backoffDelayMs(config, attempt))).toEqual([
      100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000,
    ]);
    expect(backoffDelayMs({ backoffInitialMs: 10, backoffMaxMs: 3_600_000, attemptsMax: 100 }, 99)).toBe(3_600_000);
  });
});

async function manualConnector(name: string): Promise<{ clock: ManualClock; stub: DurableObjectStub<ConnectorObject> }> {
  const clock = new ManualClock();
  const stub = connectorStub(env, name);
  await runInDurableObject(stub, (instance: ConnectorObject) => {
    instance.clock = clock;
  });
  return { clock, stub };
}

async function status(name: string): Promise<ConnectorStatus> {
  const answer = await api<ConnectorStatus>("GET", `/v1/connectors/${name}`);
  expect(answer.status).toBe(200);
  return answer.json;
}

describe("a connector stepped by hand", () => {
  it("backs off each failed attempt, commits nothing, then dead-letters and moves past the batch", async () => {
    const topic = uniqueTopic("conn");
    const dlq = `${topic}.dlq`;
    await createTopic(topic, 1);
    await createTopic(dlq, 1);
    await produce(
      topic,
      {
        records: [
          { key: "a", value: 1 },
          { key: "b", value: 2 },
          { key: "c", value: 3 },
        ],
      },
      0,
    );
    const name = `${topic}-hook`;
    const { clock, stub } = await manualConnector(name);
    const body = {
      kind: "webhook",
      topic,
      url: REFUSED_URL,
      secret: SECRET,
      deadLetterTopic: dlq,
      attemptsMax: 3,
      backoffInitialMs: 1_000,
      batchRecordsMax: 2,
    };
    expect((await api("PUT", `/v1/connectors/${name}`, body)).status).toBe(201);

    const start = clock.now();
    expect(await stub.step()).toBe(start + 1_000);
    let line = (await status(name)).partitions[0];
    expect(line).toMatchObject({
      committedOffset: 0,
      attempts: 1,
      failedAttempts: 1,
      pending: { firstOffset: 0, lastOffset: 1 },
      state: "retrying",
    });
    expect(line?.nextAttemptMs).toBe(start + 1_000);
    expect(line?.lastError?.message).toMatch(/^request failed/);
    // Not due yet: the step does nothing and answers the same due time.
    clock.advance(999);
    expect(await stub.step()).toBe(start + 1_000);
    expect((await status(name)).partitions[0]?.attempts).toBe(1);
    clock.advance(1);
    expect(await stub.step()).toBe(clock.now() + 2_000);
    clock.advance(2_000);
    // The third attempt fails too: the batch goes to the dead-letter topic, the position past it.
    expect(await stub.step()).toBe(clock.now());
    line = (await status(name)).partitions[0];
    expect(line).toMatchObject({ committedOffset: 2, attempts: 0, failedAttempts: 3, deadLetteredRecords: 2, pending: null });
    const letters = await readAll(dlq, 0);
    expect(letters.map((r) => [r.key, r.value, r.headers["edgelog-dead-letter-offset"]])).toEqual([
      ["a", 1, "0"],
      ["b", 2, "1"],
    ]);
    const group = await api("GET", `/v1/groups/connector.${name}/offsets?topic=${topic}`);
    expect(group.json.partitions[0].committedOffset).toBe(2);
    // Listed with the other groups (GROUP-14), as a standalone commit's group is.
    const groups = await api("GET", "/v1/groups");
    expect(groups.json.groups).toContainEqual({ group: `connector.${name}`, topics: [topic] });
    // The next batch starts on its own attempts.
    expect(await stub.step()).toBe(clock.now() + 1_000);
    expect((await status(name)).partitions[0]).toMatchObject({
      committedOffset: 2,
      attempts: 1,
      pending: { firstOffset: 2, lastOffset: 2 },
    });

    expect((await api("DELETE", `/v1/connectors/${name}`)).status).toBe(204);
    expect(await stub.step()).toBeNull();
    expect((await api("GET", `/v1/connectors/${name}`)).status).toBe(404);
    expect((await api("GET", "/v1/connectors")).json.connectors.map((c: { name: string }) => c.name)).not.toContain(name);
  });

  it("passes over records removed before they were delivered, counting them, and starts the next batch afresh", async () => {
    const topic = uniqueTopic("conn-skip");
    await createTopic(topic, 1);
    await produce(topic, { records: [{ value: 1 }, { value: 2 }, { value: 3 }] }, 0);
    const name = `${topic}-hook`;
    const { clock, stub } = await manualConnector(name);
    const body = { kind: "webhook", topic, url: REFUSED_URL, secret: SECRET, attemptsMax: 2, backoffInitialMs: 1_000, batchRecordsMax: 2 };
    expect((await api("PUT", `/v1/connectors/${name}`, body)).status).toBe(201);
    await stub.step();
    clock.advance(1_000);
    await stub.step();
    expect((await status(name)).partitions[0]).toMatchObject({ attempts: 2, state: "failing", pending: { firstOffset: 0, lastOffset: 1 } });
    expect((await api("DELETE", `/v1/topics/${topic}/partitions/0/records?before=2`)).status).toBe(200);
    clock.advance(CONNECTOR_BACKOFF_MAX_MS_DEFAULT);
    await stub.step();
    const line = (await status(name)).partitions[0];
    expect(line).toMatchObject({
      skippedOffsets: 2,
      committedOffset: 2,
      attempts: 1,
      pending: { firstOffset: 2, lastOffset: 2 },
      state: "retrying",
    });
    expect((await api("DELETE", `/v1/connectors/${name}`)).status).toBe(204);
  });
});
