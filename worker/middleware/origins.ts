/**
 * The origin allow-list (EDGELOG_ALLOWED_ORIGINS) for CORS and for the socket upgrade:
 * - CORS: `Access-Control-Allow-Origin: *` only when auth is off (or dev) and no list is set;
 *   otherwise a listed Origin is reflected (with `Vary: Origin`) and any other gets no CORS
 *   headers, so a browser refuses to hand it the answer. Preflights are cached for
 *   CORS_MAX_AGE_S and allow the headers asked for (`edgelog-protocol` among them, PRODUCE-7);
 *   `Retry-After`, `WWW-Authenticate`, `edgelog-auth` and `edgelog-protocol` are exposed.
 * - Sockets: a browser's Origin that is not allowed is 403 FORBIDDEN before the upgrade; a
 *   request without Origin (a non-browser client) and the page's own origin are allowed (the
 *   token protects the socket).
 *
 * Rules: PROTOCOL.md CORS-1, CORS-2, AUTH-15.
 *
 * @example
 * app.use("/v1/*", originCors());
 * app.get(ROUTE.groupSocket, groupParams(), requireUpgrade(), socketOrigin(), forward);
 */
import type { Context } from "hono";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { EdgelogError, PROTOCOL_HEADER } from "../../client/protocol/index.ts";
import { authConfig, type OriginPolicy } from "../auth/auth-config.ts";
import type { Env } from "../env.ts";
import { AUTH_MODE_HEADER } from "./authenticate.ts";

/**
 * How long a browser may cache a preflight, in seconds (Chromium caps it at 7,200), so a page's
 * produce calls are not preflighted every time.
 *
 * @example
 * response.headers.get("access-control-max-age"); // "7200"
 */
export const CORS_MAX_AGE_S = 7_200;

/**
 * The `Access-Control-Allow-Origin` for a request's Origin under a policy, or null for none.
 *
 * @example
 * corsOrigin({ any: false, list: ["https://app.example"] }, "https://app.example"); // "https://app.example"
 * corsOrigin({ any: true, list: [] }, "https://elsewhere.example"); // "*"
 */
export function corsOrigin(policy: OriginPolicy, origin: string): string | null {
  if (policy.any) return "*";
  return origin !== "" && policy.list.includes(origin) ? origin : null;
}

/**
 * The Durable Streams headers a page may read (PROTOCOL.md CORS-1, STREAM-13): exposed on every
 * /v1 answer, as CORS takes one list (a name an answer does not carry exposes nothing).
 *
 * @example
 * STREAM_EXPOSED_HEADERS.includes("Stream-Next-Offset"); // true
 */
export const STREAM_EXPOSED_HEADERS: readonly string[] = [
  "Stream-Next-Offset",
  "Stream-Cursor",
  "Stream-Up-To-Date",
  "Stream-Closed",
  "Stream-TTL",
  "Stream-Expires-At",
  "Stream-SSE-Data-Encoding",
  "Producer-Epoch",
  "Producer-Seq",
  "Producer-Expected-Seq",
  "Producer-Received-Seq",
  "ETag",
  "Content-Type",
  "Location",
];

/**
 * CORS on /v1 with the deployment's policy.
 *
 * @example
 * app.use("/v1/*", originCors()); // before authenticate(): a preflight carries no token
 */
export function originCors() {
  return cors({
    origin: async (origin: string, c: Context<{ Bindings: Env }>) => corsOrigin((await authConfig(c.env)).origins, origin),
    maxAge: CORS_MAX_AGE_S,
    exposeHeaders: ["Retry-After", "WWW-Authenticate", AUTH_MODE_HEADER, PROTOCOL_HEADER, ...STREAM_EXPOSED_HEADERS],
  });
}

/**
 * Whether a socket upgrade's Origin may open a socket: none (not a browser), the page's own,
 * any when the policy allows any, or a listed one.
 *
 * @example
 * upgradeOriginAllowed({ any: false, list: [] }, "https://evil.example", "https://edgelog.example"); // false
 */
export function upgradeOriginAllowed(policy: OriginPolicy, origin: string | undefined, ownOrigin: string): boolean {
  return origin === undefined || origin === ownOrigin || policy.any || policy.list.includes(origin);
}

/**
 * The socket routes' Origin check (403 FORBIDDEN before the upgrade).
 *
 * @example
 * app.get(ROUTE.partitionSocket, partitionParams(), requireUpgrade(), socketOrigin(), forward);
 */
export function socketOrigin() {
  return createMiddleware<{ Bindings: Env }>(async (c, next) => {
    const origin = c.req.header("origin");
    if (!upgradeOriginAllowed((await authConfig(c.env)).origins, origin, new URL(c.req.url).origin)) {
      throw new EdgelogError(
        "FORBIDDEN",
        `origin ${origin} may not open a socket here: EDGELOG_ALLOWED_ORIGINS lists the origins that may (PROTOCOL.md AUTH-15)`,
      );
    }
    await next();
  });
}
