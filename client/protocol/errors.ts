/**
 * The one list of error codes. Every failure the worker reports, over HTTP or (later) a socket,
 * carries one of these stable strings; clients branch on `code`, never on `message`.
 * Rules: PROTOCOL.md ERROR-1, ERROR-5 (the table of codes and statuses), QUOTA-5 (`retryAfterMs`).
 *
 * @example
 * try { await produce(); } catch (e) {
 *   if (e instanceof EdgelogError && e.code === "PRODUCER_FENCED") stop();
 * }
 */
import { ERROR_MESSAGE_LENGTH_MAX } from "./limits.ts";

/**
 * Every code with the HTTP status it is answered with (PROTOCOL.md ERROR-5's table).
 *
 * @example
 * ERROR_STATUS.PRODUCER_FENCED; // 409
 * new EdgelogError("UNKNOWN_TOPIC", "gone").status; // 404, read from here
 */
export const ERROR_STATUS = {
  /** The body is not JSON. */
  INVALID_JSON: 400,
  /** The body is JSON but not the shape the route takes. */
  INVALID_REQUEST: 400,
  /** A record is malformed (missing value, key not a string, bad headers or timestamp). */
  INVALID_RECORD: 400,
  /** A query parameter is malformed or out of its range. */
  INVALID_PARAMETER: 400,
  INVALID_TOPIC_NAME: 400,
  INVALID_GROUP_NAME: 400,
  /** A partition count or partition number that is not a whole number in range. */
  INVALID_PARTITIONS: 400,
  INVALID_CONFIG: 400,
  /** The `producer` object is malformed, or cannot be used as asked. */
  INVALID_PRODUCER: 400,
  /** An HTTP source's name or configuration is malformed (SOURCE-1, SOURCE-2). */
  INVALID_SOURCE: 400,
  /** A record without a key produced to a compacted topic (its latest value per key needs one). */
  KEY_REQUIRED: 400,
  /** No token, or one that is malformed, badly signed, expired, not yet valid or for another audience or issuer. */
  UNAUTHENTICATED: 401,
  /** A delivery to an HTTP source whose signature is missing, malformed, wrong or out of its time tolerance (SOURCE-4). */
  INVALID_SIGNATURE: 401,
  /** A valid token without the grant the request needs (or a browser Origin not allowed). */
  FORBIDDEN: 403,
  /** A Durable Streams producer's epoch is below the stream's for that Producer-Id: a zombie, fenced (STREAM-11). */
  STREAM_PRODUCER_FENCED: 403,
  UNKNOWN_TOPIC: 404,
  UNKNOWN_PARTITION: 404,
  /** No such route. */
  NOT_FOUND: 404,
  /** The group has no such member (it left or its session timed out): join again. */
  UNKNOWN_MEMBER_ID: 404,
  METHOD_NOT_ALLOWED: 405,
  /** The HTTP body did not arrive, whole, within REQUEST_BODY_MS_MAX. */
  REQUEST_TIMEOUT: 408,
  /** The topic exists with other settings. */
  TOPIC_ALREADY_EXISTS: 409,
  /** The deployment holds TOPICS_MAX topics already. */
  TOPIC_LIMIT_REACHED: 409,
  /** A commit from a generation the group has moved past: the member is a zombie. */
  ILLEGAL_GENERATION: 409,
  /** A join that names another topic or assignor than the group's current members use. */
  INCONSISTENT_GROUP: 409,
  /** The group holds GROUP_MEMBERS_MAX members already. */
  GROUP_MAX_SIZE_REACHED: 409,
  /** The partition keeps the offsets of GROUPS_PER_PARTITION_MAX groups, none idle long enough to forget. */
  GROUP_LIMIT_REACHED: 409,
  /** The deployment holds SOURCES_MAX HTTP sources already (SOURCE-1). */
  SOURCE_LIMIT_REACHED: 409,
  /** The partition socket has started SOCKET_SUBSCRIBES_MAX subscriptions: open another socket to seek again. */
  TOO_MANY_SUBSCRIBES: 409,
  /** A newer epoch of this producer id has written: this one is a zombie. */
  PRODUCER_FENCED: 409,
  /** The sequence is not the next one: a gap (retry after the earlier request lands). */
  OUT_OF_ORDER_SEQUENCE: 409,
  /** A retry of a batch appended long ago: it is stored, but its offsets are no longer remembered. */
  DUPLICATE_SEQUENCE: 409,
  /** No state for this producer and a sequence other than 0: its first request has not landed yet, or it was forgotten. */
  UNKNOWN_PRODUCER_ID: 409,
  /** A Durable Stream exists at this path with another configuration (content type, TTL, Expires-At, closure). */
  STREAM_EXISTS: 409,
  /** The Durable Stream is closed: nothing more may be appended (the answer carries Stream-Closed and its final offset). */
  STREAM_CLOSED: 409,
  /** A Durable Streams append's Content-Type differs from the stream's, or its Stream-Seq is not above the last one. */
  STREAM_CONFLICT: 409,
  /** An offset of an earlier incarnation of this Durable Stream (deleted, or expired, since). */
  STREAM_GONE: 410,
  RECORD_TOO_LARGE: 413,
  /** Too many records, or too many bytes, in one request. */
  BATCH_TOO_LARGE: 413,
  /** The HTTP body is larger than REQUEST_BYTES_MAX. */
  REQUEST_TOO_LARGE: 413,
  /** An offset below logStartOffset or past highWatermark. */
  OFFSET_OUT_OF_RANGE: 416,
  /** A WebSocket route was called without a WebSocket handshake (`Upgrade: websocket`, version 13, a key). */
  UPGRADE_REQUIRED: 426,
  /** The principal's quota on this partition is used up: wait `retryAfterMs`, then send again (nothing was stored). */
  QUOTA_EXCEEDED: 429,
  /** A subject name that is not a topic name's alphabet or is longer than SCHEMA_SUBJECT_LENGTH_MAX. */
  INVALID_SUBJECT: 400,
  /** The schema registry has no such subject (or every version of it is soft-deleted). */
  UNKNOWN_SUBJECT: 404,
  /** The subject has no such version. */
  UNKNOWN_SCHEMA_VERSION: 404,
  /** No schema has this id. */
  UNKNOWN_SCHEMA: 404,
  /** The subject is soft-deleted: register again to revive it, or delete it with `permanent=true`. */
  SUBJECT_SOFT_DELETED: 404,
  /** A permanent delete of a subject that is not soft-deleted first. */
  SUBJECT_NOT_SOFT_DELETED: 404,
  /** The version is soft-deleted (`?deleted=true` reads it). */
  SCHEMA_VERSION_SOFT_DELETED: 404,
  /** A permanent delete of a version that is not soft-deleted first. */
  SCHEMA_VERSION_NOT_SOFT_DELETED: 404,
  /** The subject has no compatibility level of its own (`defaultToGlobal=true` reads the global one). */
  SUBJECT_CONFIG_NOT_FOUND: 404,
  /** No stream processor of that name is registered in the Worker (PROC-6). */
  UNKNOWN_PROCESSOR: 404,
  /** A connector's name or configuration that CONNECT-2 refuses. */
  INVALID_CONNECTOR: 400,
  /** No connector of that name is configured (CONNECT-8). */
  UNKNOWN_CONNECTOR: 404,
  /** The deployment holds CONNECTORS_MAX connectors already (CONNECT-2). */
  CONNECTOR_LIMIT_REACHED: 409,
  /** An archive connector on a deployment without the R2 binding ARCHIVE (CONNECT-10). */
  ARCHIVE_UNBOUND: 503,
  /** No HTTP source of that name is configured (SOURCE-3). */
  UNKNOWN_SOURCE: 404,
  /** The schema breaks the subject's compatibility level against its earlier versions. */
  INCOMPATIBLE_SCHEMA: 409,
  /** The registry holds SCHEMA_SUBJECTS_MAX subjects, the subject SCHEMA_VERSIONS_MAX versions, or SCHEMA_DOCUMENTS_MAX documents. */
  SCHEMA_LIMIT_REACHED: 409,
  /** Not a JSON Schema (draft 2020-12) document edgelog takes: malformed, too large or deep, or using what SCHEMA-2 refuses. */
  INVALID_SCHEMA: 422,
  /** A version that is not a whole number from 1, nor `latest`. */
  INVALID_SCHEMA_VERSION: 422,
  /** A compatibility level that is not one of SCHEMA_COMPATIBILITY_LEVELS. */
  INVALID_COMPATIBILITY: 422,
  /** A record whose value (or key) does not validate under its topic's schema: nothing of the request is stored. */
  SCHEMA_VIOLATION: 422,
  /** A bug: never expected, always worth a report. */
  INTERNAL: 500,
  /** Authentication is required but no key is configured: the deployment refuses every request (fails closed). */
  AUTH_NOT_CONFIGURED: 503,
} as const;

/**
 * A stable error code.
 *
 * @example
 * const code: ErrorCode = "UNKNOWN_TOPIC";
 * ERROR_STATUS[code]; // 404
 */
export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * Every code, for exhaustive tests and documentation.
 *
 * @example
 * ERROR_CODES.includes("PRODUCER_FENCED"); // true
 */
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/**
 * The JSON body of every error answer: `{error: {code, message}}`, and `retryAfterMs` (a whole
 * number of ms to wait before sending again) on QUOTA_EXCEEDED.
 *
 * @example
 * const body: ErrorBody = new EdgelogError("NOT_FOUND", "no such route").toBody();
 * // { error: { code: "NOT_FOUND", message: "no such route" } }
 */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; retryAfterMs?: number };
}

/**
 * A failure with a stable code. Thrown by validation on both sides, turned into an HTTP answer
 * by the worker, and rebuilt from an answer by the client.
 *
 * @example
 * throw new EdgelogError("UNKNOWN_TOPIC", `topic "orders" does not exist`);
 */
export class EdgelogError extends Error {
  readonly code: ErrorCode;
  /** How long to wait before sending again (QUOTA_EXCEEDED), in whole ms; null when the code says nothing of it. */
  readonly retryAfterMs: number | null;
  /** `message` is cut to ERROR_MESSAGE_LENGTH_MAX characters. */
  constructor(code: ErrorCode, message: string, options: { retryAfterMs?: number | null } = {}) {
    super(message.length > ERROR_MESSAGE_LENGTH_MAX ? `${message.slice(0, ERROR_MESSAGE_LENGTH_MAX - 1)}…` : message);
    this.name = "EdgelogError";
    this.code = code;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }

  /** The HTTP status this code is answered with. */
  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /** The wire form. */
  toBody(): ErrorBody {
    const error: ErrorBody["error"] = { code: this.code, message: this.message };
    if (this.retryAfterMs !== null) error.retryAfterMs = this.retryAfterMs;
    return { error };
  }
}

/**
 * The EdgelogError an error body (or a socket's `error` message) carries, `retryAfterMs` kept
 * when it is a whole number of ms.
 *
 * @example
 * throw errorFromBody(json.error); // in a client, after isErrorBody(json)
 */
export function errorFromBody(error: { code: ErrorCode; message: string; retryAfterMs?: unknown }): EdgelogError {
  const { retryAfterMs } = error;
  const wait = typeof retryAfterMs === "number" && Number.isSafeInteger(retryAfterMs) && retryAfterMs >= 0 ? retryAfterMs : null;
  return new EdgelogError(error.code, error.message, { retryAfterMs: wait });
}

/**
 * Whether a value is an error body from the wire, so a client can rebuild an EdgelogError.
 *
 * @example
 * if (isErrorBody(json)) throw new EdgelogError(json.error.code, json.error.message);
 */
export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== "object" || value === null || !("error" in value)) return false;
  const error = (value as { error: unknown }).error;
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === "string" && code in ERROR_STATUS && typeof message === "string";
}
