/**
 * The bindings the Worker and its Durable Objects see (wrangler.toml declares them).
 *
 * @example
 * const stub = env.PARTITION.get(env.PARTITION.idFromName(name));
 */

import type { Group } from "./group/group.ts";
import type { Partition } from "./partition/partition.ts";
import type { Registry } from "./registry.ts";

export interface EdgelogEnv {
  PARTITION: DurableObjectNamespace<Partition>;
  REGISTRY: DurableObjectNamespace<Registry>;
  GROUP: DurableObjectNamespace<Group>;
}

export type Env = EdgelogEnv;

declare global {
  namespace Cloudflare {
    // Lets `import { env } from "cloudflare:workers"` (tests included) see the bindings typed.
    interface Env extends EdgelogEnv {}
  }
}
