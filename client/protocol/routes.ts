/**
 * The API's routes: the patterns the worker serves (Hono's `:param` syntax) and the paths a
 * client builds from names, both here so the two sides spell every path once.
 * Rules: PROTOCOL.md HTTP-4.
 *
 * @example
 * partitionPath("orders", 2); // "/v1/topics/orders/partitions/2"
 * app.get(ROUTE.partitionSocket, handler);
 */

/**
 * Every route pattern of version 1 of the API.
 *
 * @example
 * groupRoutes.post(ROUTE.groupMembers, groupParams(), jsonBody(), handler); // POST /v1/groups/:group/members
 */
export const ROUTE = {
  topics: "/v1/topics",
  topic: "/v1/topics/:topic",
  topicRecords: "/v1/topics/:topic/records",
  partitionRecords: "/v1/topics/:topic/partitions/:partition/records",
  partitionOffsets: "/v1/topics/:topic/partitions/:partition/offsets",
  partitionStats: "/v1/topics/:topic/partitions/:partition/stats",
  partitionSocket: "/v1/topics/:topic/partitions/:partition/ws",
  groupOffsets: "/v1/groups/:group/offsets",
  groupMembers: "/v1/groups/:group/members",
  groupMember: "/v1/groups/:group/members/:member",
  groupHeartbeat: "/v1/groups/:group/members/:member/heartbeat",
  groupSocket: "/v1/groups/:group/ws",
  group: "/v1/groups/:group",
  groups: "/v1/groups",
  metrics: "/v1/metrics",
  // The schema registry: Confluent Schema Registry's paths under /v1/schemas (SCHEMA-5).
  schemaSubjects: "/v1/schemas/subjects",
  schemaSubject: "/v1/schemas/subjects/:subject",
  schemaVersions: "/v1/schemas/subjects/:subject/versions",
  schemaVersion: "/v1/schemas/subjects/:subject/versions/:version",
  schemaVersionSchema: "/v1/schemas/subjects/:subject/versions/:version/schema",
  schemaCompatibility: "/v1/schemas/compatibility/subjects/:subject/versions/:version",
  schemaCompatibilityAll: "/v1/schemas/compatibility/subjects/:subject/versions",
  schemaConfig: "/v1/schemas/config",
  schemaSubjectConfig: "/v1/schemas/config/:subject",
  schemaById: "/v1/schemas/schemas/ids/:id",
  // Stream processors deployed with the Worker (PROC-6).
  processors: "/v1/processors",
  processor: "/v1/processors/:name",
  // Connectors configured through the API (CONNECT-8).
  connectors: "/v1/connectors",
  connector: "/v1/connectors/:name",
  // HTTP sources: webhooks into a topic (SOURCE-1); the events route is signed, not token-authenticated (SOURCE-4).
  sources: "/v1/sources",
  source: "/v1/sources/:name",
  sourceEvents: "/v1/sources/:name/events",
} as const;

/**
 * A route's name.
 *
 * @example
 * const name: RouteName = "groupSocket";
 * ROUTE[name]; // "/v1/groups/:group/ws"
 */
export type RouteName = keyof typeof ROUTE;

/**
 * The path of a topic, its name encoded.
 *
 * @example
 * topicPath("orders"); // "/v1/topics/orders"
 */
export function topicPath(topic: string): string {
  return `/v1/topics/${encodeURIComponent(topic)}`;
}

/**
 * The path of one partition of a topic; add "/records", "/offsets", "/stats" or "/ws".
 *
 * @example
 * `${partitionPath("orders", 0)}/ws`; // "/v1/topics/orders/partitions/0/ws"
 */
export function partitionPath(topic: string, partition: number): string {
  return `${topicPath(topic)}/partitions/${partition}`;
}

/**
 * The path of a consumer group; add "/offsets", "/members" or "/ws".
 *
 * @example
 * `${groupPath("billing")}/offsets`; // "/v1/groups/billing/offsets"
 */
export function groupPath(group: string): string {
  return `/v1/groups/${encodeURIComponent(group)}`;
}

/**
 * The path of an HTTP source; add "/events" for its ingest route.
 *
 * @example
 * `${sourcePath("github")}/events`; // "/v1/sources/github/events"
 */
export function sourcePath(source: string): string {
  return `/v1/sources/${encodeURIComponent(source)}`;
}

/**
 * The path of a stream processor.
 *
 * @example
 * processorPath("views-by-page"); // "/v1/processors/views-by-page"
 */
export function processorPath(processor: string): string {
  return `/v1/processors/${encodeURIComponent(processor)}`;
}

/**
 * The path of a connector.
 *
 * @example
 * connectorPath("orders-hook"); // "/v1/connectors/orders-hook"
 */
export function connectorPath(connector: string): string {
  return `/v1/connectors/${encodeURIComponent(connector)}`;
}
