/**
 * Rows 8: the CPU the worker's process (workerd: the Worker and its Durable Objects) spends per
 * event, from /proc over each run's timed part (bench/cpu.ts), against issue 12's absolute
 * targets, which are set on the Miniflare API (wrangler dev's worker workerd is measured too, its
 * proxy left out). The floor objects' own CPU per event sits in the peer column where there is a
 * floor for the same work.
 *
 * @example
 * const rows = cpuRows(measurements);
 * rows[0].edgelogDirect?.median; // µs of workerd CPU per event, batches of 1000 over the socket
 */
import { existsSync } from "node:fs";
import type { ComparisonRow, Measurement } from "../result.ts";
import { type Summary, summarise } from "../stats.ts";
import type { SystemId } from "../systems/types.ts";

/** One CPU row: an edgelog measurement, its floor's, and the target in µs per event. */
interface CpuSpec {
  label: string;
  scenario: string;
  variant: string;
  /** At most this many µs per event on the Miniflare API; none: printed for the record. */
  targetUs?: number;
  floor?: { variant: string; scenario?: string; label: string };
}

const CPU_SPECS: readonly CpuSpec[] = [
  {
    label: "8 workerd CPU per event, serial produce, WebSocket",
    scenario: "serial",
    variant: "ws",
    floor: { variant: "serial", label: "floor (a): 1-INSERT object, Miniflare" },
  },
  {
    label: "8 workerd CPU per event, batches of 1000, WebSocket",
    scenario: "batch-1000",
    variant: "ws",
    targetUs: 1,
    floor: { variant: "batch", label: "floor (b): batch object, Miniflare" },
  },
  {
    label: "8 workerd CPU per event, batches of 1000, HTTP",
    scenario: "batch-1000",
    variant: "http",
    targetUs: 2,
    floor: { variant: "batch", label: "floor (b) over its socket, Miniflare" },
  },
  { label: "8 workerd CPU per event, catch-up, WebSocket", scenario: "catch-up", variant: "ws", targetUs: 0.5 },
];

/** The worker's workerd: every workerd but wrangler's proxy (Miniflare runs one, wrangler dev two). */
function isWorkerProcess(name: string): boolean {
  return name.startsWith("workerd") && !name.includes("proxy");
}

/**
 * µs of the worker's workerd CPU per event in each run of `m` (runs without events or CPU data
 * left out), summarised; null when no run has both. A run's window lists only processes that
 * used CPU, so on Linux a workerd missing from it used less than one tick: 0.
 *
 * @example
 * workerCpuPerEvent(measurement)?.median; // 0.8
 */
export function workerCpuPerEvent(m: Measurement | undefined): Summary | null {
  const perRun = (m?.runs ?? []).flatMap((run) => {
    const events = run.counts?.events ?? 0;
    const cpu = (run.cpu ?? []).filter((p) => isWorkerProcess(p.name));
    if (events <= 0 || run.cpu === undefined || !existsSync("/proc/self/stat")) return [];
    return [(1000 * cpu.reduce((sum, p) => sum + p.ms, 0)) / events];
  });
  return perRun.length === 0 ? null : summarise(perRun);
}

function find(ms: readonly Measurement[], system: SystemId, scenario: string, variant: string): Measurement | undefined {
  return ms.find((m) => m.system === system && m.scenario === scenario && m.variant === variant && m.runs.length > 0);
}

/**
 * The CPU rows, with pass/miss on the Miniflare figure where the issue sets a target.
 *
 * @example
 * cpuRows(runner.measurements).filter((r) => r.result === "miss");
 */
export function cpuRows(measurements: readonly Measurement[]): ComparisonRow[] {
  return CPU_SPECS.map((spec) => {
    const direct = workerCpuPerEvent(find(measurements, "edgelog-miniflare", spec.scenario, spec.variant));
    const floor =
      spec.floor && workerCpuPerEvent(find(measurements, "floor-miniflare", spec.floor.scenario ?? spec.scenario, spec.floor.variant));
    const ratio = direct && floor && floor.median > 0 ? direct.median / floor.median : null;
    const target = spec.targetUs;
    const note =
      direct === null
        ? "edgelog (Miniflare): no CPU figure (not measured, or no /proc)"
        : "workerd's CPU over the timed part (Worker and objects in one process) / events; the target is on the Miniflare API";
    return {
      label: spec.label,
      unit: "µs/event",
      better: "lower" as const,
      edgelog: workerCpuPerEvent(find(measurements, "edgelog-wrangler", spec.scenario, spec.variant)),
      edgelogDirect: direct,
      ratioOf: "miniflare" as const,
      peer: spec.floor ? ("floor-miniflare" as const) : null,
      peerLabel: spec.floor?.label ?? "",
      peerValue: floor ?? null,
      ratio,
      target: target === undefined ? "" : `<= ${target} µs`,
      ...(target !== undefined && { targetValue: target }),
      result: target === undefined || direct === null ? ("n/a" as const) : direct.median <= target ? ("pass" as const) : ("miss" as const),
      note,
    };
  });
}
