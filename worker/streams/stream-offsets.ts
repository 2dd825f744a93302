/**
 * Durable Streams offsets: `IIIIIIIIIIIII_PPPPPPPPPPPPPPPP`, the stream's incarnation (13 digits)
 * and a position in its log (16 digits, the partition log's record offset: the next record to
 * read), both zero-padded so that string order is stream order. A deleted and re-created stream
 * has a higher incarnation, so an offset of the old one sorts before every offset of the new one
 * and is refused with 410 (before the earliest retained position) rather than read into. `-1`
 * (the start) and `now` (the tail) are accepted and never issued.
 *
 * Rules: PROTOCOL.md STREAM-4, STREAM-5.
 *
 * @example
 * streamOffset(1, 42); // "0000000000001_0000000000000042"
 * parseStreamOffset("0000000000001_0000000000000042"); // { incarnation: 1, position: 42 }
 */
import { EdgelogError } from "../../client/protocol/index.ts";

/** Digits of the incarnation part. */
const INCARNATION_DIGITS = 13;
/** Digits of the position part (a partition log offset is below 2^53 < 10^16). */
const POSITION_DIGITS = 16;
/** An offset this server issues, and nothing else. */
const OFFSET_PATTERN = /^([0-9]{13})_([0-9]{16})$/;

/**
 * A position asked for: an issued offset, the start (`-1`) or the tail (`now`).
 *
 * @example
 * const asked: StreamPosition = { kind: "offset", incarnation: 1, position: 0 };
 */
export type StreamPosition = { kind: "start" } | { kind: "now" } | { kind: "offset"; incarnation: number; position: number };

/**
 * The offset token of `position` in incarnation `incarnation`.
 *
 * @example
 * streamOffset(3, 0); // "0000000000003_0000000000000000"
 */
export function streamOffset(incarnation: number, position: number): string {
  return `${String(incarnation).padStart(INCARNATION_DIGITS, "0")}_${String(position).padStart(POSITION_DIGITS, "0")}`;
}

/**
 * Parses an issued offset token, or null when it is not one.
 *
 * @example
 * parseStreamOffset("0000000000001_0000000000000007"); // { incarnation: 1, position: 7 }
 * parseStreamOffset("7"); // null
 */
export function parseStreamOffset(token: string): { incarnation: number; position: number } | null {
  const match = OFFSET_PATTERN.exec(token);
  if (match === null || match[1] === undefined || match[2] === undefined) return null;
  const position = Number(match[2]);
  if (!Number.isSafeInteger(position)) return null;
  return { incarnation: Number(match[1]), position };
}

/**
 * The `offset` query parameter(s) of a read: absent is the start; `-1`, `now` or an issued
 * token; anything else (empty, repeated, malformed) is INVALID_PARAMETER (400).
 *
 * @example
 * streamPosition([]); // { kind: "start" }
 * streamPosition(["now"]); // { kind: "now" }
 */
export function streamPosition(values: readonly string[]): StreamPosition {
  if (values.length === 0) return { kind: "start" };
  const [value] = values;
  if (values.length > 1 || value === undefined) throw new EdgelogError("INVALID_PARAMETER", "offset may be given once");
  if (value === "-1") return { kind: "start" };
  if (value === "now") return { kind: "now" };
  const parsed = parseStreamOffset(value);
  if (parsed === null) throw new EdgelogError("INVALID_PARAMETER", "offset must be -1, now, or an offset this stream issued");
  return { kind: "offset", ...parsed };
}
