/**
 * CPU time of server processes, read from Linux's /proc, so a run can say where its time went:
 * in wrangler's node process, in a workerd, in a peer's server, or in the bench client itself
 * (process.cpuUsage). Off Linux the samples are empty and the profile notes say so.
 *
 * @example
 * const window = new CpuWindow([wranglerPid]);
 * window.begin();
 * await work();
 * window.end(); // window.cpu: [{ pid, name, ms }, ...]
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks per second. */
const CLOCK_TICKS_PER_SECOND = 100;

/** One process's CPU time so far. */
export interface ProcessCpu {
  pid: number;
  /** Its command name (/proc/<pid>/comm), e.g. "workerd". */
  name: string;
  /** User plus system CPU time, in ms. */
  ms: number;
}

interface ProcStat {
  pid: number;
  ppid: number;
  name: string;
  ms: number;
}

function readStat(pid: number): ProcStat | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // "pid (comm) state ppid ... utime stime ...": comm may hold spaces, so split after the last ")".
  const open = stat.indexOf("(");
  const close = stat.lastIndexOf(")");
  const fields = stat.slice(close + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { pid, ppid: Number(fields[1]), name: stat.slice(open + 1, close), ms: (ticks * 1000) / CLOCK_TICKS_PER_SECOND };
}

/**
 * CPU time every core of the machine has been busy so far (/proc/stat), in ms; NaN off Linux.
 * Minus what the measured processes used, it is the load of everything else on this shared
 * machine during a run.
 *
 * @example
 * const busy = machineBusyMs();
 */
export function machineBusyMs(): number {
  let stat: string;
  try {
    stat = readFileSync("/proc/stat", "utf8");
  } catch {
    return Number.NaN;
  }
  // "cpu  user nice system idle iowait irq softirq steal ...": busy is all but idle and iowait.
  const [user, nice, system, , , irq, softirq, steal] = stat.split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const ticks = [user, nice, system, irq, softirq, steal].reduce<number>((sum, n) => sum + (n ?? 0), 0);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * A readable name for a process: its command, and for wrangler dev's processes their role (the
 * workerd that owns the public port is wrangler's proxy; the one on an OS-chosen port runs the
 * worker, as Miniflare's does).
 */
function describeProcess(pid: number, comm: string): string {
  let cmdline = "";
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return comm;
  }
  if (comm === "workerd") return /entry=127\.0\.0\.1:0\b/.test(cmdline) ? "workerd (worker)" : "workerd (wrangler proxy)";
  if (comm === "node" && cmdline.includes("wrangler")) return "wrangler (node)";
  return comm;
}

/**
 * CPU time so far of each process in the trees rooted at `roots` (the roots and all their
 * descendants); [] where /proc is missing.
 *
 * @example
 * cpuOfTrees([process.pid]); // the bench and, under Miniflare, its workerd child
 */
export function cpuOfTrees(roots: readonly number[]): ProcessCpu[] {
  if (!existsSync("/proc/self/stat")) return [];
  const all: ProcStat[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) all.push(stat);
  }
  const inTree = new Set<number>(roots);
  // Parents may be listed after children: repeat until no process joins (bounded by the count).
  for (let pass = 0; pass < all.length; pass++) {
    let grew = false;
    for (const p of all) {
      if (!inTree.has(p.pid) && inTree.has(p.ppid)) {
        inTree.add(p.pid);
        grew = true;
      }
    }
    if (!grew) break;
  }
  return all.filter((p) => inTree.has(p.pid)).map(({ pid, name, ms }) => ({ pid, name: describeProcess(pid, name), ms }));
}

/**
 * The CPU each process used between two samples (processes that started in between count from 0).
 *
 * @example
 * cpuDelta(before, after).reduce((sum, p) => sum + p.ms, 0); // total ms
 */
export function cpuDelta(before: readonly ProcessCpu[], after: readonly ProcessCpu[]): ProcessCpu[] {
  const start = new Map(before.map((p) => [p.pid, p.ms]));
  return after.map((p) => ({ pid: p.pid, name: p.name, ms: p.ms - (start.get(p.pid) ?? 0) }));
}

/**
 * CPU used by `roots`' process trees and by this process between `begin()` and `end()`, and the
 * wall time between them. A scenario brackets only its timed part with it, so connecting and
 * tearing down do not count. The bench's own process is reported as "bench client" and left out
 * of the trees (Miniflare's workerd is a child of it, and counts as a server process).
 *
 * @example
 * const window = new CpuWindow([redisPid]);
 * window.begin();
 * await timedLoop();
 * window.end();
 * window.cpu; // [{ pid, name: "redis-server", ms }, { pid, name: "bench client", ms }]
 */
export class CpuWindow {
  cpu: ProcessCpu[] = [];
  wallMs = 0;
  /** CPU the rest of the machine used meanwhile (not the bench, not the system measured), in ms. */
  otherMs = Number.NaN;
  ended = false;
  private servers: ProcessCpu[] = [];
  private machine = 0;
  private self: NodeJS.CpuUsage = process.cpuUsage();
  private start = 0;

  constructor(private readonly roots: readonly number[]) {}

  /** Starts (or restarts) the window. */
  begin(): void {
    this.servers = cpuOfTrees(this.roots);
    this.machine = machineBusyMs();
    this.self = process.cpuUsage();
    this.start = performance.now();
    this.ended = false;
  }

  /** Closes the window and computes `cpu` and `wallMs`. */
  end(): void {
    this.wallMs = performance.now() - this.start;
    const used = process.cpuUsage(this.self);
    const servers = cpuDelta(this.servers, cpuOfTrees(this.roots)).filter((p) => p.pid !== process.pid && p.ms > 0);
    this.cpu = [...servers, { pid: process.pid, name: "bench client", ms: (used.user + used.system) / 1000 }];
    const measured = this.cpu.reduce((sum, p) => sum + p.ms, 0);
    this.otherMs = Math.max(0, machineBusyMs() - this.machine - measured);
    this.ended = true;
  }
}
