/**
 * Helpers for black-box tests that run edgelog in the local runtime from Node: bundle the worker,
 * start it under the Miniflare API or under `wrangler dev` (as `npm start` does), find free
 * ports, wait with bounds, and talk to the HTTP API.
 *
 * Everything binds 127.0.0.1, every wait has a deadline, and every process started here is
 * tracked, so a test's `afterAll` (and, as a last resort, Node's `exit`) can end it.
 *
 * @example
 * const dir = await makeTempDir("edgelog-demo-");
 * const runtime = await startMiniflare({ scriptPath: await bundleWorker(dir), persistDir: `${dir}/do` });
 * const api = edgelogApi(runtime.url);
 * await api.createTopic("demo", 2);
 * await runtime.stop();
 * await removeDir(dir);
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import type { ErrorBody } from "../../client/errors.ts";
import type {
  CommitRequest,
  CommitResponse,
  FetchResponse,
  FetchedRecord,
  GroupOffsetsResponse,
  ProduceRequest,
  ProduceResponse,
  TopicDescription,
} from "../../client/wire.ts";

/**
 * The repository's root directory (absolute, no trailing slash).
 *
 * @example
 * join(ROOT, "wrangler.toml");
 */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");

/**
 * Environment that keeps wrangler and Miniflare quiet and offline: no telemetry, no error
 * reports, no update check, no fetch of `request.cf` data.
 *
 * @example
 * spawn("wrangler", ["dev"], { env: { ...process.env, ...QUIET_ENV } });
 */
export const QUIET_ENV: Readonly<Record<string, string>> = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

/**
 * The `compatibility_date` from wrangler.toml, so Miniflare runs the same runtime behaviour as
 * `wrangler dev` and the deployed worker.
 *
 * @example
 * new Miniflare({ compatibilityDate: await compatibilityDate(), ... });
 */
export async function compatibilityDate(): Promise<string> {
  const toml = await readFile(join(ROOT, "wrangler.toml"), "utf8");
  const match = /^compatibility_date\s*=\s*"(\d{4}-\d{2}-\d{2})"/m.exec(toml);
  if (!match?.[1]) throw new Error("wrangler.toml has no compatibility_date");
  return match[1];
}

/**
 * The `compatibility_flags` from wrangler.toml (same reason as compatibilityDate).
 *
 * @example
 * new Miniflare({ compatibilityFlags: await compatibilityFlags(), ... });
 */
export async function compatibilityFlags(): Promise<string[]> {
  const toml = await readFile(join(ROOT, "wrangler.toml"), "utf8");
  const match = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml);
  return [...(match?.[1] ?? "").matchAll(/"([a-z0-9_]+)"/g)].map((m) => m[1]!);
}

/**
 * Makes a fresh directory under the OS temp dir; remove it with `removeDir`.
 *
 * @example
 * const dir = await makeTempDir("edgelog-restart-"); // "/tmp/edgelog-restart-AbC123"
 */
export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/**
 * Removes a directory tree; a missing directory is fine.
 *
 * @example
 * afterAll(() => removeDir(dir));
 */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * A TCP port free on 127.0.0.1 right now (the OS picks it; another process could still take it
 * before it is used, which is unlikely within a test).
 *
 * @example
 * const port = await freePort(); // e.g. 40123
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === "object") resolve(address.port);
        else reject(new Error("no port from the OS"));
      });
    });
  });
}

/**
 * Waits until `check` returns a value other than undefined, polling every `intervalMs`, and fails
 * after `timeoutMs` naming `what` (and the last error `check` threw, if any).
 *
 * @example
 * await waitFor("the server to answer", async () => ((await fetch(url)).ok ? true : undefined), 10_000);
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() + intervalMs > deadline) {
      const cause = lastError instanceof Error ? `: ${lastError.message}` : "";
      throw new Error(`timed out after ${timeoutMs} ms (${attempt + 1} tries) waiting for ${what}${cause}`);
    }
    await sleep(intervalMs);
  }
}

/**
 * Resolves after `ms` milliseconds. With `keepAlive` false the timer does not hold the process
 * open (for a deadline raced against something else).
 *
 * @example
 * await sleep(50);
 * await Promise.race([exited, sleep(10_000, false)]);
 */
export function sleep(ms: number, keepAlive = true): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (!keepAlive) timer.unref();
  });
}

/**
 * Bundles worker/index.ts with esbuild into `outDir/index.mjs` (ESM, the workerd conditions,
 * `cloudflare:*` left to the runtime) and returns that file's path, for `startMiniflare`.
 *
 * @example
 * const scriptPath = await bundleWorker(await makeTempDir("edgelog-bundle-"));
 */
export async function bundleWorker(outDir: string): Promise<string> {
  const outfile = join(outDir, "index.mjs");
  await build({
    entryPoints: [join(ROOT, "worker", "index.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*"],
    sourcemap: "inline",
    logLevel: "silent",
  });
  return outfile;
}

/**
 * A running local runtime serving the edgelog API.
 *
 * @example
 * const runtime: LocalRuntime = await startMiniflare({ scriptPath, persistDir });
 * await fetch(`${runtime.url}/v1/topics`);
 * await runtime.stop();
 */
export interface LocalRuntime {
  /** Base URL without a trailing slash, e.g. "http://127.0.0.1:40123". */
  url: string;
  /** Stops it; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * What `startMiniflare` takes.
 *
 * @example
 * const options: MiniflareStart = { scriptPath: await bundleWorker(dir), persistDir: join(dir, "do") };
 */
export interface MiniflareStart {
  /** The bundle from `bundleWorker`. */
  scriptPath: string;
  /** Where Durable Object state is kept; start again on the same dir to see the same state. */
  persistDir: string;
  /** Port to listen on (0, the default, lets the OS pick). */
  port?: number;
}

/**
 * Starts the bundled worker in workerd through the Miniflare API, with the same Durable Object
 * bindings (SQLite-backed) and compatibility date as wrangler.toml, persisting to `persistDir`,
 * listening on 127.0.0.1.
 *
 * @example
 * const runtime = await startMiniflare({ scriptPath, persistDir: join(dir, "do") });
 * await fetch(`${runtime.url}/v1/topics`);
 * await runtime.stop();
 */
export async function startMiniflare(options: MiniflareStart): Promise<LocalRuntime & { miniflare: Miniflare }> {
  const miniflare = new Miniflare({
    modules: true,
    scriptPath: options.scriptPath,
    // Module names are paths relative to this; workerd refuses names that climb out with "..".
    modulesRoot: dirname(options.scriptPath),
    compatibilityDate: await compatibilityDate(),
    compatibilityFlags: await compatibilityFlags(),
    durableObjects: {
      PARTITION: { className: "Partition", useSQLite: true },
      REGISTRY: { className: "Registry", useSQLite: true },
      GROUP: { className: "Group", useSQLite: true },
    },
    durableObjectsPersist: options.persistDir,
    host: "127.0.0.1",
    port: options.port ?? 0,
    cf: false,
  });
  let url: URL;
  try {
    url = await withTimeout(miniflare.ready, 30_000, "Miniflare to start");
  } catch (error) {
    await miniflare.dispose().catch(() => undefined);
    throw error;
  }
  let stopped: Promise<void> | null = null;
  return {
    miniflare,
    url: url.origin,
    stop: () => (stopped ??= withTimeout(miniflare.dispose(), 30_000, "Miniflare to stop")),
  };
}

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
 */
function groupAlive(pgid: number): boolean {
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
  if (existsSync(join(ROOT, "assets"))) return;
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
    "--ip", "127.0.0.1",
    "--port", String(port),
    "--inspector-ip", "127.0.0.1",
    "--inspector-port", String(inspectorPort),
    "--persist-to", persistDir,
    "--show-interactive-dev-session=false",
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
        const res = await fetch(`${url}/v1/topics`, { signal: AbortSignal.timeout(5_000) });
        await res.arrayBuffer();
        return res.ok ? "ready" : undefined;
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

/**
 * Rejects if `promise` has not settled within `ms`, naming `what`.
 *
 * @example
 * await withTimeout(miniflare.ready, 30_000, "Miniflare to start");
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * An HTTP answer: its status and its parsed JSON body (null when empty).
 *
 * @example
 * const answer: JsonAnswer<ProduceResponse | ErrorBody> = await api.tryProduce("demo", body);
 * if (answer.status === 409) retryLater();
 */
export interface JsonAnswer<T> {
  status: number;
  body: T;
}

/**
 * Sends one request with a JSON body (when given) and parses the JSON answer; fails after
 * `timeoutMs` (default 15 s). Does not throw on error statuses: check `status`.
 *
 * @example
 * const { status, body } = await requestJson<TopicDescription>("PUT", `${url}/v1/topics/demo`, { partitions: 2 });
 */
export async function requestJson<T>(method: string, url: string, body?: unknown, timeoutMs = 15_000): Promise<JsonAnswer<T>> {
  const init: RequestInit = { method, signal: AbortSignal.timeout(timeoutMs) };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "content-type": "application/json" };
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let parsed: unknown = null;
  if (text.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`${method} ${url} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
  }
  return { status: res.status, body: parsed as T };
}

/** Either the answer's body or its error body. */
type Answer<T> = JsonAnswer<T | ErrorBody>;

/**
 * Like `requestJson`, but fails unless the status is one of `expect` (default 2xx), with the
 * error body in the message.
 *
 * @example
 * const produced = await expectJson<ProduceResponse>("POST", `${url}/v1/topics/demo/records`, body);
 */
export async function expectJson<T>(method: string, url: string, body?: unknown, expect?: number[]): Promise<T> {
  const answer = await requestJson<T | ErrorBody>(method, url, body);
  const ok = expect ? expect.includes(answer.status) : answer.status >= 200 && answer.status < 300;
  if (!ok) throw new Error(`${method} ${url} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body as T;
}

/**
 * A small typed client of the HTTP API, for tests (made by `edgelogApi`).
 *
 * @example
 * const api: EdgelogApi = edgelogApi(runtime.url);
 * const { offsets } = await api.produce("demo", { records: [{ value: 1 }] });
 */
export interface EdgelogApi {
  /** PUT /v1/topics/:topic; answers 201 (created) or 200 (exists with these settings). */
  createTopic(topic: string, partitions: number): Promise<TopicDescription>;
  /** GET /v1/topics/:topic. */
  describeTopic(topic: string): Promise<TopicDescription>;
  /** POST /v1/topics/:topic/records (or .../partitions/:p/records); fails on an error status. */
  produce(topic: string, request: ProduceRequest, partition?: number): Promise<ProduceResponse>;
  /** The same, but answers the status and body whatever they are. */
  tryProduce(topic: string, request: ProduceRequest, partition?: number): Promise<Answer<ProduceResponse>>;
  /** One read: GET .../partitions/:p/records?offset=&limit=. */
  fetch(topic: string, partition: number, offset: number, limit?: number): Promise<FetchResponse>;
  /** Reads a partition from `offset` (default 0) to its high watermark, page by page (bounded). */
  readAll(topic: string, partition: number, offset?: number): Promise<{ records: FetchedRecord[]; highWatermark: number }>;
  /** PUT /v1/groups/:group/offsets. */
  commit(group: string, request: CommitRequest): Promise<CommitResponse>;
  /** GET /v1/groups/:group/offsets?topic=. */
  groupOffsets(group: string, topic: string): Promise<GroupOffsetsResponse>;
}

/**
 * A typed client of the HTTP API at `baseUrl`, for tests.
 *
 * @example
 * const api = edgelogApi("http://127.0.0.1:8787");
 * await api.createTopic("demo", 2);
 * await api.produce("demo", { records: [{ key: "k", value: 1 }] });
 * const { records } = await api.readAll("demo", 0);
 */
export function edgelogApi(baseUrl: string): EdgelogApi {
  const topicUrl = (topic: string): string => `${baseUrl}/v1/topics/${encodeURIComponent(topic)}`;
  const recordsUrl = (topic: string, partition?: number): string =>
    partition === undefined ? `${topicUrl(topic)}/records` : `${topicUrl(topic)}/partitions/${partition}/records`;
  const api: EdgelogApi = {
    createTopic: (topic, partitions) => expectJson("PUT", topicUrl(topic), { partitions }, [200, 201]),
    describeTopic: (topic) => expectJson("GET", topicUrl(topic)),
    produce: (topic, request, partition) => expectJson("POST", recordsUrl(topic, partition), request),
    tryProduce: (topic, request, partition) => requestJson("POST", recordsUrl(topic, partition), request),
    fetch: (topic, partition, offset, limit = 1_000) =>
      expectJson("GET", `${recordsUrl(topic, partition)}?offset=${offset}&limit=${limit}`),
    readAll: async (topic, partition, offset = 0) => {
      const records: FetchedRecord[] = [];
      let next = offset;
      for (let page = 0; page < 10_000; page++) {
        const answer = await api.fetch(topic, partition, next);
        records.push(...answer.records);
        if (answer.nextOffset >= answer.highWatermark || answer.records.length === 0) {
          return { records, highWatermark: answer.highWatermark };
        }
        next = answer.nextOffset;
      }
      throw new Error(`readAll ${topic}/${partition}: more than 10,000 pages`);
    },
    commit: (group, request) => expectJson("PUT", `${baseUrl}/v1/groups/${encodeURIComponent(group)}/offsets`, request),
    groupOffsets: (group, topic) =>
      expectJson("GET", `${baseUrl}/v1/groups/${encodeURIComponent(group)}/offsets?topic=${encodeURIComponent(topic)}`),
  };
  return api;
}
