import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { describe, expect, it } from "vitest";
import { parseScope } from "../../client/protocol/index.ts";
import { type Access, OPEN_ACCESS } from "../auth/access.ts";
import { errorResponse } from "../error-response.ts";
import { groupParams, topicParams } from "./path-params.ts";
import { routeGrant } from "./route-grant.ts";

function app(access: Access) {
  const app = new Hono<{ Variables: { access: Access } }>();
  app.onError(errorResponse);
  app.use(
    createMiddleware<{ Variables: { access: Access } }>(async (c, next) => {
      c.set("access", access);
      await next();
    }),
  );
  app.get("/v1/topics", routeGrant("GET topics"), (c) => c.text("listed"));
  app.delete("/v1/topics/:topic", topicParams(), routeGrant("DELETE topic"), (c) => c.text("deleted"));
  app.get("/v1/groups/:group", groupParams(), routeGrant("GET group"), (c) => c.text("described"));
  app.get("/v1/topics/:topic/partitions/:partition/ws", routeGrant("GET partitionSocket"), (c) => c.text("upgrading"));
  return app;
}

const of = (scope: string): Access => ({ principal: { sub: "u", expiresAt: 0, grants: parseScope(scope), quota: null } });

async function status(access: Access, method: string, path: string): Promise<[number, string]> {
  const res = await app(access).request(path, { method });
  const text = await res.text();
  return [res.status, res.status === 403 ? (JSON.parse(text) as { error: { code: string } }).error.code : text];
}

describe("routeGrant", () => {
  it("checks the table's action on the path's topic or group: 403 FORBIDDEN without it", async () => {
    expect(await status(of("admin:orders.*"), "DELETE", "/v1/topics/orders.eu")).toEqual([200, "deleted"]);
    expect(await status(of("read:* write:*"), "DELETE", "/v1/topics/orders.eu")).toEqual([403, "FORBIDDEN"]);
    expect(await status(of("group:billing"), "GET", "/v1/groups/billing")).toEqual([200, "described"]);
    expect(await status(of("admin:*"), "GET", "/v1/groups/billing")).toEqual([403, "FORBIDDEN"]);
  });

  it("lets the topic list through with one read grant, and socket routes through (checked per message)", async () => {
    expect(await status(of("read:nothing-yet"), "GET", "/v1/topics")).toEqual([200, "listed"]);
    expect(await status(of("write:*"), "GET", "/v1/topics")).toEqual([403, "FORBIDDEN"]);
    expect(await status(of(""), "GET", "/v1/topics/t/partitions/0/ws")).toEqual([200, "upgrading"]);
  });

  it("allows everything when tokens are not checked", async () => {
    expect(await status(OPEN_ACCESS, "DELETE", "/v1/topics/anything")).toEqual([200, "deleted"]);
  });
});
