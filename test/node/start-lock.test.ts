/**
 * One `npm start` per state directory (tools/start-lock.ts): the lock refuses a second start while
 * the first lives and is taken over when its holder died; and the real `npm start`, twice in one
 * checkout on one state directory, refuses the second with a message naming the first, where two
 * wrangler dev processes used to share the SQLite files and fail with SQLITE_BUSY.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { START_LOCK_FILE, takeStartLock } from "../../tools/start-lock.ts";
import { makeTempDir, removeDir } from "./local-env.ts";
import { npmStart, servingUrl } from "./npm-start.ts";
import { freePort, withTimeout } from "./waits.ts";

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir("start-lock-");
});
afterAll(async () => {
  await removeDir(dir);
});

/** A process that lives until killed, to hold a lock. */
function holder(): ChildProcess {
  return spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
}

describe("takeStartLock", () => {
  it("refuses while the holder lives, naming it, and takes over once it died", async () => {
    const stateDir = join(dir, "unit");
    const other = holder();
    const pid = other.pid!;
    const first = takeStartLock({ stateDir, pid, port: 8787 });
    expect(() => takeStartLock({ stateDir, pid: process.pid, port: 8788 })).toThrow(
      new RegExp(`another npm start \\(process ${pid}, port 8787.*EDGELOG_STATE_DIR=`),
    );
    other.kill("SIGKILL");
    await new Promise((resolve) => other.once("exit", resolve));
    // The holder died without releasing (kill -9): its lock is stale.
    const second = takeStartLock({ stateDir, pid: process.pid, port: 8788 });
    first.release(); // not the holder any more: removes nothing
    expect(existsSync(join(stateDir, START_LOCK_FILE))).toBe(true);
    second.release();
    expect(existsSync(join(stateDir, START_LOCK_FILE))).toBe(false);
  });

  it("takes over a lock file that is not one of its own (empty, or not JSON)", () => {
    const stateDir = join(dir, "garbage");
    takeStartLock({ stateDir, pid: process.pid, port: 1 }).release();
    const lock = takeStartLock({ stateDir, pid: process.pid, port: 1 });
    lock.release();
  });
});

describe("npm start twice on one state directory", () => {
  it("refuses the second with a clear message, and the first keeps serving", async () => {
    const stateDir = join(dir, "state");
    // As the README says to try auth locally: what follows -- reaches wrangler dev, last.
    const first = npmStart(await freePort(), stateDir, ["--", "--var", "EDGELOG_AUTH:required"]);
    try {
      const url = await servingUrl(first, 503);
      const second = npmStart(await freePort(), stateDir);
      const code = await withTimeout(second.exited, 60_000, "the second npm start to exit");
      expect(code).toBe(1);
      expect(second.output()).toMatch(
        /another npm start \(process \d+, port \d+.*SQLITE_BUSY.*EDGELOG_STATE_DIR=\.wrangler\/state-2 PORT=8788 npm start/s,
      );
      const answer = await fetch(`${url}/v1/topics`);
      expect([answer.status, ((await answer.json()) as { error: { code: string } }).error.code]).toEqual([503, "AUTH_NOT_CONFIGURED"]);
      expect(existsSync(join(stateDir, START_LOCK_FILE))).toBe(true);
    } finally {
      process.kill(-first.child.pid!, "SIGINT");
      await withTimeout(first.exited, 30_000, "the first npm start to stop");
    }
    // Stopped with Ctrl-C: the lock went with it.
    expect(existsSync(join(stateDir, START_LOCK_FILE))).toBe(false);
  }, 180_000);
});
