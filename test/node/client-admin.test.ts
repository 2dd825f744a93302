/**
 * The client's admin calls (client.admin) against the real worker in Miniflare with
 * authentication required: an admin token creates, lists, describes and deletes a topic (the
 * delete's 204 with no body taken as done), a read-only token describes but is refused creating
 * and deleting with FORBIDDEN, bad names throw before anything is sent, and a group's
 * description and offsets (with lag) read back what a commit stored; with `admin` on `*`, sources
 * and connectors are put, listed, described and deleted and the processors read, a narrower token
 * is refused FORBIDDEN, and bad names and configurations throw before anything is sent.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-admin.test.ts
 */
import { describe, expect, it } from "vitest";
import { errorCode, type FetchFunction } from "../../client/index.ts";
import { testRig } from "./client-harness.ts";
import { AUTH_REQUIRED_VARS, mintToken } from "./test-tokens.ts";

const rig = testRig({ vars: { ...AUTH_REQUIRED_VARS } });

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    return errorCode(error) ?? String(error);
  }
}

describe("client.admin", () => {
  it("creates, lists, describes and deletes a topic with an admin token", async () => {
    const auth = await mintToken({ sub: "ops", scope: "admin:* group:*", expiresInS: 600 });
    const admin = rig.client({ auth }).admin;
    const created = await admin.createTopic("admin-orders", { partitions: 3, config: { "retention.ms": 60_000 } });
    expect(created.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    expect(created.config["retention.ms"]).toBe(60_000);
    // The same settings again: the existing topic (TOPIC-1); others: TOPIC_ALREADY_EXISTS.
    expect((await admin.createTopic("admin-orders", { partitions: 3, config: { "retention.ms": 60_000 } })).topicId).toBe(created.topicId);
    expect(await codeOf(admin.createTopic("admin-orders", { partitions: 2 }))).toBe("TOPIC_ALREADY_EXISTS");
    expect((await admin.listTopics()).map((t) => t.name)).toContain("admin-orders");
    expect((await admin.describeTopic("admin-orders")).topicId).toBe(created.topicId);
    await admin.deleteTopic("admin-orders");
    expect(await codeOf(admin.describeTopic("admin-orders"))).toBe("UNKNOWN_TOPIC");
    expect(await codeOf(admin.deleteTopic("admin-orders"))).toBe("UNKNOWN_TOPIC");
  });

  it("refuses what the token does not grant with FORBIDDEN, and bad names before sending", async () => {
    const ops = rig.client({ auth: await mintToken({ sub: "ops", scope: "admin:*", expiresInS: 600 }) }).admin;
    await ops.createTopic("admin-read", { partitions: 1 });
    let sent = 0;
    const counting: FetchFunction = (url, init) => {
      sent++;
      return fetch(url, init);
    };
    const reader = rig.client({ auth: await mintToken({ sub: "reader", scope: "read:admin-*", expiresInS: 600 }), fetch: counting }).admin;
    expect((await reader.describeTopic("admin-read")).partitions).toHaveLength(1);
    expect(await codeOf(reader.createTopic("admin-other", { partitions: 1 }))).toBe("FORBIDDEN");
    expect(await codeOf(reader.deleteTopic("admin-read"))).toBe("FORBIDDEN");
    expect((await ops.describeTopic("admin-read")).name).toBe("admin-read");
    const before = sent;
    expect(await codeOf(reader.describeTopic("bad name!"))).toBe("INVALID_TOPIC_NAME");
    expect(await codeOf(reader.createTopic("admin-x", { partitions: 0 }))).toBe("INVALID_PARTITIONS");
    expect(await codeOf(reader.describeGroup(""))).toBe("INVALID_GROUP_NAME");
    expect(sent).toBe(before);
  });

  it("describes a group and reads its committed offsets and lag", async () => {
    const client = rig.client({ auth: await mintToken({ sub: "ops", scope: "admin:* group:*", expiresInS: 600 }) });
    await client.admin.createTopic("admin-lag", { partitions: 1 });
    for (const value of [1, 2, 3]) await client.produce("admin-lag", { value, partition: 0 });
    await client.commit("admin-billing", "admin-lag", 0, 1);
    const offsets = await client.admin.groupOffsets("admin-billing", "admin-lag");
    expect(offsets.totalLag).toBe(2);
    expect(offsets.partitions[0]).toMatchObject({ partition: 0, committedOffset: 1, highWatermark: 3, lag: 2 });
    const group = await client.admin.describeGroup("admin-billing");
    expect(group.members).toEqual([]);
  });

  it("manages sources and connectors and reads processors with admin on *, refused FORBIDDEN without, bad input before sending", async () => {
    const ops = rig.client({ auth: await mintToken({ sub: "ops", scope: "admin:*", expiresInS: 600 }) }).admin;
    await ops.createTopic("admin-hooked", { partitions: 1 });
    expect((await ops.listProcessors()).map((p) => p.name)).toContain("example-slow-views");
    expect(await codeOf(ops.describeProcessor("admin-none"))).toBe("UNKNOWN_PROCESSOR");
    const source = await ops.putSource("admin-src", { topic: "admin-hooked", secret: "admin-secret-0123456789" });
    expect(source).toMatchObject({ name: "admin-src", topic: "admin-hooked", accepted: 0 });
    expect((await ops.listSources()).map((s) => s.name)).toEqual(["admin-src"]);
    expect((await ops.describeSource("admin-src")).topic).toBe("admin-hooked");
    await ops.deleteSource("admin-src");
    expect(await codeOf(ops.describeSource("admin-src"))).toBe("UNKNOWN_SOURCE");
    // A webhook to a port nothing listens on: configured, shown, deleted (its deliveries only fail).
    const hook = { kind: "webhook", topic: "admin-hooked", url: "http://127.0.0.1:9/hook", secret: "admin-secret-0123456789" };
    expect((await ops.putConnector("admin-hook", hook)).config).toMatchObject({ kind: "webhook", url: hook.url, headerNames: [] });
    expect((await ops.listConnectors()).map((c) => c.name)).toEqual(["admin-hook"]);
    expect((await ops.describeConnector("admin-hook")).partitions).toHaveLength(1);
    await ops.deleteConnector("admin-hook");
    expect(await codeOf(ops.deleteConnector("admin-hook"))).toBe("UNKNOWN_CONNECTOR");

    let sent = 0;
    const counting: FetchFunction = (url, init) => {
      sent++;
      return fetch(url, init);
    };
    const narrow = rig.client({ auth: await mintToken({ sub: "narrow", scope: "admin:admin-*", expiresInS: 600 }), fetch: counting }).admin;
    expect(await codeOf(narrow.listConnectors())).toBe("FORBIDDEN");
    expect(await codeOf(narrow.listProcessors())).toBe("FORBIDDEN");
    const before = sent;
    expect(await codeOf(narrow.putConnector("admin-hook", { ...hook, secret: "short" }))).toBe("INVALID_CONNECTOR");
    expect(await codeOf(narrow.describeConnector("a/b"))).toBe("INVALID_CONNECTOR");
    expect(await codeOf(narrow.putSource("admin-src", { topic: "admin-hooked" }))).toBe("INVALID_SOURCE");
    expect(await codeOf(narrow.deleteSource(""))).toBe("INVALID_SOURCE");
    expect(sent).toBe(before);
  });
});
