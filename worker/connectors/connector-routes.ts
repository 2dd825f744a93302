/**
 * The connectors over HTTP: `PUT /v1/connectors/:name` creates or replaces one (201 or 200, its
 * status), `GET /v1/connectors` lists them, `GET /v1/connectors/:name` gives its configuration
 * (without the secret) and each partition's state, `DELETE /v1/connectors/:name` stops it and
 * forgets its state (204). Every route needs `admin` on every topic (a connector reads one topic
 * and may write another, and holds a secret).
 *
 * Rules: PROTOCOL.md CONNECT-2, CONNECT-8.
 *
 * @example
 * app.route("/", connectorRoutes);
 */
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import {
  type ConnectorPartitionStatus,
  type ConnectorStatus,
  connectorName,
  EdgelogError,
  parseConnectorConfig,
  publicConfig,
  ROUTE,
} from "../../client/protocol/index.ts";
import type { AppEnv, Env } from "../env.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { routeGrant } from "../middleware/route-grant.ts";
import { getTopic, partitionOffsets } from "../topics.ts";
import { CONNECTOR_INDEX_NAME, type ConnectorObject } from "./connector-object.ts";

/**
 * The Connector object named `name` (or the index, named CONNECTOR_INDEX_NAME).
 *
 * @example
 * await connectorStub(env, "orders-hook").status();
 */
export function connectorStub(env: Env, name: string) {
  // Typed present (like PROCESSOR), but a Worker may leave the binding out.
  const namespace = env.CONNECTOR as DurableObjectNamespace<ConnectorObject> | undefined;
  if (namespace === undefined) throw new EdgelogError("NOT_FOUND", "this Worker has no CONNECTOR binding (CONNECT-1)");
  return namespace.get(namespace.idFromName(name));
}

type StoredStatus = NonNullable<Awaited<ReturnType<ConnectorObject["status"]>>>;

function summed(stored: StoredStatus, partitions: ConnectorPartitionStatus[]): ConnectorStatus {
  const total = (pick: (line: ConnectorPartitionStatus) => number) => partitions.reduce((sum, line) => sum + pick(line), 0);
  return {
    name: stored.name,
    group: stored.group,
    config: publicConfig(stored.config),
    lag: total((line) => line.lag),
    deliveredRecords: total((line) => line.deliveredRecords),
    failedAttempts: total((line) => line.failedAttempts),
    deadLetteredRecords: total((line) => line.deadLetteredRecords),
    partitions,
  };
}

/**
 * A connector's status with lag against its topic's high watermarks now; `live: false` uses
 * the ones its last step saw (no partition calls). Null when there is no such connector.
 *
 * @example
 * const status = await connectorStatus(env, "orders-hook", true);
 */
export async function connectorStatus(env: Env, name: string, live: boolean): Promise<ConnectorStatus | null> {
  const stored = await connectorStub(env, name).status();
  if (stored === null) return null;
  if (!live) return summed(stored, stored.partitions);
  let bounds: { highWatermark: number }[] = [];
  try {
    bounds = await partitionOffsets(env, await getTopic(env, stored.config.topic));
  } catch (error) {
    if (!(error instanceof EdgelogError && error.code === "UNKNOWN_TOPIC")) throw error;
  }
  const lines = stored.partitions.map((line) => {
    const highWatermark = Math.max(line.highWatermark, bounds[line.partition]?.highWatermark ?? 0);
    return { ...line, highWatermark, lag: Math.max(0, highWatermark - line.committedOffset) };
  });
  return summed(stored, lines);
}

/**
 * The names of every connector (at most CONNECTORS_MAX).
 *
 * @example
 * const names = await connectorNames(env);
 */
export function connectorNames(env: Env): Promise<string[]> {
  return connectorStub(env, CONNECTOR_INDEX_NAME).indexList();
}

const NO_STORE = { "cache-control": "no-store" };

/** The path's name checked before the grant (ERROR-6: the path first). */
const nameParam = createMiddleware(async (c, next) => {
  connectorName(c.req.param("name"));
  await next();
});

/**
 * The routes.
 *
 * @example
 * app.route("/", connectorRoutes);
 */
export const connectorRoutes = new Hono<AppEnv>();

connectorRoutes.get(ROUTE.connectors, routeGrant("GET connectors"), async (c) => {
  const statuses = await Promise.all((await connectorNames(c.env)).map((name) => connectorStatus(c.env, name, false)));
  const connectors = statuses.filter((status) => status !== null).map(({ partitions: _partitions, ...rest }) => rest);
  return c.json({ connectors }, 200, NO_STORE);
});

connectorRoutes.put(ROUTE.connector, nameParam, routeGrant("PUT connector"), jsonBody(), async (c) => {
  const name = c.req.param("name");
  const config = parseConnectorConfig(c.var.body);
  if (config.kind === "archive" && c.env.ARCHIVE === undefined) {
    throw new EdgelogError("ARCHIVE_UNBOUND", "an archive connector needs the R2 binding ARCHIVE, which this Worker lacks (CONNECT-10)");
  }
  const meta = await getTopic(c.env, config.topic, true);
  if (config.deadLetterTopic !== null) await getTopic(c.env, config.deadLetterTopic, true);
  if (!(await connectorStub(c.env, CONNECTOR_INDEX_NAME).indexAdd(name))) {
    throw new EdgelogError("CONNECTOR_LIMIT_REACHED", "the deployment holds CONNECTORS_MAX connectors; delete one first (CONNECT-2)");
  }
  const created = await connectorStub(c.env, name).configure(name, config, meta.partitions);
  return c.json(await connectorStatus(c.env, name, true), created ? 201 : 200, NO_STORE);
});

connectorRoutes.get(ROUTE.connector, nameParam, routeGrant("GET connector"), async (c) => {
  const name = c.req.param("name");
  const status = await connectorStatus(c.env, name, true);
  if (status === null) throw new EdgelogError("UNKNOWN_CONNECTOR", `no connector named ${name} is configured (CONNECT-8)`);
  return c.json(status, 200, NO_STORE);
});

connectorRoutes.delete(ROUTE.connector, nameParam, routeGrant("DELETE connector"), async (c) => {
  const name = c.req.param("name");
  const existed = await connectorStub(c.env, name).remove();
  await connectorStub(c.env, CONNECTOR_INDEX_NAME).indexRemove(name);
  if (!existed) throw new EdgelogError("UNKNOWN_CONNECTOR", `no connector named ${name} is configured (CONNECT-8)`);
  return c.body(null, 204);
});
