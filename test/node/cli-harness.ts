/**
 * Runs `edgelog`, the command line, as a user does: cli/main.ts bundled into one file (esbuild, the
 * client library inside, its npm dependencies resolved from the checkout's node_modules) and
 * spawned with `node`, stdin written and closed, stdout and stderr read, with a deadline. On a
 * pseudo-terminal too (util-linux `script`), to see what a person at a terminal sees on stderr.
 *
 * @example
 * const cli = await buildCli();
 * const { status, stdout } = await runCli(cli, ["topics", "list"], { url });
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { ROOT } from "./local-env.ts";

/** The longest one CLI run may take in a test. */
export const CLI_RUN_MS_MAX = 60_000;

/** Output kept per stream (a 100k-record replay prints a few MB). */
const CLI_OUTPUT_CHARS_MAX = 64 * 1024 * 1024;

/**
 * What a run printed and how it ended.
 *
 * @example
 * const { status, stdout, stderr }: CliResult = await runCli(cli, ["--help"], { url });
 */
export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Bundles the CLI into .tmp/cli-test/edgelog.mjs (inside the checkout, so `ws`, `commander` and
 * `cli-progress` resolve from its node_modules); answers the file.
 *
 * @example
 * const cli = await buildCli();
 */
export async function buildCli(): Promise<string> {
  const dir = join(ROOT, ".tmp", "cli-test");
  await mkdir(dir, { recursive: true });
  const outfile = join(dir, `edgelog-${process.pid}.mjs`);
  await build({
    entryPoints: [join(ROOT, "cli", "main.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "warning",
    outfile,
  });
  return outfile;
}

/**
 * Runs the CLI with `args`, EDGELOG_URL set to `url`, `stdin` written then closed.
 *
 * @example
 * await runCli(cli, ["produce", "orders"], { url, stdin: "1\n2\n" });
 */
export function runCli(
  cli: string,
  args: readonly string[],
  options: { url: string; stdin?: string; env?: Record<string, string> },
): Promise<CliResult> {
  return startCli(cli, args, options).done;
}

/**
 * Starts the CLI and answers its process (to signal it) and the promise of its result.
 *
 * @example
 * const follower = startCli(cli, ["consume", "orders", "-g", "billing"], { url });
 * follower.child.kill("SIGINT");
 * const { status } = await follower.done;
 */
export function startCli(
  cli: string,
  args: readonly string[],
  options: { url: string; stdin?: string; env?: Record<string, string> },
): { child: ChildProcess; done: Promise<CliResult>; stdout: () => string } {
  const env = { ...process.env, EDGELOG_URL: options.url, ...options.env };
  const child = spawn(process.execPath, [cli, ...args], { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
  const sink = { stdout: "" };
  return { child, done: collect(child, options.stdin ?? "", sink), stdout: () => sink.stdout };
}

/**
 * Runs `shellCommand` (a shell line running the CLI, e.g. with stdout redirected to a file)
 * under `script`, so its stdin, stdout and stderr are a pseudo-terminal; answers what the
 * terminal showed as `stdout`.
 *
 * @example
 * const { stdout: screen } = await runCliOnTty(`node ${cli} consume t -e > /tmp/out`, { url });
 */
export function runCliOnTty(shellCommand: string, options: { url: string }): Promise<CliResult> {
  const env = { ...process.env, EDGELOG_URL: options.url, COLUMNS: "120", LINES: "40", TERM: "xterm" };
  return collect(
    spawn("script", ["-q", "-e", "-f", "-c", shellCommand, "/dev/null"], { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] }),
    "",
  );
}

function collect(child: ChildProcess, stdin: string, sink: { stdout: string } = { stdout: "" }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the CLI ran past ${CLI_RUN_MS_MAX} ms; stderr: ${stderr.slice(-2000)}`));
    }, CLI_RUN_MS_MAX);
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      if (sink.stdout.length < CLI_OUTPUT_CHARS_MAX) sink.stdout += chunk;
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      if (stderr.length < CLI_OUTPUT_CHARS_MAX) stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout: sink.stdout, stderr });
    });
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(stdin);
  });
}
