/**
 * This repository's Worker: edgelog at the root, built by the same factory an app uses
 * (edgelog.ts, the `edgelog/worker` entry), with every setting from the env vars (wrangler.toml,
 * secrets, .dev.vars) and the topic browser linking to the example app of the static assets. It
 * exports the Durable Object classes the runtime instantiates (wrangler.toml binds them) and the
 * RPC entrypoint other Workers bind to.
 *
 * @example
 * // wrangler.toml: main = "worker/index.ts"
 * const res = await app.request("/v1/topics", {}, env);
 */
import { createEdgelog } from "./edgelog.ts";
import type { Env } from "./env.ts";

const edgelog = createEdgelog({ page: { exampleAppHref: "/examples/feed/" } });

/**
 * The Hono app this Worker serves (tests call `app.request` on it).
 *
 * @example
 * const res = await app.request("/v1/topics/orders", { method: "PUT", body: '{"partitions":3}' }, env);
 */
export const { app } = edgelog;

/**
 * The Durable Object classes and the RPC entrypoint, under the names wrangler.toml gives them.
 *
 * @example
 * // [[durable_objects.bindings]] name = "PARTITION", class_name = "Partition"
 */
export const { Partition, Registry, Group, EdgelogService } = edgelog;

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
