/**
 * Where a subscription starts on one partition, before and after it reaches the server, as pure
 * functions (the rules are the subtle part of offline replay, so they are kept apart and tested
 * alone).
 *
 * Before connecting: a named subscription resumes from its stored position; otherwise `from`
 * decides. If the start offset lies inside the partition's cached run (of the same topic
 * incarnation as the position), the cached records from there are replayed first (no network
 * needed) and the socket subscribes from one past the run. `from: "earliest"` replays the cache
 * only when the run began at the log's start; `from: "cached"` (client-only) replays the whole
 * run from its low end whatever it began at, and with nothing cached is "earliest"; "latest",
 * `{timestamp}` and "committed" are resolved by the server and replay nothing.
 *
 * On each `hello`: a next offset of another topic incarnation (`hello.topicId` differs from the
 * one the position or the cached run belongs to: the topic was deleted and created again), or one
 * past the log's end (the only sign rows of schema version 2 give), means the cache describes
 * another log: the partition's cache and named positions are dropped, reported as CACHE_STALE,
 * and `from` applies again. A next offset the log no longer holds (retention passed it) moves up
 * to the log's start, reported as RECORDS_LOST.
 *
 * @example
 * planStart("earliest", { topic: "t", partition: 0, low: 0, high: 10, startsAtLog: true, topicId: "a" }, undefined);
 * // { replayFrom: 0, next: 0, topicId: "a" }: replay 0..9, then subscribe from 10
 */
import type { CachedRun, NamedPosition } from "./cache/types.ts";
import type { LogBounds, ServerMessageOf, StartPosition, SubscribeStart } from "./protocol/index.ts";

/**
 * Where a subscription may start: the protocol's positions, and "cached" (client-only: replay
 * every cached record of the partition, then resume at the server; never sent on the wire).
 *
 * @example
 * client.subscribe("feed", { from: "cached" satisfies SubscribeFrom }, show);
 */
export type SubscribeFrom = StartPosition | "cached";

/**
 * The start before connecting.
 *
 * @example
 * const { replayFrom, next, topicId } = planStart("earliest", run, undefined);
 */
export interface StartPlan {
  /** Replay cached records from this offset to the run's end; null for no replay. */
  replayFrom: number | null;
  /** The next offset to deliver, when known before asking the server; null lets `from` decide. */
  next: number | null;
  /** The topic incarnation `next` counts in (the position's or the replayed run's); null if unknown. */
  topicId: string | null;
}

/**
 * The start on one partition from `from`, the partition's cached run and, for a named
 * subscription, its stored position.
 *
 * @example
 * planStart({ offset: 5 }, run0to10, undefined); // { replayFrom: 5, next: 5, topicId: run0to10.topicId }
 * planStart("latest", run0to10, undefined);      // { replayFrom: null, next: null, topicId: null }
 */
export function planStart(from: SubscribeFrom, run: CachedRun | undefined, position: NamedPosition | undefined): StartPlan {
  let offset: number | null = null;
  let topicId: string | null = null;
  if (position !== undefined) {
    offset = position.next;
    topicId = position.topicId;
  } else if (from === "cached") offset = run?.low ?? null;
  else if (from === "earliest") offset = run?.startsAtLog ? run.low : null;
  else if (typeof from === "object" && "offset" in from) offset = from.offset;
  if (offset === null) return { replayFrom: null, next: null, topicId: null };
  // A run of another incarnation than the position's is another log: never replayed for it.
  const sameLog = run !== undefined && (topicId === null || run.topicId === null || run.topicId === topicId);
  if (!sameLog || offset < run.low || offset >= run.high) return { replayFrom: null, next: offset, topicId };
  return { replayFrom: offset, next: offset, topicId: topicId ?? run.topicId };
}

/**
 * What a `hello` means for a known next offset.
 *
 * @example
 * const verdict = checkAgainstLog({ next, topicId }, hello);
 * if (verdict.kind === "stale") dropCache();
 */
export type HelloVerdict = { kind: "resume"; next: number } | { kind: "lost"; next: number; lost: number } | { kind: "stale" };

/**
 * Checks the next offset to deliver (and the incarnation it counts in) against `hello`.
 *
 * @example
 * checkAgainstLog({ next: 3, topicId: "a" }, { logStartOffset: 10, highWatermark: 20, topicId: "a" }); // { kind: "lost", next: 10, lost: 7 }
 * checkAgainstLog({ next: 3, topicId: "a" }, { logStartOffset: 0, highWatermark: 20, topicId: "b" });  // { kind: "stale" }
 */
export function checkAgainstLog(at: NamedPosition, log: LogBounds & { topicId: string }): HelloVerdict {
  if ((at.topicId !== null && at.topicId !== log.topicId) || at.next > log.highWatermark) return { kind: "stale" };
  if (at.next < log.logStartOffset) return { kind: "lost", next: log.logStartOffset, lost: log.logStartOffset - at.next };
  return { kind: "resume", next: at.next };
}

/**
 * The `subscribe` start to send when nothing is known yet: `from` as the protocol has it
 * ("cached" becomes "earliest"; an offset past the log's end is clamped to it), with the group
 * and reset a "committed" start needs.
 *
 * @example
 * wireStart("cached", {}, hello); // { from: "earliest" }
 */
export function wireStart(
  from: SubscribeFrom,
  options: { group?: string; reset?: "earliest" | "latest" },
  log: Pick<ServerMessageOf<"hello">, "highWatermark">,
): SubscribeStart {
  if (from === "committed") {
    const start: SubscribeStart = { from: "committed", group: options.group ?? "" };
    if (options.reset !== undefined) start.reset = options.reset;
    return start;
  }
  if (from === "cached") return { from: "earliest" };
  if (typeof from === "object" && "offset" in from) return { from: { offset: Math.min(from.offset, log.highWatermark) } };
  return { from };
}
