/**
 * Runs the real `npm start` in the checkout on its own port and state directory, its output
 * collected, in a process group of its own (stop it with `process.kill(-pid, "SIGINT")`, as Ctrl-C).
 *
 * @example
 * const started = npmStart(await freePort(), join(dir, "state"));
 * const url = await servingUrl(started);
 */
import { type ChildProcess, spawn } from "node:child_process";
import { ROOT } from "./local-env.ts";
import { waitFor } from "./waits.ts";

/**
 * A running `npm start`.
 *
 * @example
 * const { child, exited, output } = npmStart(8799, "/tmp/state");
 */
export interface NpmStart {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

/**
 * Starts `npm start` (arguments after `--` go to wrangler dev).
 *
 * @example
 * const first = npmStart(await freePort(), stateDir, ["--", "--var", "EDGELOG_AUTH:required"]);
 */
export function npmStart(port: number, stateDir: string, args: string[] = []): NpmStart {
  const child = spawn("npm", ["start", ...args], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), EDGELOG_STATE_DIR: stateDir, CI: "true", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** How long a first `npm start` may take to serve (it builds the examples and starts workerd). */
const NPM_START_READY_MS_MAX = 90_000;

/**
 * The URL wrangler says it is ready on, once `/v1/topics` answers `status` there.
 *
 * @example
 * const url = await servingUrl(started, 200); // "http://127.0.0.1:40123"
 */
export function servingUrl(started: NpmStart, status: number): Promise<string> {
  return waitFor(
    "npm start to serve",
    async () => {
      const match = /Ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(started.output());
      if (match === null) return undefined;
      return (await fetch(`${match[1]}/v1/topics`)).status === status ? match[1] : undefined;
    },
    NPM_START_READY_MS_MAX,
  );
}
