/**
 * The stream processors' families of `GET /v1/metrics` (METRICS-5), from the status the routes
 * answer (processor-routes.ts's processorStatus, asked with `read`): per processor and input
 * partition its lag, input position and high watermark, the records in, out and late and the
 * steps (counters stored in the processor object's SQLite: they do not reset when the object is
 * evicted or restarts), the input rate, the open windows and whether its last step failed.
 *
 * Waking: a scrape calls each processor partition's `status`, which records nothing and sets no
 * alarm (never `wake`, which does). A running processor partition has its alarm at most
 * PROCESSOR_RETRY_MS away, so it is in memory anyway and the call costs no extra start; one
 * never woken, or whose processor is no longer registered, is started for the call (nothing is
 * written: its tables come with its first wake) and left asleep, reporting no line. Each visited
 * partition costs one call to its processor object and one to its input partition (the live high
 * watermark), at most METRICS_PROCESSOR_PARTITIONS_MAX processor partitions a scrape; a processor
 * whose partitions do not fit what is left is counted in `edgelog_metrics_processors_skipped`.
 * A processor whose status cannot be read is counted in `edgelog_metrics_processors_unreadable`
 * (and named with its error code), never failing the scrape. Processors are shown only to a
 * caller with `admin` on `*`, as their routes are (PROC-6).
 *
 * Rules: PROTOCOL.md METRICS-5.
 *
 * @example
 * app.route("/", metricsRoutes([processorMetrics(definitions)]));
 */
import {
  EdgelogError,
  METRICS_PROCESSOR_PARTITIONS_MAX,
  type ProcessorPartitionStatus,
  type ProcessorStatus,
} from "../client/protocol/index.ts";
import { type Access, can } from "./auth/access.ts";
import type { Env } from "./env.ts";
import type { MetricsSource } from "./metrics.ts";
import type { ProcessorDefinition } from "./processors/processor-definition.ts";
import { processorStatus } from "./processors/processor-routes.ts";
import type { MetricFamily, MetricSample } from "./prometheus.ts";
import { asEdgelogError } from "./result.ts";
import { getTopic } from "./topics.ts";

const STORED = "stored in the processor object's SQLite: it does not reset when the object restarts.";

type LineMetric = [name: string, help: string, type: MetricFamily["type"], pick: (line: ProcessorPartitionStatus) => number | null];

const LINE_METRICS: readonly LineMetric[] = [
  ["edgelog_processor_lag", "The input's high watermark now minus the input position (PROC-6).", "gauge", (l) => l.lag],
  ["edgelog_processor_input_offset", "The next input offset the processor partition processes.", "gauge", (l) => l.inputOffset],
  ["edgelog_processor_input_high_watermark", "The input partition's high watermark, read live.", "gauge", (l) => l.highWatermark],
  ["edgelog_processor_records_in_total", `Input records processed, ${STORED}`, "counter", (l) => l.recordsIn],
  ["edgelog_processor_records_out_total", `Output records appended, ${STORED}`, "counter", (l) => l.recordsOut],
  ["edgelog_processor_late_records_total", `Records dropped as their window had closed, ${STORED}`, "counter", (l) => l.lateRecords],
  ["edgelog_processor_steps_total", `Steps committed, ${STORED}`, "counter", (l) => l.steps],
  [
    "edgelog_processor_records_in_per_second",
    "Input records per second over the last full minute (0 before one).",
    "gauge",
    (l) => l.recordsInPerS,
  ],
  ["edgelog_processor_open_windows", "Tumbling windows open (0 for a processor without a window).", "gauge", (l) => l.openWindows],
  [
    "edgelog_processor_last_step_timestamp_seconds",
    "When the last step committed (partitions that committed one).",
    "gauge",
    (l) => (l.lastStepMs === null ? null : l.lastStepMs / 1000),
  ],
  ["edgelog_processor_failing", "1 while the last step failed (until a step succeeds), else 0.", "gauge", (l) => (l.lastError ? 1 : 0)],
  [
    "edgelog_processor_last_error_timestamp_seconds",
    "When the last step failed (failing partitions only).",
    "gauge",
    (l) => (l.lastError === null ? null : l.lastError.atMs / 1000),
  ],
];

/**
 * A scrape's processor budget (METRICS-5): the route uses the default; a test passes a smaller one.
 *
 * @example
 * processorMetrics(definitions, { partitionsMax: 1 });
 */
export interface ProcessorMetricsBudget {
  /** Processor partitions whose status is read (default METRICS_PROCESSOR_PARTITIONS_MAX). */
  partitionsMax: number;
}

type Outcome = { status: ProcessorStatus } | { name: string; code: string };

/** The input's partitions (0 while the input topic does not exist), or the error reading them. */
async function inputPartitions(env: Env, definition: ProcessorDefinition): Promise<number> {
  try {
    return (await getTopic(env, definition.input)).partitions;
  } catch (error) {
    if (error instanceof EdgelogError && error.code === "UNKNOWN_TOPIC") return 0;
    throw error;
  }
}

/** One processor's status, or the code of the error that kept it from being read. */
async function readProcessor(env: Env, definition: ProcessorDefinition): Promise<Outcome> {
  try {
    return { status: await processorStatus(env, definition, "read") };
  } catch (error) {
    return { name: definition.name, code: asEdgelogError(error, `processor ${definition.name}`).code };
  }
}

/** The processors visited in registration order within the budget; the rest skipped. */
async function visitProcessors(
  env: Env,
  definitions: readonly ProcessorDefinition[],
  partitionsMax: number,
): Promise<{ outcomes: Outcome[]; skipped: number }> {
  const sizes = await Promise.allSettled(definitions.map((definition) => inputPartitions(env, definition)));
  let left = partitionsMax;
  let skipped = 0;
  const visits: Promise<Outcome>[] = [];
  definitions.forEach((definition, i) => {
    const size = sizes[i];
    if (size?.status === "rejected") {
      visits.push(Promise.resolve({ name: definition.name, code: asEdgelogError(size.reason, definition.name).code }));
      return;
    }
    const partitions = size?.value ?? 0;
    if (partitions > left) {
      skipped += 1;
      return;
    }
    left -= partitions;
    visits.push(readProcessor(env, definition));
  });
  return { outcomes: await Promise.all(visits), skipped };
}

function lineFamilies(statuses: readonly ProcessorStatus[]): MetricFamily[] {
  const lines = statuses.flatMap((status) => status.partitions.map((line) => ({ processor: status.name, line })));
  const labels = (processor: string, line: ProcessorPartitionStatus) => ({ processor, partition: String(line.partition) });
  const families: MetricFamily[] = LINE_METRICS.map(([name, help, type, pick]) => ({
    name,
    help,
    type,
    samples: lines.flatMap(({ processor, line }): MetricSample[] => {
      const value = pick(line);
      return value === null ? [] : [{ labels: labels(processor, line), value }];
    }),
  }));
  const errors = lines.flatMap(({ processor, line }) =>
    line.lastError === null ? [] : [{ labels: { ...labels(processor, line), code: line.lastError.code }, value: 1 }],
  );
  families.push({
    name: "edgelog_processor_last_error_info",
    help: "1 per failing partition, labelled with its last step's error code.",
    type: "gauge",
    samples: errors,
  });
  return families;
}

function processorFamilies(outcomes: readonly Outcome[], skipped: number): MetricFamily[] {
  const statuses = outcomes.flatMap((o) => ("status" in o ? [o.status] : []));
  const unreadable = outcomes.flatMap((o) => ("code" in o ? [o] : []));
  const gauge = (name: string, help: string, samples: MetricSample[]): MetricFamily => ({ name, help, type: "gauge", samples });
  return [
    gauge(
      "edgelog_processor_running",
      "1 when the processor's input topic exists (state running), 0 while it waits for it.",
      statuses.map((s) => ({ labels: { processor: s.name }, value: s.state === "running" ? 1 : 0 })),
    ),
    ...lineFamilies(statuses),
    gauge("edgelog_metrics_processors_skipped", "Processors past this scrape's budget, not visited.", [{ labels: {}, value: skipped }]),
    gauge("edgelog_metrics_processors_unreadable", "Processors whose status this scrape could not read.", [
      { labels: {}, value: unreadable.length },
    ]),
    gauge(
      "edgelog_metrics_processor_unreadable_info",
      "1 per processor whose status this scrape could not read, labelled with the error code.",
      unreadable.map((o) => ({ labels: { processor: o.name, code: o.code }, value: 1 })),
    ),
  ];
}

/**
 * The processors' families as a scrape's MetricsSource, for a caller with `admin` on `*` (none
 * for another), as this module's header says.
 *
 * @example
 * await gatherMetrics(env, OPEN_ACCESS, undefined, [processorMetrics(EXAMPLE_PROCESSORS)]);
 */
export function processorMetrics(
  definitions: readonly ProcessorDefinition[],
  budget: ProcessorMetricsBudget = { partitionsMax: METRICS_PROCESSOR_PARTITIONS_MAX },
): MetricsSource {
  return async (env: Env, access: Access) => {
    if (definitions.length === 0 || !can(access, "admin", "*")) return [];
    const { outcomes, skipped } = await visitProcessors(env, definitions, budget.partitionsMax);
    return processorFamilies(outcomes, skipped);
  };
}
