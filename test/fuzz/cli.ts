/**
 * The fuzzer from the command line, against edgelog in workerd (the Miniflare API on a bundle of
 * the worker, persisted to a temporary directory), or against a running server with --url:
 *
 *   npm run fuzz -- [--runs 100000] [--seed N] [--auth off|required]
 *                   [--lane http|partition|group --path P]   (replay one case: a report prints these)
 *                   [--url http://127.0.0.1:8787]            (a running server; auth off only)
 *
 * Prints the seed first and a report at the end (cases, time, failures with fast-check's
 * counterexample, known findings with their replays); exits 1 when a case failed. Without --seed
 * the seed is random (printed, so the run can be replayed).
 *
 * @example
 * // npm run fuzz -- --runs 100000 --seed 20261201
 */
import { parseArgs } from "node:util";
import { bundleWorker, makeTempDir, removeDir, startMiniflare } from "../node/runtime.ts";
import { type AuthMode, fuzzAuth } from "./auth-mode.ts";
import { formatReport, LANES, type LaneName, runFuzz } from "./fuzz-run.ts";
import { closeConnections } from "./fuzz-wire.ts";

/** What the command line asked for. */
function options() {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "10000" },
      seed: { type: "string" },
      auth: { type: "string", default: "off" },
      lane: { type: "string" },
      path: { type: "string" },
      url: { type: "string" },
    },
  });
  const mode = values.auth as AuthMode;
  if (mode !== "off" && mode !== "required") throw new Error(`--auth is off or required, not ${values.auth}`);
  if (values.lane !== undefined && !LANES.includes(values.lane as LaneName)) throw new Error(`--lane is one of ${LANES.join(", ")}`);
  if (values.url !== undefined && mode !== "off")
    throw new Error("--url runs with --auth off only (the harness holds the secret it starts workerd with)");
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 10_000_000) throw new Error("--runs is a whole number from 1 to 10,000,000");
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error("--seed is a whole number");
  const lanes = values.lane === undefined ? undefined : [values.lane as LaneName];
  return { runs, seed, mode, lanes, path: values.path, url: values.url };
}

async function main(): Promise<number> {
  const o = options();
  console.log(
    `fuzz: seed ${o.seed}, ${o.runs} cases, auth ${o.mode}${o.lanes ? `, lane ${o.lanes[0]}` : ""}${o.path ? `, path ${o.path}` : ""}`,
  );
  const auth = fuzzAuth(o.mode);
  const dir = await makeTempDir("edgelog-fuzz-");
  const runtime =
    o.url === undefined
      ? await startMiniflare({ scriptPath: await bundleWorker(dir), persistDir: `${dir}/do`, vars: auth.bindings })
      : null;
  try {
    const report = await runFuzz({
      baseUrl: o.url ?? runtime!.url,
      auth,
      runs: o.runs,
      seed: o.seed,
      ...(o.lanes ? { lanes: o.lanes } : {}),
      ...(o.path ? { path: o.path } : {}),
      log: console.log,
    });
    console.log(formatReport(report, o.mode));
    return report.failures.length === 0 ? 0 : 1;
  } finally {
    closeConnections();
    await runtime?.stop();
    await removeDir(dir);
  }
}

process.exit(await main());
