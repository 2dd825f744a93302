/**
 * The HTTP sources with authentication required (SOURCE-4, SOURCE-8): the ingest route works
 * with a valid signature and no token (a token sent there is not read), a bad or missing
 * signature is 401 INVALID_SIGNATURE; the exception is that one route only (its other methods,
 * a trailing slash, the same words under another route, still need a token), also with edgelog
 * mounted under a base path; the management routes need `admin` on `*` (matrix rows too).
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project worker-auth test/worker-auth/source-auth.test.ts
 */
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { beforeAll, describe, expect, it } from "vitest";
import { createEdgelog } from "../../worker/edgelog.ts";
import worker from "../../worker/index.ts";
import { hmacHex } from "../worker/source-signing.ts";
import { call, expectCall, tokenFor } from "./harness.ts";

const SECRET = "auth-source-secret-0123456789";
const RUN = crypto.randomUUID().slice(0, 8);
const TOPIC = `src-auth-${RUN}`;
let admin = "";

beforeAll(async () => {
  admin = await tokenFor("admin:* group:*", { sub: "admin" });
  await expectCall(`PUT /v1/topics/${TOPIC}`, { token: admin, body: { partitions: 1 } }, 201);
  await expectCall(`PUT /v1/sources/${TOPIC}`, { token: admin, body: { topic: TOPIC, secret: SECRET } }, 201);
});

async function post(path: string, body: string, headers: Record<string, string>): Promise<Response> {
  const request = new Request(`http://source${path}`, { method: "POST", body, headers });
  return worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, env, createExecutionContext());
}

const signature = async (body: string) => ({ "x-hub-signature-256": `sha256=${await hmacHex(SECRET, body)}` });

describe("the ingest route reads no token", () => {
  it("a valid signature and no token is accepted; a token sent beside it, even a bad one, is not read", async () => {
    const body = '{"n":1}';
    const plain = await post(`/v1/sources/${TOPIC}/events`, body, { ...(await signature(body)), "x-delivery-id": "a-1" });
    expect(plain.status, await plain.clone().text()).toBe(202);
    const withBadToken = await post(`/v1/sources/${TOPIC}/events`, body, {
      ...(await signature(body)),
      "x-delivery-id": "a-2",
      authorization: "Bearer not-a-token",
    });
    expect(withBadToken.status).toBe(202);
    const records = (await expectCall(`GET /v1/topics/${TOPIC}/partitions/0/records?offset=0`, { token: admin }, 200)) as {
      records: unknown[];
    };
    expect(records.records.length).toBe(2);
  });

  it("a bad or missing signature is 401 INVALID_SIGNATURE, without a Bearer challenge", async () => {
    const body = '{"n":2}';
    const refusals: Record<string, string>[] = [{}, { "x-hub-signature-256": `sha256=${"0".repeat(64)}` }];
    for (const headers of refusals) {
      const res = await post(`/v1/sources/${TOPIC}/events`, body, headers);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("INVALID_SIGNATURE");
      expect(res.headers.get("www-authenticate")).toBeNull();
    }
  });

  it("the exception is that route only: other methods and paths near it still need a token", async () => {
    const body = "{}";
    const near = [
      `POST /v1/sources/${TOPIC}/events/`,
      `POST /v1/sources/${TOPIC}`,
      `GET /v1/sources/${TOPIC}/events`,
      `PUT /v1/sources/${TOPIC}/events`,
      `POST /v1/stream/v1/sources/${TOPIC}/events`,
      `POST /v1/topics/${TOPIC}/records`,
    ];
    for (const route of near) {
      const res = await call(route, { headers: await signature(body), ...(route.startsWith("GET") ? {} : { body: {} }) });
      expect([route, res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([route, 401, "UNAUTHENTICATED"]);
    }
  });

  it("the management routes need admin on *", async () => {
    const writer = await tokenFor(`admin:${TOPIC} write:*`);
    await expectCall(`GET /v1/sources/${TOPIC}`, { token: null }, 401);
    await expectCall(`GET /v1/sources/${TOPIC}`, { token: writer }, 403);
    const status = (await expectCall(`GET /v1/sources/${TOPIC}`, { token: admin }, 200)) as { accepted: number; refusedSignatures: number };
    expect(status.accepted).toBeGreaterThanOrEqual(2);
  });

  it("mounted under a base path, the ingest route is the base's and still reads no token", async () => {
    const edgelog = createEdgelog({ page: false });
    const outer = new Hono();
    outer.route("/events", edgelog.app);
    const body = '{"mounted":true}';
    const headers = { ...(await signature(body)), "x-delivery-id": "m-1" };
    const res = await outer.request(`/events/v1/sources/${TOPIC}/events`, { method: "POST", body, headers }, env);
    expect(res.status, await res.clone().text()).toBe(202);
    const other = await outer.request(`/events/v1/sources/${TOPIC}`, { method: "GET" }, env);
    expect(other.status).toBe(401);
  });
});
