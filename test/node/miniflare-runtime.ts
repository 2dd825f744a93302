/**
 * edgelog on the Miniflare API from Node: the worker bundled with esbuild and started with
 * SQLite-backed Durable Objects on 127.0.0.1, persisted where the test says.
 *
 * @example
 * const runtime = await startMiniflare({ scriptPath: await bundleWorker(dir), persistDir: `${dir}/do` });
 * await fetch(`${runtime.url}/v1/topics`);
 * await runtime.stop();
 */
import { dirname, join } from "node:path";
import { type BuildOptions, build } from "esbuild";
import { Miniflare } from "miniflare";
import { compatibilityDate, compatibilityFlags, makeTempDir, ROOT, removeDir } from "./local-env.ts";
import { withTimeout } from "./waits.ts";

/**
 * Bundles worker/index.ts with esbuild into `outDir/index.mjs` (ESM, the workerd conditions,
 * `cloudflare:*` left to the runtime) and returns that file's path, for `startMiniflare`.
 *
 * @example
 * const scriptPath = await bundleWorker(await makeTempDir("edgelog-bundle-"));
 */
export async function bundleWorker(outDir: string): Promise<string> {
  const outfile = join(outDir, "index.mjs");
  await build({ ...WORKER_BUILD, entryPoints: [join(ROOT, "worker", "index.ts")], outfile });
  return outfile;
}

/**
 * How a Worker is bundled for workerd: ESM, the workerd conditions, `cloudflare:*` left to the
 * runtime, an inline source map.
 *
 * @example
 * await build({ ...WORKER_BUILD, entryPoints: ["test/compose/user-worker.ts"], outfile });
 */
export const WORKER_BUILD = {
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  conditions: ["workerd", "worker", "browser"],
  external: ["cloudflare:*"],
  sourcemap: "inline",
  logLevel: "silent",
} as const satisfies BuildOptions;

/**
 * edgelog's Durable Object bindings as wrangler.toml declares them, SQLite-backed, for Miniflare.
 *
 * @example
 * new Miniflare({ modules: true, scriptPath, durableObjects: EDGELOG_DURABLE_OBJECTS });
 */
export const EDGELOG_DURABLE_OBJECTS = {
  PARTITION: { className: "Partition", useSQLite: true },
  REGISTRY: { className: "Registry", useSQLite: true },
  GROUP: { className: "Group", useSQLite: true },
  STREAM: { className: "Stream", useSQLite: true },
  PROCESSOR: { className: "Processor", useSQLite: true },
  CONNECTOR: { className: "Connector", useSQLite: true },
  SOURCE: { className: "Source", useSQLite: true },
} as const;

/**
 * Waits for a Miniflare to be ready (disposing of it when it cannot start) and gives its URL and
 * a stop that is safe to call twice.
 *
 * @example
 * const { url, stop } = await readyMiniflare(new Miniflare(options), "Miniflare to start");
 */
export async function readyMiniflare(miniflare: Miniflare, what: string): Promise<{ url: URL; stop: () => Promise<void> }> {
  let url: URL;
  try {
    url = await withTimeout(miniflare.ready, 30_000, what);
  } catch (error) {
    await miniflare.dispose().catch(() => undefined);
    throw error;
  }
  let stopped: Promise<void> | null = null;
  return { url, stop: () => (stopped ??= withTimeout(miniflare.dispose(), 30_000, "Miniflare to stop")) };
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
  /**
   * The worker's vars and secrets. Authentication is chosen explicitly: EDGELOG_AUTH is "off"
   * unless these say otherwise (`{}` with `auth: "unset"` runs a deployment with no setting).
   */
  vars?: Record<string, string>;
  /** "unset" leaves EDGELOG_AUTH out entirely (a production config: required, failing closed without a key). */
  auth?: "off" | "unset";
  /** R2 buckets to bind, in memory (wrangler.toml binds none: an archive connector's ARCHIVE is the deployment's choice). */
  r2Buckets?: string[];
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
    durableObjects: EDGELOG_DURABLE_OBJECTS,
    durableObjectsPersist: options.persistDir,
    bindings: { ...(options.auth === "unset" ? {} : { EDGELOG_AUTH: "off" }), ...options.vars },
    ...(options.r2Buckets === undefined ? {} : { r2Buckets: options.r2Buckets }),
    host: "127.0.0.1",
    port: options.port ?? 0,
    cf: false,
  });
  const { url, stop } = await readyMiniflare(miniflare, "Miniflare to start");
  return { miniflare, url: url.origin, stop };
}

/**
 * A runtime of its own for one test file: a temporary directory, the bundle and Miniflare in it;
 * `stop` ends the runtime and removes the directory.
 *
 * @example
 * let scratch: LocalRuntime | null = null;
 * beforeAll(async () => { scratch = await startScratchMiniflare("edgelog-demo-"); });
 * afterAll(() => scratch?.stop());
 */
export async function startScratchMiniflare(prefix: string): Promise<LocalRuntime> {
  const dir = await makeTempDir(prefix);
  try {
    const runtime = await startMiniflare({ scriptPath: await bundleWorker(join(dir, "bundle")), persistDir: join(dir, "state") });
    return {
      url: runtime.url,
      stop: async () => {
        await runtime.stop();
        await removeDir(dir);
      },
    };
  } catch (error) {
    await removeDir(dir);
    throw error;
  }
}
