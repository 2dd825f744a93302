/**
 * HTTP sources in workerd (auth off): the configuration routes and their strict validation
 * (SOURCE-1 to SOURCE-3), both signature schemes accepted and refused, the timestamped one's
 * tolerance against the object's clock (replaced, never slept on), and the mapping from a
 * delivery to its record (SOURCE-6). Redeliveries, crashes and limits: source-delivery.test.ts.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project worker test/worker/sources.test.ts
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SIGNATURE_TOLERANCE_MS, SOURCE_BODY_BYTES_MAX } from "../../client/protocol/index.ts";
import type { SourceObject } from "../../worker/sources/source-object.ts";
import { sourceStub } from "../../worker/sources/source-routes.ts";
import { api, createTopic, expectError, readAll, uniqueTopic } from "./http.ts";
import { sendDelivery, sha256Signature, timestampedSignature } from "./source-signing.ts";

const SECRET = "a-shared-secret-0123456789";

async function createSource(name: string, config: Record<string, unknown>, status = 201) {
  const answer = await api("PUT", `/v1/sources/${name}`, { secret: SECRET, ...config });
  expect(answer.status, JSON.stringify(answer.json)).toBe(status);
  return answer.json;
}

/** Sets a source object's clock to `nowMs` (it stays there). */
async function setClock(name: string, nowMs: number): Promise<void> {
  await runInDurableObject(sourceStub(env, name), (instance: SourceObject) => {
    instance.clock = { now: () => nowMs, at: (runtimeMs) => runtimeMs };
  });
}

describe("configuration", () => {
  it("creates (201), replaces (200), shows no secret, lists and deletes", async () => {
    const topic = uniqueTopic("src-config");
    const name = `${topic}-s`;
    const created = await createSource(name, { topic, mapping: { key: { pointer: "/repository/id" }, headers: ["X-GitHub-Event"] } });
    expect(created).toEqual({
      name,
      topic,
      signature: { header: "x-hub-signature-256", scheme: "sha256" },
      deliveryIdHeader: "x-delivery-id",
      mapping: { key: { pointer: "/repository/id" }, value: null, headers: ["x-github-event"] },
      dedupeWindowMs: 86_400_000,
      partition: null,
      accepted: 0,
      duplicates: 0,
      refusedSignatures: 0,
      lastDeliveryMs: null,
      deliveryIds: 0,
    });
    const replaced = await createSource(name, { topic, deliveryIdHeader: "X-GitHub-Delivery", partition: 0 }, 200);
    expect(replaced).toMatchObject({ deliveryIdHeader: "x-github-delivery", partition: 0, mapping: { key: null, headers: [] } });
    expect(JSON.stringify((await api("GET", `/v1/sources/${name}`)).json)).not.toContain(SECRET);
    const list = await api("GET", "/v1/sources");
    expect(list.json.sources.map((s: { name: string }) => s.name)).toContain(name);
    expect((await api("DELETE", `/v1/sources/${name}`)).status).toBe(204);
    expectError(await api("GET", `/v1/sources/${name}`), 404, "UNKNOWN_SOURCE");
    expectError(await api("DELETE", `/v1/sources/${name}`), 404, "UNKNOWN_SOURCE");
    expect((await api("GET", "/v1/sources")).json.sources.map((s: { name: string }) => s.name)).not.toContain(name);
  });

  it("refuses every malformed configuration with INVALID_SOURCE and stores nothing", async () => {
    const name = uniqueTopic("src-bad");
    const bad: unknown[] = [
      { topic: "t", secret: SECRET, extra: 1 },
      { topic: "t", secret: "short" },
      { topic: "a/b", secret: SECRET },
      { secret: SECRET },
      { topic: "t", secret: SECRET, signature: { scheme: "md5" } },
      { topic: "t", secret: SECRET, signature: { header: "bad header" } },
      { topic: "t", secret: SECRET, signature: { scheme: "sha256", extra: true } },
      { topic: "t", secret: SECRET, mapping: { key: { pointer: "no-slash" } } },
      { topic: "t", secret: SECRET, mapping: { key: { pointer: "/a~2" } } },
      { topic: "t", secret: SECRET, mapping: { key: { header: "x-a", pointer: "/a" } } },
      { topic: "t", secret: SECRET, mapping: { value: { pointer: "/a" }, other: 1 } },
      { topic: "t", secret: SECRET, mapping: { headers: Array.from({ length: 17 }, (_, i) => `x-h${i}`) } },
      { topic: "t", secret: SECRET, dedupeWindowMs: 8 * 86_400_000 },
      { topic: "t", secret: SECRET, partition: 64 },
      { topic: "t", secret: SECRET, partition: 1.5 },
      [],
    ];
    for (const body of bad) expectError(await api("PUT", `/v1/sources/${name}`, body), 400, "INVALID_SOURCE");
    expectError(await api("PUT", `/v1/sources/${"x".repeat(65)}`, { topic: "t", secret: SECRET }), 400, "INVALID_SOURCE");
    expectError(await api("PUT", `/v1/sources/${name}`, "{not json"), 400, "INVALID_JSON");
    expectError(await api("GET", `/v1/sources/${name}`), 404, "UNKNOWN_SOURCE");
  });
});

describe("signatures", () => {
  it("sha256=: the body's HMAC is accepted; a wrong, malformed or missing one is 401 INVALID_SIGNATURE and stores nothing", async () => {
    const topic = uniqueTopic("src-sig");
    await createTopic(topic, 1);
    await createSource(topic, { topic });
    const body = JSON.stringify({ action: "opened", n: 1 });
    const good = await sha256Signature(SECRET, body);
    const refused: Record<string, string>[] = [
      {},
      { "x-hub-signature-256": await sha256Signature("another-secret-0123456789", body) },
      { "x-hub-signature-256": await sha256Signature(SECRET, `${body} `) },
      { "x-hub-signature-256": good.replace("sha256=", "sha1=") },
      { "x-hub-signature-256": good.slice(0, -2) },
      { "x-hub-signature-256": `${good}00` },
    ];
    for (const headers of refused) expectError(await sendDelivery(topic, body, headers), 401, "INVALID_SIGNATURE");
    expect(await readAll(topic, 0)).toEqual([]);
    const accepted = await sendDelivery(topic, body, { "x-hub-signature-256": good.toUpperCase().replace("SHA256=", "sha256=") });
    expect(accepted.status, JSON.stringify(accepted.json)).toBe(202);
    expect(accepted.json).toMatchObject({ topic, partition: 0, offset: 0, duplicate: false });
    expect((await readAll(topic, 0)).map((r) => r.value)).toEqual([{ action: "opened", n: 1 }]);
    expect((await api("GET", `/v1/sources/${topic}`)).json).toMatchObject({ accepted: 1, refusedSignatures: refused.length });
  });

  it("a body over SOURCE_BODY_BYTES_MAX is 413 REQUEST_TOO_LARGE before the signature is checked", async () => {
    const topic = uniqueTopic("src-big");
    await createTopic(topic, 1);
    await createSource(topic, { topic });
    const big = `"${"x".repeat(SOURCE_BODY_BYTES_MAX - 1)}"`;
    expectError(await sendDelivery(topic, big, { "x-hub-signature-256": await sha256Signature(SECRET, big) }), 413, "REQUEST_TOO_LARGE");
    expect((await api("GET", `/v1/sources/${topic}`)).json).toMatchObject({ accepted: 0, refusedSignatures: 0 });
    // At the limit the body is read; as a record it is then over RECORD_BYTES_MAX (its framing), refused and not stored.
    const most = `"${"x".repeat(SOURCE_BODY_BYTES_MAX - 2)}"`;
    expectError(await sendDelivery(topic, most, { "x-hub-signature-256": await sha256Signature(SECRET, most) }), 413, "RECORD_TOO_LARGE");
    expect(await readAll(topic, 0)).toEqual([]);
  });

  it("timestamped: accepted within SIGNATURE_TOLERANCE_MS of the object's clock, refused past it either way", async () => {
    const topic = uniqueTopic("src-ts");
    await createTopic(topic, 1);
    await createSource(topic, { topic, signature: { header: "Webhook-Signature", scheme: "timestamped" } });
    const nowMs = 1_900_000_000_000;
    await setClock(topic, nowMs);
    const body = '{"event":"paid"}';
    const at = async (signedMs: number, id: string) =>
      sendDelivery(topic, body, { "webhook-signature": await timestampedSignature(SECRET, body, signedMs), "x-delivery-id": id });
    expectError(await at(nowMs - SIGNATURE_TOLERANCE_MS - 1_000, "old"), 401, "INVALID_SIGNATURE");
    expectError(await at(nowMs + SIGNATURE_TOLERANCE_MS + 1_000, "future"), 401, "INVALID_SIGNATURE");
    expect((await at(nowMs - SIGNATURE_TOLERANCE_MS, "edge")).status).toBe(202);
    expect((await at(nowMs, "now")).status).toBe(202);
    // A v1 over another timestamp than t, and a header without t, are refused.
    const t = Math.floor(nowMs / 1_000);
    const other = (await timestampedSignature(SECRET, body, nowMs - 5_000)).split(",")[1]!;
    expectError(await sendDelivery(topic, body, { "webhook-signature": `t=${t},${other}` }), 401, "INVALID_SIGNATURE");
    expectError(await sendDelivery(topic, body, { "webhook-signature": other }), 401, "INVALID_SIGNATURE");
    // Two v1 entries (a sender rotating its secret): one good one is enough.
    const good = (await timestampedSignature(SECRET, body, nowMs)).split(",")[1]!;
    const rotated = `t=${t},v1=${"0".repeat(64)},${good}`;
    expect((await sendDelivery(topic, body, { "webhook-signature": rotated, "x-delivery-id": "rotated" })).status).toBe(202);
    expect((await readAll(topic, 0)).length).toBe(3);
  });
});

describe("the mapping", () => {
  it("key by pointer or header, value by pointer, allow-listed headers, and a body that is not JSON as a string", async () => {
    const topic = uniqueTopic("src-map");
    await createTopic(topic, 4);
    const byPointer = `${topic}-p`;
    await createSource(byPointer, {
      topic,
      mapping: { key: { pointer: "/repository/id" }, value: { pointer: "/repository" }, headers: ["x-github-event", "x-absent"] },
    });
    const body = JSON.stringify({ repository: { id: 42, name: "edgelog" } });
    const headers = { "x-hub-signature-256": await sha256Signature(SECRET, body), "x-github-event": "push", "x-delivery-id": "d-1" };
    const landed = await sendDelivery(byPointer, body, headers);
    expect(landed.status).toBe(202);
    const [record] = await readAll(topic, landed.json.partition);
    expect(record).toMatchObject({
      key: "42",
      value: { id: 42, name: "edgelog" },
      headers: { "x-github-event": "push", "edgelog-source": byPointer, "edgelog-delivery-id": "d-1" },
    });
    expect(record?.headers).not.toHaveProperty("x-absent");

    const byHeader = `${topic}-h`;
    await createSource(byHeader, { topic, partition: 3, mapping: { key: { header: "x-github-event" } } });
    const text = "payload=not%20json";
    const plain = await sendDelivery(byHeader, text, {
      "x-hub-signature-256": await sha256Signature(SECRET, text),
      "x-github-event": "ping",
    });
    expect(plain.json).toMatchObject({ partition: 3, duplicate: false });
    const [stored] = await readAll(topic, 3);
    expect(stored).toMatchObject({ key: "ping", value: text });
    expect(stored?.headers["edgelog-delivery-id"]).toMatch(/^sha256:[0-9a-f]{64}$/);

    // A pointer into a body that is not JSON, or naming nothing, is refused and stores nothing.
    const signed = async (b: string) => ({ "x-hub-signature-256": await sha256Signature(SECRET, b) });
    expectError(await sendDelivery(byPointer, text, await signed(text)), 400, "INVALID_JSON");
    expectError(await sendDelivery(byPointer, '{"other":1}', await signed('{"other":1}')), 400, "INVALID_RECORD");
    // A value nested past VALUE_DEPTH_MAX (a body of 400,000 brackets) is a bad record, not a crash.
    const deep = `${"[".repeat(400_000)}${"]".repeat(400_000)}`;
    expectError(await sendDelivery(byHeader, deep, await signed(deep)), 400, "INVALID_RECORD");
    expect((await api("GET", `/v1/sources/${byPointer}`)).json).toMatchObject({ accepted: 1, deliveryIds: 1 });
  });
});
