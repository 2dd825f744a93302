/**
 * `npm start`: wrangler dev on workerd with local persistence and authentication in dev mode
 * (`--var EDGELOG_AUTH:dev`, PROTOCOL.md AUTH-13), after taking the state directory's lock
 * (start-lock.ts) so a second start in the same checkout is refused with a clear message instead
 * of failing later with SQLITE_BUSY. `PORT` (default 8787) and `EDGELOG_STATE_DIR` (default
 * `.wrangler/state`) choose the port and the state. Ctrl-C stops wrangler; the lock goes with it.
 * wrangler dev reads `wrangler.dev.toml`: wrangler.toml plus a local R2 bucket as ARCHIVE (dev-config.ts).
 *
 * @example
 * // PORT=8788 EDGELOG_STATE_DIR=.wrangler/state-2 npm start
 * // npm start -- --var EDGELOG_AUTH:required   (arguments after -- go to wrangler dev)
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeDevConfig } from "./dev-config.ts";
import { QUIET_ENV } from "./quiet-env.ts";
import { takeStartLock } from "./start-lock.ts";

const ROOT = process.cwd();
const PORT_DEFAULT = 8787;
const port = Number(process.env.PORT ?? PORT_DEFAULT);
if (!Number.isInteger(port) || port < 1 || port > 65_535) {
  process.stderr.write(`npm start: PORT must be a port number from 1 to 65535, not ${process.env.PORT}\n`);
  process.exit(2);
}
const stateDir = resolve(ROOT, process.env.EDGELOG_STATE_DIR ?? ".wrangler/state");

let lock: { release(): void };
try {
  lock = takeStartLock({ stateDir, pid: process.pid, port });
} catch (error) {
  process.stderr.write(`npm start: ${(error as Error).message}\n`);
  process.exit(1);
}

// What follows `npm start --` goes to wrangler last, so `npm start -- --var EDGELOG_AUTH:required` wins.
// wrangler.toml plus a local R2 bucket as ARCHIVE, for archive connectors (tools/dev-config.ts).
const devConfig = writeDevConfig(ROOT, readFileSync(join(ROOT, "wrangler.toml"), "utf8"));
const args = [
  "dev",
  "--config",
  devConfig,
  "--local",
  "--ip",
  "127.0.0.1",
  "--port",
  String(port),
  "--persist-to",
  stateDir,
  "--var",
  "EDGELOG_AUTH:dev",
  ...process.argv.slice(2),
];
const child = spawn(join(ROOT, "node_modules", ".bin", "wrangler"), args, {
  stdio: "inherit",
  env: {
    ...process.env,
    ...QUIET_ENV,
    WRANGLER_LOG_PATH: join(ROOT, ".wrangler", "logs"),
    WRANGLER_REGISTRY_PATH: join(ROOT, ".wrangler", "registry"),
  },
});
// Ctrl-C reaches wrangler too (one process group); this process waits for it to finish.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => {
  lock.release();
  process.exit(code ?? (signal === null ? 1 : 128 + 2));
});
child.on("error", (error) => {
  lock.release();
  process.stderr.write(`npm start: wrangler did not start: ${error.message}\n`);
  process.exit(1);
});
