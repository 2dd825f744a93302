/**
 * The processors' state over HTTP: `GET /v1/processors` lists every processor the Worker
 * registers with its lag and throughput summed over its input partitions, `GET
 * /v1/processors/:name` gives each partition's line. Both need `admin` on every topic (a
 * processor reads and writes topics a narrower token may not see). Each request also wakes the
 * processor partitions it reports on (PROC-1), so a deployment starts its processors with its
 * first look at them.
 *
 * Rules: PROTOCOL.md PROC-1, PROC-6.
 *
 * @example
 * const res = await app.request("/v1/processors/views", {}, env); // { name, input, output, lag, partitions: [...] }
 */
import { Hono } from "hono";
import { EdgelogError, type ProcessorPartitionStatus, type ProcessorStatus, ROUTE } from "../../client/protocol/index.ts";
import type { AppEnv, Env } from "../env.ts";
import { routeGrant } from "../middleware/route-grant.ts";
import type { TopicMeta } from "../topic-meta.ts";
import { getTopic, partitionOffsets } from "../topics.ts";
import type { ProcessorDefinition } from "./processor-definition.ts";
import type { ProcessorObject } from "./processor-object.ts";
import { processorGroup, processorObjectName } from "./processor-step.ts";

/**
 * The Processor object of one processor partition.
 *
 * @example
 * await processorStub(env, "views", 0).wake("views", 0);
 */
export function processorStub(env: Env, name: string, partition: number) {
  // Typed present (like STREAM), but a Worker without processors may leave the binding out.
  const namespace = env.PROCESSOR as DurableObjectNamespace<ProcessorObject> | undefined;
  if (namespace === undefined) throw new EdgelogError("NOT_FOUND", "this Worker has no PROCESSOR binding (PROC-1)");
  return namespace.get(namespace.idFromName(processorObjectName(name, partition)));
}

/**
 * How processorStatus asks each partition: `wake` (the routes, PROC-1: records the object's
 * identity and sets its alarm) or `read` (a metrics scrape, METRICS-5: ProcessorObject.status, no
 * side effect; a partition never woken has no line).
 *
 * @example
 * await processorStatus(env, definition, "read");
 */
export type StatusLook = "wake" | "read";

/**
 * Every partition's state of `definition` (waking them unless `look` is `read`), the lag against
 * the input's high watermark now.
 *
 * @example
 * const status = await processorStatus(env, definition);
 */
export async function processorStatus(env: Env, definition: ProcessorDefinition, look: StatusLook = "wake"): Promise<ProcessorStatus> {
  const base = { name: definition.name, input: definition.input, output: definition.output, group: processorGroup(definition.name) };
  const windowed = definition.window !== undefined;
  let meta: TopicMeta;
  try {
    meta = await getTopic(env, definition.input);
  } catch (error) {
    if (error instanceof EdgelogError && error.code === "UNKNOWN_TOPIC") {
      return { ...base, windowed, state: "waiting", lag: 0, recordsIn: 0, recordsOut: 0, recordsInPerS: 0, partitions: [] };
    }
    throw error;
  }
  const [lines, bounds] = await Promise.all([
    Promise.all(
      Array.from({ length: meta.partitions }, (_, p) => {
        const stub = processorStub(env, definition.name, p);
        return look === "wake" ? stub.wake(definition.name, p) : stub.status(definition.name, p);
      }),
    ),
    partitionOffsets(env, meta),
  ]);
  // Lag against the input's high watermark now, not as of each partition's last step.
  const known = lines
    .filter((line): line is ProcessorPartitionStatus => line !== null)
    .map((line) => {
      const highWatermark = Math.max(line.highWatermark, bounds[line.partition]?.highWatermark ?? 0);
      return { ...line, highWatermark, lag: Math.max(0, highWatermark - line.inputOffset) };
    });
  const total = (pick: (line: ProcessorPartitionStatus) => number) => known.reduce((sum, line) => sum + pick(line), 0);
  return {
    ...base,
    windowed,
    state: "running",
    lag: total((line) => line.lag),
    recordsIn: total((line) => line.recordsIn),
    recordsOut: total((line) => line.recordsOut),
    recordsInPerS: total((line) => line.recordsInPerS),
    partitions: known,
  };
}

/**
 * The routes over the registered `definitions`.
 *
 * @example
 * app.route("/", processorRoutes([views]));
 */
export function processorRoutes(definitions: readonly ProcessorDefinition[]): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get(ROUTE.processors, routeGrant("GET processors"), async (c) => {
    const processors = await Promise.all(definitions.map((definition) => processorStatus(c.env, definition)));
    return c.json({ processors }, 200, { "cache-control": "no-store" });
  });
  routes.get(ROUTE.processor, routeGrant("GET processor"), async (c) => {
    const name = c.req.param("name");
    const definition = definitions.find((candidate) => candidate.name === name);
    if (definition === undefined) throw new EdgelogError("UNKNOWN_PROCESSOR", `no processor named ${name} is registered (PROC-6)`);
    return c.json(await processorStatus(c.env, definition), 200, { "cache-control": "no-store" });
  });
  return routes;
}

/**
 * Wakes every processor: call it from a cron trigger (`scheduled`) so processors run without
 * anyone looking at /v1/processors first.
 *
 * @example
 * export default { fetch: app.fetch, scheduled: (_event, env) => edgelog.startProcessors(env) };
 */
export async function wakeProcessors(env: Env, definitions: readonly ProcessorDefinition[]): Promise<void> {
  await Promise.all(definitions.map((definition) => processorStatus(env, definition)));
}
