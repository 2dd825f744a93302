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
import { subjectGrantName } from "../../client/protocol/index.ts";
import { type Access, requireAnyGrant, requireGrant } from "../auth/access.ts";
import { type GrantedRoute, ROUTE_GRANTS, type RouteGrantRule } from "../auth/route-grants.ts";

type GrantVariables = { access: Access; topic?: string; group?: string; subject?: string };

/** The name a rule's grant is on. */
function grantedName(rule: Extract<RouteGrantRule, { action: string }>, v: GrantVariables): string {
  if (rule.on === "all") return "*";
  if (rule.on === "subject") return subjectGrantName(v.subject ?? "");
  return (rule.on === "topic" ? v.topic : v.group) ?? "";
}

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
    else if (rule.action !== null) requireGrant(access, rule.action, grantedName(rule, c.var));
    await next();
  });
}
