/**
 * A fetch's parameters, one set of bounds for both doors: the HTTP route's query strings
 * (`?offset=42&limit=100`) and the RPC service's options (`{ offset: 42, limit: 100 }`). A value
 * is a decimal text or a whole number; left out, it takes its default; anything else is
 * INVALID_PARAMETER, as the protocol says.
 *
 * Rules: PROTOCOL.md FETCH-1, FETCH-2, FETCH-3, TABLE-2, COMPACT-6.
 *
 * @example
 * const request = readRequestOf((name) => c.req.query(name)); // HTTP
 * const request = readRequestOf((name) => options[name]); // RPC
 */
import {
  EdgelogError,
  FETCH_BYTES_DEFAULT,
  FETCH_BYTES_MAX,
  FETCH_RECORDS_DEFAULT,
  FETCH_RECORDS_MAX,
  LONG_POLL_WAIT_MS_MAX,
  wholeNumber,
} from "../client/protocol/index.ts";
import { intParam, offsetParam } from "./params.ts";
import type { Position, ReadRequest } from "./partition/partition-api.ts";

/**
 * The parameters a fetch takes (query names and RPC option names alike).
 *
 * @example
 * const names: readonly ReadParameter[] = READ_PARAMETERS; // ["offset", "limit", "maxBytes", "maxWaitMs"]
 */
export type ReadParameter = "offset" | "limit" | "maxBytes" | "maxWaitMs" | "from" | "cleaned";

/**
 * Every parameter's name, for an RPC options object's allowed keys.
 *
 * @example
 * objectWithKeys(options, "options", READ_PARAMETERS, "INVALID_REQUEST");
 */
export const READ_PARAMETERS: readonly ReadParameter[] = ["offset", "limit", "maxBytes", "maxWaitMs", "from", "cleaned"];

const BOUNDS = {
  limit: { min: 1, max: FETCH_RECORDS_MAX, fallback: FETCH_RECORDS_DEFAULT },
  maxBytes: { min: 1, max: FETCH_BYTES_MAX, fallback: FETCH_BYTES_DEFAULT },
  maxWaitMs: { min: 0, max: LONG_POLL_WAIT_MS_MAX, fallback: 0 },
} as const;

type Bounded = keyof typeof BOUNDS;

function bounded(value: unknown, name: Bounded): number {
  const { min, max, fallback } = BOUNDS[name];
  if (typeof value === "number") return wholeNumber(value, name, min, max, "INVALID_PARAMETER");
  if (value === undefined || typeof value === "string") return intParam(value, name, min, max, fallback);
  throw new EdgelogError("INVALID_PARAMETER", `${name} must be a whole number from ${min} to ${max}`);
}

function position(value: unknown): Position {
  if (typeof value === "number") return wholeNumber(value, "offset", 0, Number.MAX_SAFE_INTEGER, "INVALID_PARAMETER");
  if (value === undefined || typeof value === "string") return offsetParam(value);
  throw new EdgelogError("INVALID_PARAMETER", "offset must be a whole number, earliest or latest");
}

/**
 * The read request (all but the topic id) from the parameters `value` answers.
 *
 * @example
 * readRequestOf(() => undefined); // { offset: "earliest", limit: 500, maxBytes: 1_048_576, maxWaitMs: 0 }
 * readRequestOf((name) => ({ offset: 7 })[name]); // offset 7, the rest defaults
 */
export function readRequestOf(value: (name: ReadParameter) => unknown): Omit<ReadRequest, "topicId"> {
  const request: Omit<ReadRequest, "topicId"> = {
    offset: position(value("offset")),
    limit: bounded(value("limit"), "limit"),
    maxBytes: bounded(value("maxBytes"), "maxBytes"),
    maxWaitMs: bounded(value("maxWaitMs"), "maxWaitMs"),
  };
  const from = value("from");
  if (from !== undefined) {
    if (from !== "latest-per-key") throw new EdgelogError("INVALID_PARAMETER", 'from must be "latest-per-key"');
    request.from = from;
  }
  const cleaned = value("cleaned");
  if (cleaned !== undefined) {
    request.cleaned =
      typeof cleaned === "string"
        ? intParam(cleaned, "cleaned", 0, Number.MAX_SAFE_INTEGER, 0)
        : wholeNumber(cleaned, "cleaned", 0, Number.MAX_SAFE_INTEGER, "INVALID_PARAMETER");
  }
  return request;
}
