/**
 * Runs the conformance cases against any server from Node, one case after another:
 *
 *   npm run conformance -- --url http://127.0.0.1:8787 [--filter flow-] [--file sse] [--verbose]
 *                           [--declared-length]  (no proxy in front that waits for whole bodies)
 *
 * Prints a line per case (ok, FAIL with every mismatch, skip with why) and a summary, and exits 1
 * when a case failed. Cases that need a fixture (state only the server's own test harness can
 * arrange) are skipped.
 *
 * @example
 * // npm start  (in another terminal), then:
 * // npm run conformance -- --url http://127.0.0.1:8787
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { nodeTransport } from "./node-transport.ts";
import { errorTable } from "./protocol-doc.ts";
import { type CaseResult, checkFiles, definedRules, type FileChecks, FileRun } from "./runner.ts";
import type { CaseFile } from "./types.ts";

/** What the command line asked for. */
interface Options {
  url: string;
  cases: string;
  protocol: string;
  filter: string | undefined;
  file: string | undefined;
  verbose: boolean;
  declaredLength: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      url: { type: "string", default: "http://127.0.0.1:8787" },
      cases: { type: "string", default: join("test", "conformance", "cases") },
      protocol: { type: "string", default: join("client", "protocol", "PROTOCOL.md") },
      filter: { type: "string" },
      file: { type: "string" },
      verbose: { type: "boolean", default: false },
      "declared-length": { type: "boolean", default: false },
    },
  });
  return {
    url: values.url!,
    cases: values.cases!,
    protocol: values.protocol!,
    filter: values.filter,
    file: values.file,
    verbose: values.verbose ?? false,
    declaredLength: values["declared-length"] ?? false,
  };
}

/** Every case file in `dir`, by file name. */
function loadFiles(dir: string): Record<string, CaseFile> {
  const files: Record<string, CaseFile> = {};
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith(".json"))
    .sort()) {
    files[name] = JSON.parse(readFileSync(join(dir, name), "utf8")) as CaseFile;
  }
  return files;
}

/** What PROTOCOL.md defines (its rule ids, its codes' statuses), when it is there to read. */
function documentChecks(path: string): FileChecks {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return {};
  }
  return { rules: new Set(definedRules(text).keys()), statuses: Object.fromEntries(errorTable(text)) };
}

function report(result: CaseResult, verbose: boolean): void {
  const label = result.outcome === "pass" ? "ok  " : result.outcome === "fail" ? "FAIL" : "skip";
  console.log(`${label} ${result.file} ${result.id} (${result.ms} ms)`);
  if (result.outcome === "fail" || (verbose && result.detail !== "")) console.log(`     ${result.detail.replaceAll("\n", "\n     ")}`);
}

async function main(): Promise<number> {
  const opts = options();
  const files = loadFiles(opts.cases);
  const problems = checkFiles(files, documentChecks(opts.protocol));
  if (problems.length > 0) {
    console.error(`the case files have problems:\n  ${problems.join("\n  ")}`);
    return 2;
  }
  const transport = nodeTransport(opts.url, { declaredLength: opts.declaredLength });
  const results: CaseResult[] = [];
  for (const [name, file] of Object.entries(files)) {
    if (opts.file !== undefined && !name.includes(opts.file)) continue;
    const cases = file.cases.filter((c) => opts.filter === undefined || c.id.includes(opts.filter));
    if (cases.length === 0) continue;
    const run = new FileRun(name, file, transport);
    await run.setup();
    for (const c of cases) {
      const result = await run.runCase(c);
      results.push(result);
      report(result, opts.verbose);
    }
  }
  const count = (outcome: CaseResult["outcome"]) => results.filter((r) => r.outcome === outcome).length;
  console.log(
    `\n${count("pass")} passed, ${count("fail")} failed, ${count("skip")} skipped of ${results.length} cases against ${opts.url}`,
  );
  return count("fail") > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
