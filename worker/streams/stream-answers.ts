/**
 * How the Durable Streams routes answer: the protocol's browser security headers on every answer,
 * refusals as edgelog's `{error: {code, message}}` with the protocol's status and its extra
 * headers (Stream-Closed and the final offset on a closed stream, the producer's expected
 * sequence on a gap, its current epoch when fenced).
 *
 * Rules: PROTOCOL.md STREAM-1, STREAM-13, ERROR-1.
 *
 * @example
 * return streamAnswer(null, 204, { "Stream-Next-Offset": offset });
 */
import { EdgelogError, type ErrorCode } from "../../client/protocol/index.ts";

/**
 * The headers every Durable Streams answer carries (the protocol's section on browser security).
 *
 * @example
 * new Response(body, { headers: { ...STREAM_SECURITY_HEADERS } });
 */
export const STREAM_SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "cross-origin-resource-policy": "cross-origin",
} as const;

/**
 * An answer with the security headers.
 *
 * @example
 * streamAnswer("[]", 200, { "content-type": "application/json" });
 */
export function streamAnswer(body: BodyInit | null, status: number, headers: Record<string, string>): Response {
  return new Response(body, { status, headers: { ...STREAM_SECURITY_HEADERS, ...headers } });
}

/**
 * A refusal: `{error: {code, message}}` with the code's status and the extra headers.
 *
 * @example
 * streamRefusal("STREAM_CLOSED", "the stream is closed", { "Stream-Closed": "true" });
 */
export function streamRefusal(code: ErrorCode, message: string, headers: Record<string, string> = {}): Response {
  return streamError(new EdgelogError(code, message), headers);
}

/**
 * The answer of a thrown EdgelogError (with extra headers).
 *
 * @example
 * catch (error) { return streamError(asEdgelogError(error, "a stream request")); }
 */
export function streamError(error: EdgelogError, headers: Record<string, string> = {}): Response {
  return streamAnswer(JSON.stringify(error.toBody()), error.status, { "content-type": "application/json", ...headers });
}
