import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { mintTestToken } from "../../test/conformance/auth-fixtures.ts";
import { UPGRADE_HEADERS } from "../../test/worker/socket.ts";
import type { AuthVars } from "../auth/auth-config.ts";
import { errorResponse } from "../error-response.ts";
import { AUTH_MODE_HEADER, type AuthVariables, authenticate } from "./authenticate.ts";

const SECRET = "a-secret-of-the-unit-tests-32-bytes!";

function app() {
  const app = new Hono<{ Bindings: AuthVars; Variables: AuthVariables }>();
  app.onError(errorResponse);
  app.use("/v1/*", authenticate());
  app.get("/v1/who", (c) => c.json({ sub: c.var.access.principal?.sub ?? null }));
  return app;
}

const ask = (vars: AuthVars, headers: Record<string, string> = {}) => app().request("/v1/who", { headers }, vars);
const bearer = async (options: Parameters<typeof mintTestToken>[1]) => ({
  authorization: `Bearer ${await mintTestToken(SECRET, options)}`,
});

describe("authenticate", () => {
  it("fails closed: required (or unset) with no key, or a bad setting, is 503 AUTH_NOT_CONFIGURED saying what to set", async () => {
    for (const vars of [{}, { EDGELOG_AUTH: "required" }, { EDGELOG_AUTH: "on" }, { EDGELOG_JWT_SECRET: "short" }]) {
      const res = await ask(vars as AuthVars);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect([res.status, body.error.code]).toEqual([503, "AUTH_NOT_CONFIGURED"]);
      expect(body.error.message).toMatch(/EDGELOG_/);
    }
  });

  it("requires a valid token when auth is required: 401 with WWW-Authenticate otherwise", async () => {
    const vars = { EDGELOG_JWT_SECRET: SECRET };
    for (const headers of [
      {},
      { authorization: "Basic eA==" },
      await bearer({ sub: "a", ttlS: -120 }),
      await bearer({ sub: "a", badSignature: true }),
    ]) {
      const res = await ask(vars, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
    const res = await ask(vars, await bearer({ sub: "alice", scope: "read:*" }));
    expect([res.status, await res.json(), res.headers.get(AUTH_MODE_HEADER)]).toEqual([200, { sub: "alice" }, null]);
  });

  it("lets a WebSocket upgrade through without a token: the socket authenticates in its first message", async () => {
    const res = await ask({ EDGELOG_JWT_SECRET: SECRET }, UPGRADE_HEADERS);
    expect([res.status, await res.json()]).toEqual([200, { sub: null }]);
  });

  it("off: reads no token at all, and says so on every answer", async () => {
    const res = await ask({ EDGELOG_AUTH: "off", EDGELOG_JWT_SECRET: SECRET }, { authorization: "Bearer not-even-a-jwt" });
    expect([res.status, await res.json(), res.headers.get(AUTH_MODE_HEADER)]).toEqual([200, { sub: null }, "off"]);
  });

  it("dev: open without a token, a token sent is verified when a key is configured, ignored without one", async () => {
    const dev = { EDGELOG_AUTH: "dev", EDGELOG_JWT_SECRET: SECRET };
    const open = await ask(dev);
    expect([open.status, await open.json(), open.headers.get(AUTH_MODE_HEADER)]).toEqual([200, { sub: null }, "dev"]);
    expect((await ask(dev, await bearer({ sub: "a", badSignature: true }))).status).toBe(401);
    const signed = await ask(dev, await bearer({ sub: "bob" }));
    expect([signed.status, await signed.json()]).toEqual([200, { sub: "bob" }]);
    const keyless = await ask({ EDGELOG_AUTH: "dev" }, await bearer({ sub: "a", badSignature: true }));
    expect([keyless.status, await keyless.json()]).toEqual([200, { sub: null }]);
  });

  it("off, and dev without a key: an Authorization header of any form is not read (found by the fuzzer: it was 401)", async () => {
    const headers = ["Basic Zm9vOmJhcg==", "Bearer", "Bearer ", "bearer a b", `Bearer ${"x".repeat(20_000)}`];
    for (const vars of [{ EDGELOG_AUTH: "off", EDGELOG_JWT_SECRET: SECRET }, { EDGELOG_AUTH: "dev" }]) {
      for (const authorization of headers) {
        const res = await ask(vars, { authorization });
        expect([vars.EDGELOG_AUTH, authorization.slice(0, 12), res.status, await res.json()]).toEqual([
          vars.EDGELOG_AUTH,
          authorization.slice(0, 12),
          200,
          { sub: null },
        ]);
      }
    }
  });

  it("dev with a key: a header of another scheme than Bearer is no token sent (ignored); a malformed Bearer one is 401", async () => {
    const dev = { EDGELOG_AUTH: "dev", EDGELOG_JWT_SECRET: SECRET };
    const basic = await ask(dev, { authorization: "Basic Zm9vOmJhcg==" });
    expect([basic.status, await basic.json()]).toEqual([200, { sub: null }]);
    for (const authorization of ["Bearer", "Bearer ", "bearer a b"]) expect((await ask(dev, { authorization })).status).toBe(401);
  });
});
