/**
 * The JSON body middleware: reads the request body under a byte limit while it streams (a
 * Content-Length header is not trusted alone, so a huge body never fills the isolate's memory),
 * decodes strict UTF-8 and parses JSON, then hands the value to the route as `c.var.body`.
 * Refusals: REQUEST_TOO_LARGE, INVALID_JSON (empty, not UTF-8, not JSON).
 *
 * Rules: PROTOCOL.md JSON-1, HTTP-2.
 *
 * @example
 * app.post(ROUTE.topicRecords, topicParams(), jsonBody(), (c) => c.json(parseProduceRequest(c.var.body)));
 */
import { createMiddleware } from "hono/factory";
import { EdgelogError, REQUEST_BYTES_MAX } from "../../client/protocol/index.ts";

/**
 * What the middleware gives the route.
 *
 * @example
 * groupRoutes.post(ROUTE.groupMembers, groupParams(), jsonBody(), (c) => c.json(parseJoin(c.var.body))); // body: unknown
 */
export type JsonBodyVariables = { body: unknown };

/**
 * Options of `jsonBody`.
 *
 * @example
 * app.post("/", jsonBody({ bytesMax: 1_024 }), handler); // REQUEST_TOO_LARGE past 1 KiB
 */
export interface JsonBodyOptions {
  /** The largest body accepted, in bytes (REQUEST_BYTES_MAX unless a test says less). */
  bytesMax?: number;
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

/** The body's bytes, refusing more than `bytesMax` while streaming. */
async function readBytes(request: Request, bytesMax: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > bytesMax) throw new EdgelogError("REQUEST_TOO_LARGE", `the body is ${declared} bytes; at most ${bytesMax}`);
  if (request.body === null) throw new EdgelogError("INVALID_JSON", "the body is empty; JSON was expected");
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > bytesMax) {
      await reader.cancel();
      throw new EdgelogError("REQUEST_TOO_LARGE", `the body is over ${bytesMax} bytes`);
    }
    chunks.push(value);
  }
  return concatChunks(chunks, bytes);
}

/**
 * Reads and parses a JSON body of at most `bytesMax` bytes.
 *
 * @example
 * const value = await readJson(request); // throws INVALID_JSON for "{not json"
 */
export async function readJson(request: Request, bytesMax = REQUEST_BYTES_MAX): Promise<unknown> {
  const bytes = await readBytes(request, bytesMax);
  let text: string;
  try {
    text = UTF8_STRICT.decode(bytes);
  } catch {
    throw new EdgelogError("INVALID_JSON", "the body is not valid UTF-8");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new EdgelogError("INVALID_JSON", `the body is not JSON: ${(error as Error).message}`);
  }
}

/**
 * The middleware: `c.var.body` holds the parsed body (any JSON value; the route validates it).
 *
 * @example
 * app.put(ROUTE.topic, topicParams(), jsonBody(), (c) => c.json(parseCreateTopic(c.var.body)));
 */
export function jsonBody(options: JsonBodyOptions = {}) {
  const bytesMax = options.bytesMax ?? REQUEST_BYTES_MAX;
  return createMiddleware<{ Variables: JsonBodyVariables }>(async (c, next) => {
    c.set("body", await readJson(c.req.raw, bytesMax));
    await next();
  });
}
