/**
 * `npm run bench`: the full bench (or `-- --profile smoke`, `-- --systems redis,nats`, or
 * `-- --scenarios 6` for the browser cache alone: no server, no peer), printing
 * the table and writing bench/results/. It exits 1 if any measurement got no figure (every run
 * failed), so a broken peer or scenario is never silent; runs that failed and were replaced are
 * warned about and footnoted. 130 on SIGINT, after stopping everything it started.
 *
 * The npm script bundles this file with esbuild to .tmp/bench/cli.mjs (two levels below the
 * repository root, as this file is, so test/node/runtime.ts's ROOT resolves the same) and runs it
 * with node: the repository has no TypeScript runner, and Node 20 cannot run .ts itself.
 *
 * @example
 * // npm run bench -- --profile smoke --systems edgelog-miniflare,redis
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../test/node/runtime.ts";
import { ALL_SYSTEMS, runBench, stopEverything } from "./main.ts";
import type { BenchProfile } from "./profiles.ts";
import type { SystemId } from "./systems/types.ts";

function parseArgs(argv: readonly string[]): { profile: BenchProfile["name"]; systems: SystemId[]; onlyBrowserCache: boolean } {
  let profile: BenchProfile["name"] = "full";
  let systems: SystemId[] = [...ALL_SYSTEMS];
  let onlyBrowserCache = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === "--profile" && (value === "full" || value === "smoke")) {
      profile = value;
      i++;
    } else if (arg === "--systems" && value !== undefined) {
      const wanted = value.split(",");
      const unknown = wanted.filter((s) => !ALL_SYSTEMS.includes(s as SystemId));
      if (unknown.length > 0) throw new Error(`unknown systems: ${unknown.join(", ")} (known: ${ALL_SYSTEMS.join(", ")})`);
      systems = wanted as SystemId[];
      i++;
    } else if (arg === "--scenarios" && (value === "all" || value === "6")) {
      onlyBrowserCache = value === "6";
      i++;
    } else {
      throw new Error(`unknown argument ${arg}; use --profile full|smoke, --systems ${ALL_SYSTEMS.join(",")} and --scenarios all|6`);
    }
  }
  if (onlyBrowserCache) systems = [];
  return { profile, systems, onlyBrowserCache };
}

async function main(): Promise<number> {
  if (!existsSync(join(ROOT, "wrangler.toml"))) throw new Error(`ROOT (${ROOT}) is not the repository root: run through npm run bench`);
  const { profile, systems, onlyBrowserCache } = parseArgs(process.argv.slice(2));
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping everything the bench started...`);
      void stopEverything().finally(() => process.exit(130));
    });
  }
  const log = (line: string): void => console.log(line);
  const { result } = await runBench({
    profile,
    systems,
    writeLatest: profile === "full" && !onlyBrowserCache && systems.length === ALL_SYSTEMS.length,
    requirePeers: true,
    // A narrowed run (--systems) skips scenario 6 with a message where Chromium is missing.
    requireChromium: systems.length === ALL_SYSTEMS.length,
    log,
  });
  const retried = result.measurements.filter((m) => m.failedRuns !== undefined && m.error === undefined);
  for (const m of retried)
    console.error(`warning: ${m.system} ${m.scenario} ${m.variant}: ${m.failedRuns!.length} run(s) failed and were replaced`);
  const failed = result.measurements.filter((m) => m.error !== undefined);
  if (failed.length > 0) {
    console.error(`${failed.length} measurement(s) failed: ${failed.map((m) => `${m.system} ${m.scenario} ${m.variant}`).join("; ")}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    await stopEverything();
    process.exit(1);
  },
);
