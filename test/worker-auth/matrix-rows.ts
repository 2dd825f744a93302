/**
 * The auth matrix's rows (test/worker-auth/matrix.test.ts runs them): one per HTTP route of the
 * worker (keyed as worker/auth/route-grants.ts keys them, plus the SSE and long-poll forms of a
 * fetch) and one per socket message type of both sockets (and a subscribe from a group's
 * committed offset). Each row names the scope that must pass and scopes that lack what it needs;
 * every row is also tried with no token, a bad signature and an expired token.
 *
 * @example
 * for (const row of HTTP_ROWS) console.log(row.route, row.right, row.wrong);
 */
import type { GrantedRoute } from "../../worker/auth/route-grants.ts";
import { SCHEMA_HTTP_ROWS } from "./schema-rows.ts";
import { SOURCE_HTTP_ROWS } from "./source-rows.ts";

/**
 * The names a row works on: its own topic (2 partitions, 2 records on partition 0), group (an
 * offset committed on partition 0) and, when the row asks for one, a member of the group.
 *
 * @example
 * const names: RowNames = { topic: "mx-a", group: "mxg-a", member: null };
 */
export interface RowNames {
  topic: string;
  group: string;
  member: string | null;
}

/**
 * One HTTP route: the request, the scope that passes and the status it gets, the scopes that lack
 * what the route needs.
 *
 * @example
 * const row: HttpRow = { route: "GET topic", request: (n) => ({ route: `GET /v1/topics/${n.topic}` }), right: (n) => `read:${n.topic}`, wrong: () => ["write:*"], ok: 200 };
 */
export interface HttpRow {
  route: GrantedRoute;
  /** Another form of the same route (SSE, long-poll), when there are several rows for it. */
  form?: string;
  request: (names: RowNames) => { route: string; body?: unknown };
  right: (names: RowNames) => string;
  wrong: (names: RowNames) => string[];
  ok: number;
  /** The row needs a member in its group (its setup joins one). */
  member?: boolean;
  /** Arranges what the row's request needs beyond its topic and group, with an admin token. */
  setup?: (names: RowNames, admin: string) => Promise<void>;
}

const T = (n: RowNames) => n.topic;
const G = (n: RowNames) => n.group;
const records = { records: [{ value: "matrix" }] };

/**
 * Every HTTP route (the socket routes' checks are per message: SOCKET_ROWS).
 *
 * @example
 * HTTP_ROWS.map((row) => row.route); // "GET topics", "PUT topic", ...
 */
export const HTTP_ROWS: HttpRow[] = [
  {
    route: "GET topics",
    request: () => ({ route: "GET /v1/topics" }),
    right: (n) => `read:${T(n)}`,
    wrong: (n) => [`write:${T(n)} group:*`],
    ok: 200,
  },
  {
    route: "PUT topic",
    request: (n) => ({ route: `PUT /v1/topics/${T(n)}-new`, body: { partitions: 1 } }),
    right: (n) => `admin:${T(n)}-new`,
    wrong: (n) => ["read:* write:* group:*", `admin:${T(n)}`],
    ok: 201,
  },
  {
    route: "GET topic",
    request: (n) => ({ route: `GET /v1/topics/${T(n)}` }),
    right: (n) => `read:${T(n)}`,
    wrong: (n) => [`write:${T(n)}`, "read:other"],
    ok: 200,
  },
  {
    route: "DELETE topic",
    request: (n) => ({ route: `DELETE /v1/topics/${T(n)}` }),
    right: (n) => `admin:${T(n)}`,
    wrong: (n) => [`read:${T(n)} write:${T(n)} group:*`],
    ok: 204,
  },
  {
    route: "POST topicRecords",
    request: (n) => ({ route: `POST /v1/topics/${T(n)}/records`, body: records }),
    right: (n) => `write:${T(n)}`,
    wrong: (n) => [`read:${T(n)}`, "write:other"],
    ok: 200,
  },
  {
    route: "POST partitionRecords",
    request: (n) => ({ route: `POST /v1/topics/${T(n)}/partitions/1/records`, body: records }),
    right: (n) => `write:${T(n)}`,
    wrong: (n) => [`read:${T(n)} group:*`],
    ok: 200,
  },
  {
    route: "GET partitionRecords",
    request: (n) => ({ route: `GET /v1/topics/${T(n)}/partitions/0/records` }),
    right: (n) => `read:${T(n)}`,
    wrong: (n) => [`write:${T(n)}`],
    ok: 200,
  },
  {
    route: "GET partitionRecords",
    form: "long-poll",
    request: (n) => ({ route: `GET /v1/topics/${T(n)}/partitions/1/records?maxWaitMs=10` }),
    right: (n) => `read:${T(n)}`,
    wrong: (n) => [`write:${T(n)}`],
    ok: 200,
  },
  {
    route: "GET partitionRecords",
    form: "sse",
    request: (n) => ({ route: `GET /v1/topics/${T(n)}/partitions/0/records?live=sse` }),
    right: (n) => `read:${T(n)}`,
    wrong: (n) => [`write:${T(n)} group:*`],
    ok: 200,
  },
  {
    route: "DELETE partitionRecords",
    request: (n) => ({ route: `DELETE /v1/topics/${T(n)}/partitions/0/records?before=1` }),
    right: (n) => `admin:${T(n)}`,
    wrong: (n) => [`read:${T(n)} write:${T(n)}`],
    ok: 200,
  },
  {
    route: "GET partitionOffsets",
    request: (n) => ({ route: `GET /v1/topics/${T(n)}/partitions/0/offsets?timestamp=earliest` }),
    right: (n) => `read:${T(n)}`,
    wrong: (n) => [`write:${T(n)}`],
    ok: 200,
  },
  {
    route: "GET partitionStats",
    request: (n) => ({ route: `GET /v1/topics/${T(n)}/partitions/0/stats` }),
    right: (n) => `admin:${T(n)}`,
    wrong: (n) => [`read:${T(n)} write:${T(n)}`],
    ok: 200,
  },
  {
    route: "PUT groupOffsets",
    request: (n) => ({ route: `PUT /v1/groups/${G(n)}/offsets`, body: { offsets: [{ topic: T(n), partition: 0, offset: 2 }] } }),
    right: (n) => `group:${G(n)} read:${T(n)}`,
    wrong: (n) => [`group:${G(n)}`, `read:${T(n)} admin:${T(n)}`, `group:other read:${T(n)}`],
    ok: 200,
  },
  {
    route: "GET groupOffsets",
    request: (n) => ({ route: `GET /v1/groups/${G(n)}/offsets?topic=${T(n)}` }),
    right: (n) => `group:${G(n)} read:${T(n)}`,
    wrong: (n) => [`group:${G(n)}`, `read:${T(n)}`],
    ok: 200,
  },
  {
    route: "POST groupMembers",
    request: (n) => ({ route: `POST /v1/groups/${G(n)}/members`, body: { topic: T(n) } }),
    right: (n) => `group:${G(n)} read:${T(n)}`,
    wrong: (n) => [`group:${G(n)}`, `read:${T(n)}`],
    ok: 200,
  },
  {
    route: "POST groupHeartbeat",
    member: true,
    request: (n) => ({ route: `POST /v1/groups/${G(n)}/members/${n.member}/heartbeat` }),
    right: (n) => `group:${G(n)}`,
    wrong: (n) => [`read:${T(n)} admin:${T(n)}`, "group:other"],
    ok: 200,
  },
  {
    route: "DELETE groupMember",
    member: true,
    request: (n) => ({ route: `DELETE /v1/groups/${G(n)}/members/${n.member}` }),
    right: (n) => `group:${G(n)}`,
    wrong: () => ["admin:* read:* write:*"],
    ok: 204,
  },
  {
    route: "GET group",
    request: (n) => ({ route: `GET /v1/groups/${G(n)}` }),
    right: (n) => `group:${G(n)}`,
    wrong: () => ["admin:*"],
    ok: 200,
  },
  {
    route: "GET groups",
    request: () => ({ route: "GET /v1/groups" }),
    right: (n) => `group:${G(n)}`,
    wrong: () => ["admin:* read:*"],
    ok: 200,
  },
  {
    route: "GET metrics",
    request: () => ({ route: "GET /v1/metrics" }),
    right: (n) => `admin:${T(n)}`,
    wrong: () => ["read:* write:* group:*"],
    ok: 200,
  },
  {
    // Processors read and write topics a narrower token may not see: admin on every topic (PROC-6).
    route: "GET processors",
    request: () => ({ route: "GET /v1/processors" }),
    right: () => "admin:*",
    wrong: (n) => [`admin:${T(n)}`, "read:* write:* group:*"],
    ok: 200,
  },
  {
    route: "GET processor",
    request: () => ({ route: "GET /v1/processors/example-slow-views" }),
    right: () => "admin:*",
    wrong: (n) => [`admin:${T(n)}`, "read:* write:* group:*"],
    ok: 200,
  },
  {
    // A connector reads one topic, may write another, and holds a secret: admin on every topic (CONNECT-8).
    route: "GET connectors",
    request: () => ({ route: "GET /v1/connectors" }),
    right: () => "admin:*",
    wrong: (n) => [`admin:${T(n)}`, "read:* write:* group:*"],
    ok: 200,
  },
  {
    route: "PUT connector",
    request: (n) => ({
      route: `PUT /v1/connectors/${T(n)}-hook`,
      body: { kind: "webhook", topic: T(n), url: "https://receiver.invalid/hook", secret: "matrix-secret-0123456789" },
    }),
    right: () => "admin:*",
    wrong: (n) => [`admin:${T(n)}`, "read:* write:* group:*"],
    ok: 201,
  },
  {
    // Past the grant, a connector that does not exist: 404 (403 before it).
    route: "GET connector",
    request: (n) => ({ route: `GET /v1/connectors/${T(n)}-none` }),
    right: () => "admin:*",
    wrong: (n) => [`admin:${T(n)}`, "read:* write:* group:*"],
    ok: 404,
  },
  {
    route: "DELETE connector",
    request: (n) => ({ route: `DELETE /v1/connectors/${T(n)}-none` }),
    right: () => "admin:*",
    wrong: (n) => [`admin:${T(n)}`, "read:* write:* group:*"],
    ok: 404,
  },
  ...SCHEMA_HTTP_ROWS,
  ...SOURCE_HTTP_ROWS,
];

/**
 * One socket message type: the socket, the message, the answer the right scope gets, the scopes
 * that lack what it needs (none for the messages that need an authenticated socket only).
 *
 * @example
 * const row: SocketRow = { socket: "group", type: "leave", message: () => ({ type: "leave", id: "m" }), answer: "left", right: (n) => `group:${n.group}`, wrong: () => ["read:*"] };
 */
export interface SocketRow {
  socket: "partition" | "group";
  type: string;
  form?: string;
  message: (names: RowNames, token: string) => Record<string, unknown>;
  /** The answer's type, or null when a good message is not answered (then a barrier shows it was handled). */
  answer: string | null;
  right: (names: RowNames) => string;
  wrong: (names: RowNames) => string[];
}

/**
 * Every socket message type of both sockets (CLIENT_MESSAGE_TYPES, GROUP_CLIENT_MESSAGE_TYPES).
 *
 * @example
 * SOCKET_ROWS.filter((row) => row.socket === "group").map((row) => row.type); // ["auth", "join", "leave"]
 */
export const SOCKET_ROWS: SocketRow[] = [
  {
    socket: "partition",
    type: "auth",
    message: (_n, token) => ({ type: "auth", id: "m", token }),
    answer: "authenticated",
    right: () => "",
    wrong: () => [],
  },
  { socket: "partition", type: "hello", message: () => ({ type: "hello", version: 1 }), answer: null, right: () => "", wrong: () => [] },
  {
    socket: "partition",
    type: "subscribe",
    message: () => ({ type: "subscribe", id: "m", from: "earliest" }),
    answer: "subscribed",
    right: (n) => `read:${T(n)}`,
    wrong: (n) => [`write:${T(n)} group:*`, "read:other"],
  },
  {
    socket: "partition",
    type: "subscribe",
    form: "committed",
    message: (n) => ({ type: "subscribe", id: "m", from: "committed", group: G(n) }),
    answer: "subscribed",
    right: (n) => `read:${T(n)} group:${G(n)}`,
    wrong: (n) => [`read:${T(n)}`, `group:${G(n)}`],
  },
  {
    socket: "partition",
    type: "unsubscribe",
    message: () => ({ type: "unsubscribe", id: "m" }),
    answer: "unsubscribed",
    right: () => "",
    wrong: () => [],
  },
  {
    socket: "partition",
    type: "consumed",
    message: () => ({ type: "consumed", offset: 0 }),
    answer: null,
    right: () => "",
    wrong: () => [],
  },
  {
    socket: "partition",
    type: "produce",
    message: () => ({ type: "produce", id: "m", records: [{ value: "matrix" }] }),
    answer: "ack",
    right: (n) => `write:${T(n)}`,
    wrong: (n) => [`read:${T(n)} group:*`, "write:other"],
  },
  {
    socket: "partition",
    type: "commit",
    message: (n) => ({ type: "commit", id: "m", group: G(n), offset: 2 }),
    answer: "committed",
    right: (n) => `group:${G(n)} read:${T(n)}`,
    wrong: (n) => [`group:${G(n)}`, `read:${T(n)} admin:${T(n)}`],
  },
  {
    socket: "group",
    type: "auth",
    message: (_n, token) => ({ type: "auth", id: "m", token }),
    answer: "authenticated",
    right: () => "",
    wrong: () => [],
  },
  {
    socket: "group",
    type: "join",
    message: (n) => ({ type: "join", id: "m", topic: T(n) }),
    answer: "joined",
    right: (n) => `group:${G(n)} read:${T(n)}`,
    wrong: (n) => [`group:${G(n)}`, `read:${T(n)}`, `group:other read:${T(n)}`],
  },
  {
    socket: "group",
    type: "leave",
    message: () => ({ type: "leave", id: "m" }),
    answer: "left",
    right: (n) => `group:${G(n)}`,
    wrong: (n) => [`read:${T(n)} admin:*`],
  },
];
