/**
 * HTTP errors for every route: any failure becomes `{error: {code, message}}` with the code's
 * status (never a bare 500). The JSON body is read by middleware/json-body.ts.
 *
 * Rules: PROTOCOL.md ERROR-1, ERROR-3, ERROR-4, AUTH-6.
 *
 * @example
 * app.onError(errorResponse);
 * return errorJson("NOT_FOUND", "no such route");
 */
import type { Context } from "hono";
import { EdgelogError, ERROR_STATUS, type ErrorCode } from "../client/protocol/index.ts";
import { asEdgelogError } from "./result.ts";

/**
 * An error answer for a code: `{error: {code, message}}` with the code's status; a 401 also says
 * how to authenticate (`WWW-Authenticate: Bearer`, RFC 6750).
 *
 * @example
 * errorJson("UPGRADE_REQUIRED", "this route takes a WebSocket (Upgrade: websocket)"); // a 426 Response
 */
export function errorJson(code: ErrorCode, message: string): Response {
  const headers: Record<string, string> = code === "UNAUTHENTICATED" ? { "www-authenticate": 'Bearer realm="edgelog"' } : {};
  return Response.json(new EdgelogError(code, message).toBody(), { status: ERROR_STATUS[code], headers });
}

/**
 * Hono's onError: EdgelogErrors keep their code; anything else is logged and answered INTERNAL.
 *
 * @example
 * app.onError(errorResponse); // a route throwing EdgelogError("UNKNOWN_TOPIC", ...) answers 404 with that code
 */
export function errorResponse(error: Error, _c: Context): Response {
  const failure = asEdgelogError(error, "a request");
  return errorJson(failure.code, failure.message);
}
