/**
 * The grant every /v1 route needs, in one table (PROTOCOL.md AUTH-5 is this table in prose):
 * `action` on the path's topic or group, checked by middleware/route-grant.ts before the body is
 * read or anything is looked up (so a 403 says nothing of what exists). `andRead` names the
 * topics a group route also needs `read` on, checked by the route once its body or query is
 * parsed. Socket routes need nothing at the upgrade: the socket authenticates in its first
 * message and each message is checked (socket-grants.ts). One route is `signature`: an HTTP
 * source's ingest route, called by outside services that hold no token, reads no token at all
 * (middleware/authenticate.ts) and is authenticated by the source's HMAC signature (SOURCE-4).
 *
 * Rules: PROTOCOL.md AUTH-4, AUTH-5, SOURCE-4.
 *
 * @example
 * topicRoutes.delete(ROUTE.topic, topicParams(), routeGrant("DELETE topic"), handler); // admin on :topic
 */
import { type GrantAction, ROUTE, type RouteName } from "../../client/protocol/index.ts";

/**
 * A route as the table names it: its method and its ROUTE name.
 *
 * @example
 * const key: RouteKey = "POST topicRecords";
 */
export type RouteKey = `${"GET" | "PUT" | "POST" | "DELETE"} ${RouteName}`;

/**
 * What a route needs: `action` on the path's `on` (a topic or group; a schema subject, whose grant
 * is on its topic, SCHEMA-5; `any` for a list, which needs one grant of the action and lists what
 * it allows; `all` for what concerns every topic, a grant on `*`), or `socket` (in-band auth),
 * or `signature` (no token: the source's HMAC signature, SOURCE-4).
 *
 * @example
 * const rule: RouteGrantRule = { action: "group", on: "group", andRead: "the joined topic" };
 */
export type RouteGrantRule =
  | { action: GrantAction; on: "topic" | "group" | "subject" | "any" | "all"; andRead?: string }
  | { action: null; on: "socket" | "signature" };

/**
 * The table.
 *
 * @example
 * ROUTE_GRANTS["GET partitionStats"]; // { action: "admin", on: "topic" }
 */
export const ROUTE_GRANTS = {
  "GET topics": { action: "read", on: "any" },
  "PUT topic": { action: "admin", on: "topic" },
  "GET topic": { action: "read", on: "topic" },
  "DELETE topic": { action: "admin", on: "topic" },
  "POST topicRecords": { action: "write", on: "topic" },
  "POST partitionRecords": { action: "write", on: "topic" },
  "GET partitionRecords": { action: "read", on: "topic" },
  "DELETE partitionRecords": { action: "admin", on: "topic" },
  "GET partitionOffsets": { action: "read", on: "topic" },
  "GET partitionStats": { action: "admin", on: "topic" },
  "GET partitionSocket": { action: null, on: "socket" },
  "PUT groupOffsets": { action: "group", on: "group", andRead: "each topic committed" },
  "GET groupOffsets": { action: "group", on: "group", andRead: "the topic parameter" },
  "POST groupMembers": { action: "group", on: "group", andRead: "the topic joined" },
  "POST groupHeartbeat": { action: "group", on: "group" },
  "DELETE groupMember": { action: "group", on: "group" },
  "GET groupSocket": { action: null, on: "socket" },
  "GET group": { action: "group", on: "group" },
  "GET groups": { action: "group", on: "any" },
  "GET metrics": { action: "admin", on: "any" },
  "GET processors": { action: "admin", on: "all" },
  "GET processor": { action: "admin", on: "all" },
  "GET connectors": { action: "admin", on: "all" },
  "PUT connector": { action: "admin", on: "all" },
  "GET connector": { action: "admin", on: "all" },
  "DELETE connector": { action: "admin", on: "all" },
  "PUT source": { action: "admin", on: "all" },
  "GET sources": { action: "admin", on: "all" },
  "GET source": { action: "admin", on: "all" },
  "DELETE source": { action: "admin", on: "all" },
  "POST sourceEvents": { action: null, on: "signature" },
  "GET schemaSubjects": { action: "read", on: "any" },
  "POST schemaSubject": { action: "read", on: "subject" },
  "DELETE schemaSubject": { action: "admin", on: "subject" },
  "GET schemaVersions": { action: "read", on: "subject" },
  "POST schemaVersions": { action: "admin", on: "subject" },
  "GET schemaVersion": { action: "read", on: "subject" },
  "DELETE schemaVersion": { action: "admin", on: "subject" },
  "GET schemaVersionSchema": { action: "read", on: "subject" },
  "POST schemaCompatibility": { action: "read", on: "subject" },
  "POST schemaCompatibilityAll": { action: "read", on: "subject" },
  "GET schemaConfig": { action: "read", on: "any" },
  "PUT schemaConfig": { action: "admin", on: "all" },
  "GET schemaSubjectConfig": { action: "read", on: "subject" },
  "PUT schemaSubjectConfig": { action: "admin", on: "subject" },
  "DELETE schemaSubjectConfig": { action: "admin", on: "subject" },
  "GET schemaById": { action: "read", on: "any" },
} as const satisfies Partial<Record<RouteKey, RouteGrantRule>>;

/**
 * A route the table has.
 *
 * @example
 * const key: GrantedRoute = "GET group";
 */
export type GrantedRoute = keyof typeof ROUTE_GRANTS;

/**
 * The routes no bearer token authenticates (`on: "signature"`): authenticate() lets a request
 * through unread only when the route it matches is one of these, by its registered pattern.
 *
 * @example
 * SIGNED_ROUTES; // [{ method: "POST", path: "/v1/sources/:name/events" }]
 */
export const SIGNED_ROUTES: readonly { method: string; path: string }[] = Object.entries(ROUTE_GRANTS)
  .filter(([, rule]) => rule.on === "signature")
  .map(([key]) => {
    const [method, name] = key.split(" ") as [string, RouteName];
    return { method, path: ROUTE[name] };
  });
