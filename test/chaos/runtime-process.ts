/**
 * The runtime the chaos test kills: serve.ts (Miniflare's workerd) in a detached Node process, its
 * own process group, on one port and one state directory for its whole life, so a restart serves
 * the same URL from the same SQLite files. `kill()` is `kill -9` of the group (Node and workerd);
 * `start()` brings it back.
 *
 * @example
 * const runtime = await killableRuntime({ dir, port });
 * await runtime.start();
 * await runtime.kill(); // SIGKILL, waits until no process of the group runs
 * await runtime.start(); // the same url, the same state
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { build } from "esbuild";
import { bundleWorker, freePort, ROOT, waitFor } from "../node/runtime.ts";
import { groupAlive } from "../node/wrangler-runtime.ts";

/** How long a start may take (Miniflare answers in 1-2 s here; a loaded machine is slower). */
const START_MS_MAX = 60_000;
/** How long the group may take to be gone after SIGKILL. */
const DEATH_MS_MAX = 10_000;
const OUTPUT_BYTES_KEPT = 16 * 1024;

/**
 * A runtime that can be killed and started again.
 *
 * @example
 * const { url, starts } = runtime;
 */
export interface KillableRuntime {
  url: string;
  /** Starts the process and waits for its `ready` line; rejects (with its output) past START_MS_MAX. */
  start(): Promise<void>;
  /** `kill -9` of the process group, then waits until none of it runs. */
  kill(): Promise<void>;
  /** Starts so far. */
  readonly starts: number;
}

/** Bundles serve.ts next to the project's node_modules (its packages stay external). */
async function bundleServe(): Promise<string> {
  const outfile = join(ROOT, ".tmp", "chaos", `serve-${process.pid}.mjs`);
  await build({
    entryPoints: [join(ROOT, "test", "chaos", "serve.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "silent",
  });
  return outfile;
}

/** Spawns serve.mjs and resolves once it prints `ready`. */
function spawnServe(serve: string, args: string[], keep: (text: string) => void): Promise<ChildProcess> {
  const child = spawn(process.execPath, [serve, ...args], { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      reject(new Error(`the runtime did not print ready within ${START_MS_MAX} ms`));
    }, START_MS_MAX);
    child.stdout?.on("data", (chunk: Buffer) => {
      keep(chunk.toString("utf8"));
      if (chunk.toString("utf8").includes("ready ")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => keep(chunk.toString("utf8")));
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the runtime exited before it was ready (${code ?? signal})`));
    });
  });
}

/**
 * A killable runtime on `port` (a free one by default), its state under `dir`.
 *
 * @example
 * const runtime = await killableRuntime({ dir: await makeTempDir("edgelog-chaos-") });
 */
export async function killableRuntime(options: { dir: string; port?: number }): Promise<KillableRuntime & { output(): string }> {
  const script = await bundleWorker(join(options.dir, "bundle"));
  const serve = await bundleServe();
  const port = options.port ?? (await freePort());
  const args = ["--script", script, "--persist", join(options.dir, "state"), "--port", String(port)];
  let output = "";
  const keep = (text: string) => {
    output = (output + text).slice(-OUTPUT_BYTES_KEPT);
  };
  let child: ChildProcess | null = null;
  let starts = 0;
  const kill = async (): Promise<void> => {
    const pgid = child?.pid;
    child = null;
    if (pgid === undefined) return;
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // gone already
    }
    await waitFor("the runtime's process group to die", () => (groupAlive(pgid) ? undefined : true), DEATH_MS_MAX, 20);
  };
  process.once("exit", () => {
    if (child?.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  });
  return {
    url: `http://127.0.0.1:${port}`,
    get starts() {
      return starts;
    },
    output: () => output,
    start: async () => {
      if (child !== null) throw new Error("the runtime is running already");
      starts++;
      try {
        child = await spawnServe(serve, args, keep);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n--- runtime output ---\n${output}`);
      }
    },
    kill,
  };
}
