/**
 * The HTTP sources over HTTP. Management, with `admin` on `*` (a source writes its topic for
 * senders holding no token): `PUT /v1/sources/:name` (create or replace, 201 or 200),
 * `GET /v1/sources`, `GET /v1/sources/:name` (the configuration without its secret, and the
 * counters), `DELETE /v1/sources/:name` (204). Ingest: `POST /v1/sources/:name/events`, the one
 * route no bearer token authenticates (middleware/authenticate.ts lets it through,
 * auth/route-grants.ts names it `signature`): the source's HMAC signature does, inside its object.
 * A new delivery answers 202 `{topic, partition, offset, duplicate: false, deliveryId}`, a
 * redelivery 200 with `duplicate: true` and the original offset.
 *
 * Rules: PROTOCOL.md SOURCE-1, SOURCE-3, SOURCE-4.
 *
 * @example
 * app.route("/", sourceRoutes);
 * // curl -X POST -H "x-hub-signature-256: sha256=$SIG" --data-binary @event.json http://127.0.0.1:8787/v1/sources/github/events
 */
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import {
  EdgelogError,
  parseSourceConfig,
  ROUTE,
  SOURCE_BODY_BYTES_MAX,
  SOURCES_MAX,
  type SourceStatus,
  sourceName,
} from "../../client/protocol/index.ts";
import type { AppEnv, Env } from "../env.ts";
import { jsonBody, readBodyBytes } from "../middleware/json-body.ts";
import { routeGrant } from "../middleware/route-grant.ts";
import { unwrap } from "../result.ts";
import { SOURCE_INDEX_NAME, type SourceObject } from "./source-object.ts";

/**
 * The Source object of a source (or, named SOURCE_INDEX_NAME, the index).
 *
 * @example
 * await sourceStub(env, "github").status();
 */
export function sourceStub(env: Env, name: string): DurableObjectStub<SourceObject> {
  // Typed present (like PROCESSOR), but a Worker without sources may leave the binding out.
  const namespace = env.SOURCE as DurableObjectNamespace<SourceObject> | undefined;
  if (namespace === undefined) throw new EdgelogError("NOT_FOUND", "this Worker has no SOURCE binding (SOURCE-1)");
  return namespace.get(namespace.idFromName(name));
}

/**
 * Every configured source's status, in name order (at most SOURCES_MAX).
 *
 * @example
 * const sources = await listSources(env);
 */
export async function listSources(env: Env): Promise<SourceStatus[]> {
  const names = await sourceStub(env, SOURCE_INDEX_NAME).indexNames();
  const statuses = await Promise.all(names.map((name) => sourceStub(env, name).status()));
  return statuses.filter((status): status is SourceStatus => status !== null);
}

/** `c.var.source` from `:name`, refused INVALID_SOURCE. */
function sourceParams() {
  return createMiddleware<{ Variables: { source: string } }>(async (c, next) => {
    c.set("source", sourceName(c.req.param("name") ?? ""));
    await next();
  });
}

function unknownSource(name: string): EdgelogError {
  return new EdgelogError("UNKNOWN_SOURCE", `no source named ${name} is configured (SOURCE-3)`);
}

const NO_STORE = { "cache-control": "no-store" };

/**
 * The routes.
 *
 * @example
 * app.route("/", sourceRoutes);
 */
export const sourceRoutes = new Hono<AppEnv>();

sourceRoutes.put(ROUTE.source, sourceParams(), routeGrant("PUT source"), jsonBody(), async (c) => {
  const name = c.var.source;
  const config = parseSourceConfig(c.var.body);
  if (!(await sourceStub(c.env, SOURCE_INDEX_NAME).indexReserve(name))) {
    throw new EdgelogError("SOURCE_LIMIT_REACHED", `this deployment holds ${SOURCES_MAX} sources (SOURCES_MAX); delete one first`);
  }
  const { created, status } = await sourceStub(c.env, name).configure(name, config);
  return c.json(status, created ? 201 : 200, NO_STORE);
});

sourceRoutes.get(ROUTE.sources, routeGrant("GET sources"), async (c) => c.json({ sources: await listSources(c.env) }, 200, NO_STORE));

sourceRoutes.get(ROUTE.source, sourceParams(), routeGrant("GET source"), async (c) => {
  const status = await sourceStub(c.env, c.var.source).status();
  if (status === null) throw unknownSource(c.var.source);
  return c.json(status, 200, NO_STORE);
});

sourceRoutes.delete(ROUTE.source, sourceParams(), routeGrant("DELETE source"), async (c) => {
  const configured = await sourceStub(c.env, c.var.source).remove();
  // Released whether or not it was configured: a create that stopped between the two calls frees its place.
  await sourceStub(c.env, SOURCE_INDEX_NAME).indexRelease(c.var.source);
  if (!configured) throw unknownSource(c.var.source);
  return c.body(null, 204);
});

sourceRoutes.post(ROUTE.sourceEvents, sourceParams(), routeGrant("POST sourceEvents"), async (c) => {
  const body = await readBodyBytes(c.req.raw, { bytesMax: SOURCE_BODY_BYTES_MAX });
  const headers = Object.fromEntries(c.req.raw.headers);
  const answer = unwrap(await sourceStub(c.env, c.var.source).deliver({ headers, body }));
  return c.json(answer, answer.duplicate ? 200 : 202, NO_STORE);
});
