import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AuthVars } from "../auth/auth-config.ts";
import { errorResponse } from "../error-response.ts";
import { CORS_MAX_AGE_S, corsOrigin, originCors, STREAM_EXPOSED_HEADERS, socketOrigin, upgradeOriginAllowed } from "./origins.ts";

function app() {
  const app = new Hono<{ Bindings: AuthVars }>();
  app.onError(errorResponse);
  app.use("/v1/*", originCors());
  app.get("/v1/ws", socketOrigin(), (c) => c.text("upgrading"));
  app.get("/v1/thing", (c) => c.text("thing"));
  return app;
}

const OFF = { EDGELOG_AUTH: "off" };
const LISTED = { EDGELOG_JWT_SECRET: "x".repeat(32), EDGELOG_ALLOWED_ORIGINS: "https://app.example, https://admin.example" };

describe("origins", () => {
  it("answers * only when auth is off and no list is set; else reflects a listed origin with Vary", async () => {
    const off = await app().request("/v1/thing", { headers: { origin: "https://any.example" } }, OFF);
    expect(off.headers.get("access-control-allow-origin")).toBe("*");
    const listed = await app().request("/v1/thing", { headers: { origin: "https://admin.example" } }, LISTED);
    expect([listed.headers.get("access-control-allow-origin"), listed.headers.get("vary")]).toEqual(["https://admin.example", "Origin"]);
    const other = await app().request("/v1/thing", { headers: { origin: "https://evil.example" } }, LISTED);
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    expect(corsOrigin({ any: false, list: [] }, "https://app.example")).toBeNull();
  });

  it("caches preflights and exposes Retry-After, WWW-Authenticate, edgelog-auth and edgelog-protocol", async () => {
    const init = { method: "OPTIONS", headers: { origin: "https://app.example", "access-control-request-method": "POST" } };
    const res = await app().request("/v1/thing", init, LISTED);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-max-age")).toBe(String(CORS_MAX_AGE_S));
    const plain = await app().request("/v1/thing", { headers: { origin: "https://app.example" } }, LISTED);
    expect(plain.headers.get("access-control-expose-headers")).toBe(
      ["Retry-After", "WWW-Authenticate", "edgelog-auth", "edgelog-protocol", ...STREAM_EXPOSED_HEADERS].join(","),
    );
  });

  it("refuses a socket upgrade from a browser origin not allowed (403), allows none, its own and listed ones", async () => {
    const ask = async (origin?: string) =>
      (await app().request("http://edgelog.example/v1/ws", { headers: origin ? { origin } : {} }, LISTED)).status;
    expect([await ask("https://evil.example"), await ask(), await ask("http://edgelog.example"), await ask("https://app.example")]).toEqual(
      [403, 200, 200, 200],
    );
    expect(upgradeOriginAllowed({ any: true, list: [] }, "https://any.example", "https://self.example")).toBe(true);
  });
});
