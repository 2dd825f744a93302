/**
 * `edgelog/worker`: edgelog inside your own Worker. `createEdgelog(options)` returns the Hono app
 * to mount (under any prefix, after your own middleware, or as the whole fetch handler) and the
 * three Durable Object classes to export, closed over the options (socket authentication runs
 * inside the objects, so they must see the same settings as the app). `EdgelogService` is the RPC
 * entrypoint another Worker calls over a service binding; `rpcError` reads its errors there.
 *
 * Bindings (fixed names, as in this repository's wrangler.toml): PARTITION, REGISTRY and GROUP,
 * the Durable Object namespaces of the classes Partition, Registry and Group, SQLite-backed.
 *
 * @example
 * import { Hono } from "hono";
 * import { createEdgelog } from "edgelog/worker";
 *
 * const edgelog = createEdgelog({ allowedOrigins: ["https://app.example"] });
 * const app = new Hono();
 * app.use("/events/*", myMiddleware);
 * app.route("/events", edgelog.app);
 *
 * // Classes, so `wrangler types` can name them in the Env it generates.
 * export class Partition extends edgelog.Partition {}
 * export class Registry extends edgelog.Registry {}
 * export class Group extends edgelog.Group {}
 * export class EdgelogService extends edgelog.EdgelogService {}
 * export default app;
 */
import type { Hono } from "hono";
import { EdgelogError } from "../client/protocol/index.ts";
import { createApp } from "./app.ts";
import { ConnectorObject } from "./connectors/connector-object.ts";
import { type EdgelogOptions, envWithOptions } from "./edgelog-options.ts";
import type { AppEnv, EdgelogEnv } from "./env.ts";
import { Group } from "./group/group.ts";
import { Partition } from "./partition/partition.ts";
import { defineProcessor, PROCESSORS_MAX } from "./processors/processor-definition.ts";
import { ProcessorObject } from "./processors/processor-object.ts";
import { wakeProcessors } from "./processors/processor-routes.ts";
import { Registry } from "./registry.ts";
import { EdgelogService } from "./rpc/edgelog-service.ts";
import { SourceObject } from "./sources/source-object.ts";
import { StreamObject } from "./streams/stream-object.ts";

export type { ProcessorPartitionStatus, ProcessorStatus } from "../client/protocol/index.ts";
export { EdgelogError, type ErrorCode, rpcError } from "../client/protocol/index.ts";
export type {
  EdgelogAuthOptions,
  EdgelogOptions,
  EdgelogPageOptions,
  EdgelogQuotaOptions,
} from "./edgelog-options.ts";
export type { AppEnv, EdgelogEnv } from "./env.ts";
export {
  defineProcessor,
  filter,
  map,
  type Operator,
  type ProcessorDefinition,
  rekey,
  type StreamRecord,
  type TumblingWindow,
} from "./processors/processor-definition.ts";
export {
  EdgelogService,
  type RpcFetchResponse,
  type RpcProduceOptions,
  type RpcReadOptions,
  type RpcRecord,
  type RpcRecordInput,
  type RpcValue,
} from "./rpc/edgelog-service.ts";
export type { Delivery, DeliveryAnswer } from "./sources/source-delivery.ts";

/**
 * What `createEdgelog` returns: the app to mount and the classes to export by these names.
 *
 * @example
 * const edgelog: Edgelog = createEdgelog();
 * export class Partition extends edgelog.Partition {} // and Registry, Group, EdgelogService
 */
export interface Edgelog {
  /** The Hono app: the API under `/v1` and the admin console at `/`, relative to where it is mounted. */
  app: Hono<AppEnv>;
  /** Export as `Partition` (binding PARTITION): one object per topic partition. */
  Partition: typeof Partition;
  /** Export as `Registry` (binding REGISTRY): the topics' metadata. */
  Registry: typeof Registry;
  /** Export as `Group` (binding GROUP): one coordinator per consumer group. */
  Group: typeof Group;
  /** Export as `Stream` (binding STREAM, optional): one object per Durable Stream under `/v1/stream/`. */
  Stream: typeof StreamObject;
  /** Export as `EdgelogService` to let other Workers call edgelog over a service binding. */
  EdgelogService: typeof EdgelogService;
  /** Export as `Processor` (binding PROCESSOR) when `processors` are registered: one object per processor and input partition. */
  Processor: typeof ProcessorObject;
  /** Export as `Connector` (binding CONNECTOR) to run connectors (README "Connectors: the webhook sink"). */
  Connector: typeof ConnectorObject;
  /** Export as `Source` (binding SOURCE) to serve HTTP sources (webhooks into topics, `/v1/sources`): one object per source. */
  Source: typeof SourceObject;
  /** Wakes every registered processor (call it from a cron trigger so they run before anyone looks at /v1/processors). */
  startProcessors: (env: EdgelogEnv) => Promise<void>;
}

/**
 * edgelog for your own Worker. Options are typed settings that take precedence over the env vars
 * they stand for (EDGELOG_AUTH, EDGELOG_JWT_SECRET, EDGELOG_JWT_PUBLIC_KEY, EDGELOG_JWKS,
 * EDGELOG_JWT_AUDIENCE, EDGELOG_JWT_ISSUER, EDGELOG_ALLOWED_ORIGINS, EDGELOG_QUOTA_*); a field
 * left out falls back to its var, then to its default. Authentication is required by default and
 * fails closed: with no key configured, every /v1 request is refused (503 AUTH_NOT_CONFIGURED).
 * A secret kept under another name is read with `import { env } from "cloudflare:workers"`.
 *
 * The Worker's wrangler.toml needs the three Durable Object bindings, their SQLite migration, and
 * `enable_request_signal` (an SSE stream stops when its client goes); from compatibility date
 * 2026-04-21 an RPC caller also sees `error.code` as a property (enhanced error serialization):
 * ```toml
 * compatibility_date = "2026-04-21"
 * compatibility_flags = ["enable_request_signal"]
 *
 * [[durable_objects.bindings]]
 * name = "PARTITION"
 * class_name = "Partition"
 *
 * [[durable_objects.bindings]]
 * name = "REGISTRY"
 * class_name = "Registry"
 *
 * [[durable_objects.bindings]]
 * name = "GROUP"
 * class_name = "Group"
 *
 * [[migrations]]
 * tag = "edgelog-v1"
 * new_sqlite_classes = ["Partition", "Registry", "Group"]
 *
 * # Optional: the Durable Streams routes under /v1/stream/ (export class Stream extends edgelog.Stream {}).
 * [[durable_objects.bindings]]
 * name = "STREAM"
 * class_name = "Stream"
 *
 * [[migrations]]
 * tag = "edgelog-v2"
 * new_sqlite_classes = ["Stream"]
 *
 * # Optional: HTTP sources under /v1/sources (export class Source extends edgelog.Source {}).
 * [[durable_objects.bindings]]
 * name = "SOURCE"
 * class_name = "Source"
 *
 * [[migrations]]
 * tag = "edgelog-sources"
 * new_sqlite_classes = ["Source"]
 * ```
 *
 * @example
 * import { env } from "cloudflare:workers";
 * const edgelog = createEdgelog({
 *   auth: { mode: "required", jwtSecret: env.AUTH_SECRET },
 *   allowedOrigins: ["https://app.example"],
 *   quotas: { eventsPerS: 1_000 },
 * });
 * app.route("/events", edgelog.app); // the API at /events/v1/..., sockets included
 * export class Partition extends edgelog.Partition {}
 * export class Registry extends edgelog.Registry {}
 * export class Group extends edgelog.Group {}
 * export class EdgelogService extends edgelog.EdgelogService {}
 */
export function createEdgelog(options: EdgelogOptions = {}): Edgelog {
  const overlay = envWithOptions(options);
  const processors = (options.processors ?? []).map(defineProcessor);
  if (processors.length > PROCESSORS_MAX || new Set(processors.map((p) => p.name)).size !== processors.length) {
    throw new EdgelogError("INVALID_CONFIG", `processors: at most ${PROCESSORS_MAX}, with distinct names`);
  }
  const app = createApp({ overlay, page: options.page ?? {}, processors });
  class EdgelogPartition extends Partition {
    constructor(ctx: DurableObjectState, env: EdgelogEnv) {
      super(ctx, overlay(env));
    }
  }
  class EdgelogRegistry extends Registry {
    constructor(ctx: DurableObjectState, env: EdgelogEnv) {
      super(ctx, overlay(env));
    }
  }
  class EdgelogGroup extends Group {
    constructor(ctx: DurableObjectState, env: EdgelogEnv) {
      super(ctx, overlay(env));
    }
  }
  class EdgelogStream extends StreamObject {
    constructor(ctx: DurableObjectState, env: EdgelogEnv) {
      super(ctx, overlay(env));
    }
  }
  class EdgelogProcessor extends ProcessorObject {
    constructor(ctx: DurableObjectState, env: EdgelogEnv) {
      super(ctx, overlay(env), processors);
    }
  }
  class EdgelogConnector extends ConnectorObject {
    constructor(ctx: DurableObjectState, env: EdgelogEnv) {
      super(ctx, overlay(env));
    }
  }
  class EdgelogSource extends SourceObject {
    constructor(ctx: DurableObjectState, env: EdgelogEnv) {
      super(ctx, overlay(env));
    }
  }
  const startProcessors = (env: EdgelogEnv) => wakeProcessors(overlay(env), processors);
  return {
    app,
    Partition: EdgelogPartition,
    Registry: EdgelogRegistry,
    Group: EdgelogGroup,
    Stream: EdgelogStream,
    EdgelogService,
    Processor: EdgelogProcessor,
    Connector: EdgelogConnector,
    Source: EdgelogSource,
    startProcessors,
  };
}
