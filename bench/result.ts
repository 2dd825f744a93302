/**
 * The bench's result, as written to bench/results/*.json: every run of every measurement (so a
 * figure can be rechecked), their summaries, the comparison rows with ratios and targets, the
 * cost model and the notes printed under the table.
 *
 * @example
 * const result: BenchResult = await runBench({ profile: "smoke" });
 * result.measurements.find((m) => m.system === "redis" && m.scenario === "serial")?.summary.rate?.median;
 */
import type { ProcessCpu } from "./cpu.ts";
import type { Summary } from "./stats.ts";
import type { MeasuredId, SystemId } from "./systems/types.ts";

/** What one run measured. */
export interface RunSample {
  /** Metric name -> value: `rate` (events/s), `deliveries` (/s), `p50`/`p99`/`max` (ms), ... */
  metrics: Record<string, number>;
  /** Counts behind the metrics and the cost model (events, rows, requests, messages). */
  counts?: Record<string, number>;
  /** CPU time per process during the run's timed part (servers and the bench client). */
  cpu?: ProcessCpu[];
  /** Wall time of the window `cpu` covers, in ms. */
  cpuWallMs?: number;
  /** CPU used meanwhile by everything else on the machine (other users' work), in ms. */
  otherCpuMs?: number;
  notes?: string[];
}

/** One scenario variant on one system: its runs and their summaries. */
export interface Measurement {
  system: MeasuredId;
  /** e.g. "serial", "batch-100", "latency", "catch-up", "fan-out-1000", "overhead". */
  scenario: string;
  /** How: "http", "ws", "native", "xrange", "native->native", ... */
  variant: string;
  runs: RunSample[];
  /** Metric name -> median/min/max over the runs. */
  summary: Record<string, Summary>;
  /** Why it was not measured (time budget, peer missing); no runs then. */
  skipped?: string;
  /** Why it has no figure: every run failed (the first failure). */
  error?: string;
  /** Runs that failed and were retried (their errors); the figure comes from the others. */
  failedRuns?: string[];
  /** Remarks on the measurement as a whole (e.g. fewer runs than planned). */
  notes?: string[];
}

/** One line of the comparison table. */
export interface ComparisonRow {
  /** Scenario number and name, e.g. "1 serial produce, WebSocket". */
  label: string;
  unit: string;
  /** Higher is better (rates) or lower (latency, cost). */
  better: "higher" | "lower";
  /** edgelog as users run it (wrangler dev); the ratio uses it. */
  edgelog: Summary | null;
  /** edgelog on the Miniflare API, for the proxy's share. */
  edgelogDirect: Summary | null;
  /** Which of the two edgelog figures `ratio` divides (absent: wrangler dev). */
  ratioOf?: "wrangler" | "miniflare";
  peer: SystemId | null;
  peerLabel: string;
  peerValue: Summary | null;
  /** edgelog / peer, medians (null when either is missing). */
  ratio: number | null;
  /** e.g. ">= 1.0x", "<= 1.5x", "<= $0.02"; "" when the row has no target. */
  target: string;
  /** An absolute target in `unit` (rows without a peer, e.g. scenario 6), for the chart's line. */
  targetValue?: number;
  /** pass / miss against the target; "n/a" without one or without data. */
  result: "pass" | "miss" | "n/a";
  note?: string;
}

/** The whole result file. */
export interface BenchResult {
  version: 1;
  profile: string;
  startedAt: string;
  seconds: number;
  machine: Record<string, string | number>;
  /** Which edgelog runtime the ratios use, and why. */
  ratioRuntime: { system: SystemId; reason: string };
  systems: { id: SystemId; label: string; details: Record<string, string>; skipped?: string }[];
  measurements: Measurement[];
  rows: ComparisonRow[];
  cost: Record<string, unknown>;
  notes: string[];
  /** Where edgelog's time goes (overhead probes, CPU per process). */
  profileNotes: string[];
}
