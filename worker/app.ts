/**
 * The HTTP API: a Hono app whose routes (topic-routes.ts, partition-routes.ts, group-routes.ts,
 * on the patterns of the protocol's ROUTE table) validate input with the shared protocol module
 * and hand the work to the topic, partition and group objects. Names follow Kafka (topics,
 * partitions, offsets, groups).
 *
 * Built by createApp, which edgelog.ts's createEdgelog calls (the one wiring there is; the
 * repository's own worker/index.ts goes through it too). Every path is relative to where the app
 * is mounted: `userApp.route("/events", app)` serves `/events/v1/...` and the page at `/events`.
 *
 * Middleware, in order: the options laid over the env (edgelog-options.ts); CORS on /v1/* (the
 * origin allow-list); authentication (the mode, the bearer token); 405 for a known path asked
 * with another method (derived from the registered routes); then per route its path parameters,
 * its grant (auth/route-grants.ts), its upgrade and origin checks or JSON body, and the handler.
 * Every failure is `{error: {code, message}}` with the code's status.
 *
 * Rules: PROTOCOL.md HTTP-1, HTTP-3, ERROR-1, CORS-1, CORS-2, AUTH-1.
 *
 * @example
 * const app = createApp({ overlay: envWithOptions({}), page: {} });
 * const res = await app.request("/v1/topics/orders", { method: "PUT", body: '{"partitions":3}' }, env);
 */
import { Hono } from "hono";
import { authConfig } from "./auth/auth-config.ts";
import { connectorMetrics } from "./connectors/connector-metrics.ts";
import { connectorRoutes } from "./connectors/connector-routes.ts";
import type { EdgelogPageOptions } from "./edgelog-options.ts";
import type { AppEnv, Env } from "./env.ts";
import { errorJson, errorResponse } from "./error-response.ts";
import { groupRoutes } from "./group-routes.ts";
import { processorMetrics } from "./metrics-processors.ts";
import { metricsRoutes } from "./metrics-routes.ts";
import { authenticate } from "./middleware/authenticate.ts";
import { originCors } from "./middleware/origins.ts";
import { refuseOtherMethods } from "./middleware/other-methods.ts";
import { topicBrowserHtml } from "./page.ts";
import { partitionRoutes } from "./partition-routes.ts";
import type { ProcessorDefinition } from "./processors/processor-definition.ts";
import { processorRoutes } from "./processors/processor-routes.ts";
import { schemaRoutes } from "./schemas/schema-routes.ts";
import { HTML_SECURITY_HEADERS } from "./security-headers.ts";
import { sourceMetrics } from "./sources/source-metrics.ts";
import { sourceRoutes } from "./sources/source-routes.ts";
import { streamRoutes, streamSecurityHeaders } from "./streams/stream-routes.ts";
import { topicRoutes } from "./topic-routes.ts";

/**
 * What createApp takes.
 *
 * @example
 * const options: AppOptions = { overlay: (env) => env, page: false };
 */
export interface AppOptions {
  /** The env the routes see, from the Worker's: the factory's options laid over its vars. */
  overlay: (env: Env) => Env;
  /** The admin console at the mount point, or false for none. */
  page: EdgelogPageOptions | false;
  /** The stream processors registered (GET /v1/processors reports them). */
  processors?: readonly ProcessorDefinition[];
}

const NOT_FOUND_MESSAGE = "no such route; client/protocol/PROTOCOL.md lists the API (HTTP-4)";

/**
 * The Hono app: the API under /v1 and the admin console at `/`, relative to the mount point.
 *
 * @example
 * const app = createApp({ overlay: (env) => env, page: {} });
 * export default { fetch: app.fetch };
 */
export function createApp(options: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // The options' vars win over the env's inside edgelog's routes only: a mounting app's own
  // middleware and routes see its env as it was, before and after.
  app.use("*", async (c, next) => {
    const outer = c.env;
    c.env = options.overlay(outer);
    try {
      await next();
    } finally {
      c.env = outer;
    }
  });
  app.use("/v1/*", originCors());
  app.use("/v1/stream/*", streamSecurityHeaders());
  app.use("/v1/*", authenticate());
  app.use("/v1/*", refuseOtherMethods(app));
  app.onError(errorResponse);
  app.notFound(() => errorJson("NOT_FOUND", NOT_FOUND_MESSAGE));

  const { page } = options;
  if (page !== false) {
    app.get("/", async (c) => c.html(topicBrowserHtml((await authConfig(c.env)).mode, page), 200, { ...HTML_SECURITY_HEADERS }));
  }
  app.route("/", topicRoutes);
  app.route("/", partitionRoutes);
  app.route("/", groupRoutes);
  app.route("/", metricsRoutes([processorMetrics(options.processors ?? []), connectorMetrics, sourceMetrics]));
  app.route("/", schemaRoutes);
  app.route("/", streamRoutes);
  app.route("/", processorRoutes(options.processors ?? []));
  app.route("/", connectorRoutes);
  app.route("/", sourceRoutes);
  // Mounted in another app, this app's notFound is not used (Hono keeps the outer one): an
  // unknown /v1 path still answers the API's NOT_FOUND (and a known one's other method 405).
  app.all("/v1/*", () => errorJson("NOT_FOUND", NOT_FOUND_MESSAGE));
  return app;
}
