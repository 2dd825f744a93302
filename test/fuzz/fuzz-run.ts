/**
 * One fuzz run against a server: the witness arranged, then rounds of the three lanes at once
 * (HTTP half the cases, the partition socket 30 %, the group socket 20 %), each round between two
 * snapshots of the witness that must be equal byte for byte. Seeded: lane `l` of round `r` runs
 * with seed `seed + 3r + l`, so `--seed S --runs N` replays a whole run, and `--lane L --seed
 * <lane seed> --path <path>` one case (what fast-check prints for a failure, or a known finding's
 * run index).
 *
 * @example
 * const report = await runFuzz({ baseUrl: runtime.url, auth: fuzzAuth("off"), runs: 10_000, seed: 42 });
 * report.failures; // [] when nothing answered a 5xx, an INTERNAL or a malformed refusal, and the witness held
 */
import fc from "fast-check";
import type { FuzzAuth } from "./auth-mode.ts";
import { httpLane, type Lane, type LaneAt, socketLane } from "./fuzz-lanes.ts";
import type { NameSpace } from "./fuzz-names.ts";
import { arrangeWitness, refreshWitness, snapshotWitness, type Witness, watcherProblems } from "./witness.ts";

/**
 * The lanes, in seed order.
 *
 * @example
 * const lane: LaneName = "group";
 */
export type LaneName = "http" | "partition" | "group";

/**
 * Every lane's name in seed order.
 *
 * @example
 * LANES.indexOf("partition"); // 1: its seed in round r is seed + 3r + 1
 */
export const LANES: readonly LaneName[] = ["http", "partition", "group"];

/** Outcomes a report lists per lane, most frequent first (all of them, mostly: a few dozen kinds). */
const OUTCOMES_SHOWN_MAX = 60;

/** Each lane's share of the cases. */
const SHARE: Record<LaneName, number> = { http: 0.5, partition: 0.3, group: 0.2 };

/**
 * Cases per round at most: a round must end well within the witness members' 300 s sessions (a
 * 12,000-case round took over 5 minutes on a loaded machine, and the members' sessions expired).
 */
export const ROUND_RUNS_MAX = 3_000;

/** A round that takes longer stops the run: the witness members' sessions (300 s) would expire in the next. */
const ROUND_MS_MAX = 200_000;

/**
 * What a run takes.
 *
 * @example
 * const options: FuzzOptions = { baseUrl, auth: fuzzAuth("off"), runs: 10_000, seed: 42, log: console.log };
 */
export interface FuzzOptions {
  baseUrl: string;
  auth: FuzzAuth;
  /** Cases over all lanes (each lane gets its share). */
  runs: number;
  seed: number;
  /** Only these lanes (all by default); then `seed` is each lane's own seed, as a report prints it. */
  lanes?: readonly LaneName[];
  /** Replays one case of one lane: fast-check's path (with `lanes` naming that one lane, `seed` its seed). */
  path?: string;
  log?: (line: string) => void;
  /** Runs the lanes of a round one after another rather than at once (half the load on the machine; the same cases). */
  lanesInTurn?: boolean;
}

/**
 * What a run found.
 *
 * @example
 * const { cases, durationMs, failures, known } = await runFuzz(options);
 */
export interface FuzzReport {
  seed: number;
  /** Cases run per lane. */
  cases: Record<LaneName, number>;
  durationMs: number;
  /** Failed properties (fast-check's report: seed, path, counterexample) and witness changes. */
  failures: string[];
  /** Known findings (KNOWN_OPEN: not the Worker's to fix), with the seed and path that replay each. */
  known: { lane: LaneName; kind: string; seed: number; path: string; detail: string }[];
  /** What the server answered per lane, counted (see Lane.outcomes). */
  outcomes: Record<LaneName, Record<string, number>>;
}

/** The lane's names: its own prefix and playground; the witness reachable only when auth guards it. */
function spaceOf(lane: LaneName, run: string, witness: Witness): NameSpace {
  const prefix = `fz${lane[0]}${run}`;
  const reachable = witness.auth.mode === "required" ? [witness.topic, witness.group, witness.standaloneGroup] : [];
  return { prefix, topic: `${prefix}-play`, group: `${prefix}-group`, reachable };
}

/** Creates a lane's playground topic (4 partitions, a few records) as the fuzzer's principal. */
async function arrangePlayground(at: LaneAt): Promise<void> {
  const headers = { ...at.auth.headers("fuzz"), "content-type": "application/json" };
  const put = await fetch(`${at.baseUrl}/v1/topics/${at.space.topic}`, { method: "PUT", headers, body: '{"partitions":4}' });
  const records = Array.from({ length: 12 }, (_, i) => ({ key: `k${i}`, value: { i }, timestamp: 1_000 + i }));
  const post = await fetch(`${at.baseUrl}/v1/topics/${at.space.topic}/records`, {
    method: "POST",
    headers,
    body: JSON.stringify({ records }),
  });
  if (put.status >= 300 || post.status !== 200)
    throw new Error(`playground ${at.space.topic}: ${put.status} ${await put.text()} / ${post.status} ${await post.text()}`);
}

/** The first line where two snapshots differ, for the report. */
function firstDifference(before: string, after: string): string {
  const a = JSON.parse(before) as unknown[];
  const b = JSON.parse(after) as unknown[];
  const i = a.findIndex((line, n) => JSON.stringify(line) !== JSON.stringify(b[n]));
  return `before ${JSON.stringify(a[i]).slice(0, 600)}\nafter  ${JSON.stringify(b[i]).slice(0, 600)}`;
}

/** Runs one lane's property; its failure is fast-check's report. */
async function runLane<C>(lane: Lane<C>, seed: number, numRuns: number, path: string | undefined): Promise<string | null> {
  const parameters: fc.Parameters<[C]> = { seed, numRuns, includeErrorInReport: true, ...(path === undefined ? {} : { path }) };
  try {
    await fc.assert(fc.asyncProperty(lane.cases, lane.check), parameters);
    return null;
  } catch (error) {
    const cause = (error as Error).cause;
    const why = cause instanceof Error ? `\n${cause.stack ?? cause.message}` : "";
    return `lane ${lane.name} (seed ${seed}):\n${(error as Error).message}${why}`;
  }
}

/** One round: every lane at once, between two snapshots of the witness. */
async function runRound(
  options: FuzzOptions,
  witness: Witness,
  round: number,
  runs: number,
  report: FuzzReport,
  run: string,
): Promise<void> {
  const log = options.log ?? (() => undefined);
  const names = options.lanes ?? LANES;
  if (round > 0) await refreshWitness(witness);
  const before = await snapshotWitness(witness);
  const lanes = names.map((name) => {
    const at: LaneAt = { baseUrl: options.baseUrl, auth: options.auth, space: spaceOf(name, `${run}r${round}`, witness) };
    // A lane of either case type: runLane only hands a lane's own cases back to its check.
    const lane = (name === "http" ? httpLane(at) : socketLane(name, at)) as Lane<unknown>;
    return { name, at, lane };
  });
  for (const { at } of lanes) await arrangePlayground(at);
  const runOne = async ({ name, lane }: (typeof lanes)[number]): Promise<string | null> => {
    // With `lanes` named (a replay), `seed` is the lane's own seed.
    const seed = options.seed + 3 * round + (options.lanes === undefined ? LANES.indexOf(name) : 0);
    const numRuns = names.length === 1 ? runs : Math.max(1, Math.round(runs * SHARE[name]));
    log(`fuzz round ${round}: lane ${name}, seed ${seed}, ${numRuns} cases`);
    const failure = await runLane(lane, seed, numRuns, options.path);
    lane.close();
    report.cases[name] += numRuns;
    for (const k of lane.known) report.known.push({ lane: name, kind: k.kind, seed, path: String(k.run), detail: k.detail });
    for (const [outcome, n] of lane.outcomes) report.outcomes[name][outcome] = (report.outcomes[name][outcome] ?? 0) + n;
    return failure;
  };
  const results: (string | null)[] = [];
  if (options.lanesInTurn === true) for (const one of lanes) results.push(await runOne(one));
  else results.push(...(await Promise.all(lanes.map(runOne))));
  report.failures.push(...results.filter((r): r is string => r !== null));
  const after = await snapshotWitness(witness);
  if (after !== before) report.failures.push(`the witness changed in round ${round}:\n${firstDifference(before, after)}`);
}

/** Whether a round that started at `startedMs` leaves the next one time within the witness members' sessions. */
function roundInTime(startedMs: number, round: number, report: FuzzReport): boolean {
  const ms = Date.now() - startedMs;
  if (ms <= ROUND_MS_MAX) return true;
  report.failures.push(
    `round ${round} took ${(ms / 1000).toFixed(0)} s (over ${ROUND_MS_MAX / 1000} s): the run stops before the witness members' sessions expire; the machine is too loaded for this many cases`,
  );
  return false;
}

/**
 * Runs the fuzzer: the witness, then rounds of at most ROUND_RUNS_MAX cases, then the watcher's check.
 *
 * @example
 * const report = await runFuzz({ baseUrl, auth: fuzzAuth("off"), runs: 100_000, seed: 7, log: console.log });
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const run = Math.random().toString(36).slice(2, 7);
  const witness = await arrangeWitness(options.baseUrl, options.auth, run);
  const report: FuzzReport = {
    seed: options.seed,
    cases: { http: 0, partition: 0, group: 0 },
    durationMs: 0,
    failures: [],
    known: [],
    outcomes: { http: {}, partition: {}, group: {} },
  };
  try {
    const rounds = Math.max(1, Math.ceil(options.runs / ROUND_RUNS_MAX));
    for (let round = 0; round < rounds; round++) {
      const runs = Math.min(ROUND_RUNS_MAX, options.runs - round * ROUND_RUNS_MAX);
      const roundStarted = Date.now();
      await runRound(options, witness, round, runs, report, run);
      if (!roundInTime(roundStarted, round, report)) break;
    }
    report.failures.push(...watcherProblems(witness));
  } finally {
    witness.watcher.close();
  }
  report.durationMs = Date.now() - started;
  return report;
}

/**
 * The report as lines for a terminal: the cases, the time, each failure, the known findings by
 * kind with the first few replays, and how to replay the run.
 *
 * @example
 * console.log(formatReport(report, "off"));
 */
export function formatReport(report: FuzzReport, mode: string): string {
  const total = report.cases.http + report.cases.partition + report.cases.group;
  const lines = [
    `fuzz: ${total} cases (http ${report.cases.http}, partition socket ${report.cases.partition}, group socket ${report.cases.group}), auth ${mode}, seed ${report.seed}, ${(report.durationMs / 1000).toFixed(1)} s`,
    `replay: npm run fuzz -- --seed ${report.seed} --runs ${total} --auth ${mode}`,
  ];
  for (const lane of LANES) {
    const top = Object.entries(report.outcomes[lane]).sort((a, b) => b[1] - a[1]);
    if (top.length > 0)
      lines.push(
        `  ${lane}: ${top
          .slice(0, OUTCOMES_SHOWN_MAX)
          .map(([outcome, n]) => `${outcome} ×${n}`)
          .join(", ")}${top.length > OUTCOMES_SHOWN_MAX ? ", …" : ""}`,
      );
  }
  for (const failure of report.failures) lines.push(`FAIL ${failure}`);
  const kinds = new Map<string, FuzzReport["known"]>();
  for (const k of report.known) kinds.set(k.kind, [...(kinds.get(k.kind) ?? []), k]);
  for (const [kind, found] of kinds) {
    lines.push(
      `known (counted, not failed: see KNOWN_OPEN in oracle.ts): ${kind}, ${found.length} cases; replay one: npm run fuzz -- --auth ${mode} --lane ${found[0]!.lane} --seed ${found[0]!.seed} --path ${found[0]!.path}`,
    );
    for (const k of found.slice(0, 3)) lines.push(`  ${k.lane} seed ${k.seed} path ${k.path}: ${k.detail.slice(0, 400)}`);
  }
  return lines.join("\n");
}
