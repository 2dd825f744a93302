/**
 * Where a subscription starts on one partition, before and after it reaches the server, as pure
 * functions (the rules are the subtle part of offline replay, so they are kept apart and tested
 * alone).
 *
 * Before connecting: a named subscription resumes from its stored position; otherwise `from`
 * decides. If the start offset lies inside the partition's cached run, the cached records from
 * there are replayed first (no network needed) and the socket subscribes from one past the run.
 * `from: "earliest"` replays the cache only when the run began at the log's start; "latest",
 * `{timestamp}` and "committed" are resolved by the server and replay nothing.
 *
 * On each `hello`: a next offset the log no longer holds (retention passed it) moves up to the
 * log's start, reported as RECORDS_LOST; one past the log's end means the cache describes another
 * log (the topic was recreated): the cache is dropped, reported as CACHE_STALE, and `from` applies
 * again.
 *
 * @example
 * planStart("earliest", { topic: "t", partition: 0, low: 0, high: 10, startsAtLog: true }, undefined);
 * // { replayFrom: 0, next: 0 }: replay 0..9, then subscribe from 10
 */
import type { CachedRun } from "./cache/types.ts";
import type { StartPosition } from "./protocol/index.ts";

/**
 * The start before connecting.
 *
 * @example
 * const { replayFrom, next } = planStart("earliest", run, undefined);
 */
export interface StartPlan {
  /** Replay cached records from this offset to the run's end; null for no replay. */
  replayFrom: number | null;
  /** The next offset to deliver, when known before asking the server; null lets `from` decide. */
  next: number | null;
}

/**
 * The start on one partition from `from`, the partition's cached run and, for a named
 * subscription, its stored position.
 *
 * @example
 * planStart({ offset: 5 }, run0to10, undefined); // { replayFrom: 5, next: 5 }
 * planStart("latest", run0to10, undefined);      // { replayFrom: null, next: null }
 */
export function planStart(from: StartPosition, run: CachedRun | undefined, position: number | undefined): StartPlan {
  let offset: number | null = null;
  if (position !== undefined) offset = position;
  else if (from === "earliest") offset = run?.startsAtLog ? run.low : null;
  else if (typeof from === "object" && "offset" in from) offset = from.offset;
  if (offset === null) return { replayFrom: null, next: null };
  const inRun = run !== undefined && offset >= run.low && offset < run.high;
  return { replayFrom: inRun ? offset : null, next: offset };
}

/**
 * What a `hello` means for a known next offset.
 *
 * @example
 * const verdict = checkAgainstLog(next, hello);
 * if (verdict.kind === "stale") dropCache();
 */
export type HelloVerdict = { kind: "resume"; next: number } | { kind: "lost"; next: number; lost: number } | { kind: "stale" };

/**
 * Checks the next offset to deliver against the log's bounds in `hello`.
 *
 * @example
 * checkAgainstLog(3, { logStartOffset: 10, highWatermark: 20 }); // { kind: "lost", next: 10, lost: 7 }
 */
export function checkAgainstLog(next: number, log: { logStartOffset: number; highWatermark: number }): HelloVerdict {
  if (next > log.highWatermark) return { kind: "stale" };
  if (next < log.logStartOffset) return { kind: "lost", next: log.logStartOffset, lost: log.logStartOffset - next };
  return { kind: "resume", next };
}
