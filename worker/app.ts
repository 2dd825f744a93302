/**
 * The HTTP API: a Hono app whose routes (topic-routes.ts, partition-routes.ts, group-routes.ts,
 * on the patterns of the protocol's ROUTE table) validate input with the shared protocol module
 * and hand the work to the topic, partition and group objects. Names follow Kafka (topics,
 * partitions, offsets, groups).
 *
 * Middleware, in order: CORS on /v1/* (the origin allow-list); authentication (the mode, the
 * bearer token); 405 for a known path asked with another method (derived from the registered
 * routes); then per route its path parameters, its grant (auth/route-grants.ts), its upgrade and
 * origin checks or JSON body, and the handler. Every failure is `{error: {code, message}}` with the code's status.
 *
 * Rules: PROTOCOL.md HTTP-1, HTTP-3, ERROR-1, CORS-1, CORS-2, AUTH-1.
 *
 * @example
 * const res = await app.request("/v1/topics/orders", { method: "PUT", body: '{"partitions":3}' }, env);
 */
import { Hono } from "hono";
import { authConfig } from "./auth/auth-config.ts";
import type { AppEnv } from "./env.ts";
import { errorJson, errorResponse } from "./error-response.ts";
import { groupRoutes } from "./group-routes.ts";
import { authenticate } from "./middleware/authenticate.ts";
import { originCors } from "./middleware/origins.ts";
import { refuseOtherMethods } from "./middleware/other-methods.ts";
import { topicBrowserHtml } from "./page.ts";
import { partitionRoutes } from "./partition-routes.ts";
import { HTML_SECURITY_HEADERS } from "./security-headers.ts";
import { topicRoutes } from "./topic-routes.ts";

const app = new Hono<AppEnv>();

app.use("/v1/*", originCors());
app.use("/v1/*", authenticate());
app.use("/v1/*", refuseOtherMethods(app));
app.onError(errorResponse);
app.notFound(() => errorJson("NOT_FOUND", "no such route; client/protocol/PROTOCOL.md lists the API (HTTP-4)"));

app.get("/", async (c) => c.html(topicBrowserHtml((await authConfig(c.env)).mode), 200, { ...HTML_SECURITY_HEADERS }));
app.route("/", topicRoutes);
app.route("/", partitionRoutes);
app.route("/", groupRoutes);

export { app };
