/**
 * Runs the conformance cases against any server from Node, one case after another:
 *
 *   npm run conformance -- --url http://127.0.0.1:8787 [--filter flow-] [--file sse] [--verbose]
 *                           [--declared-length]  (no proxy in front that waits for whole bodies)
 *                           [--keep]             (keep the topics the cases created)
 *                           [--secret S]         (the server's EDGELOG_JWT_SECRET, default from the
 *                                                 environment: mints the auth cases' tokens)
 *                           [--allowed-origin O] (an origin the server's EDGELOG_ALLOWED_ORIGINS lists)
 *
 * Prints a line per case (ok, FAIL with every mismatch, skip with why) and a summary, and exits 1
 * when a case failed. Cases that need a fixture (state only the server's own test harness can
 * arrange) are skipped. The cases create topics whose names carry each file's `${run}` value; at
 * the end every topic of this run is deleted, so a run leaves the server as it found it (groups
 * keep no data once their topics are gone).
 *
 * @example
 * // npm start  (in another terminal), then:
 * // npm run conformance -- --url http://127.0.0.1:8787
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { authFixtures, authModeOf, mintTestToken } from "./auth-fixtures.ts";
import { nodeTransport } from "./node-transport.ts";
import { errorTable } from "./protocol-doc.ts";
import { type CaseResult, checkFiles, definedRules, type FileChecks, FileRun, newRunId } from "./runner.ts";
import type { Transport, WireAnswer } from "./streams.ts";
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
  keep: boolean;
  secret: string | null;
  allowedOrigin: string | null;
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
      keep: { type: "boolean", default: false },
      secret: { type: "string" },
      "allowed-origin": { type: "string" },
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
    keep: values.keep ?? false,
    secret: values.secret ?? process.env.EDGELOG_JWT_SECRET ?? null,
    allowedOrigin: values["allowed-origin"] ?? null,
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
  if (result.outcome !== "pass" || (verbose && result.detail !== "")) console.log(`     ${result.detail.replaceAll("\n", "\n     ")}`);
}

/** Reads a whole answer as text. */
async function answerText(answer: WireAnswer): Promise<string> {
  const chunks: Uint8Array[] = [];
  // Bounded: the topic list is at most TOPICS_MAX entries; a read returns null at the end.
  for (let chunk = await answer.read(); chunk !== null; chunk = await answer.read()) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** Deletes every topic whose name carries one of `runIds`; answers how many went. */
async function deleteRunTopics(transport: Transport, runIds: readonly string[], token: string | null): Promise<number> {
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  const request = (method: string, path: string) => transport.request({ method, path, headers, body: null });
  const listed = JSON.parse(await answerText(await request("GET", "/v1/topics"))) as { topics?: { name: string }[] };
  const ours = (listed.topics ?? []).map((t) => t.name).filter((name) => runIds.some((id) => name.includes(id)));
  let deleted = 0;
  for (const name of ours) {
    const answer = await request("DELETE", `/v1/topics/${encodeURIComponent(name)}`);
    await answer.cancel();
    if (answer.status === 204) deleted++;
    else console.log(`     could not delete topic ${name}: HTTP ${answer.status}`);
  }
  return deleted;
}

async function main(): Promise<number> {
  const opts = options();
  const files = loadFiles(opts.cases);
  const problems = checkFiles(files, documentChecks(opts.protocol));
  if (problems.length > 0) {
    console.error(`the case files have problems:\n  ${problems.join("\n  ")}`);
    return 2;
  }
  // The server's auth mode decides which files run; tokens need its secret.
  const probe = await nodeTransport(opts.url).request({ method: "GET", path: "/v1/topics", headers: {}, body: null });
  await probe.cancel();
  const mode = authModeOf(probe.status, probe.headers);
  const fixtures = authFixtures({ secret: opts.secret, allowedOrigin: opts.allowedOrigin });
  const transport = nodeTransport(opts.url, { declaredLength: opts.declaredLength, abilities: mode === null ? [] : [mode], fixtures });
  console.log(`server mode: ${mode ?? "unknown"}${opts.secret === null ? "" : " (tokens minted with --secret)"}`);
  const admin = opts.secret === null ? null : await mintTestToken(opts.secret, { sub: "conformance", scope: "admin:* group:*" });
  const results: CaseResult[] = [];
  const runIds: string[] = [];
  for (const [name, file] of Object.entries(files)) {
    if (opts.file !== undefined && !name.includes(opts.file)) continue;
    const cases = file.cases.filter((c) => opts.filter === undefined || c.id.includes(opts.filter));
    if (cases.length === 0) continue;
    const runId = newRunId();
    runIds.push(runId);
    const run = new FileRun(name, file, transport, runId);
    await run.setup();
    for (const c of cases) {
      const result = await run.runCase(c);
      results.push(result);
      report(result, opts.verbose);
    }
  }
  if (!opts.keep) console.log(`\n${await deleteRunTopics(transport, runIds, admin)} topics of this run deleted (--keep keeps them)`);
  const count = (outcome: CaseResult["outcome"]) => results.filter((r) => r.outcome === outcome).length;
  console.log(
    `\n${count("pass")} passed, ${count("fail")} failed, ${count("skip")} skipped of ${results.length} cases against ${opts.url}`,
  );
  if (results.some((r) => r.outcome === "skip" && r.detail.includes('"declared-length"'))) {
    console.log("(cases that need declared-length run with --declared-length, against a server no proxy fronts)");
  }
  return count("fail") > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
