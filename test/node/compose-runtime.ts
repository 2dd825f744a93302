/**
 * edgelog composed into other Workers, under Miniflare from Node: the user's Worker
 * (test/compose/user-worker.ts, edgelog mounted at /events beside its own routes, with the
 * wrangler.toml of the README: the three Durable Object bindings, SQLite-backed, compatibility
 * date 2026-04-21 and `enable_request_signal`), and two Workers that call it over a service
 * binding to its EdgelogService entrypoint (test/compose/caller-worker.ts), one on that date and
 * one on an earlier date (before enhanced error serialization).
 *
 * The Workers import `edgelog/worker` and `edgelog/protocol` as an app does; `aliases` maps those
 * to files (the source, by default). The packed-tarball test copies test/compose/*.ts into the
 * directory where the package is installed and passes `aliases: {}` and `composeDir` (that
 * directory), so the same Workers resolve edgelog (and hono) from the installed package; inside
 * this repository a bare `edgelog/...` could resolve to the repository itself.
 *
 * @example
 * const composed = await startComposition({ dir });
 * await fetch(`${composed.url}/events/v1/topics`);
 * await composed.call("new", { method: "listTopics", args: [] });
 * await composed.stop();
 */
import { join } from "node:path";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { TEST_JWT_SECRET } from "../worker-auth/test-keys.ts";
import { ROOT } from "./local-env.ts";
import { EDGELOG_DURABLE_OBJECTS, readyMiniflare, WORKER_BUILD } from "./miniflare-runtime.ts";

/**
 * The package specifiers the Workers import, mapped to this repository's source.
 *
 * @example
 * await bundleComposed({ entry, outDir, aliases: SOURCE_ALIASES });
 */
export const SOURCE_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  "edgelog/worker": join(ROOT, "worker", "edgelog.ts"),
  "edgelog/protocol": join(ROOT, "client", "protocol", "index.ts"),
});

/**
 * The compatibility date of the README's wrangler.toml snippet (enhanced error serialization on).
 *
 * @example
 * compatibilityDate: SNIPPET_COMPATIBILITY_DATE
 */
export const SNIPPET_COMPATIBILITY_DATE = "2026-04-21";

/** A date before enhanced error serialization: an RPC caller sees only the error's message. */
const LEGACY_COMPATIBILITY_DATE = "2026-04-20";

/**
 * The browser origin the user's Worker allows (its own var, handed to edgelog's options).
 *
 * @example
 * new WebSocket(url, { origin: USER_ORIGIN });
 */
export const USER_ORIGIN = "https://app.example";

/**
 * What `startComposition` takes.
 *
 * @example
 * const options: CompositionOptions = { dir: await makeTempDir("edgelog-compose-") };
 */
export interface CompositionOptions {
  /** Where the bundles and the Durable Objects' state go. */
  dir: string;
  /** Specifier to file; SOURCE_ALIASES unless given. */
  aliases?: Readonly<Record<string, string>>;
  /** Where user-worker.ts and caller-worker.ts are (bare imports resolve from there); test/compose unless given. */
  composeDir?: string;
}

/**
 * One RPC call for a caller Worker to make (test/compose/caller-worker.ts types each method's
 * arguments; Node sees them as JSON).
 *
 * @example
 * const call: RpcCall = { method: "produce", args: ["orders", [{ value: 1 }]] };
 */
export interface RpcCall {
  method: "produce" | "read" | "createTopic" | "describeTopic" | "listTopics" | "groupOffsets";
  args: unknown[];
}

/**
 * The running composition.
 *
 * @example
 * const { url, call, stop } = await startComposition({ dir });
 */
export interface Composition {
  /** The user's Worker, e.g. "http://127.0.0.1:40123" (edgelog is at `${url}/events`). */
  url: string;
  /** One RPC call through a caller Worker: `new` on the snippet's date, `old` before it. */
  call(caller: "new" | "old", call: RpcCall): Promise<CallAnswer>;
  stop(): Promise<void>;
}

/**
 * What a caller Worker answers: the value, or what was thrown and what `rpcError` made of it.
 *
 * @example
 * const answer = await composed.call("old", { method: "describeTopic", args: ["nope"] });
 * if (!answer.ok) answer.rpcError?.code; // "UNKNOWN_TOPIC"
 */
export type CallAnswer =
  | { ok: true; value: unknown }
  | {
      ok: false;
      thrown: { name: string; message: string; code: string | null };
      rpcError: { code: string; message: string; isEdgelogError: boolean } | null;
    };

/**
 * Bundles one Worker of test/compose into `outDir` (ESM, workerd conditions, `cloudflare:*` left
 * to the runtime) and returns the bundle's path.
 *
 * @example
 * const scriptPath = await bundleComposed({ entry: "user-worker.ts", outDir, aliases: SOURCE_ALIASES });
 */
export async function bundleComposed(options: {
  entry: string;
  outDir: string;
  aliases: Readonly<Record<string, string>>;
  composeDir?: string;
}): Promise<string> {
  const outfile = join(options.outDir, options.entry.replace(/\.ts$/, ".mjs"));
  const composeDir = options.composeDir ?? join(ROOT, "test", "compose");
  await build({ ...WORKER_BUILD, entryPoints: [join(composeDir, options.entry)], outfile, alias: { ...options.aliases } });
  return outfile;
}

/**
 * Bundles the three Workers and starts them in one Miniflare on 127.0.0.1 (a free port).
 *
 * @example
 * const composed = await startComposition({ dir: await makeTempDir("edgelog-compose-") });
 */
export async function startComposition(options: CompositionOptions): Promise<Composition> {
  const aliases = options.aliases ?? SOURCE_ALIASES;
  const outDir = join(options.dir, "bundle");
  const bundle = (entry: string) =>
    bundleComposed({ entry, outDir, aliases, ...(options.composeDir ? { composeDir: options.composeDir } : {}) });
  const [userScript, callerScript] = await Promise.all([bundle("user-worker.ts"), bundle("caller-worker.ts")]);
  const caller = (name: string, compatibilityDate: string) => ({
    name,
    modules: true,
    scriptPath: callerScript,
    modulesRoot: outDir,
    compatibilityDate,
    serviceBindings: { EDGELOG: { name: "edgelog", entrypoint: "EdgelogService" } },
  });
  const miniflare = new Miniflare({
    workers: [
      {
        name: "edgelog",
        modules: true,
        scriptPath: userScript,
        modulesRoot: outDir,
        compatibilityDate: SNIPPET_COMPATIBILITY_DATE,
        compatibilityFlags: ["enable_request_signal"],
        durableObjects: EDGELOG_DURABLE_OBJECTS,
        // The env says auth is off and holds no EDGELOG_JWT_SECRET: the options say otherwise.
        bindings: { EDGELOG_AUTH: "off", APP_JWT_SECRET: TEST_JWT_SECRET, APP_ORIGIN: USER_ORIGIN },
      },
      caller("caller-new", SNIPPET_COMPATIBILITY_DATE),
      caller("caller-old", LEGACY_COMPATIBILITY_DATE),
    ],
    durableObjectsPersist: join(options.dir, "state"),
    host: "127.0.0.1",
    port: 0,
    cf: false,
  });
  const { url, stop } = await readyMiniflare(miniflare, "Miniflare to start the composition");
  return {
    url: url.origin,
    call: async (which, call) => {
      const worker = await miniflare.getWorker(which === "new" ? "caller-new" : "caller-old");
      const response = await worker.fetch("http://caller/", { method: "POST", body: JSON.stringify(call) });
      return (await response.json()) as CallAnswer;
    },
    stop,
  };
}
