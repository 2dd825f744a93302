/**
 * `GET /v1/metrics`: the objects' counters in Prometheus's text format (metrics.ts gathers them,
 * prometheus.ts writes them). Needs `admin` on some topic with authentication on (like the other
 * admin routes), and shows only the topics the token administers and the groups it has `group` on.
 *
 * Rules: PROTOCOL.md METRICS-1 to METRICS-5, AUTH-5.
 *
 * @example
 * app.route("/", metricsRoutes([processorMetrics(definitions)]));
 * // curl -H "authorization: Bearer $EDGELOG_TOKEN" http://127.0.0.1:8787/v1/metrics
 */
import { Hono } from "hono";
import { ROUTE } from "../client/protocol/index.ts";
import type { AppEnv } from "./env.ts";
import { gatherMetrics, type MetricsSource } from "./metrics.ts";
import { routeGrant } from "./middleware/route-grant.ts";
import { PROMETHEUS_CONTENT_TYPE, prometheusText } from "./prometheus.ts";

/**
 * The route, with the families of `sources` after the partitions' and groups' (the processors',
 * metrics-processors.ts).
 *
 * @example
 * app.route("/", metricsRoutes([processorMetrics(definitions)]));
 */
export function metricsRoutes(sources: readonly MetricsSource[] = []): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get(ROUTE.metrics, routeGrant("GET metrics"), async (c) => {
    const families = await gatherMetrics(c.env, c.var.access, undefined, sources);
    return c.body(prometheusText(families), 200, { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" });
  });
  return routes;
}
