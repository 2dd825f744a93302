/**
 * The schema registry's routes: the common subset of Confluent Schema Registry's REST API under
 * `/v1/schemas` (subjects, versions, compatibility checks, config, schemas by id), JSON schemas
 * only. Grants: `read` on the subject's topic (`orders` for `orders-value`; the subject's own name
 * for a subject of no topic) to read and check, `admin` on it to register and delete; the global
 * config needs `admin` on `*` to change. Refusals are Confluent's body (error-response.ts). After
 * a change to a topic's subject its partitions get the new schemas (schema-push.ts).
 *
 * Rules: PROTOCOL.md SCHEMA-5, SCHEMA-6, SCHEMA-7, AUTH-5.
 *
 * @example
 * app.route("/", schemaRoutes);
 */
import { Hono } from "hono";
import {
  compatibilityLevel,
  EdgelogError,
  parseSchemaBody,
  SCHEMA_ROUTE,
  type SchemaVersionAnswer,
  schemaVersionParam,
  subjectName,
  subjectTopic,
  wholeNumber,
} from "../../client/protocol/index.ts";
import { type Access, can, requireAnyGrant, requireGrant } from "../auth/access.ts";
import type { AppEnv, Env } from "../env.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { registryStub } from "../object-names.ts";
import { unwrap } from "../result.ts";
import { pushSubjectChange } from "./schema-push.ts";

/** What the helpers read of a route's context (any route's, whatever its body middleware). */
type Ctx = {
  req: { param: (name: string) => string | undefined; query: (name: string) => string | undefined };
  var: { access: Access };
  env: Env;
};

const schemaRoutes = new Hono<AppEnv>();

/** The name a subject's grants are on: its topic's, else its own. */
function grantName(subject: string): string {
  return subjectTopic(subject)?.topic ?? subject;
}

/** The path's subject, after the caller's `action` grant on it. */
function subjectOf(c: Ctx, action: "read" | "admin"): string {
  const subject = subjectName(c.req.param("subject") ?? "");
  requireGrant(c.var.access, action, grantName(subject));
  return subject;
}

const flag = (c: Ctx, name: string): boolean => c.req.query(name) === "true";
const version = (c: Ctx) => schemaVersionParam(c.req.param("version") ?? "");

schemaRoutes.get(SCHEMA_ROUTE.subjects, async (c) => {
  requireAnyGrant(c.var.access, "read");
  const subjects = await registryStub(c.env).schemaSubjects(flag(c, "deleted"));
  return c.json(subjects.filter((s) => can(c.var.access, "read", grantName(s))));
});

schemaRoutes.post(SCHEMA_ROUTE.subject, jsonBody(), async (c) => {
  const subject = subjectOf(c, "read");
  return c.json(unwrap(await registryStub(c.env).schemaLookup(subject, parseSchemaBody(c.var.body))));
});

schemaRoutes.delete(SCHEMA_ROUTE.subject, async (c) => {
  const subject = subjectOf(c, "admin");
  const versions = unwrap(await registryStub(c.env).schemaDeleteSubject(subject, flag(c, "permanent")));
  await pushSubjectChange(c.env, subject);
  return c.json(versions);
});

schemaRoutes.get(SCHEMA_ROUTE.versions, async (c) => {
  const subject = subjectOf(c, "read");
  return c.json(unwrap(await registryStub(c.env).schemaVersions(subject, flag(c, "deleted"))));
});

schemaRoutes.post(SCHEMA_ROUTE.versions, jsonBody(), async (c) => {
  const subject = subjectOf(c, "admin");
  const registered = unwrap(await registryStub(c.env).schemaRegister(subject, parseSchemaBody(c.var.body)));
  // Pushed on every registration, a repeated one too: it completes a push that failed before.
  await pushSubjectChange(c.env, subject);
  return c.json({ id: registered.id });
});

async function oneVersion(c: Ctx): Promise<SchemaVersionAnswer> {
  const subject = subjectOf(c, "read");
  return unwrap(await registryStub(c.env).schemaVersion(subject, version(c), flag(c, "deleted")));
}

schemaRoutes.get(SCHEMA_ROUTE.version, async (c) => c.json(await oneVersion(c)));

schemaRoutes.get(SCHEMA_ROUTE.versionSchema, async (c) =>
  c.body((await oneVersion(c)).schema, 200, { "content-type": "application/json" }),
);

schemaRoutes.delete(SCHEMA_ROUTE.version, async (c) => {
  const subject = subjectOf(c, "admin");
  const deleted = unwrap(await registryStub(c.env).schemaDeleteVersion(subject, version(c), flag(c, "permanent")));
  await pushSubjectChange(c.env, subject);
  return c.json(deleted);
});

async function compatibility(c: Ctx, body: unknown, against: number | "latest" | "all") {
  const subject = subjectOf(c, "read");
  const answer = unwrap(await registryStub(c.env).schemaCheck(subject, parseSchemaBody(body), against));
  return answer.is_compatible || !flag(c, "verbose") ? { is_compatible: answer.is_compatible } : answer;
}

schemaRoutes.post(SCHEMA_ROUTE.compatibility, jsonBody(), async (c) => c.json(await compatibility(c, c.var.body, version(c))));
schemaRoutes.post(SCHEMA_ROUTE.compatibilityAll, jsonBody(), async (c) => c.json(await compatibility(c, c.var.body, "all")));

/** The body of a config change: `{compatibility}` (Confluent's `compatibilityLevel` taken too). */
function levelOf(body: unknown) {
  const { compatibility, compatibilityLevel: alias } = (body ?? {}) as { compatibility?: unknown; compatibilityLevel?: unknown };
  return compatibilityLevel(compatibility ?? alias);
}

schemaRoutes.get(SCHEMA_ROUTE.config, async (c) => {
  requireAnyGrant(c.var.access, "read");
  return c.json({ compatibilityLevel: await registryStub(c.env).schemaLevel(null, true) });
});

schemaRoutes.put(SCHEMA_ROUTE.config, jsonBody(), async (c) => {
  requireGrant(c.var.access, "admin", "*");
  const level = levelOf(c.var.body);
  await registryStub(c.env).schemaSetLevel(null, level);
  return c.json({ compatibility: level });
});

schemaRoutes.get(SCHEMA_ROUTE.subjectConfig, async (c) => {
  const subject = subjectOf(c, "read");
  const level = await registryStub(c.env).schemaLevel(subject, flag(c, "defaultToGlobal"));
  if (level === null) throw new EdgelogError("SUBJECT_CONFIG_NOT_FOUND", `subject "${subject}" has no compatibility level of its own`);
  return c.json({ compatibilityLevel: level });
});

schemaRoutes.put(SCHEMA_ROUTE.subjectConfig, jsonBody(), async (c) => {
  const subject = subjectOf(c, "admin");
  const level = levelOf(c.var.body);
  await registryStub(c.env).schemaSetLevel(subject, level);
  return c.json({ compatibility: level });
});

schemaRoutes.delete(SCHEMA_ROUTE.subjectConfig, async (c) => {
  const subject = subjectOf(c, "admin");
  return c.json({ compatibilityLevel: unwrap(await registryStub(c.env).schemaDeleteLevel(subject)) });
});

schemaRoutes.get(SCHEMA_ROUTE.schemaById, async (c) => {
  requireAnyGrant(c.var.access, "read");
  const id = wholeNumber(Number(c.req.param("id")), "id", 1, Number.MAX_SAFE_INTEGER, "INVALID_PARAMETER");
  const found = unwrap(await registryStub(c.env).schemaById(id));
  const readable = found.subjects.filter((s) => can(c.var.access, "read", grantName(s)));
  if (readable.length === 0 && c.var.access.principal !== null) requireGrant(c.var.access, "read", grantName(found.subjects[0] ?? "*"));
  return c.json({ schema: found.schema, schemaType: found.schemaType });
});

export { schemaRoutes };
