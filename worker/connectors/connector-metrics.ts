/**
 * The connectors' lines of `GET /v1/metrics`: per connector and partition, its lag (as of its
 * last step), records delivered, failed attempts and records dead-lettered. One index call and
 * one status call per connector, at most METRICS_CONNECTORS_MAX a scrape (the rest counted in
 * `edgelog_metrics_connectors_skipped`, a status that could not be read in
 * `edgelog_metrics_connectors_unreadable`: a MetricsSource never throws); only for a caller with
 * `admin` on `*`, as the routes.
 *
 * Rules: PROTOCOL.md CONNECT-9, METRICS-3.
 *
 * @example
 * app.route("/", metricsRoutes([connectorMetrics]));
 */
import { type ConnectorPartitionStatus, type ConnectorStatus, METRICS_CONNECTORS_MAX } from "../../client/protocol/index.ts";
import { type Access, can } from "../auth/access.ts";
import type { Env } from "../env.ts";
import type { MetricsSource } from "../metrics.ts";
import type { MetricFamily, MetricSample } from "../prometheus.ts";
import { connectorNames, connectorStatus } from "./connector-routes.ts";

type ConnectorMetric = [name: string, help: string, type: MetricFamily["type"], pick: (line: ConnectorPartitionStatus) => number];

const CONNECTOR_METRICS: readonly ConnectorMetric[] = [
  ["edgelog_connector_lag", "High watermark minus the connector's committed offset, as of its last step.", "gauge", (l) => l.lag],
  ["edgelog_connector_delivered_records_total", "Records the sink acknowledged.", "counter", (l) => l.deliveredRecords],
  ["edgelog_connector_failed_attempts_total", "Delivery attempts that failed.", "counter", (l) => l.failedAttempts],
  ["edgelog_connector_dead_lettered_records_total", "Records appended to the dead-letter topic.", "counter", (l) => l.deadLetteredRecords],
  ["edgelog_connector_attempts", "Failed attempts of the batch being retried (0: none).", "gauge", (l) => l.attempts],
];

const UNREADABLE = "edgelog_metrics_connectors_unreadable";
const UNREADABLE_HELP = "Connectors (or their list) whose state this scrape could not read.";

function gauge(name: string, help: string, value: number): MetricFamily {
  return { name, help, type: "gauge", samples: [{ labels: {}, value }] };
}

/**
 * The connector families of one scrape (none without `admin` on `*`, or without the binding).
 *
 * @example
 * const families = await connectorFamilies(env, OPEN_ACCESS, 10);
 */
export async function connectorFamilies(env: Env, access: Access, connectorsMax = METRICS_CONNECTORS_MAX): Promise<MetricFamily[]> {
  if (!can(access, "admin", "*") || env.CONNECTOR === undefined) return [];
  const names = await connectorNames(env).catch(() => null);
  if (names === null) return [gauge(UNREADABLE, UNREADABLE_HELP, 1)];
  const visited = names.slice(0, connectorsMax);
  const read = await Promise.all(visited.map((name) => connectorStatus(env, name, false).catch(() => undefined)));
  const statuses = read.filter((status): status is ConnectorStatus => status !== null && status !== undefined);
  const families: MetricFamily[] = CONNECTOR_METRICS.map(([name, help, type, pick]) => ({
    name,
    help,
    type,
    samples: statuses.flatMap((status): MetricSample[] =>
      status.partitions.map((line) => ({
        labels: { connector: status.name, topic: status.config.topic, partition: String(line.partition) },
        value: pick(line),
      })),
    ),
  }));
  families.push(
    gauge("edgelog_metrics_connectors_skipped", "Connectors past this scrape's budget, not visited.", names.length - visited.length),
  );
  families.push(gauge(UNREADABLE, UNREADABLE_HELP, read.filter((status) => status === undefined).length));
  return families;
}

/**
 * The connectors as a source of GET /v1/metrics (metrics.ts's MetricsSource).
 *
 * @example
 * await gatherMetrics(env, access, undefined, [connectorMetrics]);
 */
export const connectorMetrics: MetricsSource = (env, access) => connectorFamilies(env, access);
