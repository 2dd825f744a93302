/**
 * Where a subscription starts, written once: the start position's shape (checked the same on
 * the socket and in the browser client) and the committed-offset rule, Kafka's
 * `auto.offset.reset`: a group's committed offset when the log still holds it, else `reset`.
 * Rules: PROTOCOL.md SOCKET-5.
 *
 * @example
 * parseStart({ from: "committed", group: "billing" }); // { from: "committed", group: "billing" }
 * committedStart(null, { logStartOffset: 0, highWatermark: 9 }, undefined); // 9: reset "latest"
 */
import { isObject, objectWithKeys, offsetNumber, wholeNumber } from "./checks.ts";
import { EdgelogError } from "./errors.ts";
import { TIMESTAMP_MS_MAX } from "./limits.ts";
import type { StartPosition } from "./messages.ts";
import { groupName } from "./names.ts";

/**
 * Where a committed start goes when the group has no usable commit.
 *
 * @example
 * const reset: OffsetReset = "earliest";
 * committedStart(null, { logStartOffset: 3, highWatermark: 9 }, reset); // 3
 */
export type OffsetReset = "earliest" | "latest";

/**
 * Kafka's default `auto.offset.reset`.
 *
 * @example
 * committedStart(null, { logStartOffset: 3, highWatermark: 9 }, undefined); // 9: "latest"
 */
export const OFFSET_RESET_DEFAULT: OffsetReset = "latest";

/**
 * The offsets that bound a partition's log.
 *
 * @example
 * const log: LogBounds = { logStartOffset: 0, highWatermark: 120 };
 * committedStart(42, log, "earliest"); // 42: the log still holds it
 */
export interface LogBounds {
  /** The first offset still stored. */
  logStartOffset: number;
  /** One past the last record: the offset the next record gets. */
  highWatermark: number;
}

/**
 * A start position with what it needs: a group for "committed", and the reset to apply.
 *
 * @example
 * const start: SubscribeStart = parseStart({ from: "committed", group: "billing" }); // { from: "committed", group: "billing" }
 */
export interface SubscribeStart {
  from: StartPosition;
  group?: string;
  reset?: OffsetReset;
  /** The `cleanedTombstonesBelow` the client last saw (COMPACT-6). */
  cleaned?: number;
}

const START_MESSAGE = 'from must be "earliest", "latest", "committed", "latest-per-key", {offset} or {timestamp}';

/**
 * Validates a start position, or throws INVALID_REQUEST.
 *
 * @example
 * parseStartPosition({ offset: 5 }); // { offset: 5 }
 */
export function parseStartPosition(value: unknown): StartPosition {
  if (value === "earliest" || value === "latest" || value === "committed") return value;
  if (isObject(value) && "offset" in value) {
    objectWithKeys(value, "from", ["offset"], "INVALID_REQUEST");
    return { offset: offsetNumber(value.offset, "from.offset") };
  }
  if (isObject(value) && "timestamp" in value) {
    objectWithKeys(value, "from", ["timestamp"], "INVALID_REQUEST");
    return { timestamp: wholeNumber(value.timestamp, "from.timestamp", 0, TIMESTAMP_MS_MAX, "INVALID_REQUEST") };
  }
  throw new EdgelogError("INVALID_REQUEST", START_MESSAGE);
}

/**
 * Validates `{from, group?, reset?}`: a committed start needs a group (INVALID_REQUEST), the group
 * is a group name (INVALID_GROUP_NAME), and reset is "earliest" or "latest".
 *
 * @example
 * parseStart({ from: "committed", group: "billing", reset: "earliest" });
 */
export function parseStart(fields: { from: unknown; group?: unknown; reset?: unknown; cleaned?: unknown }): SubscribeStart {
  const from = parseStartPosition(fields.from);
  const group = fields.group === undefined ? undefined : groupName(fields.group);
  if (from === "committed" && group === undefined) throw new EdgelogError("INVALID_REQUEST", 'from "committed" needs a group');
  const { reset } = fields;
  if (reset !== undefined && reset !== "earliest" && reset !== "latest") {
    throw new EdgelogError("INVALID_REQUEST", 'reset must be "earliest" or "latest"');
  }
  const start: SubscribeStart = { from };
  if (group !== undefined) start.group = group;
  if (reset !== undefined) start.reset = reset;
  if (fields.cleaned !== undefined) start.cleaned = offsetNumber(fields.cleaned, "cleaned");
  return start;
}

/**
 * The offset a "committed" start means: the committed offset when the log holds it (from
 * logStartOffset to highWatermark), else the log's start ("earliest") or end ("latest", the
 * default) as `reset` says. No commit at all is treated the same as one retention has passed.
 *
 * @example
 * committedStart(7, { logStartOffset: 10, highWatermark: 20 }, "earliest"); // 10
 */
export function committedStart(committed: number | null, log: LogBounds, reset: OffsetReset | undefined): number {
  if (committed !== null && committed >= log.logStartOffset && committed <= log.highWatermark) return committed;
  return (reset ?? OFFSET_RESET_DEFAULT) === "earliest" ? log.logStartOffset : log.highWatermark;
}
