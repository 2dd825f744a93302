/**
 * Helpers for the tests of the worker-auth project (auth required, the tests' HS256 secret, one
 * allowed origin: test/vitest.config.ts): requests through the worker's own fetch handler with a
 * token, tokens for a scope (right, badly signed, expired), sockets, and a witness of what is
 * stored (records, topic list, group offsets and members), read with an admin token.
 *
 * @example
 * const admin = await tokenFor("admin:* group:*");
 * const res = await call("GET /v1/topics", { token: admin });
 * const before = await witness(topic, group);
 */
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import worker from "../../worker/index.ts";
import { mintTestToken } from "../conformance/auth-fixtures.ts";
import { TestSocket, UPGRADE_HEADERS } from "../worker/socket.ts";
import { TEST_JWT_SECRET } from "./test-keys.ts";

/**
 * A token of `sub` for `scope`, valid for `ttlS` seconds from `nowMs` (the wall clock by default).
 *
 * @example
 * const reader = await tokenFor("read:orders");
 */
export function tokenFor(
  scope: string,
  options: { sub?: string; ttlS?: number; nowMs?: number; badSignature?: boolean; quota?: Record<string, number> } = {},
): Promise<string> {
  return mintTestToken(TEST_JWT_SECRET, {
    sub: options.sub ?? "matrix",
    scope,
    ttlS: options.ttlS ?? 600,
    nowS: Math.floor((options.nowMs ?? Date.now()) / 1000),
    badSignature: options.badSignature ?? false,
    ...(options.quota === undefined ? {} : { quota: options.quota }),
  });
}

/**
 * Sends `"METHOD /path"` to the worker's fetch handler (as the runtime does), with a token when given.
 *
 * @example
 * await call("PUT /v1/topics/t", { token, body: { partitions: 2 } });
 */
export async function call(
  route: string,
  options: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const [method, path] = route.split(" ") as [string, string];
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const request = new Request(`http://matrix${path}`, { method, headers, body }) as Request<unknown, IncomingRequestCfProperties>;
  return worker.fetch(request, env, createExecutionContext());
}

/**
 * Sends and expects a status, answering the parsed body (null when there is none).
 *
 * @example
 * await expectCall("GET /v1/topics", { token }, 200);
 */
export async function expectCall(route: string, options: Parameters<typeof call>[1], status: number): Promise<unknown> {
  const res = await call(route, options);
  const text = await res.text();
  expect(res.status, `${route}: ${text.slice(0, 300)}`).toBe(status);
  return text === "" ? null : JSON.parse(text);
}

/**
 * Opens a socket on `path` through the worker (no token: the socket authenticates in-band).
 *
 * @example
 * const sock = await openAuthSocket(`/v1/groups/${group}/ws`);
 */
export async function openAuthSocket(path: string): Promise<TestSocket> {
  const res = await call(`GET ${path}`, { headers: UPGRADE_HEADERS });
  expect(res.status, res.status === 101 ? "" : await res.text()).toBe(101);
  return new TestSocket(res.webSocket!);
}

/**
 * What a topic and a group hold, read with an admin token: the topic list, the topic's
 * description and every record of its partitions, the group's description (members) and offsets.
 *
 * @example
 * expect(await witness(topic, group, admin)).toEqual(before); // nothing was stored
 */
export async function witness(topic: string, group: string, admin: string): Promise<unknown> {
  const read = (route: string) => call(route, { token: admin }).then(async (res) => [res.status, await res.json()]);
  return {
    topics: await read("GET /v1/topics"),
    topic: await read(`GET /v1/topics/${topic}`),
    records: [await read(`GET /v1/topics/${topic}/partitions/0/records`), await read(`GET /v1/topics/${topic}/partitions/1/records`)],
    group: await read(`GET /v1/groups/${group}`),
    offsets: await read(`GET /v1/groups/${group}/offsets?topic=${topic}`),
  };
}
