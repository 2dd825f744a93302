/**
 * This repository's Worker: edgelog at the root, built by the same factory an app uses
 * (edgelog.ts, the `edgelog/worker` entry), with every setting from the env vars (wrangler.toml,
 * secrets, .dev.vars) and the admin console linking to the example app of the static assets. It
 * exports the Durable Object classes the runtime instantiates (wrangler.toml binds them) and the
 * RPC entrypoint other Workers bind to.
 *
 * @example
 * // wrangler.toml: main = "worker/index.ts"
 * const res = await app.request("/v1/topics", {}, env);
 */
import { createEdgelog } from "./edgelog.ts";
import type { Env } from "./env.ts";
import { EXAMPLE_PROCESSORS } from "./example-processors.ts";

const edgelog = createEdgelog({ page: { exampleAppHref: "/examples/feed/" }, processors: EXAMPLE_PROCESSORS });

/**
 * The Hono app this Worker serves (tests call `app.request` on it).
 *
 * @example
 * const res = await app.request("/v1/topics/orders", { method: "PUT", body: '{"partitions":3}' }, env);
 */
export const { app } = edgelog;

// The Durable Object classes and the RPC entrypoint, under the names wrangler.toml gives them.
// Declared as classes (not destructured consts) so they are types too, as the Env that
// `wrangler types` generates refers to them (worker-configuration.d.ts).

/**
 * One object per topic partition (binding PARTITION).
 *
 * @example
 * // [[durable_objects.bindings]] name = "PARTITION", class_name = "Partition"
 */
export class Partition extends edgelog.Partition {}

/**
 * The topics' metadata (binding REGISTRY).
 *
 * @example
 * // [[durable_objects.bindings]] name = "REGISTRY", class_name = "Registry"
 */
export class Registry extends edgelog.Registry {}

/**
 * One coordinator per consumer group (binding GROUP).
 *
 * @example
 * // [[durable_objects.bindings]] name = "GROUP", class_name = "Group"
 */
export class Group extends edgelog.Group {}

/**
 * One object per Durable Stream under `/v1/stream/` (binding STREAM).
 *
 * @example
 * // [[durable_objects.bindings]] name = "STREAM", class_name = "Stream"
 */
export class Stream extends edgelog.Stream {}

/**
 * The RPC entrypoint other Workers bind to.
 *
 * @example
 * // [[services]] binding = "EDGELOG", service = "edgelog", entrypoint = "EdgelogService"
 */
export class EdgelogService extends edgelog.EdgelogService {}

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;

/**
 * One object per stream processor and input partition (binding PROCESSOR).
 *
 * @example
 * // [[durable_objects.bindings]] name = "PROCESSOR", class_name = "Processor"
 */
export class Processor extends edgelog.Processor {}

/**
 * One object per connector, and one listing them (binding CONNECTOR).
 *
 * @example
 * // [[durable_objects.bindings]] name = "CONNECTOR", class_name = "Connector"
 */
export class Connector extends edgelog.Connector {}

/**
 * One object per HTTP source, and one listing them (binding SOURCE).
 *
 * @example
 * // [[durable_objects.bindings]] name = "SOURCE", class_name = "Source"
 */
export class Source extends edgelog.Source {}
