/**
 * The crash test in npm test, short (issue 10, decision E14): 3 cycles of `kill -9` of the local
 * runtime (workerd through Miniflare in a process of its own, state in a temporary directory)
 * under 8 producers (HTTP and socket, idempotent and not), each followed by a restart on the same
 * state; then every acknowledged record must be read back exactly once at its acknowledged offset
 * (test/chaos/). The long run: `npm run chaos -- --cycles 20`.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/chaos.test.ts
 */
import { describe, expect, it } from "vitest";
import { formatChaos, runChaos } from "../chaos/chaos-run.ts";

const CYCLES = 3;
const SEED = Number(process.env.EDGELOG_CHAOS_SEED ?? 20_261_202);

describe("the crash test", () => {
  it(`${CYCLES} kill -9 cycles under 8 producers: every acknowledged record read back once, at its offset`, {
    timeout: 300_000,
  }, async () => {
    const report = await runChaos({ cycles: CYCLES, seed: SEED });
    console.log(formatChaos(report));
    expect(report.verdict.problems).toEqual([]);
    // Every kind acknowledged records, in every cycle, and the log holds them all.
    for (const kind of ["http idempotent", "http", "socket idempotent", "socket"]) expect(report.acked[kind] ?? 0, kind).toBeGreaterThan(0);
    expect(report.ackedPerCycle.every((n) => n > 0)).toBe(true);
    const acked = Object.values(report.acked).reduce((a, b) => a + b, 0);
    expect(report.verdict.recordsRead).toBe(acked + report.verdict.lostStored);
  });
});
