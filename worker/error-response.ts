/**
 * HTTP errors for every route: any failure becomes `{error: {code, message}}` with the code's
 * status (never a bare 500). The JSON body is read by middleware/json-body.ts.
 *
 * Rules: PROTOCOL.md ERROR-1, ERROR-3, ERROR-4, AUTH-6, QUOTA-5, SCHEMA-7.
 *
 * @example
 * app.onError(errorResponse);
 * return errorJson("NOT_FOUND", "no such route");
 */
import type { Context } from "hono";
import { confluentErrorCode, EdgelogError, ERROR_STATUS, type ErrorCode, retryAfterSeconds } from "../client/protocol/index.ts";
import { asEdgelogError } from "./result.ts";

/**
 * An error answer for a code: `{error: {code, message}}` with the code's status; a 401 also says
 * how to authenticate (`WWW-Authenticate: Bearer`, RFC 6750).
 *
 * @example
 * errorJson("UPGRADE_REQUIRED", "this route takes a WebSocket (Upgrade: websocket)"); // a 426 Response
 */
export function errorJson(code: ErrorCode, message: string): Response {
  return errorAnswer(new EdgelogError(code, message));
}

/**
 * The answer to an EdgelogError: its body with the code's status; a 401 says how to authenticate,
 * and a wait (QUOTA_EXCEEDED) is also `Retry-After` in whole seconds, rounded up (QUOTA-5).
 *
 * @example
 * errorAnswer(new EdgelogError("QUOTA_EXCEEDED", "wait", { retryAfterMs: 1_200 })); // 429, Retry-After: 2
 */
export function errorAnswer(error: EdgelogError): Response {
  const headers: Record<string, string> = error.code === "UNAUTHENTICATED" ? { "www-authenticate": 'Bearer realm="edgelog"' } : {};
  if (error.retryAfterMs !== null) headers["retry-after"] = String(retryAfterSeconds(error.retryAfterMs));
  return Response.json(error.toBody(), { status: ERROR_STATUS[error.code], headers });
}

/**
 * Hono's onError: EdgelogErrors keep their code; anything else is logged and answered INTERNAL.
 *
 * @example
 * app.onError(errorResponse); // a route throwing EdgelogError("UNKNOWN_TOPIC", ...) answers 404 with that code
 */
export function errorResponse(error: Error, c: Context): Response {
  const failure = asEdgelogError(error, "a request");
  return SCHEMA_PATH.test(c.req.path) ? schemaErrorAnswer(failure) : errorAnswer(failure);
}

/** The schema registry's routes, wherever the app is mounted. */
const SCHEMA_PATH = /\/v1\/schemas(\/|$)/;

/**
 * An error on the schema registry's routes: Confluent's body, `{error_code, message}`, with
 * edgelog's `error` beside it (SCHEMA-7), and the code's status.
 *
 * @example
 * schemaErrorAnswer(new EdgelogError("UNKNOWN_SUBJECT", "subject \"orders-value\" not found")); // 404 {"error_code":40401,...}
 */
export function schemaErrorAnswer(error: EdgelogError): Response {
  const answer = errorAnswer(error);
  const body = { error_code: confluentErrorCode(error.code), message: error.message, ...error.toBody() };
  return Response.json(body, { status: answer.status, headers: answer.headers });
}
