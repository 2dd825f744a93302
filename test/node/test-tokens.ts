/**
 * Tokens for the client's auth tests (Node and Chromium) against a runtime started with
 * AUTH_REQUIRED_VARS: HS256, signed with jose and the tests' own secret (never a deployment's),
 * `exp` chosen by the test (a token already past its `exp` but within the server's clock skew is
 * accepted and expires on the open socket within seconds), and an admin helper for set-up.
 *
 * @example
 * const token = await mintToken({ sub: "alice", scope: "read:* write:*", expiresInS: 3_600 });
 * await adminRequest(url, "PUT", "/v1/topics/orders", { partitions: 2 });
 */
import { SignJWT } from "jose";
import { TEST_JWT_SECRET } from "../worker-auth/test-keys.ts";

/**
 * The vars of a runtime that requires tokens signed with the tests' secret.
 *
 * @example
 * const server = await startServer({ vars: AUTH_REQUIRED_VARS });
 */
export const AUTH_REQUIRED_VARS: Readonly<Record<string, string>> = { EDGELOG_AUTH: "required", EDGELOG_JWT_SECRET: TEST_JWT_SECRET };

/**
 * What a minted token says.
 *
 * @example
 * const claims: MintOptions = { sub: "alice", scope: "read:orders", expiresInS: 60 };
 */
export interface MintOptions {
  sub: string;
  scope: string;
  /** Seconds from now to `exp` (negative: already past). */
  expiresInS: number;
  /** Signs with another secret: a token the server refuses (401). */
  wrongSecret?: boolean;
  /** Any other claim (e.g. a counter, so two tokens minted in one second differ). */
  extra?: Record<string, unknown>;
}

/**
 * Mints an HS256 token.
 *
 * @example
 * const expired = await mintToken({ sub: "alice", scope: "read:*", expiresInS: -25 });
 */
export async function mintToken(options: MintOptions): Promise<string> {
  const secret = options.wrongSecret ? `${TEST_JWT_SECRET}-wrong` : TEST_JWT_SECRET;
  const exp = Math.floor(Date.now() / 1000) + options.expiresInS;
  return new SignJWT({ sub: options.sub, scope: options.scope, exp, ...options.extra })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(secret));
}

/**
 * A request with an admin token; fails unless it answers 2xx.
 *
 * @example
 * await adminRequest(server.url, "PUT", "/v1/topics/orders", { partitions: 1 });
 */
export async function adminRequest(url: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const token = await mintToken({ sub: "ops", scope: "admin:* group:*", expiresInS: 600 });
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const init: RequestInit = { method, headers, signal: AbortSignal.timeout(15_000) };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${url}${path}`, init);
  const text = await res.text();
  if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return text === "" ? null : JSON.parse(text);
}
