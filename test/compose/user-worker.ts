/**
 * A user's own Worker that adds edgelog beside its own routes, as the README shows: its own
 * middleware (a header on everything under /events, a request counter), its own routes (`/` and
 * `/hello`), and edgelog mounted at `/events` with typed options that take precedence over the
 * env vars (the test runs it with EDGELOG_AUTH=off in the env, and the options require tokens,
 * verified with a secret the Worker keeps under its own name). It imports `edgelog/worker`:
 * the Node test bundles it with that specifier aliased to the source (worker/edgelog.ts); from the
 * packed tarball it resolves to the package.
 *
 * @example
 * // test/node/worker-compose.test.ts: await bundle("test/compose/user-worker.ts", dir)
 */
import { env } from "cloudflare:workers";
import { createEdgelog, type EdgelogEnv } from "edgelog/worker";
import { Hono } from "hono";

/**
 * The user's bindings: edgelog's, and its own secret and origin.
 *
 * @example
 * const secret = (env as UserEnv).APP_JWT_SECRET;
 */
export interface UserEnv extends EdgelogEnv {
  APP_JWT_SECRET: string;
  APP_ORIGIN: string;
}

const userEnv = env as unknown as UserEnv;

const edgelog = createEdgelog({
  auth: { mode: "required", jwtSecret: userEnv.APP_JWT_SECRET },
  allowedOrigins: [userEnv.APP_ORIGIN],
  page: {},
});

/** Requests the user's middleware saw under /events, in this isolate. */
let eventsRequests = 0;

const app = new Hono<{ Bindings: UserEnv }>();

app.use("/events/*", async (c, next) => {
  eventsRequests++;
  c.header("x-user-middleware", "events");
  await next();
});

app.get("/", (c) => c.text("the user's own home page"));
app.get("/hello", (c) => c.json({ hello: "from the user's route", eventsRequests }));
app.route("/events", edgelog.app);

export class Partition extends edgelog.Partition {}
export class Registry extends edgelog.Registry {}
export class Group extends edgelog.Group {}
export class EdgelogService extends edgelog.EdgelogService {}
export default app;
