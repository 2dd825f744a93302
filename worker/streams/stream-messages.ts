/**
 * How Durable Streams messages are stored in the partition log and served back. A message is a
 * record `{"offset":N,"timestamp":T,"key":null,"value":V,"headers":{}}` (stored-batch.ts's form):
 * in JSON mode (content type application/json) V is one JSON message, a body that is an array
 * giving one record per element (one level flattened); in byte mode V is the base64 of up to
 * STREAM_CHUNK_BYTES_MAX bytes, a body taking as many records as it has chunks. A read serves the
 * values back: a JSON array of the messages, or the chunks' bytes concatenated.
 *
 * Rules: PROTOCOL.md STREAM-6, STREAM-7.
 *
 * @example
 * const tails = appendTails(new TextEncoder().encode('[1,{"a":2}]'), true, false); // two records
 * renderJson('[{"offset":0,"timestamp":1,"key":null,"value":1,"headers":{}}]'); // "[1]"
 */
import { EdgelogError, jsonDepthExceeds, STREAM_CHUNK_BYTES_MAX, VALUE_DEPTH_MAX } from "../../client/protocol/index.ts";

/** One record's stored value, as a read parses it back. */
type StoredRecord = { value: unknown };

/**
 * Whether a content type is JSON mode (its media type is application/json, any case, any parameters).
 *
 * @example
 * isJsonMode("application/json; charset=utf-8"); // true
 */
export function isJsonMode(contentType: string): boolean {
  return mediaType(contentType) === "application/json";
}

/**
 * The media type of a content type: before any `;`, trimmed, lower case.
 *
 * @example
 * mediaType("Text/Plain; charset=UTF-8"); // "text/plain"
 */
export function mediaType(contentType: string): string {
  return (contentType.split(";")[0] ?? "").trim().toLowerCase();
}

/** The record tail (stored-batch.ts's `"key":...}` part) of one value already in JSON text. */
function tail(valueJson: string): string {
  return `"key":null,"value":${valueJson},"headers":{}}`;
}

/**
 * The record tails of one append's body. JSON mode: INVALID_JSON unless it is UTF-8 JSON nested
 * at most VALUE_DEPTH_MAX deep; an empty array is INVALID_REQUEST, except in a create (`initial`),
 * where it creates the stream with no message. Byte mode: one tail per chunk.
 *
 * @example
 * appendTails(new TextEncoder().encode("hello"), false, false); // ['"key":null,"value":"aGVsbG8=","headers":{}}']
 */
export function appendTails(body: Uint8Array, json: boolean, initial: boolean): string[] {
  if (!json) {
    const tails: string[] = [];
    for (let at = 0; at < body.byteLength; at += STREAM_CHUNK_BYTES_MAX) {
      tails.push(tail(`"${toBase64(body.subarray(at, at + STREAM_CHUNK_BYTES_MAX))}"`));
    }
    return tails;
  }
  let text: string;
  let parsed: unknown;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(body);
    parsed = JSON.parse(text);
  } catch {
    throw new EdgelogError("INVALID_JSON", "a JSON stream takes a body of UTF-8 JSON");
  }
  if (jsonDepthExceeds(text, VALUE_DEPTH_MAX + 1)) {
    throw new EdgelogError("INVALID_JSON", `a JSON message may nest at most ${VALUE_DEPTH_MAX} levels`);
  }
  if (!Array.isArray(parsed)) return [tail(JSON.stringify(parsed))];
  if (parsed.length === 0 && !initial) throw new EdgelogError("INVALID_REQUEST", "an append of an empty JSON array adds nothing");
  return parsed.map((value: unknown) => tail(JSON.stringify(value)));
}

/**
 * A page of records (the log's `recordsJson`) as a JSON-mode body: the array of their values.
 *
 * @example
 * renderJson("[]"); // "[]"
 */
export function renderJson(recordsJson: string): string {
  const records = JSON.parse(recordsJson) as StoredRecord[];
  return `[${records.map((record) => JSON.stringify(record.value)).join(",")}]`;
}

/**
 * A page of records as a byte-mode body: the chunks' bytes, in order.
 *
 * @example
 * renderBytes('[{"offset":0,"timestamp":1,"key":null,"value":"aGk=","headers":{}}]'); // the bytes of "hi"
 */
export function renderBytes(recordsJson: string): Uint8Array {
  const chunks = (JSON.parse(recordsJson) as StoredRecord[]).map((record) => fromBase64(String(record.value)));
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** Bytes per String.fromCharCode call (an argument list has a bound). */
const BASE64_SLICE_BYTES = 8_192;

/**
 * Standard base64 (RFC 4648) of bytes.
 *
 * @example
 * toBase64(new Uint8Array([104, 105])); // "aGk="
 */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let at = 0; at < bytes.byteLength; at += BASE64_SLICE_BYTES) {
    binary += String.fromCharCode(...bytes.subarray(at, at + BASE64_SLICE_BYTES));
  }
  return btoa(binary);
}

/** The bytes of standard base64 text. */
function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
