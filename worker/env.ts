/**
 * The bindings the Worker and its Durable Objects see (wrangler.toml declares them).
 *
 * @example
 * const stub = env.PARTITION.get(env.PARTITION.idFromName(name));
 */

import type { AuthVars } from "./auth/auth-config.ts";
import type { ConnectorObject } from "./connectors/connector-object.ts";
import type { Group } from "./group/group.ts";
import type { AuthVariables } from "./middleware/authenticate.ts";
import type { Partition } from "./partition/partition.ts";
import type { ProcessorObject } from "./processors/processor-object.ts";
import type { Registry } from "./registry.ts";
import type { SourceObject } from "./sources/source-object.ts";
import type { StreamObject } from "./streams/stream-object.ts";

/**
 * The bindings, one Durable Object namespace per class (wrangler.toml's durable_objects.bindings),
 * and the vars and secrets of authentication (auth/auth-config.ts reads them).
 *
 * @example
 * const coordinator = env.GROUP.get(env.GROUP.idFromName("billing")); // what groupStub(env, "billing") does
 */
export interface EdgelogEnv extends AuthVars {
  PARTITION: DurableObjectNamespace<Partition>;
  REGISTRY: DurableObjectNamespace<Registry>;
  GROUP: DurableObjectNamespace<Group>;
  /** One object per Durable Stream (class Stream); a Worker without the binding answers NOT_FOUND on `/v1/stream/`. */
  STREAM: DurableObjectNamespace<StreamObject>;
  /** One object per stream processor and input partition (class Processor); needed only with `processors` registered. */
  PROCESSOR: DurableObjectNamespace<ProcessorObject>;
  /** One object per connector, and one listing them (class Connector); a Worker without it answers NOT_FOUND on /v1/connectors. */
  CONNECTOR: DurableObjectNamespace<ConnectorObject>;
  /** The R2 bucket archive connectors write to (README "Connectors"); absent: `kind: "archive"` is ARCHIVE_UNBOUND. */
  ARCHIVE?: R2Bucket;
  /** One object per HTTP source, and one listing them (class Source); a Worker without it answers NOT_FOUND on `/v1/sources`. */
  SOURCE: DurableObjectNamespace<SourceObject>;
  /** The Durable Streams long-poll time in ms (STREAM_LONG_POLL_MS_DEFAULT when unset). */
  EDGELOG_STREAM_LONG_POLL_MS?: string;
}

/**
 * The Worker's `Env`: the bindings, as Hono's `Bindings` and the objects' `DurableObject<Env>` take them.
 *
 * @example
 * const groupRoutes = new Hono<{ Bindings: Env }>();
 */
export type Env = EdgelogEnv;

/**
 * The Hono app's environment: the bindings, and the caller's access set by authenticate().
 *
 * @example
 * const topicRoutes = new Hono<AppEnv>();
 */
export type AppEnv = { Bindings: Env; Variables: AuthVariables };

declare global {
  namespace Cloudflare {
    // Lets `import { env } from "cloudflare:workers"` (tests included) see the bindings typed.
    interface Env extends EdgelogEnv {}
  }
}
