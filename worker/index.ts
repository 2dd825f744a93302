/**
 * The Worker's entry: the Hono app as the fetch handler, and the Durable Object classes the
 * runtime instantiates (wrangler.toml binds them).
 *
 * @example
 * // wrangler.toml: main = "worker/index.ts"
 */
import { app } from "./app.ts";
import type { Env } from "./env.ts";

export { Group } from "./group/group.ts";
export { Partition } from "./partition/partition.ts";
export { Registry } from "./registry.ts";

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
