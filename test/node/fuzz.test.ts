/**
 * The fuzzer in npm test (issue 10, decision E14): 10,000 seeded cases across HTTP bodies, query
 * strings, headers and partition and group socket frames, half with authentication off and half
 * with it required (tokens minted with the secret this file starts workerd with). Every answer
 * must be a 4xx with a stable code from client/protocol/errors.ts, never a 5xx, and the witness
 * topic (records, group offsets, an idempotent producer's retry) byte-identical afterwards
 * (test/fuzz/). Bigger runs: `npm run fuzz -- --runs N --seed S`.
 *
 * The seeds are fixed so a failure replays; EDGELOG_FUZZ_SEED runs another one.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/fuzz.test.ts
 */
import { afterAll, describe, expect, it } from "vitest";
import { type AuthMode, fuzzAuth } from "../fuzz/auth-mode.ts";
import { type FuzzReport, formatReport, runFuzz } from "../fuzz/fuzz-run.ts";
import { closeConnections } from "../fuzz/fuzz-wire.ts";
import { bundleWorker, makeTempDir, removeDir, startMiniflare } from "./runtime.ts";

/** Cases per mode: 10,000 in all. */
const RUNS_PER_MODE = 5_000;
const SEED = Number(process.env.EDGELOG_FUZZ_SEED ?? 20_261_202);

afterAll(() => closeConnections());

/** One mode's run in a workerd of its own (persisted to a temporary directory). */
async function fuzzIn(mode: AuthMode, seed: number): Promise<FuzzReport> {
  const auth = fuzzAuth(mode);
  const dir = await makeTempDir(`edgelog-fuzz-${mode}-`);
  const runtime = await startMiniflare({ scriptPath: await bundleWorker(dir), persistDir: `${dir}/do`, vars: auth.bindings });
  try {
    // Lanes in turn: npm test runs other projects beside this one on the same 2 cores.
    const report = await runFuzz({ baseUrl: runtime.url, auth, runs: RUNS_PER_MODE, seed, lanesInTurn: true });
    console.log(formatReport(report, mode));
    return report;
  } finally {
    await runtime.stop();
    await removeDir(dir);
  }
}

/** How often the server answered `outcome` on a lane. */
const seen = (report: FuzzReport, lane: keyof FuzzReport["outcomes"], outcome: string) => report.outcomes[lane][outcome] ?? 0;

describe("fuzzing", () => {
  it("auth off: 5,000 cases, only stable 4xx refusals, the witness unchanged", { timeout: 300_000 }, async () => {
    const report = await fuzzIn("off", SEED);
    expect(report.failures).toEqual([]);
    expect(report.cases.http + report.cases.partition + report.cases.group).toBe(RUNS_PER_MODE);
    // The cases reach deep code, not only the first check: produces are acknowledged over both
    // wires, members join, and refusals are many kinds.
    expect(seen(report, "http", "200")).toBeGreaterThan(50);
    expect(seen(report, "partition", "ack")).toBeGreaterThan(20);
    expect(seen(report, "group", "joined")).toBeGreaterThan(20);
    expect(Object.keys(report.outcomes.http).length).toBeGreaterThan(20);
    expect(seen(report, "http", "401 UNAUTHENTICATED")).toBe(0);
  });

  it("auth required: 5,000 cases with good and bad tokens, only stable 4xx refusals, the witness unchanged", {
    timeout: 300_000,
  }, async () => {
    const report = await fuzzIn("required", SEED + 1);
    expect(report.failures).toEqual([]);
    expect(seen(report, "http", "200")).toBeGreaterThan(50);
    expect(seen(report, "http", "401 UNAUTHENTICATED")).toBeGreaterThan(50);
    expect(seen(report, "http", "403 FORBIDDEN")).toBeGreaterThan(10);
    expect(seen(report, "partition", "ack")).toBeGreaterThan(20);
    expect(seen(report, "partition", "error UNAUTHENTICATED") + seen(report, "group", "error UNAUTHENTICATED")).toBeGreaterThan(0);
  });
});
