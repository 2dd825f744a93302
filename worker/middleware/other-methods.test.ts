import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { ROUTE } from "../../client/protocol/index.ts";
import { errorJson } from "../error-response.ts";
import { app as edgelog } from "../index.ts";
import { refuseOtherMethods } from "./other-methods.ts";

function app() {
  const app = new Hono();
  app.use(refuseOtherMethods(app));
  app.notFound(() => errorJson("NOT_FOUND", "no such route"));
  app.get("/things/:id", (c) => c.text("got"));
  app.delete("/things/:id", (c) => c.body(null, 204));
  return app;
}

describe("refuseOtherMethods", () => {
  it("answers a known path asked with another method 405 METHOD_NOT_ALLOWED, with Allow", async () => {
    const res = await app().request("/things/1", { method: "PUT" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD, DELETE");
    expect(await res.json()).toEqual({
      error: { code: "METHOD_NOT_ALLOWED", message: "PUT is not allowed on /things/1; it takes GET, HEAD, DELETE" },
    });
  });

  it("leaves the routes' own answers and unknown paths alone", async () => {
    expect(await (await app().request("/things/1")).text()).toBe("got");
    const unknown = await app().request("/nothing", { method: "PUT" });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("allow")).toBeNull();
  });

  it("covers every route of the protocol's ROUTE table on the worker's app", async () => {
    const served = new Set(edgelog.routes.filter((r) => r.method !== "ALL").map((r) => r.path));
    expect(Object.values(ROUTE).filter((pattern) => !served.has(pattern))).toEqual([]);
    // A path of each pattern, asked with a method none of the routes take.
    for (const pattern of Object.values(ROUTE)) {
      const path = pattern.replace(":topic", "t").replace(":partition", "0").replace(":group", "g").replace(":member", "m");
      // The worker's env (auth off in this project): the app reads its settings from it.
      const res = await edgelog.request(path, { method: "PATCH" }, env);
      expect([path, res.status]).toEqual([path, 405]);
      expect(res.headers.get("allow")).toMatch(/^[A-Z, ]+$/);
    }
  });
});
