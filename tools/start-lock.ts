/**
 * One `npm start` per state directory. Two wrangler dev processes on one `.wrangler/state` share
 * the objects' SQLite files and fail with SQLITE_BUSY (seen in `Group.alarm`), so a start takes a
 * lock file in the state directory, holding its process id, and a second start is refused while
 * that process lives. A lock left by a process that died (kill -9, a crash) is taken over.
 *
 * @example
 * const lock = takeStartLock({ stateDir: ".wrangler/state", pid: process.pid, port: 8787 });
 * // ... run wrangler dev ...
 * lock.release();
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

/** The lock's file name inside the state directory. */
export const START_LOCK_FILE = "npm-start.lock";

/** What a lock file holds. */
interface LockContent {
  pid: number;
  port: number;
  startedAt: string;
}

/**
 * Whether a process with this id is alive (signal 0 checks without sending anything; EPERM means
 * it exists under another user).
 *
 * @example
 * processAlive(process.pid); // true
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The lock's content, or null when the file is unreadable or not one of ours (then it is stale). */
function readLock(path: string): LockContent | null {
  try {
    const content = JSON.parse(readFileSync(path, "utf8")) as Partial<LockContent>;
    if (typeof content.pid !== "number" || typeof content.port !== "number") return null;
    return { pid: content.pid, port: content.port, startedAt: String(content.startedAt) };
  } catch {
    return null;
  }
}

/**
 * Takes the state directory's lock for process `pid`, or throws an Error whose message says which
 * start holds it and what to do. Creating the file exclusively (`wx`) makes two starts at the same
 * moment safe: one of them gets EEXIST.
 *
 * @example
 * takeStartLock({ stateDir: ".wrangler/state", pid: process.pid, port: 8787 }).release();
 */
export function takeStartLock(options: { stateDir: string; pid: number; port: number }): { release(): void } {
  const { stateDir, pid, port } = options;
  mkdirSync(stateDir, { recursive: true });
  const path = join(stateDir, START_LOCK_FILE);
  // Two attempts: the second after removing a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, "wx");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = readLock(path);
      if (holder !== null && holder.pid !== pid && processAlive(holder.pid)) {
        throw new Error(
          `another npm start (process ${holder.pid}, port ${holder.port}, since ${holder.startedAt}) is using ${stateDir}; ` +
            "two wrangler dev processes on one state directory fail with SQLITE_BUSY. Stop it, or give this one its own state " +
            "and port: EDGELOG_STATE_DIR=.wrangler/state-2 PORT=8788 npm start",
        );
      }
      unlinkSync(path);
      continue;
    }
    writeSync(fd, JSON.stringify({ pid, port, startedAt: new Date().toISOString() } satisfies LockContent));
    closeSync(fd);
    return {
      release() {
        if (readLock(path)?.pid === pid) unlinkSync(path);
      },
    };
  }
  throw new Error(`could not take ${path}: another start keeps re-creating it`);
}
