/**
 * The bindings the Worker and its Durable Objects see (wrangler.toml declares them).
 *
 * @example
 * const stub = env.PARTITION.get(env.PARTITION.idFromName(name));
 */

import type { Group } from "./group/group.ts";
import type { Partition } from "./partition/partition.ts";
import type { Registry } from "./registry.ts";

/**
 * The bindings, one Durable Object namespace per class (wrangler.toml's durable_objects.bindings).
 *
 * @example
 * const coordinator = env.GROUP.get(env.GROUP.idFromName("billing")); // what groupStub(env, "billing") does
 */
export interface EdgelogEnv {
  PARTITION: DurableObjectNamespace<Partition>;
  REGISTRY: DurableObjectNamespace<Registry>;
  GROUP: DurableObjectNamespace<Group>;
}

/**
 * The Worker's `Env`: the bindings, as Hono's `Bindings` and the objects' `DurableObject<Env>` take them.
 *
 * @example
 * const groupRoutes = new Hono<{ Bindings: Env }>();
 */
export type Env = EdgelogEnv;

declare global {
  namespace Cloudflare {
    // Lets `import { env } from "cloudflare:workers"` (tests included) see the bindings typed.
    interface Env extends EdgelogEnv {}
  }
}
