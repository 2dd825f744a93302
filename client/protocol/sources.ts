/**
 * The HTTP sources' configuration on the wire: a source's name, the body of
 * `PUT /v1/sources/:name` checked strictly (an unknown field anywhere is refused, VERSION-3), and
 * the JSON pointers (RFC 6901) its mapping reads the webhook's body with. Every fault is
 * `INVALID_SOURCE`.
 *
 * Rules: PROTOCOL.md SOURCE-1, SOURCE-2.
 *
 * @example
 * const config = parseSourceConfig({ topic: "github", secret: "a-shared-secret-of-16+", mapping: { key: { pointer: "/repository/id" } } });
 * resolvePointer({ repository: { id: 7 } }, "/repository/id"); // 7
 */
import { isObject, objectWithKeys, utf8Length, wholeNumber } from "./checks.ts";
import { EdgelogError } from "./errors.ts";
import { NAME_PATTERN, TOPIC_PARTITIONS_MAX } from "./limits.ts";
import { topicName } from "./names.ts";
import {
  SOURCE_DEDUPE_WINDOW_MS_DEFAULT,
  SOURCE_DEDUPE_WINDOW_MS_MAX,
  SOURCE_FIELD_LENGTH_MAX,
  SOURCE_HEADERS_MAX,
  SOURCE_NAME_LENGTH_MAX,
  SOURCE_SECRET_BYTES_MAX,
  SOURCE_SECRET_BYTES_MIN,
} from "./source-limits.ts";

/**
 * How a delivery is signed: `sha256` is `sha256=<hex HMAC-SHA256 of the body>` (GitHub's
 * X-Hub-Signature-256); `timestamped` is `t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
 *
 * @example
 * const scheme: SignatureScheme = "timestamped";
 */
export type SignatureScheme = "sha256" | "timestamped";

/**
 * The signature schemes, in the order the protocol lists them.
 *
 * @example
 * SIGNATURE_SCHEMES.includes("sha256"); // true
 */
export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = ["sha256", "timestamped"];

/**
 * Where a record's key comes from: a JSON pointer into the body, or a request header.
 *
 * @example
 * const key: SourceKey = { pointer: "/repository/id" };
 */
export type SourceKey = { pointer: string } | { header: string };

/**
 * A source's configuration with its defaults filled in (the secret included: it never leaves the
 * server; `SourceStatus` is what the API shows).
 *
 * @example
 * const config: SourceConfig = parseSourceConfig({ topic: "github", secret: "0123456789abcdef" });
 */
export interface SourceConfig {
  topic: string;
  secret: string;
  signature: { header: string; scheme: SignatureScheme };
  deliveryIdHeader: string;
  mapping: { key: SourceKey | null; value: { pointer: string } | null; headers: string[] };
  dedupeWindowMs: number;
  /** The partition every delivery goes to, or null for the key's (or the source producer's) partition. */
  partition: number | null;
}

/**
 * What `GET /v1/sources/:name` answers: the configuration without its secret, and the counters.
 *
 * @example
 * const { accepted, duplicates, refusedSignatures } = (await res.json()) as SourceStatus;
 */
export interface SourceStatus extends Omit<SourceConfig, "secret"> {
  name: string;
  accepted: number;
  duplicates: number;
  refusedSignatures: number;
  lastDeliveryMs: number | null;
  /** Delivery ids remembered now (at most SOURCE_DELIVERY_IDS_MAX). */
  deliveryIds: number;
}

/**
 * The default signature header and scheme (GitHub's).
 *
 * @example
 * parseSourceConfig({ topic: "t", secret }).signature; // { header: "x-hub-signature-256", scheme: "sha256" }
 */
export const SOURCE_SIGNATURE_DEFAULT = { header: "x-hub-signature-256", scheme: "sha256" } as const;

/**
 * The default header a delivery id is read from.
 *
 * @example
 * parseSourceConfig({ topic: "t", secret }).deliveryIdHeader; // "x-delivery-id"
 */
export const SOURCE_DELIVERY_ID_HEADER_DEFAULT = "x-delivery-id";

/** An HTTP header name's characters (RFC 9110's token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function invalid(message: string): never {
  throw new EdgelogError("INVALID_SOURCE", message);
}

/**
 * A source name: 1 to SOURCE_NAME_LENGTH_MAX characters of NAME-1's alphabet, not `.` or `..`,
 * else INVALID_SOURCE.
 *
 * @example
 * sourceName("github"); // "github"
 * sourceName("a/b"); // throws INVALID_SOURCE
 */
export function sourceName(value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > SOURCE_NAME_LENGTH_MAX) {
    invalid(`a source name must be a string of 1 to ${SOURCE_NAME_LENGTH_MAX} characters`);
  }
  if (!NAME_PATTERN.test(value) || value === "." || value === "..") {
    invalid(`source name "${value}" may hold only ASCII letters, digits, '.', '_' and '-' (and is not "." or "..")`);
  }
  return value;
}

/** A header name, lower-cased. */
function headerName(value: unknown, where: string): string {
  if (typeof value !== "string" || value.length > SOURCE_FIELD_LENGTH_MAX || !HEADER_NAME.test(value)) {
    invalid(`${where} must be an HTTP header name of at most ${SOURCE_FIELD_LENGTH_MAX} characters`);
  }
  return value.toLowerCase();
}

/**
 * A JSON pointer (RFC 6901): "" (the whole document) or `/` segments, `~` only as `~0` or `~1`.
 *
 * @example
 * jsonPointer("/repository/id", "mapping.key.pointer"); // "/repository/id"
 */
export function jsonPointer(value: unknown, where: string): string {
  if (typeof value !== "string" || value.length > SOURCE_FIELD_LENGTH_MAX) {
    invalid(`${where} must be a JSON pointer of at most ${SOURCE_FIELD_LENGTH_MAX} characters`);
  }
  if (value !== "" && (!value.startsWith("/") || /~(?![01])/.test(value))) {
    invalid(`${where} must be a JSON pointer (RFC 6901): "" or "/a/b", with "~" only as "~0" or "~1"`);
  }
  return value;
}

/**
 * The value a JSON pointer names in `document`, or undefined when it names nothing.
 *
 * @example
 * resolvePointer({ a: [{ b: 1 }] }, "/a/0/b"); // 1
 * resolvePointer({ a: 1 }, "/x"); // undefined
 */
export function resolvePointer(document: unknown, pointer: string): unknown {
  if (pointer === "") return document;
  let at: unknown = document;
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(at)) {
      if (!/^(0|[1-9][0-9]*)$/.test(segment)) return undefined;
      at = at[Number(segment)];
    } else if (isObject(at) && Object.hasOwn(at, segment)) {
      at = at[segment];
    } else {
      return undefined;
    }
  }
  return at;
}

function parseSignature(value: unknown): SourceConfig["signature"] {
  if (value === undefined) return { ...SOURCE_SIGNATURE_DEFAULT };
  const signature = objectWithKeys(value, "signature", ["header", "scheme"], "INVALID_SOURCE");
  const scheme = signature.scheme ?? SOURCE_SIGNATURE_DEFAULT.scheme;
  if (!SIGNATURE_SCHEMES.includes(scheme as SignatureScheme)) invalid(`signature.scheme must be one of ${SIGNATURE_SCHEMES.join(", ")}`);
  const header = signature.header === undefined ? SOURCE_SIGNATURE_DEFAULT.header : headerName(signature.header, "signature.header");
  return { header, scheme: scheme as SignatureScheme };
}

function parseKey(value: unknown): SourceKey | null {
  if (value === undefined) return null;
  if (isObject(value) && Object.keys(value).length === 1 && "header" in value)
    return { header: headerName(value.header, "mapping.key.header") };
  const key = objectWithKeys(value, "mapping.key", ["pointer"], "INVALID_SOURCE");
  if (!("pointer" in key)) invalid('mapping.key must be {"pointer": "/a/b"} or {"header": "x-name"}');
  return { pointer: jsonPointer(key.pointer, "mapping.key.pointer") };
}

function parseMapping(value: unknown): SourceConfig["mapping"] {
  if (value === undefined) return { key: null, value: null, headers: [] };
  const mapping = objectWithKeys(value, "mapping", ["key", "value", "headers"], "INVALID_SOURCE");
  let pointer: { pointer: string } | null = null;
  if (mapping.value !== undefined) {
    const valueField = objectWithKeys(mapping.value, "mapping.value", ["pointer"], "INVALID_SOURCE");
    pointer = { pointer: jsonPointer(valueField.pointer, "mapping.value.pointer") };
  }
  const headers = mapping.headers ?? [];
  if (!Array.isArray(headers) || headers.length > SOURCE_HEADERS_MAX) {
    invalid(`mapping.headers must be an array of at most ${SOURCE_HEADERS_MAX} header names`);
  }
  const names = headers.map((name, i) => headerName(name, `mapping.headers[${i}]`));
  return { key: parseKey(mapping.key), value: pointer, headers: [...new Set(names)] };
}

function parseSecret(value: unknown): string {
  const bytes = typeof value === "string" ? utf8Length(value) : -1;
  if (bytes < SOURCE_SECRET_BYTES_MIN || bytes > SOURCE_SECRET_BYTES_MAX) {
    invalid(`secret must be a string of ${SOURCE_SECRET_BYTES_MIN} to ${SOURCE_SECRET_BYTES_MAX} bytes`);
  }
  return value as string;
}

/**
 * The body of `PUT /v1/sources/:name`, checked and with its defaults, or INVALID_SOURCE.
 *
 * @example
 * parseSourceConfig({ topic: "github", secret: "0123456789abcdef", deliveryIdHeader: "X-GitHub-Delivery" }).deliveryIdHeader; // "x-github-delivery"
 * parseSourceConfig({ topic: "github", secret: "0123456789abcdef", extra: 1 }); // throws INVALID_SOURCE
 */
export function parseSourceConfig(body: unknown): SourceConfig {
  const fields = ["topic", "secret", "signature", "deliveryIdHeader", "mapping", "dedupeWindowMs", "partition"];
  const input = objectWithKeys(body, "the source", fields, "INVALID_SOURCE");
  let topic: string;
  try {
    topic = topicName(input.topic);
  } catch (error) {
    invalid(`topic: ${(error as Error).message}`);
  }
  const deliveryIdHeader =
    input.deliveryIdHeader === undefined ? SOURCE_DELIVERY_ID_HEADER_DEFAULT : headerName(input.deliveryIdHeader, "deliveryIdHeader");
  const dedupeWindowMs =
    input.dedupeWindowMs === undefined
      ? SOURCE_DEDUPE_WINDOW_MS_DEFAULT
      : wholeNumber(input.dedupeWindowMs, "dedupeWindowMs", 1_000, SOURCE_DEDUPE_WINDOW_MS_MAX, "INVALID_SOURCE");
  const partition =
    input.partition === undefined ? null : wholeNumber(input.partition, "partition", 0, TOPIC_PARTITIONS_MAX - 1, "INVALID_SOURCE");
  return {
    topic,
    secret: parseSecret(input.secret),
    signature: parseSignature(input.signature),
    deliveryIdHeader,
    mapping: parseMapping(input.mapping),
    dedupeWindowMs,
    partition,
  };
}
