/**
 * The HTTP sources' lines of `GET /v1/metrics`: per source (labels `source`, `topic`) the
 * deliveries accepted, the redeliveries answered as duplicates and the signatures refused. They
 * are stored counters (a source's object keeps them in SQLite), so they survive the object's
 * eviction. Shown only to a caller with `admin` on `*` (the grant the sources' routes need); a
 * scrape asks the index and each source (at most SOURCES_MAX calls), and writes nothing.
 *
 * Rules: PROTOCOL.md SOURCE-9, METRICS-2.
 *
 * @example
 * app.route("/", metricsRoutes([sourceMetrics]));
 */
import { EdgelogError, type SourceStatus } from "../../client/protocol/index.ts";
import { type Access, can } from "../auth/access.ts";
import type { Env } from "../env.ts";
import type { MetricsSource } from "../metrics.ts";
import type { MetricFamily } from "../prometheus.ts";
import { listSources } from "./source-routes.ts";

const SOURCE_METRICS: readonly [name: string, help: string, pick: (status: SourceStatus) => number][] = [
  ["edgelog_source_accepted_total", "Deliveries the HTTP source appended (stored: survives the object's eviction).", (s) => s.accepted],
  ["edgelog_source_duplicates_total", "Redeliveries of a remembered delivery id, answered without appending.", (s) => s.duplicates],
  ["edgelog_source_signature_refusals_total", "Deliveries refused 401 INVALID_SIGNATURE.", (s) => s.refusedSignatures],
];

/**
 * The families, empty for a caller without `admin` on `*` or a Worker without the SOURCE binding.
 *
 * @example
 * await sourceFamilies(env, OPEN_ACCESS); // [{ name: "edgelog_source_accepted_total", ... }, ...]
 */
export async function sourceFamilies(env: Env, access: Access): Promise<MetricFamily[]> {
  if (!can(access, "admin", "*")) return [];
  let sources: SourceStatus[];
  try {
    sources = await listSources(env);
  } catch (error) {
    if (error instanceof EdgelogError && error.code === "NOT_FOUND") return [];
    throw error;
  }
  return SOURCE_METRICS.map(([name, help, pick]) => ({
    name,
    help,
    type: "counter",
    samples: sources.map((status) => ({ labels: { source: status.name, topic: status.topic }, value: pick(status) })),
  }));
}

/**
 * The HTTP sources as a source of GET /v1/metrics (metrics.ts's MetricsSource).
 *
 * @example
 * await gatherMetrics(env, access, undefined, [sourceMetrics]);
 */
export const sourceMetrics: MetricsSource = (env, access) => sourceFamilies(env, access);
