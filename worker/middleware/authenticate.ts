/**
 * Authentication on every /v1 request (the CORS preflight is answered before it): reads the
 * deployment's settings (a broken or missing configuration refuses everything with
 * AUTH_NOT_CONFIGURED, 503: the deployment fails closed), verifies the `Authorization: Bearer`
 * token where one is required or sent (401 UNAUTHENTICATED, with `WWW-Authenticate: Bearer`), and
 * hands the route `c.var.access`. A WebSocket upgrade is let through without a token: the socket
 * authenticates in its first message (AUTH-9). An HTTP source's ingest route (the one `signature`
 * route of auth/route-grants.ts, matched by its registered pattern and method, wherever the app
 * is mounted) reads no token either: its callers hold none, the source's HMAC signature
 * authenticates them (SOURCE-4), and the route gets an access that grants nothing. When auth is
 * not required every answer says so in its `edgelog-auth` header (`off` or `dev`).
 *
 * Rules: PROTOCOL.md AUTH-1, AUTH-6, AUTH-13, AUTH-14, SOURCE-4.
 *
 * @example
 * app.use("/v1/*", authenticate());
 * app.get(ROUTE.topic, topicParams(), routeGrant("GET topic"), (c) => describe(c.var.topic));
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import { type Access, accessOf, OPEN_ACCESS, requestToken } from "../auth/access.ts";
import { type AuthConfig, authConfig } from "../auth/auth-config.ts";
import { SIGNED_ROUTES } from "../auth/route-grants.ts";
import type { Env } from "../env.ts";
import { errorJson } from "../error-response.ts";
import { isWebSocketUpgrade } from "../sockets/socket-upgrade.ts";

/**
 * The response header that says authentication is not required, on every /v1 answer then.
 *
 * @example
 * response.headers.get(AUTH_MODE_HEADER); // "dev" under npm start
 */
export const AUTH_MODE_HEADER = "edgelog-auth";

/**
 * What the middleware gives the routes.
 *
 * @example
 * topicRoutes.get(ROUTE.topics, (c) => c.json(list(c.var.access))); // access: Access
 */
export type AuthVariables = { access: Access; authConfig: AuthConfig };

/**
 * The access of a request no token authenticates (an HTTP source's ingest route): no grant at all.
 *
 * @example
 * can(NO_ACCESS, "read", "orders"); // false
 */
export const NO_ACCESS: Access = Object.freeze({
  principal: Object.freeze({ sub: "signed-request", expiresAt: 0, grants: [], quota: null }),
});

/**
 * Whether the request goes to a `signature` route: the route it matches (by method and
 * registered pattern, which ends in the route's pattern wherever the app is mounted).
 *
 * @example
 * signedRoute(c); // true for POST /v1/sources/github/events
 */
export function signedRoute(c: Context): boolean {
  const method = c.req.method;
  return matchedRoutes(c).some((route) =>
    SIGNED_ROUTES.some((signed) => route.method === method && signed.method === method && route.path.endsWith(signed.path)),
  );
}

/**
 * The middleware.
 *
 * @example
 * app.use("/v1/*", authenticate()); // after cors(), before the 405 check and the routes
 */
export function authenticate() {
  return createMiddleware<{ Bindings: Env; Variables: AuthVariables }>(async (c, next) => {
    const config = await authConfig(c.env);
    if (config.mode !== "required") c.res.headers.set(AUTH_MODE_HEADER, config.mode);
    if (config.problem !== null) return errorJson("AUTH_NOT_CONFIGURED", config.problem);
    c.set("authConfig", config);
    // Browsers cannot set headers on an upgrade: the socket authenticates in its first message.
    const upgrade = c.req.method === "GET" && isWebSocketUpgrade(c.req.raw);
    if (signedRoute(c)) c.set("access", NO_ACCESS);
    else c.set("access", upgrade ? OPEN_ACCESS : await accessOf(config, requestToken(config, c.req.header("authorization")), Date.now()));
    await next();
  });
}
