/**
 * A route's grant check, from the one table (auth/route-grants.ts): after the path parameters
 * are parsed and before the body is read, the caller's access must allow the route's action on
 * the path's topic or group, else 403 FORBIDDEN, whether or not that topic or group exists.
 *
 * Rules: PROTOCOL.md AUTH-4, AUTH-5.
 *
 * @example
 * partitionRoutes.post(ROUTE.partitionRecords, partitionParams(), routeGrant("POST partitionRecords"), jsonBody(), handler);
 */
import { createMiddleware } from "hono/factory";
import { type Access, requireAnyGrant, requireGrant } from "../auth/access.ts";
import { type GrantedRoute, ROUTE_GRANTS, type RouteGrantRule } from "../auth/route-grants.ts";

type GrantVariables = { access: Access; topic?: string; group?: string };

/**
 * The middleware for the route `key` of ROUTE_GRANTS.
 *
 * @example
 * topicRoutes.put(ROUTE.topic, topicParams(), routeGrant("PUT topic"), jsonBody(), create); // admin on :topic
 */
export function routeGrant(key: GrantedRoute) {
  const rule: RouteGrantRule = ROUTE_GRANTS[key];
  return createMiddleware<{ Variables: GrantVariables }>(async (c, next) => {
    const access = c.var.access;
    if (rule.on === "any") requireAnyGrant(access, rule.action);
    else if (rule.on !== "socket") requireGrant(access, rule.action, (rule.on === "topic" ? c.var.topic : c.var.group) ?? "");
    await next();
  });
}
