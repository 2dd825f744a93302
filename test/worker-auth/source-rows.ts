/**
 * The auth matrix's rows for the HTTP sources' management routes (test/worker-auth/matrix.test.ts
 * runs them): each needs `admin` on `*` (SOURCE-3). The ingest route has no row: no token is read
 * there (its callers hold none), the source's signature authenticates it, which
 * test/worker-auth/source-auth.test.ts tries.
 *
 * @example
 * HTTP_ROWS.push(...SOURCE_HTTP_ROWS);
 */
import { expectCall } from "./harness.ts";
import type { HttpRow, RowNames } from "./matrix-rows.ts";

const S = (n: RowNames) => `/v1/sources/mx-src-${n.topic}`;
const config = (n: RowNames) => ({ topic: n.topic, secret: "matrix-secret-0123456789" });
const wrong = (n: RowNames) => [`admin:${n.topic}`, "read:* write:* group:*"];

/** Creates the row's source with the admin token. */
async function withSource(names: RowNames, admin: string): Promise<void> {
  await expectCall(`PUT ${S(names)}`, { token: admin, body: config(names) }, 201);
}

/**
 * One row per source management route.
 *
 * @example
 * SOURCE_HTTP_ROWS.map((row) => row.route); // "PUT source", "GET sources", "GET source", "DELETE source"
 */
export const SOURCE_HTTP_ROWS: HttpRow[] = [
  { route: "PUT source", request: (n) => ({ route: `PUT ${S(n)}`, body: config(n) }), right: () => "admin:*", wrong, ok: 201 },
  { route: "GET sources", request: () => ({ route: "GET /v1/sources" }), right: () => "admin:*", wrong, ok: 200 },
  { route: "GET source", request: (n) => ({ route: `GET ${S(n)}` }), right: () => "admin:*", wrong, ok: 200, setup: withSource },
  { route: "DELETE source", request: (n) => ({ route: `DELETE ${S(n)}` }), right: () => "admin:*", wrong, ok: 204, setup: withSource },
];
