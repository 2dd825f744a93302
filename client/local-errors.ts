/**
 * Failures the browser client reports itself, with stable codes, beside the server's codes.
 *
 * A server failure keeps arriving as `EdgelogError` (errors.ts) with the server's code, rebuilt
 * from the HTTP body or the socket's `error` message. Local failures (the network, the cache, a
 * full outbox) are `EdgelogClientError`: a separate class, because the server's code list is the
 * wire contract and must not grow codes the worker never sends. `errorCode()` reads either.
 *
 * @example
 * try { await client.produce("orders", { value: 1 }); } catch (e) {
 *   if (errorCode(e) === "OUTBOX_FULL") showBanner("too much waiting to be sent");
 * }
 */
import { EdgelogError, type ErrorCode } from "./protocol/index.ts";

/**
 * Every local code, with what it means.
 *
 * @example
 * for (const [code, meaning] of Object.entries(CLIENT_ERROR_CODES)) console.log(code, meaning);
 */
export const CLIENT_ERROR_CODES = {
  /** The server could not be reached, or the connection broke before an answer. Retriable. */
  NETWORK: "the server could not be reached",
  /** A request had no answer within its time limit. Retriable. */
  TIMEOUT: "no answer in time",
  /** An answer that is not edgelog's (a proxy's error page, a wrong URL). */
  BAD_RESPONSE: "an answer that is not edgelog's",
  /** The outbox holds OUTBOX_RECORDS_MAX records: nothing more is queued until some are sent. */
  OUTBOX_FULL: "the outbox is full",
  /** The browser refused to store more (QuotaExceededError). What was stored is intact. */
  CACHE_QUOTA_EXCEEDED: "the browser's storage quota is used up",
  /** The cache failed otherwise (IndexedDB unavailable, a transaction aborted). */
  CACHE_FAILED: "the cache failed",
  /** The cached log of a partition is ahead of the server's (the topic was recreated): it was dropped. */
  CACHE_STALE: "the cached records no longer match the server",
  /** Records were deleted by retention before this client read them: a gap in what it saw. */
  RECORDS_LOST: "records expired before they were read",
  /** A subscriber's callback threw; the record counts as delivered. */
  CALLBACK_FAILED: "a subscriber's callback threw",
  /** The client or subscription was closed. */
  CLOSED: "closed",
  /**
   * The `auth` option gave no usable token: the function threw or answered something that is not
   * a token, or a token of another `sub` than the client's first. Retried with backoff.
   */
  AUTH_FAILED: "no usable token from the auth option",
  /** The client was used wrongly (e.g. `sub.commit()` without a group). */
  INVALID_USE: "the client was used wrongly",
  /**
   * A typed topic's schema refused a value (a `SchemaValidationError`: the message names the
   * first failing path and its issue, `issues` holds at most SCHEMA_ISSUES_MAX). From `produce`
   * and `enqueue`, at once and before anything is queued; from a subscription that validates
   * incoming values, to `client.onError` with the record's `position` (the record is skipped).
   */
  SCHEMA_VALIDATION_FAILED: "a value does not match its topic's schema",
  /**
   * A typed topic's schema itself failed: `validate` threw, rejected, answered something that is
   * not a Standard Schema result, or did not answer within SCHEMA_VALIDATE_MS_MAX. The value is
   * treated as refused (nothing is queued; an incoming record is skipped and reported).
   */
  SCHEMA_FAILED: "a topic's schema failed to validate",
} as const;

/**
 * A local error code.
 *
 * @example
 * const code: ClientErrorCode = "OUTBOX_FULL";
 */
export type ClientErrorCode = keyof typeof CLIENT_ERROR_CODES;

/**
 * Any code a client call can fail with: the server's or a local one.
 *
 * @example
 * const code: AnyErrorCode | undefined = errorCode(error); // "UNKNOWN_TOPIC", "NETWORK", ...
 */
export type AnyErrorCode = ErrorCode | ClientErrorCode;

/**
 * A local failure with a stable code. `cause` keeps the underlying error (a DOMException, a
 * TypeError from fetch) for logs.
 *
 * @example
 * throw new EdgelogClientError("OUTBOX_FULL", "10000 records wait to be sent");
 */
export class EdgelogClientError extends Error {
  readonly code: ClientErrorCode;
  /** An error with a stable code; `cause` keeps the error it wraps. */
  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EdgelogClientError";
    this.code = code;
  }

  /** Whether trying again later may succeed (the network, a timeout, a server hiccup, the auth option). */
  get retriable(): boolean {
    return this.code === "NETWORK" || this.code === "TIMEOUT" || this.code === "BAD_RESPONSE" || this.code === "AUTH_FAILED";
  }
}

/**
 * The stable code of any error a client call throws, or undefined for anything else.
 *
 * @example
 * if (errorCode(error) === "PRODUCER_FENCED") stopProducing();
 */
export function errorCode(error: unknown): AnyErrorCode | undefined {
  if (error instanceof EdgelogClientError || error instanceof EdgelogError) return error.code;
  return undefined;
}

/**
 * Whether an error is the browser refusing to store more. Browsers differ: a DOMException named
 * QuotaExceededError (code 22), Firefox's NS_ERROR_DOM_QUOTA_REACHED (code 1014), or an IDB
 * transaction aborted with such an error as its `error`.
 *
 * @example
 * catch (e) { if (isQuotaError(e)) reportFull(); }
 */
export function isQuotaError(error: unknown): boolean {
  if (error instanceof EdgelogClientError) return error.code === "CACHE_QUOTA_EXCEEDED";
  if (typeof error !== "object" || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  if (name === "QuotaExceededError" || name === "NS_ERROR_DOM_QUOTA_REACHED") return true;
  if (code === 22 || code === 1014) return true;
  const inner = (error as { error?: unknown; cause?: unknown }).error ?? (error as { cause?: unknown }).cause;
  return inner !== undefined && inner !== error && isQuotaError(inner);
}

/**
 * Wraps a cache failure into a coded error: CACHE_QUOTA_EXCEEDED or CACHE_FAILED. Errors that
 * already carry a code pass through.
 *
 * @example
 * catch (e) { throw cacheError(e, "storing records"); }
 */
export function cacheError(error: unknown, doing: string): EdgelogClientError | EdgelogError {
  if (error instanceof EdgelogClientError || error instanceof EdgelogError) return error;
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (isQuotaError(error)) {
    return new EdgelogClientError("CACHE_QUOTA_EXCEEDED", `${doing}: the browser's storage quota is used up (${detail})`, { cause: error });
  }
  return new EdgelogClientError("CACHE_FAILED", `${doing} failed: ${detail}`, { cause: error });
}
