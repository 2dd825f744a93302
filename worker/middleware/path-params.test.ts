import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { errorResponse } from "../error-response.ts";
import { groupParams, memberParams, partitionParams, topicParams } from "./path-params.ts";

/** An app whose routes echo the variables each middleware sets. */
function app() {
  const app = new Hono();
  app.onError(errorResponse);
  app.get("/t/:topic", topicParams(), (c) => c.json({ topic: c.var.topic }));
  app.get("/t/:topic/p/:partition", partitionParams(), (c) => c.json({ topic: c.var.topic, partition: c.var.partition }));
  app.get("/g/:group", groupParams(), (c) => c.json({ group: c.var.group }));
  app.get("/g/:group/m/:member", memberParams(), (c) => c.json({ group: c.var.group, member: c.var.member }));
  return app;
}

async function get(path: string) {
  const res = await app().request(path);
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { error?: { code: string } } };
}

describe("path parameters", () => {
  it("parses each parameter into its typed variable", async () => {
    expect((await get("/t/orders.v2")).json).toEqual({ topic: "orders.v2" });
    expect((await get("/t/orders/p/7")).json).toEqual({ topic: "orders", partition: 7 });
    expect((await get("/g/billing")).json).toEqual({ group: "billing" });
    expect((await get("/g/billing/m/device:7")).json).toEqual({ group: "billing", member: "device:7" });
  });

  it("refuses each bad parameter with its code, the topic or group before the rest", async () => {
    const cases = [
      ["/t/a%20b", 400, "INVALID_TOPIC_NAME"],
      ["/t/a.b!", 400, "INVALID_TOPIC_NAME"],
      ["/t/orders/p/01", 400, "INVALID_PARTITIONS"],
      ["/t/orders/p/-1", 400, "INVALID_PARTITIONS"],
      ["/t/a%20b/p/x", 400, "INVALID_TOPIC_NAME"],
      ["/g/a%20b", 400, "INVALID_GROUP_NAME"],
      ["/g/billing/m/a%20b", 400, "INVALID_REQUEST"],
      ["/g/a%20b/m/a%20b", 400, "INVALID_GROUP_NAME"],
    ] as const;
    for (const [path, status, code] of cases) {
      const answer = await get(path);
      expect([path, answer.status, answer.json.error?.code]).toEqual([path, status, code]);
    }
  });
});
