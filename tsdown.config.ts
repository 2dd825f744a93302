/**
 * How the npm package is built (npm run build:package): each entry point below becomes
 * `dist/<name>.js` (ESM), `dist/<name>.d.ts` and `dist/<name>.js.map` (with the sources inside),
 * which package.json's `exports` map serves as `edgelog` (index) and `edgelog/<name>`.
 *
 * Two builds, by the runtime whose types the sources are checked against:
 * - "client": the browser client and what sits beside it (DOM types, client/tsconfig.json). Its
 *   entries share chunks, so `edgelog` and `edgelog/protocol` hold one copy of the wire contract.
 * - "cli": the command line (`bin` edgelog, Node 20; cli/tsconfig.json), no .d.ts; the client
 *   library is imported from `edgelog` (the package itself) rather than bundled again.
 * - "worker": code that runs in the Workers runtime (Workers types, the root tsconfig.json);
 *   `cloudflare:*` is left to the runtime, and the wire contract is imported from
 *   `edgelog/protocol` rather than bundled again (one EdgelogError class, one copy of the rules).
 * Dependencies and peer dependencies (idb, hono, jose, react) are never bundled: tsdown leaves
 * whatever package.json names as an import.
 *
 * Adding an entry point is one line in ENTRIES and one `exports` entry in package.json, e.g.
 * `{ name: "react", source: "client/react/index.ts", build: "client" }` with
 * `"./react": { "types": "./dist/react.d.ts", "default": "./dist/react.js" }` ("default", not "import", so
 * `require()` on Node >= 20.19 finds it too).
 *
 * @example
 * // npm run build:package   (tools/build-package.mjs: tsdown's API, without its CLI's Node 20 notice)
 * // npx tsdown              (the same build through the CLI)
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type UserConfig } from "tsdown";

type BuildName = "client" | "worker" | "cli";

/** One entry point of the package: `dist/<name>.js` from `source`. */
interface PackageEntry {
  name: string;
  source: string;
  build: BuildName;
}

/** The package's entry points (package.json `exports` serves each). */
export const ENTRIES: readonly PackageEntry[] = [
  { name: "index", source: "client/index.ts", build: "client" },
  { name: "protocol", source: "client/protocol/index.ts", build: "client" },
  { name: "react", source: "client/react/index.ts", build: "client" },
  { name: "worker", source: "worker/edgelog.ts", build: "worker" },
  { name: "cli", source: "cli/main.ts", build: "cli" },
];

const PROTOCOL_SOURCE = fileURLToPath(new URL("client/protocol/index.ts", import.meta.url));
const CLIENT_SOURCE = fileURLToPath(new URL("client/index.ts", import.meta.url));

/** In the worker build, the wire contract is the published `edgelog/protocol`, not a second copy. */
const protocolFromPackage = {
  name: "edgelog-protocol-from-package",
  resolveId(source: string, importer: string | undefined) {
    if (importer === undefined || !source.startsWith(".")) return null;
    const path = resolve(importer, "..", source).replace(/\.d\.ts$/, ".ts");
    return path === PROTOCOL_SOURCE ? { id: "edgelog/protocol", external: true } : null;
  },
};

/** In the CLI build, the client library and its wire contract are the published `edgelog` and `edgelog/protocol`. */
const clientFromPackage = {
  name: "edgelog-client-from-package",
  resolveId(source: string, importer: string | undefined) {
    if (importer === undefined || !source.startsWith(".")) return null;
    const path = resolve(importer, "..", source).replace(/\.d\.ts$/, ".ts");
    if (path === CLIENT_SOURCE) return { id: "edgelog", external: true };
    return path === PROTOCOL_SOURCE ? { id: "edgelog/protocol", external: true } : null;
  },
};

const BUILDS: Record<BuildName, Partial<UserConfig>> = {
  client: { tsconfig: "client/tsconfig.json" },
  cli: { tsconfig: "cli/tsconfig.json", platform: "node", target: "node20", dts: false, plugins: [clientFromPackage] },
  worker: { tsconfig: "tsconfig.json", deps: { neverBundle: [/^cloudflare:/] }, plugins: [protocolFromPackage] },
};

function buildConfig(build: BuildName, entries: readonly PackageEntry[]): UserConfig {
  const tsconfig = BUILDS[build].tsconfig as string;
  return {
    name: build,
    entry: Object.fromEntries(entries.map((entry) => [entry.name, entry.source])),
    format: "esm",
    platform: "neutral",
    target: "es2022",
    outDir: "dist",
    // tsdown empties dist/ once before all the builds run (they share it).
    clean: true,
    sourcemap: true,
    dts: { tsconfig },
    logLevel: "warn",
    // Quiet: the dts plugin's share of the build time is expected, not worth a warning each run.
    checks: { pluginTimings: false },
    ...BUILDS[build],
  };
}

export default defineConfig(
  (["client", "worker", "cli"] as const)
    .map((build) => ({ build, entries: ENTRIES.filter((entry) => entry.build === build) }))
    .filter(({ entries }) => entries.length > 0)
    .map(({ build, entries }) => buildConfig(build, entries)),
);
