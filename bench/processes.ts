/**
 * The peers' server processes (redis-server, nats-server, the Durable Streams server): each is
 * spawned in a process group of its own, its output kept for error messages, and stopped with
 * SIGTERM then SIGKILL. Every group started here is remembered, so `killAllPeers` (called on
 * SIGINT, on errors and on Node's exit) leaves nothing running.
 *
 * @example
 * const redis = spawnPeer("redis", "redis-server", [configPath], { cwd: dir });
 * await redis.stop();
 */
import { type ChildProcess, spawn } from "node:child_process";

/** How long a peer gets to exit on SIGTERM before it is killed, in ms. */
export const PEER_STOP_GRACE_MS = 5_000;
/** How much of a peer's output is kept for error messages, in characters. */
const PEER_OUTPUT_CHARS_KEPT = 16_384;

/** A running peer process. */
export interface PeerProcess {
  name: string;
  /** Its pid, which is also its process group's id. */
  pid: number;
  child: ChildProcess;
  /** The last PEER_OUTPUT_CHARS_KEPT characters it printed (stdout and stderr). */
  output(): string;
  /** Resolves when it has exited. */
  exited: Promise<void>;
  /** SIGTERM to its group, SIGKILL after PEER_STOP_GRACE_MS; safe to call twice. */
  stop(): Promise<void>;
}

const liveGroups = new Map<number, string>();

/** Sends `signal` to process group `pgid`, ignoring a group that is already gone. */
function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // gone already
  }
}

process.once("exit", () => {
  for (const pgid of liveGroups.keys()) signalGroup(pgid, "SIGKILL");
});

/**
 * Starts `command` in its own process group with stdin closed and its output captured.
 *
 * @example
 * const nats = spawnPeer("nats", "nats-server", ["-c", confPath], { cwd: dir });
 */
export function spawnPeer(name: string, command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): PeerProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} (${command}) did not start`);
  liveGroups.set(pid, name);
  let output = "";
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString("utf8")).slice(-PEER_OUTPUT_CHARS_KEPT);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let gone = false;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      gone = true;
      resolve();
    }),
  );
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (!gone) {
        signalGroup(pid, "SIGTERM");
        const timer = new Promise<void>((resolve) => setTimeout(resolve, PEER_STOP_GRACE_MS).unref());
        await Promise.race([exited, timer]);
      }
      // The leader may be gone while others of its group are not: the group gets SIGKILL anyway.
      signalGroup(pid, "SIGKILL");
      liveGroups.delete(pid);
    })());
  return { name, pid, child, output: () => output, exited, stop };
}

/**
 * SIGKILLs every peer group still running (for SIGINT and crashes); answers their names.
 *
 * @example
 * process.once("SIGINT", () => { killAllPeers(); process.exit(130); });
 */
export function killAllPeers(): string[] {
  const names = [...liveGroups.values()];
  for (const pgid of liveGroups.keys()) signalGroup(pgid, "SIGKILL");
  liveGroups.clear();
  return names;
}
