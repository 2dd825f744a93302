/**
 * The group consumer with authentication required (PROTOCOL.md AUTH-8, AUTH-9, AUTH-17): its
 * group socket and its partition sockets each send the client's token as their first frame (never
 * in a URL), and its commits carry it over HTTP, so a member with `read` and `group` grants joins,
 * processes and commits; one whose token lacks the `group` grant is refused its join with
 * FORBIDDEN, and the consumer ends with it (no retry can change a grant).
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-consumer-auth.test.ts
 */
import { describe, expect, it } from "vitest";
import { errorCode } from "../../client/index.ts";
import { testRig } from "./client-harness.ts";
import { controlledSockets, processedLog } from "./consumer-harness.ts";
import { AUTH_REQUIRED_VARS, adminRequest, mintToken } from "./test-tokens.ts";

const rig = testRig({ vars: { ...AUTH_REQUIRED_VARS } });

describe("client.consumer with authentication required", () => {
  it("authenticates every socket with its first frame and commits with the token", async () => {
    const { url } = rig.server;
    await adminRequest(url, "PUT", "/v1/topics/secured", { partitions: 2 });
    for (const partition of [0, 1]) {
      await adminRequest(url, "POST", `/v1/topics/secured/partitions/${partition}/records`, { records: [{ value: 1 }, { value: 2 }] });
    }
    const token = await mintToken({ sub: "worker-1", scope: "read:secured group:billing", expiresInS: 600 });
    const sockets = controlledSockets();
    const consumer = rig
      .client({ auth: token, WebSocket: sockets.WebSocket })
      .consumer({ group: "billing", topic: "secured", reset: "earliest" });
    const log = processedLog();
    await consumer.run({ eachRecord: log.by("worker-1") });
    expect(consumer.assignment.partitions).toEqual([0, 1]);
    await log.waitForDistinct(4);
    await consumer.stop();

    const urls = [...new Set(sockets.sent.map((s) => s.url))];
    expect(urls.filter((u) => u.endsWith("/v1/groups/billing/ws"))).toHaveLength(1);
    expect(urls.filter((u) => u.includes("/v1/topics/secured/partitions/"))).toHaveLength(2);
    for (const socketUrl of urls) {
      expect(socketUrl).not.toContain(token);
      expect(sockets.sent.find((s) => s.url === socketUrl)?.message).toEqual({ type: "auth", id: expect.any(String), token });
    }
    const offsets = (await adminRequest(url, "GET", "/v1/groups/billing/offsets?topic=secured")) as {
      partitions: { committedOffset: number }[];
    };
    expect(offsets.partitions.map((p) => p.committedOffset)).toEqual([2, 2]);
  });

  it("ends with FORBIDDEN when the token lacks the group grant", async () => {
    const { url } = rig.server;
    await adminRequest(url, "PUT", "/v1/topics/secured-2", { partitions: 1 });
    const token = await mintToken({ sub: "reader", scope: "read:secured-2", expiresInS: 600 });
    const consumer = rig.client({ auth: token }).consumer({ group: "billing-2", topic: "secured-2" });
    const outcome = await consumer.run({ eachRecord: () => undefined }).then(
      () => "joined",
      (error: unknown) => errorCode(error),
    );
    expect(outcome).toBe("FORBIDDEN");
    expect(consumer.error?.code).toBe("FORBIDDEN");
    expect(consumer.assignment.partitions).toEqual([]);
  });
});
