/**
 * Reads of a compacted topic (HTTP, RPC, SSE; the socket's subscribe starts the same way): where
 * a read starts, and whether the reader must drop what it holds first.
 *
 * - `from: "latest-per-key"` reads only each key's latest record (table-read.ts); starting at
 *   logStartOffset it is the table's snapshot, marked `reset` (TABLE-2).
 * - A reader at offset X may have missed a delete when compaction removed a tombstone at or after
 *   X since the reader last looked: `cleanedTombstonesBelow` > X, and > the value the reader
 *   says it saw (`cleaned`; 0 when it never saw one). It is then served the table's snapshot from
 *   logStartOffset instead, marked `reset` (COMPACT-6). Tombstones are removed in offset order
 *   (each is removed once older than delete.retention.ms, and offsets rise with append time), so
 *   every removal the reader did not see is at or above the value it saw. An HTTP read that sends
 *   no `cleaned` keeps a reader's position (a pager that does not know these rules would
 *   otherwise be sent back to the start on every page); the socket and SSE take a missing one
 *   as 0, as their server side then tracks what the stream saw.
 *
 * Rules: PROTOCOL.md COMPACT-6, TABLE-2.
 *
 * @example
 * const start = compactedStart({ offset: 12, latestPerKey: false, cleaned: 0 }, { logStartOffset: 0, cleanedTombstonesBelow: 40 });
 * // { offset: 0, latestPerKey: true, reset: true }
 */
import { EdgelogError, isCompacted } from "../../client/protocol/index.ts";
import type { Compaction } from "./compaction.ts";
import type { KeyIndex } from "./keys.ts";
import type { LogPage, PartitionLog } from "./log.ts";
import type { Position, ReadRequest } from "./partition-api.ts";
import { readLatest } from "./table-read.ts";

/**
 * Where a read of a compacted topic starts, and how.
 *
 * @example
 * const start: CompactedStart = { offset: 0, latestPerKey: true, reset: true };
 */
export interface CompactedStart {
  offset: number;
  latestPerKey: boolean;
  reset: boolean;
}

/**
 * Decides a compacted topic's read start (see this module's header).
 *
 * @example
 * compactedStart({ offset: 0, latestPerKey: true, cleaned: undefined }, { logStartOffset: 0, cleanedTombstonesBelow: 0 }); // reset: true
 */
export function compactedStart(
  asked: { offset: number; latestPerKey: boolean; cleaned: number | undefined },
  state: { logStartOffset: number; cleanedTombstonesBelow: number },
): CompactedStart {
  const below = state.cleanedTombstonesBelow;
  const missed = asked.cleaned !== undefined && below > asked.offset && below > asked.cleaned;
  if (missed) return { offset: state.logStartOffset, latestPerKey: true, reset: true };
  return { offset: asked.offset, latestPerKey: asked.latestPerKey, reset: asked.latestPerKey && asked.offset <= state.logStartOffset };
}

/**
 * An offset of a read or subscribe: earliest, latest, or one inside the log.
 *
 * @example
 * resolvePosition(log, "earliest"); // log.logStartOffset
 */
export function resolvePosition(log: PartitionLog, position: Position): number {
  if (position === "earliest") return log.logStartOffset;
  if (position === "latest") return log.highWatermark;
  return position;
}

/**
 * One page of a read (no waiting): as log.ts reads it on a topic that is not compacted; on a
 * compacted one, from where `compactedStart` says, marked as it says.
 *
 * @example
 * const page = readPage({ log, keys, compaction }, { topicId, offset: 0, limit: 100, maxBytes: 65_536, maxWaitMs: 0 });
 */
export function readPage(parts: { log: PartitionLog; keys: KeyIndex; compaction: Compaction }, request: ReadRequest): LogPage {
  const { log, keys, compaction } = parts;
  const config = log.identity?.config;
  const offset = resolvePosition(log, request.offset);
  if (config === undefined || !isCompacted(config)) {
    if (request.from !== undefined)
      throw new EdgelogError("INVALID_PARAMETER", "from=latest-per-key reads a compacted topic (cleanup.policy compact)");
    return log.read(offset, request.limit, request.maxBytes);
  }
  const asked = { offset, latestPerKey: request.from === "latest-per-key", cleaned: request.cleaned };
  const start = compactedStart(asked, { logStartOffset: log.logStartOffset, cleanedTombstonesBelow: compaction.cleanedTombstonesBelow });
  const bounds = { recordsMax: request.limit, bytesMax: request.maxBytes, framed: false, firstAlways: true };
  const page = start.latestPerKey ? readLatest(log, keys, start.offset, bounds) : log.read(start.offset, request.limit, request.maxBytes);
  return {
    recordsJson: page.recordsJson,
    count: page.count,
    nextOffset: page.nextOffset,
    highWatermark: log.highWatermark,
    logStartOffset: log.logStartOffset,
    cleanedTombstonesBelow: compaction.cleanedTombstonesBelow,
    ...(start.latestPerKey ? { latestPerKey: true as const } : {}),
    ...(start.reset ? { reset: true as const } : {}),
  };
}
