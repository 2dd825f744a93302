/**
 * The JSON body middleware: reads the request body under a byte limit while it streams (a
 * Content-Length header is not trusted alone, so a huge body never fills the isolate's memory)
 * and within a deadline (REQUEST_BODY_MS_MAX for the whole body, so a declared length never sent
 * or a body trickled a byte a second cannot hold a request open), decodes strict UTF-8 and parses
 * JSON, then hands the value to the route as `c.var.body`.
 * Refusals: REQUEST_TOO_LARGE, REQUEST_TIMEOUT, INVALID_JSON (empty, not UTF-8, not JSON).
 * The produce routes read the body the same way but keep its text (`produceBody`), so its
 * records are validated and stored from the text in one scan (RECORD-8).
 *
 * Rules: PROTOCOL.md JSON-1, HTTP-2, HTTP-5, RECORD-8.
 *
 * @example
 * app.post(ROUTE.topicRecords, topicParams(), jsonBody(), (c) => c.json(parseProduceRequest(c.var.body)));
 */
import { createMiddleware } from "hono/factory";
import {
  EdgelogError,
  type ParsedProduce,
  parseProduceRequest,
  REQUEST_BODY_MS_MAX,
  REQUEST_BYTES_MAX,
  scanProduceBody,
} from "../../client/protocol/index.ts";

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
  /** How long the whole body may take to arrive, in ms (REQUEST_BODY_MS_MAX unless a test says less). */
  readMsMax?: number;
  /** The signal that ends the read: `AbortSignal.timeout(readMsMax)` unless a test aborts its own. */
  deadline?: () => AbortSignal;
}

/** How `readBytes` bounds a body. */
interface ReadLimits {
  bytesMax: number;
  readMsMax: number;
  deadline: AbortSignal;
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

/** A promise that rejects with REQUEST_TIMEOUT when `signal` aborts (already handled, so never unhandled). */
function expiry(signal: AbortSignal, readMsMax: number): Promise<never> {
  const expired = new Promise<never>((_, reject) => {
    const fail = (): void => reject(new EdgelogError("REQUEST_TIMEOUT", `the body did not arrive within ${readMsMax} ms`));
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
  expired.catch(() => undefined);
  return expired;
}

/** The body's bytes, refusing more than `bytesMax` while streaming, and a body not whole by the deadline. */
async function readBytes(request: Request, limits: ReadLimits): Promise<Uint8Array> {
  const { bytesMax } = limits;
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > bytesMax) throw new EdgelogError("REQUEST_TOO_LARGE", `the body is ${declared} bytes; at most ${bytesMax}`);
  if (request.body === null) throw new EdgelogError("INVALID_JSON", "the body is empty; JSON was expected");
  const reader = request.body.getReader();
  const expired = expiry(limits.deadline, limits.readMsMax);
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    // Bounded: each turn takes at least a byte of at most bytesMax, or ends by the deadline.
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), expired]);
      if (done) break;
      bytes += value.byteLength;
      if (bytes > bytesMax) throw new EdgelogError("REQUEST_TOO_LARGE", `the body is over ${bytesMax} bytes`);
      chunks.push(value);
    }
  } catch (error) {
    // Not awaited: a stalled body may never settle its cancel.
    reader.cancel().catch(() => undefined);
    throw error;
  }
  return concatChunks(chunks, bytes);
}

/**
 * Reads a body of any bytes (none is an empty array), at most `bytesMax` of them, arriving within
 * `readMsMax` (the Durable Streams routes' bodies, which need not be JSON).
 *
 * @example
 * const bytes = await readBodyBytes(request, { bytesMax: STREAM_APPEND_BYTES_MAX }); // REQUEST_TOO_LARGE past it
 */
export async function readBodyBytes(request: Request, options: JsonBodyOptions = {}): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array(0);
  const readMsMax = options.readMsMax ?? REQUEST_BODY_MS_MAX;
  const deadline = options.deadline?.() ?? AbortSignal.timeout(readMsMax);
  return readBytes(request, { bytesMax: options.bytesMax ?? REQUEST_BYTES_MAX, readMsMax, deadline });
}

/**
 * Reads a body of at most `bytesMax` bytes that arrives within `readMsMax`, as strict UTF-8 text.
 *
 * @example
 * const text = await readText(request); // throws INVALID_JSON for the bytes FF FE
 */
export async function readText(request: Request, options: JsonBodyOptions = {}): Promise<string> {
  const readMsMax = options.readMsMax ?? REQUEST_BODY_MS_MAX;
  const deadline = options.deadline?.() ?? AbortSignal.timeout(readMsMax);
  const bytes = await readBytes(request, { bytesMax: options.bytesMax ?? REQUEST_BYTES_MAX, readMsMax, deadline });
  try {
    return UTF8_STRICT.decode(bytes);
  } catch {
    throw new EdgelogError("INVALID_JSON", "the body is not valid UTF-8");
  }
}

/**
 * Parses a body's text as JSON, or throws INVALID_JSON naming what JSON.parse found.
 *
 * @example
 * parseJsonText("{not json"); // throws INVALID_JSON
 */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new EdgelogError("INVALID_JSON", `the body is not JSON: ${(error as Error).message}`);
  }
}

/**
 * Reads and parses a JSON body of at most `bytesMax` bytes that arrives within `readMsMax`.
 *
 * @example
 * const value = await readJson(request); // throws INVALID_JSON for "{not json"
 */
export async function readJson(request: Request, options: JsonBodyOptions = {}): Promise<unknown> {
  return parseJsonText(await readText(request, options));
}

/**
 * A produce body's records, validated and encoded: in one scan of the text when it has the
 * usual shape (RECORD-8), else by the full parse (JSON.parse, then parseProduceRequest), which
 * answers every refusal.
 *
 * @example
 * parseProduceBody('{"records":[{"value":1}]}').records[0].tail; // '"key":null,"value":1,"headers":{}}'
 */
export function parseProduceBody(text: string): ParsedProduce {
  return scanProduceBody(text) ?? parseProduceRequest(parseJsonText(text));
}

/**
 * What `produceBody` gives the route.
 *
 * @example
 * app.post(ROUTE.topicRecords, produceBody(), (c) => c.json(c.var.produce.records.length));
 */
export type ProduceBodyVariables = { produce: ParsedProduce };

/**
 * The middleware of the produce routes: `c.var.produce` holds the body's validated records, read
 * as `jsonBody` reads a body (same limits, deadline and refusals) but kept as text for the scan.
 *
 * @example
 * app.post(ROUTE.partitionRecords, partitionParams(), produceBody(), (c) => c.json(c.var.produce.producer));
 */
export function produceBody(options: JsonBodyOptions = {}) {
  return createMiddleware<{ Variables: ProduceBodyVariables }>(async (c, next) => {
    c.set("produce", parseProduceBody(await readText(c.req.raw, options)));
    await next();
  });
}

/**
 * The middleware: `c.var.body` holds the parsed body (any JSON value; the route validates it).
 *
 * @example
 * app.put(ROUTE.topic, topicParams(), jsonBody(), (c) => c.json(parseCreateTopic(c.var.body)));
 */
export function jsonBody(options: JsonBodyOptions = {}) {
  return createMiddleware<{ Variables: JsonBodyVariables }>(async (c, next) => {
    c.set("body", await readJson(c.req.raw, options));
    await next();
  });
}
