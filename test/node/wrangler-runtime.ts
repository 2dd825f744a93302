/**
 * edgelog under `wrangler dev`, as `npm start` runs it: a process group started on 127.0.0.1,
 * tracked so a test's `afterAll` (and, as a last resort, Node's `exit`) can end it, with the
 * tail of its output kept for failure messages.
 *
 * @example
 * const runtime = await startWrangler({ persistDir: join(dir, "state") });
 * await fetch(`${runtime.url}/v1/topics`);
 * await runtime.stop();
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { QUIET_ENV, ROOT } from "./local-env.ts";
import type { LocalRuntime } from "./miniflare-runtime.ts";
import { freePort, sleep, waitFor } from "./waits.ts";

/**
 * What `startWrangler` takes.
 *
 * @example
 * const options: WranglerStart = { persistDir: join(dir, "state"), readyTimeoutMs: 30_000 };
 */
export interface WranglerStart {
  /** `--persist-to`: where wrangler keeps local state (Durable Objects under v3/do). */
  persistDir: string;
  /** Port for the API; a free one when absent. */
  port?: number;
  /** How long to wait for the first answer (default 60 s: the first run bundles). */
  readyTimeoutMs?: number;
  /** Where wrangler writes its debug logs and dev registry (default: inside persistDir's parent). */
  sideDir?: string;
  /**
   * `--var NAME:value` for each (visible in the process list: test values only). Authentication
   * is chosen explicitly: EDGELOG_AUTH is "off" unless these name another mode.
   */
  vars?: Record<string, string>;
}

/**
 * How a process ended.
 *
 * @example
 * const exit: ProcessExit = await dev.stopGracefully();
 * expect(exit.graceful).toBe(true);
 */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when it ended on SIGINT alone; false when it had to be killed. */
  graceful: boolean;
}

/**
 * A running `wrangler dev`.
 *
 * @example
 * const dev: WranglerRuntime = await startWrangler({ persistDir });
 * console.log(dev.output()); // "... Ready on http://127.0.0.1:40123 ..."
 */
export interface WranglerRuntime extends LocalRuntime {
  /** The wrangler process (its own process group, which workerd joins). */
  process: ChildProcess;
  /** Everything it printed so far (stdout and stderr, the last 64 KB). */
  output(): string;
  /**
   * Sends SIGINT (as Ctrl-C does) and waits for wrangler to exit and its whole process group
   * (workerd included) to be gone; kills the group with SIGKILL if that takes over `timeoutMs`.
   */
  stopGracefully(timeoutMs?: number): Promise<ProcessExit>;
}

const OUTPUT_BYTES_KEPT = 64 * 1024;

/** Process groups started here and not yet seen gone: killed on Node's exit as a last resort. */
const liveGroups = new Set<number>();
process.once("exit", () => {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/**
 * True while any process of group `pgid` is still running. Zombies (dead, waiting for a parent,
 * possibly PID 1, to reap them) do not count; on Linux /proc tells them apart.
 *
 * @example
 * process.kill(-pgid, "SIGKILL");
 * await waitFor("the group to die", () => (groupAlive(pgid) ? undefined : true), 10_000, 50);
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  if (!existsSync("/proc/self/stat")) return true;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") return true;
  }
  return false;
}

/**
 * Builds the example app's static assets (wrangler.toml's [assets] directory) when they are
 * missing: `wrangler dev` refuses to start without them. A test run builds them once up front
 * (test/global-setup.ts); this covers other callers of `startWrangler` (the bench) on a fresh clone.
 *
 * @example
 * ensureAssets(); // then wrangler dev can start
 */
export function ensureAssets(): void {
  if (existsSync(join(ROOT, "assets", "examples", "feed", "app.js")) && existsSync(join(ROOT, "assets", "console", "console.js"))) return;
  execFileSync("npm", ["run", "--silent", "build:examples"], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"], timeout: 120_000 });
}

/**
 * Spawns `wrangler dev` as `npm start` runs it (local workerd, 127.0.0.1, quiet and offline) on a
 * free port with `--persist-to persistDir`, and waits until the API answers.
 *
 * @example
 * const dev = await startWrangler({ persistDir: join(dir, "state") });
 * await edgelogApi(dev.url).createTopic("demo", 2);
 * const exit = await dev.stopGracefully(); // exit.graceful === true
 */
export async function startWrangler(options: WranglerStart): Promise<WranglerRuntime> {
  ensureAssets();
  const port = options.port ?? (await freePort());
  const inspectorPort = await freePort();
  const persistDir = resolve(ROOT, options.persistDir);
  const sideDir = resolve(ROOT, options.sideDir ?? join(persistDir, "..", "wrangler-side"));
  const args = [
    "dev",
    "--local",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-ip",
    "127.0.0.1",
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    persistDir,
    "--show-interactive-dev-session=false",
    ...Object.entries({ EDGELOG_AUTH: "off", ...options.vars }).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
  ];
  const child = spawn(join(ROOT, "node_modules", ".bin", "wrangler"), args, {
    cwd: ROOT,
    env: {
      ...process.env,
      ...QUIET_ENV,
      WRANGLER_LOG_PATH: join(sideDir, "logs"),
      WRANGLER_REGISTRY_PATH: join(sideDir, "registry"),
      CI: "true",
      NO_COLOR: "1",
      FORCE_COLOR: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const pgid = child.pid;
  if (pgid === undefined) throw new Error("wrangler did not start");
  liveGroups.add(pgid);

  let output = "";
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString("utf8")).slice(-OUTPUT_BYTES_KEPT);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));

  const killGroup = async (): Promise<void> => {
    if (!groupAlive(pgid)) return;
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
    await waitFor("wrangler's process group to die after SIGKILL", () => (groupAlive(pgid) ? undefined : true), 10_000, 50);
  };

  let stopping: Promise<ProcessExit> | null = null;
  const stopGracefully = (timeoutMs = 20_000): Promise<ProcessExit> =>
    (stopping ??= (async () => {
      if (!exitedEarly) child.kill("SIGINT");
      const deadline = Date.now() + timeoutMs;
      const ended = await Promise.race([exited, sleep(timeoutMs, false).then(() => null)]);
      let graceful = ended !== null;
      if (graceful) {
        const left = Math.max(deadline - Date.now(), 1_000);
        graceful = await waitFor("wrangler's children to exit", () => (groupAlive(pgid) ? undefined : true), left, 50).then(
          () => true,
          () => false,
        );
      }
      await killGroup();
      liveGroups.delete(pgid);
      const exit = ended ?? (await Promise.race([exited, sleep(5_000, false).then(() => ({ code: null, signal: null }))]));
      return { ...exit, graceful };
    })());

  const url = `http://127.0.0.1:${port}`;
  try {
    const outcome = await waitFor(
      `wrangler dev to answer on ${url}`,
      async () => {
        if (exitedEarly) return "exited";
        // The worker answers: a list, or (with auth on) its own refusal with an error body.
        const res = await fetch(`${url}/v1/topics`, { signal: AbortSignal.timeout(5_000) });
        const text = await res.text();
        return res.ok || ([401, 503].includes(res.status) && text.startsWith('{"error"')) ? "ready" : undefined;
      },
      options.readyTimeoutMs ?? 60_000,
      200,
    );
    if (outcome === "exited") throw new Error("wrangler exited before it was ready");
  } catch (error) {
    await stopGracefully(5_000);
    throw new Error(`${(error as Error).message}\n--- wrangler output ---\n${output}`);
  }
  return {
    url,
    process: child,
    output: () => output,
    stopGracefully,
    stop: async () => {
      await stopGracefully();
    },
  };
}
