/**
 * Errors across a service binding (the worker's EdgelogService, in `edgelog/worker`). workerd
 * sends a thrown error to the RPC caller as an `Error` with its message; its own properties (`code`, `name`) arrive only when both Workers run with
 * enhanced error serialization (compatibility date 2026-04-21 or later; before it, the caller
 * gets `Error("EdgelogError: <message>")` and nothing else). So the service throws an
 * EdgelogError whose message also starts with its code (`UNKNOWN_TOPIC: topic "x" does not
 * exist`), and `rpcError` rebuilds the EdgelogError on the caller's side from either form. It
 * lives here, in the wire contract, so a calling Worker imports `edgelog/protocol` only.
 *
 * @example
 * try {
 *   await env.EDGELOG.produce("orders", [{ value: 1 }]);
 * } catch (error) {
 *   if (rpcError(error)?.code === "UNKNOWN_TOPIC") await env.EDGELOG.createTopic("orders", { partitions: 3 });
 * }
 */
import { EdgelogError, type ErrorCode, isErrorBody } from "./errors.ts";

/** What workerd writes before the message of an error whose name is not a standard one. */
const NAME_PREFIX = "EdgelogError: ";
/** `CODE: ` at the start of a message (codes are upper-case words joined by `_`). */
const CODE_PREFIX = /^([A-Z][A-Z0-9_]{0,63}): /;

function knownCode(value: unknown): ErrorCode | null {
  return typeof value === "string" && isErrorBody({ error: { code: value, message: "" } }) ? (value as ErrorCode) : null;
}

/**
 * The error to throw across RPC for `error`: its code, its message prefixed with the code, its wait.
 *
 * @example
 * throw rpcThrowable(new EdgelogError("UNKNOWN_TOPIC", 'topic "x" does not exist'));
 * // message: 'UNKNOWN_TOPIC: topic "x" does not exist'
 */
export function rpcThrowable(error: EdgelogError): EdgelogError {
  return new EdgelogError(error.code, `${error.code}: ${error.message}`, { retryAfterMs: error.retryAfterMs });
}

/**
 * The EdgelogError an RPC call to EdgelogService threw (its code from the error's `code`, or from
 * its message), or null when `error` is not one (a network failure, a bug in the caller).
 *
 * @example
 * const failure = rpcError(caught);
 * if (failure?.code === "INVALID_RECORD") console.warn(failure.message);
 */
export function rpcError(error: unknown): EdgelogError | null {
  if (!(error instanceof Error)) return null;
  const text = error.message.startsWith(NAME_PREFIX) ? error.message.slice(NAME_PREFIX.length) : error.message;
  const prefix = CODE_PREFIX.exec(text);
  const fromMessage = knownCode(prefix?.[1]);
  const code = knownCode((error as { code?: unknown }).code) ?? fromMessage;
  if (code === null) return null;
  const message = prefix !== null && fromMessage === code ? text.slice(prefix[0].length) : text;
  const wait = (error as { retryAfterMs?: unknown }).retryAfterMs;
  return new EdgelogError(code, message, {
    retryAfterMs: typeof wait === "number" && Number.isSafeInteger(wait) && wait >= 0 ? wait : null,
  });
}
