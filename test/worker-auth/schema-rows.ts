/**
 * The auth matrix's rows for the schema registry's routes (test/worker-auth/matrix.test.ts runs
 * them with the others): grants are on the subject's topic (`<topic>-value`), the global config
 * on `*`. A route that finds nothing for the row's fresh subject answers 404 past its grant check.
 *
 * @example
 * HTTP_ROWS.push(...SCHEMA_HTTP_ROWS);
 */
import type { HttpRow, RowNames } from "./matrix-rows.ts";

const T = (n: RowNames) => n.topic;
const V = (n: RowNames) => `/v1/schemas/subjects/${n.topic}-value`;
const schema = { schema: '{"type":"string"}' };

/**
 * One row per schema route.
 *
 * @example
 * SCHEMA_HTTP_ROWS.map((row) => row.route); // "GET schemaSubjects", ...
 */
export const SCHEMA_HTTP_ROWS: HttpRow[] = [
  {
    route: "GET schemaSubjects",
    request: () => ({ route: "GET /v1/schemas/subjects" }),
    right: (n) => `read:${T(n)}`,
    wrong: (n) => [`write:${T(n)} group:*`],
    ok: 200,
  },
  {
    route: "POST schemaSubject",
    request: (n) => ({ route: `POST ${V(n)}`, body: schema }),
    right: (n) => `read:${T(n)}`,
    wrong: (n) => [`write:${T(n)}`, "read:other"],
    ok: 404,
  },
  {
    route: "DELETE schemaSubject",
    request: (n) => ({ route: `DELETE ${V(n)}` }),
    right: (n) => `admin:${T(n)}`,
    wrong: (n) => [`read:${T(n)} write:${T(n)}`],
    ok: 404,
  },
  {
    route: "GET schemaVersions",
    request: (n) => ({ route: `GET ${V(n)}/versions` }),
    right: (n) => `read:${T(n)}`,
    wrong: (n) => [`write:${T(n)}`],
    ok: 404,
  },
  {
    route: "POST schemaVersions",
    request: (n) => ({ route: `POST ${V(n)}/versions`, body: schema }),
    right: (n) => `admin:${T(n)}`,
    wrong: (n) => [`read:${T(n)} write:${T(n)} group:*`, "admin:other"],
    ok: 200,
  },
  {
    route: "GET schemaVersion",
    request: (n) => ({ route: `GET ${V(n)}/versions/latest` }),
    right: (n) => `read:${T(n)}`,
    wrong: (n) => [`write:${T(n)}`],
    ok: 404,
  },
  {
    route: "DELETE schemaVersion",
    request: (n) => ({ route: `DELETE ${V(n)}/versions/1` }),
    right: (n) => `admin:${T(n)}`,
    wrong: (n) => [`read:${T(n)}`],
    ok: 404,
  },
  {
    route: "GET schemaVersionSchema",
    request: (n) => ({ route: `GET ${V(n)}/versions/1/schema` }),
    right: (n) => `read:${T(n)}`,
    wrong: (n) => [`write:${T(n)}`],
    ok: 404,
  },
  {
    route: "POST schemaCompatibility",
    request: (n) => ({ route: `POST /v1/schemas/compatibility/subjects/${n.topic}-value/versions/latest`, body: schema }),
    right: (n) => `read:${T(n)}`,
    wrong: (n) => [`write:${T(n)}`],
    ok: 200,
  },
  {
    route: "POST schemaCompatibilityAll",
    request: (n) => ({ route: `POST /v1/schemas/compatibility/subjects/${n.topic}-value/versions`, body: schema }),
    right: (n) => `read:${T(n)}`,
    wrong: (n) => [`write:${T(n)}`],
    ok: 200,
  },
  {
    route: "GET schemaConfig",
    request: () => ({ route: "GET /v1/schemas/config" }),
    right: (n) => `read:${T(n)}`,
    wrong: (n) => [`write:${T(n)}`],
    ok: 200,
  },
  {
    route: "PUT schemaConfig",
    request: () => ({ route: "PUT /v1/schemas/config", body: { compatibility: "BACKWARD" } }),
    right: () => "admin:*",
    wrong: (n) => [`admin:${T(n)}`, "read:* write:* group:*"],
    ok: 200,
  },
  {
    route: "GET schemaSubjectConfig",
    request: (n) => ({ route: `GET /v1/schemas/config/${n.topic}-value?defaultToGlobal=true` }),
    right: (n) => `read:${T(n)}`,
    wrong: (n) => [`write:${T(n)}`],
    ok: 200,
  },
  {
    route: "PUT schemaSubjectConfig",
    request: (n) => ({ route: `PUT /v1/schemas/config/${n.topic}-value`, body: { compatibility: "FULL" } }),
    right: (n) => `admin:${T(n)}`,
    wrong: (n) => [`read:${T(n)} write:${T(n)}`],
    ok: 200,
  },
  {
    route: "DELETE schemaSubjectConfig",
    request: (n) => ({ route: `DELETE /v1/schemas/config/${n.topic}-value` }),
    right: (n) => `admin:${T(n)}`,
    wrong: (n) => [`read:${T(n)}`],
    ok: 404,
  },
  {
    route: "GET schemaById",
    request: () => ({ route: "GET /v1/schemas/schemas/ids/999999" }),
    right: (n) => `read:${T(n)}`,
    wrong: (n) => [`write:${T(n)} group:*`],
    ok: 404,
  },
];
