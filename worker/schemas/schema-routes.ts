/**
 * The schema registry's routes: the common subset of Confluent Schema Registry's REST API under
 * `/v1/schemas` (subjects, versions, compatibility checks, config, schemas by id), JSON schemas
 * only. Grants come from the one table (auth/route-grants.ts): `read` on the subject's topic
 * (`orders` for `orders-value`; the subject's own name for a subject of no topic) to read and
 * check, `admin` on it to register and delete; the global config needs `admin` on `*` to change.
 * Refusals are Confluent's body (error-response.ts). After a change to a topic's subject its
 * partitions get the new schemas (schema-push.ts).
 *
 * Rules: PROTOCOL.md SCHEMA-5, SCHEMA-6, SCHEMA-7, AUTH-5.
 *
 * @example
 * app.route("/", schemaRoutes);
 */
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import {
  compatibilityLevel,
  EdgelogError,
  parseSchemaBody,
  ROUTE,
  type SchemaVersionAnswer,
  schemaVersionParam,
  subjectGrantName,
  subjectName,
  wholeNumber,
} from "../../client/protocol/index.ts";
import { type Access, can } from "../auth/access.ts";
import type { AppEnv, Env } from "../env.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { routeGrant } from "../middleware/route-grant.ts";
import { registryStub } from "../object-names.ts";
import { unwrap } from "../result.ts";
import { pushSubjectChange } from "./schema-push.ts";

/** What the helpers read of a route's context (any route's, whatever its body middleware). */
type Ctx = {
  req: { param: (name: string) => string | undefined; query: (name: string) => string | undefined };
  var: { access: Access; subject: string };
  env: Env;
};

/** `:subject`, parsed (INVALID_SUBJECT) before the grant check, as topicParams. */
function subjectParams() {
  return createMiddleware<{ Variables: { subject: string } }>(async (c, next) => {
    c.set("subject", subjectName(c.req.param("subject") ?? ""));
    await next();
  });
}

const schemaRoutes = new Hono<AppEnv>();
const flag = (c: Pick<Ctx, "req">, name: string): boolean => c.req.query(name) === "true";
const version = (c: Ctx) => schemaVersionParam(c.req.param("version") ?? "");
const readable = (access: Access, subjects: readonly string[]) => subjects.filter((s) => can(access, "read", subjectGrantName(s)));

schemaRoutes.get(ROUTE.schemaSubjects, routeGrant("GET schemaSubjects"), async (c) => {
  const prefix = c.req.query("subjectPrefix") ?? "";
  const subjects = await registryStub(c.env).schemaSubjects(flag(c, "deleted"));
  return c.json(readable(c.var.access, subjects).filter((s) => s.startsWith(prefix)));
});

schemaRoutes.post(ROUTE.schemaSubject, subjectParams(), routeGrant("POST schemaSubject"), jsonBody(), async (c) => {
  return c.json(unwrap(await registryStub(c.env).schemaLookup(c.var.subject, parseSchemaBody(c.var.body))));
});

schemaRoutes.delete(ROUTE.schemaSubject, subjectParams(), routeGrant("DELETE schemaSubject"), async (c) => {
  const versions = unwrap(await registryStub(c.env).schemaDeleteSubject(c.var.subject, flag(c, "permanent")));
  await pushSubjectChange(c.env, c.var.subject);
  return c.json(versions);
});

schemaRoutes.get(ROUTE.schemaVersions, subjectParams(), routeGrant("GET schemaVersions"), async (c) => {
  return c.json(unwrap(await registryStub(c.env).schemaVersions(c.var.subject, flag(c, "deleted"))));
});

schemaRoutes.post(ROUTE.schemaVersions, subjectParams(), routeGrant("POST schemaVersions"), jsonBody(), async (c) => {
  const registered = unwrap(await registryStub(c.env).schemaRegister(c.var.subject, parseSchemaBody(c.var.body)));
  // Pushed on every registration, a repeated one too: it completes a push that failed before.
  await pushSubjectChange(c.env, c.var.subject);
  return c.json({ id: registered.id });
});

async function oneVersion(c: Ctx): Promise<SchemaVersionAnswer> {
  return unwrap(await registryStub(c.env).schemaVersion(c.var.subject, version(c), flag(c, "deleted")));
}

schemaRoutes.get(ROUTE.schemaVersion, subjectParams(), routeGrant("GET schemaVersion"), async (c) => c.json(await oneVersion(c)));

schemaRoutes.get(ROUTE.schemaVersionSchema, subjectParams(), routeGrant("GET schemaVersionSchema"), async (c) =>
  c.body((await oneVersion(c)).schema, 200, { "content-type": "application/json" }),
);

schemaRoutes.delete(ROUTE.schemaVersion, subjectParams(), routeGrant("DELETE schemaVersion"), async (c) => {
  const deleted = unwrap(await registryStub(c.env).schemaDeleteVersion(c.var.subject, version(c), flag(c, "permanent")));
  await pushSubjectChange(c.env, c.var.subject);
  return c.json(deleted);
});

async function compatibility(c: Ctx, body: unknown, against: number | "latest" | "all") {
  const answer = unwrap(await registryStub(c.env).schemaCheck(c.var.subject, parseSchemaBody(body), against));
  return answer.is_compatible || !flag(c, "verbose") ? { is_compatible: answer.is_compatible } : answer;
}

schemaRoutes.post(ROUTE.schemaCompatibility, subjectParams(), routeGrant("POST schemaCompatibility"), jsonBody(), async (c) =>
  c.json(await compatibility(c, c.var.body, version(c))),
);

schemaRoutes.post(ROUTE.schemaCompatibilityAll, subjectParams(), routeGrant("POST schemaCompatibilityAll"), jsonBody(), async (c) =>
  c.json(await compatibility(c, c.var.body, "all")),
);

/** The body of a config change: `{compatibility}` (Confluent's `compatibilityLevel` taken too). */
function levelOf(body: unknown) {
  const { compatibility, compatibilityLevel: alias } = (body ?? {}) as { compatibility?: unknown; compatibilityLevel?: unknown };
  return compatibilityLevel(compatibility ?? alias);
}

schemaRoutes.get(ROUTE.schemaConfig, routeGrant("GET schemaConfig"), async (c) =>
  c.json({ compatibilityLevel: await registryStub(c.env).schemaLevel(null, true) }),
);

schemaRoutes.put(ROUTE.schemaConfig, routeGrant("PUT schemaConfig"), jsonBody(), async (c) => {
  const level = levelOf(c.var.body);
  await registryStub(c.env).schemaSetLevel(null, level);
  return c.json({ compatibility: level });
});

schemaRoutes.get(ROUTE.schemaSubjectConfig, subjectParams(), routeGrant("GET schemaSubjectConfig"), async (c) => {
  const level = await registryStub(c.env).schemaLevel(c.var.subject, flag(c, "defaultToGlobal"));
  if (level === null)
    throw new EdgelogError("SUBJECT_CONFIG_NOT_FOUND", `subject "${c.var.subject}" has no compatibility level of its own`);
  return c.json({ compatibilityLevel: level });
});

schemaRoutes.put(ROUTE.schemaSubjectConfig, subjectParams(), routeGrant("PUT schemaSubjectConfig"), jsonBody(), async (c) => {
  const level = levelOf(c.var.body);
  await registryStub(c.env).schemaSetLevel(c.var.subject, level);
  return c.json({ compatibility: level });
});

schemaRoutes.delete(ROUTE.schemaSubjectConfig, subjectParams(), routeGrant("DELETE schemaSubjectConfig"), async (c) =>
  c.json({ compatibilityLevel: unwrap(await registryStub(c.env).schemaDeleteLevel(c.var.subject)) }),
);

schemaRoutes.get(ROUTE.schemaById, routeGrant("GET schemaById"), async (c) => {
  const id = wholeNumber(Number(c.req.param("id")), "id", 1, Number.MAX_SAFE_INTEGER, "INVALID_PARAMETER");
  const found = unwrap(await registryStub(c.env).schemaById(id));
  // A document is shown to a caller who may read one of the subjects using it.
  if (c.var.access.principal !== null && readable(c.var.access, found.subjects).length === 0) {
    throw new EdgelogError("FORBIDDEN", `the token of "${c.var.access.principal.sub}" grants read on no subject using schema ${id}`);
  }
  return c.json({ schema: found.schema, schemaType: found.schemaType });
});

export { schemaRoutes };
