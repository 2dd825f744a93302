/**
 * Runs case files against a transport: a file's setup once, then each case (its setup, its
 * `unchanged` snapshots, its steps, the snapshots compared, its cleanup), and reports each case
 * passed, failed (with every mismatch) or skipped (a fixture the transport cannot arrange).
 * Both runners use it: test/worker/conformance.test.ts inside workerd, and cli.ts from Node.
 *
 * @example
 * const run = new FileRun("topics.json", file, transport);
 * await run.setup();
 * for (const c of file.cases) console.log(await run.runCase(c));
 */
import { withAuthNeed } from "./auth-fixtures.ts";
import { sameJson } from "./match.ts";
import { CaseContext, runStep, type SeenAnswer, StepFailure, sendRequest, unsupportedFixture } from "./steps.ts";
import type { Transport } from "./streams.ts";
import type { Vars } from "./template.ts";
import type { Case, CaseFile, RequestSpec, Step } from "./types.ts";

/** How long a case may take when it does not say. */
export const CASE_TIMEOUT_MS_DEFAULT = 30_000;

/** What happened to one case. */
export interface CaseResult {
  file: string;
  id: string;
  outcome: "pass" | "fail" | "skip";
  /** Why it failed or was skipped. */
  detail: string;
  ms: number;
  /** Error codes the case saw and expected. */
  codes: string[];
}

/**
 * A fresh value for `${run}`: 8 characters of [a-z0-9], so names made from it stay valid and
 * their lengths are known.
 *
 * @example
 * newRunId(); // "k3x9a0qe"
 */
export function newRunId(): string {
  let id = "";
  for (let i = 0; i < 8; i++) id += "abcdefghijklmnopqrstuvwxyz0123456789"[Math.floor(Math.random() * 36)];
  return id;
}

/**
 * The error codes a case expects (`"error": CODE` on an answer, `"code": CODE` in a frame), read
 * from its steps without running it.
 *
 * @example
 * expectedCodesOf({ id: "x", rules: [], steps: [{ http: "GET /v1/topics", expect: { error: "UNAUTHENTICATED" } }] }); // ["UNAUTHENTICATED"]
 */
export function expectedCodesOf(c: Case): string[] {
  const codes = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) walk(item);
    else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if ((key === "error" || key === "code") && typeof item === "string" && /^[A-Z_]+$/.test(item)) codes.add(item);
        else walk(item);
      }
    }
  };
  walk([c.setup, c.steps]);
  return [...codes];
}

/** What `unchanged` compares: the status and the body. */
function snapshotOf(seen: SeenAnswer): unknown {
  return { status: seen.status, body: seen.body ?? seen.text };
}

async function snapshot(context: CaseContext, requests: readonly RequestSpec[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const request of requests) out.push(snapshotOf(await sendRequest(context, request)));
  return out;
}

function compareSnapshots(before: unknown[], after: unknown[], requests: readonly RequestSpec[], what: string): void {
  requests.forEach((request, i) => {
    if (!sameJson(before[i], after[i])) {
      const shown = (value: unknown) => JSON.stringify(value).slice(0, 400);
      throw new StepFailure(
        `${what}: ${JSON.stringify(request.http).slice(0, 200)} changed\n  before: ${shown(before[i])}\n  after:  ${shown(after[i])}`,
      );
    }
  });
}

async function runSteps(context: CaseContext, steps: readonly Step[] | undefined, label: string): Promise<void> {
  for (const [i, step] of (steps ?? []).entries()) {
    const kind = Object.keys(step)[0] ?? "step";
    const name = (step as unknown as Record<string, unknown>)[kind];
    await runStep(context, step, `${label}[${i}] ${kind} ${typeof name === "string" ? name : ""}`.trim());
  }
}

/** A fixture among `steps` the transport cannot arrange, or null. */
function missingFixture(steps: readonly Step[], transport: Transport): string | null {
  for (const step of steps) {
    const missing = unsupportedFixture(step, transport);
    if (missing !== null) return missing;
  }
  return null;
}

/** Rejects after `ms` (the timer cleared when `work` settles first). */
async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepFailure(`${what} took more than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** One file's run: its variables and snapshots, shared by its cases. */
export class FileRun {
  readonly name: string;
  readonly file: CaseFile;
  private readonly transport: Transport;
  private vars: Vars;
  private before: unknown[] = [];
  private setupError: string | null = null;

  constructor(name: string, file: CaseFile, transport: Transport, run = newRunId()) {
    this.name = name;
    this.file = file;
    this.transport = transport;
    this.vars = { run };
  }

  /** Runs the file's setup and takes its `unchanged` snapshots; a failure fails every case. */
  async setup(): Promise<void> {
    const lacking = withAuthNeed(this.file.needs ?? []).find((need) => !this.transport.supports.has(need));
    if (lacking !== undefined) {
      this.setupError = `skip: the file needs "${lacking}", which this server or transport is not`;
      return;
    }
    const missing = missingFixture(this.file.setup ?? [], this.transport);
    if (missing !== null) {
      this.setupError = `skip: the file's setup needs fixture "${missing}"`;
      return;
    }
    const context = new CaseContext(this.transport, this.vars);
    try {
      await withTimeout(runSteps(context, this.file.setup, "file setup"), CASE_TIMEOUT_MS_DEFAULT, "the file's setup");
      this.before = await snapshot(context, this.file.unchanged ?? []);
    } catch (error) {
      this.setupError = `the file's setup failed: ${(error as Error).message}`;
    } finally {
      await context.close();
    }
    this.vars = context.vars;
  }

  /** Runs one case; never throws. */
  async runCase(c: Case): Promise<CaseResult> {
    const started = Date.now();
    const result = (outcome: CaseResult["outcome"], detail: string, codes: Iterable<string> = []): CaseResult => ({
      file: this.name,
      id: c.id,
      outcome,
      detail,
      ms: Date.now() - started,
      codes: [...codes],
    });
    if (this.setupError !== null) return result(this.setupError.startsWith("skip") ? "skip" : "fail", this.setupError);
    const missing = missingFixture([...(c.setup ?? []), ...c.steps, ...(c.cleanup ?? [])], this.transport);
    if (missing !== null) return result("skip", `needs fixture "${missing}", which this runner cannot arrange`);
    const lacking = withAuthNeed([...(this.file.needs ?? []), ...(c.needs ?? [])]).find((need) => !this.transport.supports.has(need));
    if (lacking !== undefined) return result("skip", `needs "${lacking}", which this transport cannot do`);
    const context = new CaseContext(this.transport, { ...this.vars });
    let failure: string | null = null;
    try {
      await withTimeout(this.body(context, c), c.timeoutMs ?? CASE_TIMEOUT_MS_DEFAULT, `case ${c.id}`);
    } catch (error) {
      failure = (error as Error).message;
    }
    try {
      await runSteps(context, c.cleanup, "cleanup");
    } catch (error) {
      failure ??= `cleanup: ${(error as Error).message}`;
    }
    await context.close();
    return failure === null ? result("pass", "", context.codes) : result("fail", failure, context.codes);
  }

  private async body(context: CaseContext, c: Case): Promise<void> {
    await runSteps(context, c.setup, "setup");
    const ownBefore = await snapshot(context, c.unchanged ?? []);
    await runSteps(context, c.steps, "steps");
    compareSnapshots(ownBefore, await snapshot(context, c.unchanged ?? []), c.unchanged ?? [], "unchanged");
    const fileRequests = this.file.unchanged ?? [];
    compareSnapshots(this.before, await snapshot(context, fileRequests), fileRequests, "the file's unchanged");
  }
}

/** Every step of a file, its cases' and their repeats' included. */
function allSteps(file: CaseFile): Step[] {
  const out: Step[] = [];
  const walk = (steps: readonly Step[] | undefined) => {
    for (const step of steps ?? []) {
      out.push(step);
      if ("repeat" in step) walk(step.steps);
    }
  };
  walk(file.setup);
  for (const c of file.cases) for (const steps of [c.setup, c.steps, c.cleanup]) walk(steps);
  return out;
}

/** What checkFiles holds the files to, when given: the rules that exist, and each code's status. */
export interface FileChecks {
  rules?: ReadonlySet<string>;
  statuses?: Readonly<Record<string, number>>;
}

/**
 * Problems in a set of case files that are the files' fault: duplicate case ids, cases citing no
 * rule or a rule `checks.rules` lacks, an expected error whose status is not its code's.
 *
 * @example
 * checkFiles({ "a.json": file }, { rules: new Set(["TOPIC-1"]) }); // [] when all is well
 */
export function checkFiles(files: Record<string, CaseFile>, checks: FileChecks = {}): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const known = checks.rules;
  for (const [name, file] of Object.entries(files)) {
    for (const step of allSteps(file)) {
      const expect = "expect" in step ? step.expect : undefined;
      if (expect?.error === undefined || checks.statuses === undefined) continue;
      const status = checks.statuses[expect.error];
      if (status === undefined) problems.push(`${name}: an expected error names an unknown code ${expect.error}`);
      else if (expect.status !== status) problems.push(`${name}: ${expect.error} is answered ${status}, not ${expect.status}`);
    }
    for (const c of file.cases) {
      if (seen.has(c.id)) problems.push(`${name}: case id "${c.id}" is used twice`);
      seen.add(c.id);
      if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(c.id)) problems.push(`${name}: case id "${c.id}" is not lower-case words joined by '-'`);
      if (c.rules.length === 0) problems.push(`${name}: case "${c.id}" cites no rule`);
      for (const rule of c.rules)
        if (known !== undefined && !known.has(rule))
          problems.push(`${name}: case "${c.id}" cites ${rule}, which PROTOCOL.md does not define`);
    }
  }
  return problems;
}

/**
 * The rules PROTOCOL.md defines (`- **ID**` at the start of a list item), each with whether the
 * conformance cases must cite it (not marked *[client]* or *[untested]*).
 *
 * @example
 * definedRules("- **PING-1** A client SHOULD ...").get("PING-1"); // true
 */
export function definedRules(protocol: string): Map<string, boolean> {
  const rules = new Map<string, boolean>();
  const lines = protocol.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const match = /^- \*\*([A-Z]+-[0-9]+)\*\*/.exec(lines[i]!);
    if (match === null) continue;
    if (rules.has(match[1]!)) throw new Error(`PROTOCOL.md defines ${match[1]} twice`);
    // The item runs on over its indented lines (and the blank lines between them).
    let item = lines[i]!;
    for (let j = i + 1; j < lines.length && (lines[j] === "" || /^\s/.test(lines[j]!)); j++) item += `\n${lines[j]}`;
    rules.set(match[1]!, !/[*_]\[(client|untested)\][*_]/.test(item));
  }
  return rules;
}
