/**
 * HTTP sources end to end from Node (SOURCE-4, SOURCE-5, SOURCE-8): the real worker in workerd
 * through Miniflare on 127.0.0.1, with authentication required; a real sender (`fetch` from
 * Node, its signatures computed with node:crypto as a webhook service's are) posts signed
 * deliveries with no token, each twice at once, then all again after a restart on the same state;
 * and, with the runtime killed (`kill -9`) in the middle of a stream of deliveries, the sender
 * retrying what got no answer: the topic holds each delivery exactly once.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/source-webhooks.test.ts
 */
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { FetchedRecord } from "../../client/protocol/index.ts";
import { killableRuntime } from "../chaos/runtime-process.ts";
import { makeTempDir, removeDir } from "./local-env.ts";
import { bundleWorker, startMiniflare } from "./miniflare-runtime.ts";
import { AUTH_REQUIRED_VARS, adminRequest } from "./test-tokens.ts";

const SECRET = "webhook-secret-from-the-sender";
const DELIVERIES = 20;
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await removeDir(dir);
});

/** One webhook as GitHub sends it: the JSON body, its signature, its delivery id and event. */
function webhook(i: number): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({ action: "opened", number: i, repository: { id: 1_000 + (i % 5) } });
  const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": signature,
      "x-github-delivery": `gh-${i}`,
      "x-github-event": "issues",
    },
  };
}

async function post(url: string, name: string, i: number): Promise<{ status: number; json: { offset?: number; duplicate?: boolean } }> {
  const { body, headers } = webhook(i);
  const res = await fetch(`${url}/v1/sources/${name}/events`, { method: "POST", body, headers, signal: AbortSignal.timeout(15_000) });
  return { status: res.status, json: (await res.json()) as { offset?: number; duplicate?: boolean } };
}

async function topicRecords(read: (path: string) => Promise<unknown>, topic: string, partitions: number): Promise<FetchedRecord[]> {
  const all: FetchedRecord[] = [];
  for (let p = 0; p < partitions; p++) {
    const page = (await read(`/v1/topics/${topic}/partitions/${p}/records?offset=0&limit=10000`)) as { records: FetchedRecord[] };
    all.push(...page.records);
  }
  return all;
}

/** The delivery numbers in the topic, sorted (each must be there once). */
const numbers = (records: FetchedRecord[]) => records.map((r) => (r.value as { number: number }).number).sort((a, b) => a - b);
const sourceConfig = (topic: string) => ({
  topic,
  secret: SECRET,
  deliveryIdHeader: "X-GitHub-Delivery",
  mapping: { key: { pointer: "/repository/id" }, headers: ["x-github-event"] },
});

describe("webhooks from a real sender", () => {
  it("signed, without a token, each redelivered at once and again after a restart: each once in the topic", {
    timeout: 120_000,
  }, async () => {
    const dir = await makeTempDir("edgelog-sources-");
    dirs.push(dir);
    const scriptPath = await bundleWorker(join(dir, "bundle"));
    const start = () => startMiniflare({ scriptPath, persistDir: join(dir, "do"), auth: "unset", vars: { ...AUTH_REQUIRED_VARS } });
    let runtime = await start();
    try {
      await adminRequest(runtime.url, "PUT", "/v1/topics/github", { partitions: 2 });
      await adminRequest(runtime.url, "PUT", "/v1/sources/github", sourceConfig("github"));
      // Each delivery and its redelivery at the same moment: one is appended, the other answers its offset.
      const pairs = await Promise.all(
        Array.from({ length: DELIVERIES }, async (_, i) => Promise.all([post(runtime.url, "github", i), post(runtime.url, "github", i)])),
      );
      for (const [a, b] of pairs) {
        expect([a.status, b.status].sort()).toEqual([200, 202]);
        expect(a.json.offset).toBe(b.json.offset);
      }
      const forged = await fetch(`${runtime.url}/v1/sources/github/events`, {
        method: "POST",
        body: "{}",
        headers: { "x-hub-signature-256": "sha256=00" },
      });
      expect(forged.status).toBe(401);
      const noToken = await fetch(`${runtime.url}/v1/sources/github`);
      expect(noToken.status).toBe(401);
      await runtime.stop();
      runtime = await start();
      const again = await Promise.all(Array.from({ length: DELIVERIES }, (_, i) => post(runtime.url, "github", i)));
      expect(again.map((a) => [a.status, a.json.duplicate])).toEqual(Array.from({ length: DELIVERIES }, () => [200, true]));
      const url = runtime.url;
      const records = await topicRecords((path) => adminRequest(url, "GET", path), "github", 2);
      expect(numbers(records)).toEqual(Array.from({ length: DELIVERIES }, (_, i) => i));
      for (const record of records) {
        const { number, repository } = record.value as { number: number; repository: { id: number } };
        expect(record.key).toBe(String(repository.id));
        expect(record.headers).toMatchObject({
          "x-github-event": "issues",
          "edgelog-delivery-id": `gh-${number}`,
          "edgelog-source": "github",
        });
      }
      const status = (await adminRequest(url, "GET", "/v1/sources/github")) as Record<string, number>;
      expect(status).toMatchObject({ accepted: DELIVERIES, duplicates: 2 * DELIVERIES, refusedSignatures: 1, deliveryIds: DELIVERIES });
    } finally {
      await runtime.stop();
    }
  });

  it("kill -9 in the middle of a stream of deliveries, the sender retrying: each once", { timeout: 180_000 }, async () => {
    const dir = await makeTempDir("edgelog-sources-kill-");
    dirs.push(dir);
    const runtime = await killableRuntime({ dir });
    await runtime.start();
    const total = 120;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${runtime.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
      expect(res.status, path).toBeLessThan(300);
      return res.json();
    };
    await call("PUT", "/v1/topics/hooks", { partitions: 2 });
    await call("PUT", "/v1/sources/hooks", sourceConfig("hooks"));
    const answered = new Set<number>();
    // Four senders, one delivery at a time each; the runtime is killed once a third are answered.
    const sender = async (first: number) => {
      for (let i = first; i < total; i += 4) {
        const answer = await post(runtime.url, "hooks", i).catch(() => null);
        if (answer !== null && (answer.status === 200 || answer.status === 202)) answered.add(i);
      }
    };
    const senders = Promise.all([0, 1, 2, 3].map(sender));
    for (let wait = 0; wait < 600 && answered.size < total / 3; wait++) await new Promise((r) => setTimeout(r, 20));
    await runtime.kill();
    await senders;
    expect(answered.size).toBeLessThan(total);
    await runtime.start();
    // The sender retries every delivery it has no answer for, and redelivers every one it has.
    for (let i = 0; i < total; i++) {
      const answer = await post(runtime.url, "hooks", i);
      // Answered before the kill: a duplicate now. Unanswered: appended now (202), or before the kill (200).
      expect([i, answered.has(i) ? answer.status : 200]).toEqual([i, 200]);
      expect([200, 202]).toContain(answer.status);
    }
    const records = await topicRecords((path) => call("GET", path), "hooks", 2);
    expect(numbers(records)).toEqual(Array.from({ length: total }, (_, i) => i));
    await runtime.kill();
  });
});
