/**
 * Repeats a scenario's run on one system, measures the servers' and the client's CPU around each
 * run, summarises every metric (median, min, max) and records failures and skips instead of
 * losing the whole bench to one peer's hiccup. It also keeps the bench's time budget: past
 * `benchSecondsMax` no new measurement starts, and the skipped ones say so.
 *
 * @example
 * const runner = new Runner(profile, console.log);
 * const m = await runner.measure(system, "serial", "ws", 5, () => serialRun(log, "ws", profile.serial));
 */
import { CpuWindow } from "./cpu.ts";
import type { BenchProfile } from "./profiles.ts";
import type { Measurement, RunSample } from "./result.ts";
import { type Summary, summarise } from "./stats.ts";
import type { MeasuredId, MeasuredSubject } from "./systems/types.ts";

/** Extra attempts a measurement may make to replace failed runs. */
export const RUN_RETRIES_MAX = 2;

/**
 * Runs measurements for the bench and keeps them, within the profile's time budget.
 *
 * @example
 * const runner = new Runner(PROFILES.smoke, console.log);
 * await runner.measure(system, "serial", "http", 1, (_, window) => produceRun(log, "http", 1, bounds, window));
 * runner.measurements.length; // 1
 */
export class Runner {
  readonly measurements: Measurement[] = [];
  private readonly deadline: number;

  /** Set on SIGINT: no run starts after it. */
  aborted = false;

  constructor(
    readonly profile: BenchProfile,
    private readonly log: (line: string) => void,
    startedAt = Date.now(),
  ) {
    this.deadline = startedAt + profile.benchSecondsMax * 1000;
  }

  /** Seconds left in the bench's budget. */
  secondsLeft(): number {
    return (this.deadline - Date.now()) / 1000;
  }

  /** Records a measurement that did not run, with the reason. */
  skip(system: MeasuredId, scenario: string, variant: string, reason: string): Measurement {
    const measurement: Measurement = { system, scenario, variant, runs: [], summary: {}, skipped: reason };
    this.measurements.push(measurement);
    this.log(`  ${scenario} ${variant}: skipped (${reason})`);
    return measurement;
  }

  /**
   * Runs `run` until `runs` runs succeeded (fewer if the budget runs out), each under CPU
   * accounting (`run` may narrow the window to its timed part), and summarises every metric.
   * A failed run is recorded and retried, at most RUN_RETRIES_MAX times per measurement: a
   * transient failure (wrangler dev reloading the worker when a source file changes drops every
   * socket) costs one run, not the figure. It fails only when no run succeeded.
   *
   * @example
   * await runner.measure(redis, "batch-100", "native", 5, (i, window) => produceRun(log, "native", 100, bounds, window));
   */
  async measure(
    system: MeasuredSubject,
    scenario: string,
    variant: string,
    runs: number,
    run: (index: number, window: CpuWindow) => Promise<RunSample>,
  ): Promise<Measurement> {
    if (this.aborted) return this.skip(system.id, scenario, variant, "interrupted");
    if (this.secondsLeft() <= 0)
      return this.skip(system.id, scenario, variant, `bench time budget of ${this.profile.benchSecondsMax} s used up`);
    const measurement: Measurement = { system: system.id, scenario, variant, runs: [], summary: {} };
    this.measurements.push(measurement);
    const failures: string[] = [];
    for (let attempt = 0; measurement.runs.length < runs && attempt < runs + RUN_RETRIES_MAX && !this.aborted; attempt++) {
      if (attempt > 0 && this.secondsLeft() <= 0) {
        measurement.notes ??= [];
        measurement.notes.push(`only ${measurement.runs.length} of ${runs} runs: time budget used up`);
        break;
      }
      // The whole run unless the scenario brackets its timed part itself.
      const window = new CpuWindow(system.serverPids());
      window.begin();
      try {
        const value = await run(attempt, window);
        if (!window.ended) window.end();
        measurement.runs.push({ ...value, cpu: window.cpu, cpuWallMs: window.wallMs, otherCpuMs: window.otherMs });
      } catch (error) {
        if (this.aborted) break;
        const message = (error as Error).message.split("\n")[0]!;
        failures.push(message);
        this.log(`  ${scenario} ${variant}: run ${attempt + 1} failed: ${message}`);
        const diagnostics = failures.length === 1 ? system.diagnostics?.() : undefined;
        if (diagnostics) this.log(`  --- ${system.label}, its last output ---\n${diagnostics}\n  ---`);
      }
    }
    if (failures.length > 0) measurement.failedRuns = failures;
    if (measurement.runs.length === 0) measurement.error = failures[0] ?? "no run finished";
    measurement.summary = summariseRuns(measurement.runs);
    if (measurement.runs.length > 0) this.log(`  ${scenario} ${variant}: ${describe(measurement.summary)}`);
    return measurement;
  }
}

/**
 * Median/min/max per metric over runs.
 *
 * @example
 * summariseRuns([{ metrics: { rate: 10 } }, { metrics: { rate: 30 } }]).rate; // { median: 20, min: 10, max: 30, n: 2 }
 */
export function summariseRuns(runs: readonly RunSample[]): Record<string, Summary> {
  const names = new Set(runs.flatMap((r) => Object.keys(r.metrics)));
  const summary: Record<string, Summary> = {};
  for (const name of names) summary[name] = summarise(runs.map((r) => r.metrics[name] ?? Number.NaN));
  return summary;
}

function describe(summary: Record<string, Summary>): string {
  return Object.entries(summary)
    .map(([name, s]) => `${name} ${formatNumber(s.median)} [${formatNumber(s.min)}-${formatNumber(s.max)}]`)
    .join(", ");
}

/**
 * A number in a few significant digits with k/M suffixes, for logs and tables.
 *
 * @example
 * formatNumber(123456); // "123k"
 * formatNumber(12345); // "12.3k"
 * formatNumber(0.01234); // "0.0123"
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "-";
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toPrecision(3)}k`;
  if (abs >= 100) return String(Math.round(value));
  if (abs >= 1) return value.toPrecision(3);
  if (abs === 0) return "0";
  return value.toPrecision(3);
}
