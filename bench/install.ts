/**
 * Finds the peers' server binaries (Debian's redis-server and nats-server) and, when the bench
 * may, installs the missing ones with apt-get (as root, or through `sudo -n`). The npm peers
 * (clients, the Durable Streams server) are pinned devDependencies and need nothing here.
 *
 * @example
 * const found = await ensurePeerBinaries({ install: true, log: console.log });
 * found.redis; // "/usr/bin/redis-server", or null when it is missing
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** An apt-get step may take this long before it is abandoned, in ms (update + install ~30 s here). */
export const APT_STEP_TIMEOUT_MS = 5 * 60_000;

/** The Debian binaries the bench needs, by peer. */
export const PEER_BINARIES = { redis: "redis-server", nats: "nats-server" } as const;

/** Where each binary is, or null when missing. */
export type PeerBinaries = Record<keyof typeof PEER_BINARIES, string | null>;

/**
 * The first executable called `name` on PATH (plus /usr/sbin and /sbin, where Debian puts
 * nats-server's link for root), or null.
 *
 * @example
 * which("redis-server"); // "/usr/bin/redis-server"
 */
export function which(name: string): string | null {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin", "/usr/bin"];
  for (const dir of dirs) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** Runs a command to the end (output passed to `log` line by line), failing on a non-zero exit or timeout. */
function run(command: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    const timer = setTimeout(() => child.kill("SIGKILL"), APT_STEP_TIMEOUT_MS);
    const forward = (chunk: Buffer): void => {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim() !== "") log(`  ${line}`);
    };
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(" ")} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

/**
 * Looks for redis-server and nats-server; with `install`, runs
 * `apt-get update && apt-get install -y redis-server nats-server` for the missing ones first.
 *
 * @example
 * const { redis, nats } = await ensurePeerBinaries({ install: false, log: () => undefined });
 */
export async function ensurePeerBinaries(options: { install: boolean; log: (line: string) => void }): Promise<PeerBinaries> {
  const find = (): PeerBinaries => ({ redis: which(PEER_BINARIES.redis), nats: which(PEER_BINARIES.nats) });
  const found = find();
  const missing = Object.entries(PEER_BINARIES)
    .filter(([peer]) => found[peer as keyof PeerBinaries] === null)
    .map(([, pkg]) => pkg);
  if (missing.length === 0 || !options.install) return found;
  const asRoot = process.getuid?.() === 0 ? [] : ["sudo", "-n"];
  const apt = (args: string[]): Promise<void> =>
    asRoot.length > 0 ? run(asRoot[0]!, [...asRoot.slice(1), "apt-get", ...args], options.log) : run("apt-get", args, options.log);
  options.log(`installing ${missing.join(", ")} with apt-get (missing here)`);
  await apt(["update", "-q"]);
  await apt(["install", "-y", "-q", ...missing]);
  return find();
}
