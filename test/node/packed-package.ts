/**
 * The npm package as an app developer gets it: built by the package's own build script
 * (tools/build-package.mjs, tsdown) into a staging directory (never the checkout's dist/, so test
 * files may pack at the same time) beside package.json and whatever else its `files` names,
 * packed there with `npm pack`, and installed into fresh app directories with `npm install`, beside the packages
 * an app adds (their versions the checkout's own, so npm's cache answers). One pack per test
 * file; every directory made is removed by `disposePackedPackages` (or `usePackedApp`'s hook).
 *
 * @example
 * const app = usePackedApp({ extraDependencies: ["ws"] });
 * it("imports", async () => {
 *   await app().write("main.mjs", 'import { createClient } from "edgelog";');
 *   await app().run("node", ["main.mjs"]);
 * });
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { makeTempDir, ROOT, removeDir } from "./local-env.ts";

/** The longest any one step (build, pack, install, a user's command) may take. */
export const PACKAGE_STEP_MS_MAX = 120_000;

/** Output of a command, kept for assertions and error messages (bounded by execFile's maxBuffer). */
const OUTPUT_BYTES_MAX = 16 * 1024 * 1024;

/**
 * What a finished command printed.
 *
 * @example
 * const { stdout } = await runCommand("npm", ["--version"], { cwd: ROOT });
 */
export interface CommandResult {
  stdout: string;
  stderr: string;
}

/**
 * How `runCommand` runs one command.
 *
 * @example
 * const options: CommandOptions = { cwd: app.dir, env: { EDGELOG_URL: url }, timeoutMs: 30_000 };
 */
export interface CommandOptions {
  cwd: string;
  /** Added to the environment (npm's own `npm_*` variables of an outer `npm test` are dropped). */
  env?: Record<string, string>;
  /** Killed after this (default and ceiling PACKAGE_STEP_MS_MAX). */
  timeoutMs?: number;
}

/**
 * Runs a command without a shell, bounded in time; rejects with its exit code and output.
 *
 * @example
 * await runCommand("npm", ["pack", "--json"], { cwd: stage, timeoutMs: 60_000 });
 */
export function runCommand(command: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
  const timeout = Math.min(options.timeoutMs ?? PACKAGE_STEP_MS_MAX, PACKAGE_STEP_MS_MAX);
  // An outer `npm test` passes its config down as npm_* variables; a user's shell has none.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  const env = { ...inherited, NPM_CONFIG_UPDATE_NOTIFIER: "false", NPM_CONFIG_AUDIT: "false", NPM_CONFIG_FUND: "false", ...options.env };
  return new Promise((resolve, reject) => {
    execFile(
      command,
      [...args],
      { cwd: options.cwd, env, timeout, maxBuffer: OUTPUT_BYTES_MAX, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ stdout, stderr });
        const how = error.killed ? `was killed after ${timeout} ms` : `failed (exit ${String(error.code)})`;
        reject(new Error(`${command} ${args.join(" ")} ${how} in ${options.cwd}\n${stdout}\n${stderr}`.trim()));
      },
    );
  });
}

/**
 * The packed tarball and what `npm pack` listed in it.
 *
 * @example
 * const { tarball, files } = await packPackage(); // files: ["LICENSE", "README.md", "dist/index.js", ...]
 */
export interface PackedPackage {
  tarball: string;
  files: string[];
}

/** Directories this module made (a pack's, every app's), removed by disposePackedPackages. */
const madeDirs: string[] = [];
let packing: Promise<PackedPackage> | null = null;

/**
 * Builds and packs the package once per test file (later calls answer the same tarball).
 *
 * @example
 * const { tarball } = await packPackage();
 */
export function packPackage(): Promise<PackedPackage> {
  packing ??= packOnce();
  return packing;
}

async function packOnce(): Promise<PackedPackage> {
  const dir = await makeTempDir("edgelog-pack-");
  madeDirs.push(dir);
  const stage = join(dir, "stage");
  await runCommand("node", [join(ROOT, "tools", "build-package.mjs"), "--out-dir", join(stage, "dist")], { cwd: ROOT });
  // Beside the fresh dist/, whatever else package.json's `files` names, from the checkout.
  const { files = [] } = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { files?: string[] };
  for (const path of ["package.json", ...files.filter((path) => path !== "dist")]) {
    if (existsSync(join(ROOT, path))) await cp(join(ROOT, path), join(stage, path), { recursive: true });
  }
  const { stdout } = await runCommand("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir], { cwd: stage });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  if (packed === undefined) throw new Error(`npm pack listed no tarball: ${stdout}`);
  return { tarball: join(dir, packed.filename), files: packed.files.map((file) => file.path).sort() };
}

/**
 * What `installPackedPackage` adds beside edgelog.
 *
 * @example
 * const options: InstallOptions = { extraDependencies: ["ws", "vite@8.4.0"] };
 */
export interface InstallOptions {
  /** Package names (installed at the checkout's own version) or `name@version` specs. */
  extraDependencies?: readonly string[];
}

/**
 * A fresh app directory with the packed edgelog installed in node_modules.
 *
 * @example
 * const app = await installPackedPackage({ extraDependencies: ["ws"] });
 * await app.write("main.mjs", 'import "edgelog";');
 * await app.run("node", ["main.mjs"]);
 */
export interface InstalledApp {
  /** The app's directory (its package.json is `"type": "module"`). */
  dir: string;
  /** Writes a file of the app (parent folders made). */
  write(path: string, text: string): Promise<void>;
  /** Runs a command in the app's directory (bounded like every step). */
  run(command: string, args: readonly string[], options?: Omit<CommandOptions, "cwd">): Promise<CommandResult>;
}

/** The version of a package the checkout has installed, so the app's install hits npm's cache. */
async function checkoutSpec(dependency: string): Promise<string> {
  if (/^@?[^@]+@./.test(dependency)) return dependency;
  const manifest = JSON.parse(await readFile(join(ROOT, "node_modules", dependency, "package.json"), "utf8")) as { version: string };
  return `${dependency}@${manifest.version}`;
}

/**
 * Packs the package (once) and installs the tarball into a new app directory, as a user would:
 * `npm install --prefer-offline --no-audit --no-fund <tarball> <extra dependencies>`.
 *
 * @example
 * const app = await installPackedPackage({ extraDependencies: ["react", "react-dom", "vite"] });
 */
export async function installPackedPackage(options: InstallOptions = {}): Promise<InstalledApp> {
  const { tarball } = await packPackage();
  const dir = await makeTempDir("edgelog-app-");
  madeDirs.push(dir);
  await writeFile(join(dir, "package.json"), `${JSON.stringify({ name: "edgelog-app", private: true, type: "module" }, null, 2)}\n`);
  const extras = await Promise.all((options.extraDependencies ?? []).map(checkoutSpec));
  await runCommand("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", tarball, ...extras], { cwd: dir });
  return {
    dir,
    write: async (path, text) => {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    },
    run: (command, args, runOptions = {}) => runCommand(command, args, { ...runOptions, cwd: dir }),
  };
}

/**
 * Removes the pack's and every app's directory made so far.
 *
 * @example
 * afterAll(disposePackedPackages);
 */
export async function disposePackedPackages(): Promise<void> {
  for (const dir of madeDirs.splice(0)) await removeDir(dir);
  packing = null;
}

/**
 * Registers the hooks of a test file that uses one installed app: installed before its tests,
 * removed (with the pack) after them. Answers the app (inside tests only).
 *
 * @example
 * const app = usePackedApp({ extraDependencies: ["ws"] });
 * it("runs", async () => expect((await app().run("node", ["-e", "import('edgelog')"])).stderr).toBe(""));
 */
export function usePackedApp(options: InstallOptions = {}): () => InstalledApp {
  let app: InstalledApp | null = null;
  beforeAll(async () => {
    app = await installPackedPackage(options);
  }, 2 * PACKAGE_STEP_MS_MAX);
  afterAll(async () => {
    await disposePackedPackages();
  });
  return () => {
    if (app === null) throw new Error("the packed app is installed in beforeAll (use it inside a test)");
    return app;
  };
}
