/**
 * The crash test from the command line:
 *
 *   npm run chaos -- [--cycles 20] [--seed N]
 *
 * kills -9 the local runtime (workerd through Miniflare, state in a temporary directory) under 8
 * producers for N cycles, restarts it each time, then checks that every acknowledged record is
 * read back exactly once at its acknowledged offset. Prints the figures; exits 1 on a problem.
 *
 * @example
 * // npm run chaos -- --cycles 20 --seed 1
 */
import { parseArgs } from "node:util";
import { formatChaos, runChaos } from "./chaos-run.ts";

const { values } = parseArgs({ options: { cycles: { type: "string", default: "20" }, seed: { type: "string" } } });
const cycles = Number(values.cycles);
if (!Number.isInteger(cycles) || cycles < 1 || cycles > 1_000) throw new Error("--cycles is a whole number from 1 to 1,000");
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isInteger(seed)) throw new Error("--seed is a whole number");
console.log(`chaos: ${cycles} cycles, seed ${seed}`);
const report = await runChaos({ cycles, seed, log: console.log });
console.log(formatChaos(report));
process.exit(report.verdict.problems.length === 0 ? 0 : 1);
