/**
 * What a Durable Object RPC method answers: a value or an error with a stable code. Errors travel
 * as data because a thrown error crossing RPC keeps its message but loses its class and code.
 *
 * @example
 * const result = await stub.read(request);
 * const value = unwrap(result); // throws the EdgelogError the object reported
 */
import { EdgelogError, type ErrorCode, errorFromBody } from "../client/protocol/index.ts";

/**
 * A Durable Object RPC method's answer: its value, or the EdgelogError it failed with as data.
 *
 * @example
 * const result: Result<PartitionOffsets> = await stub.offsets(meta.topicId);
 * if (!result.ok) console.log(result.error.code); // "UNKNOWN_TOPIC" for a dropped partition
 */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ResultError };

/**
 * An error as a Result carries it: its code, message and wait (QUOTA_EXCEEDED's `retryAfterMs`).
 *
 * @example
 * const error: ResultError = { code: "QUOTA_EXCEEDED", message: "wait", retryAfterMs: 900 };
 */
export interface ResultError {
  code: ErrorCode;
  message: string;
  retryAfterMs?: number;
}

function asResultError(error: EdgelogError): { ok: false; error: ResultError } {
  return { ok: false, error: error.toBody().error };
}

/**
 * Runs `body`, turning a thrown EdgelogError into an error result; anything else is a bug and rethrows.
 *
 * @example
 * capture(() => { throw new EdgelogError("UNKNOWN_TOPIC", "gone"); });
 * // { ok: false, error: { code: "UNKNOWN_TOPIC", message: "gone" } }
 */
export function capture<T>(body: () => T): Result<T> {
  try {
    return { ok: true, value: body() };
  } catch (error) {
    if (error instanceof EdgelogError) return asResultError(error);
    throw error;
  }
}

/**
 * The async twin of `capture`.
 *
 * @example
 * return captureAsync(() => this.admit(input, null)); // Group.join
 */
export async function captureAsync<T>(body: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await body() };
  } catch (error) {
    if (error instanceof EdgelogError) return asResultError(error);
    throw error;
  }
}

/**
 * What an unexpected failure is answered with, everywhere (the failure itself is logged).
 *
 * @example
 * asEdgelogError(new TypeError("oops"), "a request").message === INTERNAL_MESSAGE; // true
 */
export const INTERNAL_MESSAGE = "an unexpected error occurred; it has been logged";

/**
 * The one translation of a failure into an answer: an EdgelogError as it is, anything else (a
 * bug) logged with `where` and turned into INTERNAL.
 *
 * @example
 * const failure = asEdgelogError(error, "a group socket message");
 */
export function asEdgelogError(error: unknown, where: string): EdgelogError {
  if (error instanceof EdgelogError) return error;
  console.error(`edgelog: ${where} failed`, error);
  return new EdgelogError("INTERNAL", INTERNAL_MESSAGE);
}

/**
 * The value of a result, or its error thrown as an EdgelogError.
 *
 * @example
 * const offsets = unwrap(await stub.offsets(meta.topicId)); // throws the object's EdgelogError, code kept
 */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw errorFromBody(result.error);
}

/**
 * Asserts an invariant; a broken one is a bug, reported as INTERNAL before anything is written.
 *
 * @example
 * invariant(base === highWatermark, "a batch starts at the high watermark");
 */
export function invariant(condition: boolean, what: string): asserts condition {
  if (!condition) throw new EdgelogError("INTERNAL", `invariant broken: ${what}`);
}
