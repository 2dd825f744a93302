/**
 * What `GET /v1/metrics` reports, gathered from the counters the objects keep: the registry lists
 * the topics and groups (one call), each visited partition answers its stats (one RPC each, at
 * most METRICS_PARTITIONS_MAX a scrape), each visited group its description (one RPC, at most
 * METRICS_GROUPS_MAX) and its lag (one RPC per partition of each topic it consumes, within the
 * same partition budget). Nothing is written. A scrape does wake an evicted partition or group
 * object (Durable Objects keep no counters outside the object), so scrape at the interval you can
 * pay for; what the budgets leave out is counted in `edgelog_metrics_*_skipped`, never visited.
 * Counters (`*_total`) count since the object started: they reset when it is evicted, as
 * Prometheus expects of a counter (`edgelog_partition_started_at_seconds` shows when).
 *
 * Processors', connectors' and HTTP sources' families come from MetricsSources the app passes in
 * (metrics-processors.ts, connectors/connector-metrics.ts, sources/source-metrics.ts).
 *
 * Rules: PROTOCOL.md METRICS-1 to METRICS-4.
 *
 * @example
 * const families = await gatherMetrics(env, c.var.access);
 * return c.body(prometheusText(families), 200, { "content-type": PROMETHEUS_CONTENT_TYPE });
 */
import { type GroupTopics, METRICS_GROUPS_MAX, METRICS_PARTITIONS_MAX, type PartitionStats } from "../client/protocol/index.ts";
import { type Access, can } from "./auth/access.ts";
import type { Env } from "./env.ts";
import { groupOffsets } from "./group-offsets.ts";
import { groupStub, partitionStub, registryStub } from "./object-names.ts";
import type { MetricFamily, MetricSample } from "./prometheus.ts";
import type { TopicMeta } from "./topic-meta.ts";

type PartitionMetric = [name: string, help: string, type: MetricFamily["type"], pick: (stats: PartitionStats) => number];

const PARTITION_METRICS: readonly PartitionMetric[] = [
  ["edgelog_partition_appended_records_total", "Records appended since the object started.", "counter", (s) => s.appendedRecords],
  [
    "edgelog_partition_appended_bytes_total",
    "Stored UTF-8 bytes of the records appended since the object started.",
    "counter",
    (s) => s.appendedBytes,
  ],
  ["edgelog_partition_high_watermark", "The offset the next record gets.", "gauge", (s) => s.highWatermark],
  ["edgelog_partition_log_start_offset", "The first offset still stored.", "gauge", (s) => s.logStartOffset],
  ["edgelog_partition_stored_bytes", "The partition object's SQLite database size in bytes.", "gauge", (s) => s.storedBytes],
  ["edgelog_partition_sockets", "WebSockets open on the partition.", "gauge", (s) => s.sockets],
  ["edgelog_partition_subscribers_paused", "Subscriptions paused by a full window.", "gauge", (s) => s.subscribersPaused],
  ["edgelog_partition_long_poll_waiters", "HTTP long-poll reads parked for the next append.", "gauge", (s) => s.longPollWaiters],
  ["edgelog_partition_rows_written_total", "SQLite rows written since the object started.", "counter", (s) => s.rowsWritten],
  ["edgelog_partition_rows_read_total", "SQLite rows read since the object started.", "counter", (s) => s.rowsRead],
  [
    "edgelog_partition_started_at_seconds",
    "When the partition object started (counters count from then).",
    "gauge",
    (s) => s.startedAt / 1000,
  ],
];

/**
 * More families for a scrape, from objects metrics.ts does not know (metrics-processors.ts):
 * each is bounded by its own budget and MUST NOT throw (what it cannot read it counts itself).
 *
 * @example
 * const sources: MetricsSource[] = [processorMetrics(definitions)];
 * await gatherMetrics(env, access, undefined, sources);
 */
export type MetricsSource = (env: Env, access: Access) => Promise<MetricFamily[]>;

interface Visited {
  topic: string;
  partition: number;
  stats: PartitionStats;
}

interface GroupMeasure {
  group: string;
  members: number;
  generation: number;
  lags: { topic: string; partition: number; lag: number }[];
}

/**
 * A scrape's budgets (METRICS-3): the route uses the defaults; a test passes smaller ones.
 *
 * @example
 * await gatherMetrics(env, access, { partitionsMax: 2, groupsMax: 1 });
 */
export interface MetricsBudget {
  /** Partition calls for stats, and again for group lags (default METRICS_PARTITIONS_MAX). */
  partitionsMax: number;
  /** Groups measured (default METRICS_GROUPS_MAX). */
  groupsMax: number;
}

const BUDGET_DEFAULT: MetricsBudget = { partitionsMax: METRICS_PARTITIONS_MAX, groupsMax: METRICS_GROUPS_MAX };

/** The ready topics the caller may administer, and their partitions within the budget. */
function partitionsToVisit(
  topics: readonly TopicMeta[],
  access: Access,
  partitionsMax: number,
): { visit: { meta: TopicMeta; partition: number }[]; skipped: number } {
  const visit: { meta: TopicMeta; partition: number }[] = [];
  let skipped = 0;
  for (const meta of topics) {
    if (meta.state !== "ready" || !can(access, "admin", meta.name)) continue;
    for (let partition = 0; partition < meta.partitions; partition++) {
      if (visit.length < partitionsMax) visit.push({ meta, partition });
      else skipped += 1;
    }
  }
  return { visit, skipped };
}

/** One group's members, generation and lag per partition on each listed topic, within `budget` partition calls. */
async function measureGroup(
  env: Env,
  listed: GroupTopics,
  topics: ReadonlyMap<string, TopicMeta>,
  budget: { left: number },
): Promise<GroupMeasure> {
  const { state, members } = await groupStub(env, listed.group).describe();
  const lags: GroupMeasure["lags"] = [];
  for (const topic of listed.topics) {
    const meta = topics.get(topic);
    if (meta === undefined || meta.partitions > budget.left) continue;
    budget.left -= meta.partitions;
    const offsets = await groupOffsets(env, listed.group, topic);
    for (const line of offsets.partitions) if (line.lag !== null) lags.push({ topic, partition: line.partition, lag: line.lag });
  }
  return { group: listed.group, members: members.length, generation: state.generation, lags };
}

function partitionFamilies(visited: readonly Visited[]): MetricFamily[] {
  return PARTITION_METRICS.map(([name, help, type, pick]) => ({
    name,
    help,
    type,
    samples: visited.map(({ topic, partition, stats }) => ({ labels: { topic, partition: String(partition) }, value: pick(stats) })),
  }));
}

function groupFamilies(groups: readonly GroupMeasure[]): MetricFamily[] {
  const byGroup = (pick: (g: GroupMeasure) => number): MetricSample[] =>
    groups.map((g) => ({ labels: { group: g.group }, value: pick(g) }));
  const lag = groups.flatMap((g) =>
    g.lags.map((l) => ({ labels: { group: g.group, topic: l.topic, partition: String(l.partition) }, value: l.lag })),
  );
  return [
    { name: "edgelog_group_members", help: "Members of the consumer group.", type: "gauge", samples: byGroup((g) => g.members) },
    { name: "edgelog_group_generation", help: "The group's generation.", type: "gauge", samples: byGroup((g) => g.generation) },
    {
      name: "edgelog_group_lag",
      help: "High watermark minus the committed offset (partitions with a commit).",
      type: "gauge",
      samples: lag,
    },
  ];
}

function skippedFamilies(partitions: number, groups: number): MetricFamily[] {
  return [
    {
      name: "edgelog_metrics_partitions_skipped",
      help: "Partitions past this scrape's budget, not visited.",
      type: "gauge",
      samples: [{ labels: {}, value: partitions }],
    },
    {
      name: "edgelog_metrics_groups_skipped",
      help: "Groups past this scrape's budget, not visited.",
      type: "gauge",
      samples: [{ labels: {}, value: groups }],
    },
  ];
}

/**
 * The metric families of one scrape, for what `access` may see (topics it administers, groups it
 * has `group` on), as this module's header says, then those of each of `sources`.
 *
 * @example
 * const text = prometheusText(await gatherMetrics(env, OPEN_ACCESS));
 */
export async function gatherMetrics(
  env: Env,
  access: Access,
  budgets: MetricsBudget = BUDGET_DEFAULT,
  sources: readonly MetricsSource[] = [],
): Promise<MetricFamily[]> {
  const [own, ...more] = await Promise.all([objectMetrics(env, access, budgets), ...sources.map((source) => source(env, access))]);
  return [...(own ?? []), ...more.flat()];
}

/** The partition and group families (METRICS-2, METRICS-3). */
async function objectMetrics(env: Env, access: Access, budgets: MetricsBudget): Promise<MetricFamily[]> {
  const registry = registryStub(env);
  const [topics, groupList] = await Promise.all([registry.list(), registry.listGroups()]);
  const { visit, skipped } = partitionsToVisit(topics, access, budgets.partitionsMax);
  const stats = await Promise.all(visit.map(({ meta, partition }) => partitionStub(env, meta.topicId, partition).stats()));
  const visited = visit.map(({ meta, partition }, i) => ({ topic: meta.name, partition, stats: stats[i] as PartitionStats }));
  const readyTopics = new Map(
    topics.filter((meta) => meta.state === "ready" && can(access, "admin", meta.name)).map((meta) => [meta.name, meta]),
  );
  const allowed = groupList.filter((listed) => can(access, "group", listed.group));
  const budget = { left: budgets.partitionsMax };
  const measured: GroupMeasure[] = [];
  for (const listed of allowed.slice(0, budgets.groupsMax)) measured.push(await measureGroup(env, listed, readyTopics, budget));
  return [
    ...partitionFamilies(visited),
    ...groupFamilies(measured),
    ...skippedFamilies(skipped, Math.max(0, allowed.length - budgets.groupsMax)),
  ];
}
