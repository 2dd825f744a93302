/**
 * An HTTP source's mapping from a delivery to one record: the value is the body parsed as JSON
 * (any Content-Type; a JSON pointer may pick a part of it), or the body as a string when it is
 * not JSON; the key is read by a JSON pointer into the body or from a request header (a string
 * as it is, a number or boolean as its JSON text, an object or array as its JSON text, absent or
 * null as no key); the record's headers are the allow-listed request headers present, plus
 * `edgelog-source` and `edgelog-delivery-id`. The record's timestamp is the append time.
 *
 * Rules: PROTOCOL.md SOURCE-6.
 *
 * @example
 * const record = mapDelivery("github", config, { "x-github-event": "push" }, body, "d-1");
 * // { key: "42", value: { ... }, headers: { "x-github-event": "push", "edgelog-source": "github", "edgelog-delivery-id": "d-1" } }
 */
import { EdgelogError, type JsonValue, type RecordInput, resolvePointer, type SourceConfig } from "../../client/protocol/index.ts";

/** Decodes UTF-8, refusing invalid bytes. */
const UTF8_STRICT = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * The record header naming the source a record came from.
 *
 * @example
 * record.headers[SOURCE_RECORD_HEADER]; // "github"
 */
export const SOURCE_RECORD_HEADER = "edgelog-source";
/**
 * The record header holding the delivery id (the sender's, or the derived `sha256:<hex>`).
 *
 * @example
 * record.headers[DELIVERY_RECORD_HEADER]; // "72d3162e-cc78-11e3-81ab-4c9367dc0958"
 */
export const DELIVERY_RECORD_HEADER = "edgelog-delivery-id";

/** The body as JSON, or its text when it is not JSON (`json` false). */
function readBody(body: Uint8Array): { json: boolean; value: JsonValue } {
  let text: string;
  try {
    text = UTF8_STRICT.decode(body);
  } catch {
    throw new EdgelogError("INVALID_RECORD", "the delivery's body is not UTF-8 text, so no record can hold it");
  }
  try {
    return { json: true, value: JSON.parse(text) as JsonValue };
  } catch {
    return { json: false, value: text };
  }
}

/** A key from what a pointer or header found. */
function keyOf(found: unknown): string | null {
  if (found === undefined || found === null) return null;
  return typeof found === "string" ? found : JSON.stringify(found);
}

/**
 * The record a delivery becomes. `headers` are the request's, names lower-cased.
 *
 * @example
 * mapDelivery("s", config, {}, new TextEncoder().encode('{"a":1}'), "d-1").value; // { a: 1 }
 */
export function mapDelivery(
  source: string,
  config: Pick<SourceConfig, "mapping">,
  headers: Readonly<Record<string, string>>,
  body: Uint8Array,
  deliveryId: string,
): RecordInput {
  const { mapping } = config;
  const parsed = readBody(body);
  const pointed = mapping.key !== null && "pointer" in mapping.key;
  if (!parsed.json && (pointed || mapping.value !== null)) {
    throw new EdgelogError("INVALID_JSON", "the delivery's body is not JSON, and this source's mapping reads it with a JSON pointer");
  }
  let value: JsonValue = parsed.value;
  if (mapping.value !== null) {
    const found = resolvePointer(parsed.value, mapping.value.pointer);
    if (found === undefined)
      throw new EdgelogError("INVALID_RECORD", `mapping.value.pointer "${mapping.value.pointer}" names nothing in the body`);
    value = found as JsonValue;
  }
  let key: string | null = null;
  if (mapping.key !== null) {
    key = "pointer" in mapping.key ? keyOf(resolvePointer(parsed.value, mapping.key.pointer)) : keyOf(headers[mapping.key.header]);
  }
  const recordHeaders: Record<string, string> = {};
  for (const name of mapping.headers) {
    const header = headers[name];
    if (header !== undefined) recordHeaders[name] = header;
  }
  recordHeaders[SOURCE_RECORD_HEADER] = source;
  recordHeaders[DELIVERY_RECORD_HEADER] = deliveryId;
  return { key, value, headers: recordHeaders };
}
