/**
 * The rules of a table partition, as pure functions (the subtle part, kept apart and tested
 * alone): where a writer starts on a socket that said `hello`, whether a page of records applies
 * to the generation it targets, and when a rebuild may be swapped in.
 *
 * A writer (a tab's table, on one partition) holds a target (the view, or a rebuild) and the next
 * offset it expects (`next`). Several writers may share one database (tabs, or two clients), so
 * the stored generation's `next` is the truth: equal to the writer's, the page applies from
 * there; ahead of it, another writer applied the same stream further and the page applies from
 * the stored `next` on (any compacted catch-up from an offset, applied in order from any point of
 * it on top of the state there, gives the state at its end); behind it, or the generation gone
 * (another writer began a new rebuild), the writer is "moved": it must start over from what is
 * stored, never apply across a hole.
 *
 * @example
 * planTableStart(undefined, hello); // { kind: "rebuild" }: no position, so a latest-per-key catch-up
 */
import type { ServerMessageOf } from "../protocol/index.ts";
import type { StoredTablePartition, TableGeneration, TableTarget } from "./table-rows.ts";

/**
 * Where a table partition starts on a socket: resume a generation from its next offset, or
 * rebuild (a latest-per-key catch-up into a new generation).
 *
 * @example
 * const start: TableStart = { kind: "resume", target: { kind: "view" }, next: 42 };
 */
export type TableStart = { kind: "resume"; target: TableTarget; next: number; cleaned?: number } | { kind: "rebuild" };

/**
 * Whether `generation` can go on from its next offset on the log `hello` describes: an offset
 * of this incarnation, not below the log's start (records lost to retention) nor past its end
 * (the topic was recreated).
 *
 * @example
 * resumable({ generation: 1, next: 5, size: 2, topicId: "a" }, { topicId: "a", logStartOffset: 0, highWatermark: 9 }); // true
 */
export function resumable(
  generation: TableGeneration,
  hello: Pick<ServerMessageOf<"hello">, "topicId" | "logStartOffset" | "highWatermark">,
): generation is TableGeneration & { next: number } {
  const { next, topicId } = generation;
  if (next === null) return false;
  if (topicId !== null && topicId !== hello.topicId) return false;
  return next >= hello.logStartOffset && next <= hello.highWatermark;
}

/**
 * The start on a socket that said `hello`: a rebuild under way goes on where it stopped, else
 * the view does, else (no position, another incarnation, records lost) a rebuild begins. The old
 * view stays readable until a rebuild is swapped in.
 *
 * @example
 * planTableStart(stored, hello); // { kind: "resume", target: { kind: "view" }, next: stored.view.next }
 */
export function planTableStart(
  stored: StoredTablePartition | undefined,
  hello: Pick<ServerMessageOf<"hello">, "topicId" | "logStartOffset" | "highWatermark">,
): TableStart {
  if (stored === undefined) return { kind: "rebuild" };
  const { building, view } = stored;
  if (building !== null && resumable(building, hello)) {
    return { kind: "resume", target: { kind: "building", generation: building.generation }, next: building.next, ...cleaned(building) };
  }
  if (resumable(view, hello)) return { kind: "resume", target: { kind: "view" }, next: view.next, ...cleaned(view) };
  return { kind: "rebuild" };
}

function cleaned(generation: TableGeneration): { cleaned?: number } {
  return generation.cleaned === undefined ? {} : { cleaned: generation.cleaned };
}

/**
 * What a page of records does to the target generation: applies the records at or past
 * `from` (null: all of them), or finds the writer moved.
 *
 * @example
 * const verdict: ApplyVerdict = { kind: "apply", from: 42 };
 */
export type ApplyVerdict = { kind: "apply"; from: number | null } | { kind: "moved"; why: string };

/**
 * The generation a target names in what is stored, or undefined when it is gone.
 *
 * @example
 * targetGeneration(stored, { kind: "view" }); // stored.view
 */
export function targetGeneration(stored: StoredTablePartition | undefined, target: TableTarget): TableGeneration | undefined {
  if (stored === undefined) return undefined;
  if (target.kind === "view") return stored.view;
  return stored.building?.generation === target.generation ? stored.building : undefined;
}

/**
 * Whether a writer expecting `next` may apply a page to `target` (see the module comment).
 *
 * @example
 * planApply(stored, { kind: "view" }, 42); // { kind: "apply", from: 42 } when stored.view.next is 42
 */
export function planApply(stored: StoredTablePartition | undefined, target: TableTarget, next: number | null): ApplyVerdict {
  const generation = targetGeneration(stored, target);
  if (generation === undefined) return { kind: "moved", why: "another writer began a new rebuild" };
  const at = generation.next;
  if (at === next) return { kind: "apply", from: next };
  if (at === null) return { kind: "moved", why: "the generation was started again" };
  if (next === null || at > next) return { kind: "apply", from: at };
  return { kind: "moved", why: `the table is stored up to offset ${at}, behind this writer's ${next}` };
}

/**
 * What swapping a rebuild in finds: done now, done already by another writer, or moved.
 *
 * @example
 * const verdict: SwapVerdict = { kind: "swap" };
 */
export type SwapVerdict = { kind: "swap" } | { kind: "already" } | { kind: "moved"; why: string };

/**
 * Whether a writer whose catch-up went live at `next` may swap rebuild `generation` in: it may
 * when the rebuild is still that generation and stored at least as far (another writer on the
 * same stream may be ahead); a view already of that generation was swapped by another writer.
 *
 * @example
 * planSwap(stored, 2, 50); // { kind: "swap" } when stored.building is generation 2 at next >= 50
 */
export function planSwap(stored: StoredTablePartition | undefined, generation: number, next: number | null): SwapVerdict {
  if (stored === undefined) return { kind: "moved", why: "the table partition is gone" };
  if (stored.view.generation === generation) return { kind: "already" };
  const building = stored.building;
  if (building === null || building.generation !== generation) return { kind: "moved", why: "another writer began a new rebuild" };
  if (building.next === next || (building.next !== null && (next === null || building.next > next))) return { kind: "swap" };
  return { kind: "moved", why: `the rebuild is stored up to offset ${building.next}, behind this writer's ${next}` };
}

/**
 * The generation number a new rebuild takes: past both the view's and any rebuild's.
 *
 * @example
 * nextGeneration(undefined); // 1
 */
export function nextGeneration(stored: StoredTablePartition | undefined): number {
  if (stored === undefined) return 1;
  return Math.max(stored.view.generation, stored.building?.generation ?? 0) + 1;
}
