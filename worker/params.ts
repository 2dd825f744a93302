/**
 * Path and query parameters: parsed strictly (digits only, in range) into typed values, each
 * failure an INVALID_PARAMETER (or INVALID_PARTITIONS) naming the parameter.
 *
 * Rules: PROTOCOL.md JSON-3, FETCH-2, FETCH-3, FETCH-4, LOG-1, LOG-2.
 *
 * @example
 * const limit = intParam(c.req.query("limit"), "limit", 1, FETCH_RECORDS_MAX, FETCH_RECORDS_DEFAULT);
 */
import { decimal, EdgelogError, TIMESTAMP_MS_MAX, TOPIC_PARTITIONS_MAX } from "../client/protocol/index.ts";
import type { Position } from "./partition/partition-api.ts";

/**
 * An optional integer query parameter in [min, max], or `fallback` when absent.
 *
 * @example
 * intParam(c.req.query("limit"), "limit", 1, FETCH_RECORDS_MAX, FETCH_RECORDS_DEFAULT); // 500 without ?limit
 * intParam("1e3", "limit", 1, FETCH_RECORDS_MAX, FETCH_RECORDS_DEFAULT); // throws INVALID_PARAMETER
 */
export function intParam(text: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (text === undefined) return fallback;
  return decimal(text, name, min, max, "INVALID_PARAMETER");
}

/**
 * A partition number from the path.
 *
 * @example
 * partitionParam("3"); // 3
 * partitionParam("64"); // throws INVALID_PARTITIONS
 */
export function partitionParam(text: string): number {
  return decimal(text, "partition", 0, TOPIC_PARTITIONS_MAX - 1, "INVALID_PARTITIONS");
}

/**
 * `offset=N|earliest|latest` (earliest when absent).
 *
 * @example
 * offsetParam(undefined); // "earliest"
 * offsetParam("42"); // 42
 */
export function offsetParam(text: string | undefined): Position {
  if (text === undefined || text === "earliest") return "earliest";
  if (text === "latest") return "latest";
  return decimal(text, "offset", 0, Number.MAX_SAFE_INTEGER, "INVALID_PARAMETER");
}

/**
 * `timestamp=T|earliest|latest` (required).
 *
 * @example
 * timestampParam("1700000000000"); // 1700000000000
 * timestampParam(undefined); // throws INVALID_PARAMETER
 */
export function timestampParam(text: string | undefined): Position {
  if (text === undefined) throw new EdgelogError("INVALID_PARAMETER", "timestamp is required: a time in ms, earliest or latest");
  if (text === "earliest" || text === "latest") return text;
  return decimal(text, "timestamp", 0, TIMESTAMP_MS_MAX, "INVALID_PARAMETER");
}

/**
 * A required string query parameter.
 *
 * @example
 * topicName(requiredParam(c.req.query("topic"), "topic")); // no ?topic, or an empty one: INVALID_PARAMETER
 */
export function requiredParam(text: string | undefined, name: string): string {
  if (text === undefined || text === "") throw new EdgelogError("INVALID_PARAMETER", `${name} is required`);
  return text;
}
