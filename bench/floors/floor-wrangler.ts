/**
 * Floors (a) and (b) under `wrangler dev`, as the bench runs edgelog there (edgelog-wrangler):
 * the same wrangler and workerd, `--local` on 127.0.0.1, state `--persist-to` a directory under
 * the same temp dir, quiet and offline. The floors' wrangler.toml is written into the system's
 * work dir at start (the repository's compatibility date and flags, SQLite-backed classes in
 * `new_sqlite_classes`), so it cannot drift from edgelog's. Stopped with SIGTERM to its process
 * group (workerd included), SIGKILL after PEER_STOP_GRACE_MS.
 *
 * @example
 * const floor = await startFloorsWrangler(workDir);
 * const log = await floor.openLog("serial-0");
 * await floor.stop();
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { compatibilityDate, compatibilityFlags, freePort, QUIET_ENV, ROOT, waitFor } from "../../test/node/runtime.ts";
import { spawnPeer } from "../processes.ts";
import type { BenchSystem } from "../systems/types.ts";
import { FLOOR_DURABLE_OBJECTS, floorSystem } from "./floor-system.ts";

/** How long wrangler dev may take to answer (it bundles the floors first), in ms. */
const FLOOR_WRANGLER_READY_TIMEOUT_MS = 90_000;

/** The floors' wrangler.toml: their two classes, SQLite-backed, with edgelog's date and flags. */
async function floorsConfig(): Promise<string> {
  const bindings = Object.entries(FLOOR_DURABLE_OBJECTS).flatMap(([name, { className }]) => [
    "[[durable_objects.bindings]]",
    `name = "${name}"`,
    `class_name = "${className}"`,
  ]);
  const classes = Object.values(FLOOR_DURABLE_OBJECTS).map(({ className }) => className);
  return [
    'name = "edgelog-bench-floors"',
    `main = ${JSON.stringify(join(ROOT, "bench", "floors", "worker", "floors.ts"))}`,
    `compatibility_date = "${await compatibilityDate()}"`,
    `compatibility_flags = ${JSON.stringify(await compatibilityFlags())}`,
    ...bindings,
    "[[migrations]]",
    'tag = "v1"',
    `new_sqlite_classes = ${JSON.stringify(classes)}`,
    "",
  ].join("\n");
}

/**
 * Starts the floors under wrangler dev with state under `workDir`, on 127.0.0.1 and a free port.
 *
 * @example
 * const floor = await startFloorsWrangler(await makeTempDir("bench-floor-wd-"));
 */
export async function startFloorsWrangler(workDir: string): Promise<BenchSystem> {
  const configPath = join(workDir, "wrangler.toml");
  await writeFile(configPath, await floorsConfig());
  const side = join(workDir, "side");
  await mkdir(side, { recursive: true });
  const port = await freePort();
  const inspectorPort = await freePort();
  const args = ["dev", "--config", configPath, "--local", "--ip", "127.0.0.1", "--port", String(port)];
  args.push("--inspector-ip", "127.0.0.1", "--inspector-port", String(inspectorPort));
  args.push("--persist-to", join(workDir, "state"), "--show-interactive-dev-session=false");
  const env = {
    ...process.env,
    ...QUIET_ENV,
    WRANGLER_LOG_PATH: join(side, "logs"),
    WRANGLER_REGISTRY_PATH: join(side, "registry"),
    CI: "true",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
  };
  const server = spawnPeer("floor-wrangler", join(ROOT, "node_modules", ".bin", "wrangler"), args, { cwd: workDir, env });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    // The floors' Worker answers 404 NOT_FOUND off its two routes: it is up.
    await waitFor(
      "the floors under wrangler dev to answer",
      async () => ((await fetch(`${baseUrl}/`)).status === 404 ? true : undefined),
      FLOOR_WRANGLER_READY_TIMEOUT_MS,
      200,
    );
  } catch (error) {
    await server.stop();
    throw new Error(`${(error as Error).message}\n--- wrangler output ---\n${server.output().slice(-2_000)}`);
  }
  return floorSystem({
    id: "floor-wrangler",
    label: "floor objects (wrangler dev)",
    runtime: "wrangler dev --local (workerd behind wrangler's proxy), as edgelog-wrangler",
    baseUrl,
    pids: [server.pid],
    stop: () => server.stop(),
  });
}
