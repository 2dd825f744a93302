/**
 * How a command fails: one line on stderr, `edgelog: <CODE>: <message>`, the CODE the stable
 * error code (PROTOCOL.md's server codes, the client's NETWORK/TIMEOUT/BAD_RESPONSE/AUTH_FAILED,
 * or USAGE for bad arguments), and an exit status by kind, so scripts can branch on either.
 *
 * @example
 * try { await run(); } catch (error) { process.exitCode = reportFailure(error, process.stderr); }
 */
import { type AnyErrorCode, errorCode } from "../client/index.ts";

/**
 * The exit statuses, by kind of failure.
 *
 * @example
 * if (status === EXIT.NOT_FOUND) console.log("no such topic");
 */
export const EXIT = {
  OK: 0,
  /** Any other edgelog error (its code says which). */
  FAILED: 1,
  /** Bad arguments: an unknown option, a missing argument, a value out of range (code USAGE). */
  USAGE: 2,
  /** UNKNOWN_TOPIC, UNKNOWN_PARTITION, NOT_FOUND, UNKNOWN_MEMBER_ID, UNKNOWN_PROCESSOR, UNKNOWN_CONNECTOR, UNKNOWN_SOURCE. */
  NOT_FOUND: 3,
  /** UNAUTHENTICATED, FORBIDDEN, AUTH_FAILED, AUTH_NOT_CONFIGURED. */
  AUTH: 4,
  /** NETWORK, TIMEOUT, BAD_RESPONSE: the server was not reached, or is not edgelog. */
  UNREACHABLE: 5,
} as const;

/**
 * Bad arguments: exit status 2, code USAGE.
 *
 * @example
 * throw new UsageError("-o must be beginning, end, N, -N or @timestamp, not \"soon\"");
 */
export class UsageError extends Error {
  /** Always "USAGE". */
  readonly code = "USAGE";
}

const BY_CODE: Partial<Record<AnyErrorCode, number>> = {
  UNKNOWN_TOPIC: EXIT.NOT_FOUND,
  UNKNOWN_PARTITION: EXIT.NOT_FOUND,
  NOT_FOUND: EXIT.NOT_FOUND,
  UNKNOWN_MEMBER_ID: EXIT.NOT_FOUND,
  UNKNOWN_PROCESSOR: EXIT.NOT_FOUND,
  UNKNOWN_CONNECTOR: EXIT.NOT_FOUND,
  UNKNOWN_SOURCE: EXIT.NOT_FOUND,
  UNAUTHENTICATED: EXIT.AUTH,
  FORBIDDEN: EXIT.AUTH,
  AUTH_FAILED: EXIT.AUTH,
  AUTH_NOT_CONFIGURED: EXIT.AUTH,
  NETWORK: EXIT.UNREACHABLE,
  TIMEOUT: EXIT.UNREACHABLE,
  BAD_RESPONSE: EXIT.UNREACHABLE,
};

/**
 * The stable code and exit status of an error a command threw.
 *
 * @example
 * failureOf(new UsageError("bad")); // { code: "USAGE", status: 2 }
 */
export function failureOf(error: unknown): { code: string; status: number } {
  if (error instanceof UsageError) return { code: error.code, status: EXIT.USAGE };
  const code = errorCode(error);
  if (code === undefined) return { code: "INTERNAL", status: EXIT.FAILED };
  return { code, status: BY_CODE[code] ?? EXIT.FAILED };
}

/**
 * Writes the failure's line to `stderr` and answers its exit status.
 *
 * @example
 * process.exitCode = reportFailure(error, process.stderr); // "edgelog: UNKNOWN_TOPIC: topic \"x\" does not exist"
 */
export function reportFailure(error: unknown, stderr: { write(text: string): unknown }): number {
  const { code, status } = failureOf(error);
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`edgelog: ${code}: ${message}\n`);
  return status;
}
