/**
 * HTTP plumbing shared by every route: reading a JSON body under REQUEST_BYTES_MAX, and turning
 * any failure into `{error: {code, message}}` with the code's status (never a bare 500).
 *
 * @example
 * app.onError(errorResponse);
 * const body = await readJson(c.req.raw);
 */
import type { Context } from "hono";
import { EdgelogError, ERROR_STATUS, type ErrorCode, REQUEST_BYTES_MAX } from "../client/protocol/index.ts";

/** An error answer for a code. */
export function errorJson(code: ErrorCode, message: string): Response {
  return Response.json(new EdgelogError(code, message).toBody(), { status: ERROR_STATUS[code] });
}

/** Hono's onError: EdgelogErrors keep their code; anything else is logged and answered INTERNAL. */
export function errorResponse(error: Error, _c: Context): Response {
  if (error instanceof EdgelogError) return errorJson(error.code, error.message);
  console.error("edgelog: unexpected error", error);
  return errorJson("INTERNAL", "an unexpected error occurred; it has been logged");
}

/** Decodes UTF-8, refusing invalid bytes; stateless between calls (no `stream` option is used). */
const UTF8_STRICT = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** The chunks as one array of `bytes` bytes; a body that came in one chunk is not copied. */
function concatChunks(chunks: readonly Uint8Array[], bytes: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const joined = new Uint8Array(bytes);
  let at = 0;
  for (const chunk of chunks) {
    joined.set(chunk, at);
    at += chunk.byteLength;
  }
  return joined;
}

/**
 * Reads and parses a JSON body, refusing more than REQUEST_BYTES_MAX bytes while streaming (a
 * Content-Length header is not trusted alone), so a huge body never fills the isolate's memory.
 */
export async function readJson(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > REQUEST_BYTES_MAX) {
    throw new EdgelogError("REQUEST_TOO_LARGE", `the body is ${declared} bytes; at most ${REQUEST_BYTES_MAX}`);
  }
  if (request.body === null) throw new EdgelogError("INVALID_JSON", "the body is empty; JSON was expected");
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > REQUEST_BYTES_MAX) {
      await reader.cancel();
      throw new EdgelogError("REQUEST_TOO_LARGE", `the body is over ${REQUEST_BYTES_MAX} bytes`);
    }
    chunks.push(value);
  }
  let text: string;
  try {
    text = UTF8_STRICT.decode(concatChunks(chunks, bytes));
  } catch {
    throw new EdgelogError("INVALID_JSON", "the body is not valid UTF-8");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new EdgelogError("INVALID_JSON", `the body is not JSON: ${(error as Error).message}`);
  }
}
