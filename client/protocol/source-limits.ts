/**
 * Limits of the HTTP sources (`/v1/sources/...`, PROTOCOL.md SOURCE-*): what a source's
 * configuration may hold and what one delivery and one source's memory of deliveries may cost.
 *
 * @example
 * if (body.byteLength > SOURCE_BODY_BYTES_MAX) throw new EdgelogError("REQUEST_TOO_LARGE", "...");
 */
import { RECORD_BYTES_MAX } from "./limits.ts";

/**
 * Sources one deployment holds.
 *
 * @example
 * // the 101st PUT /v1/sources/:name of a new name: 409 SOURCE_LIMIT_REACHED
 */
export const SOURCES_MAX = 100;

/**
 * Characters of a source name (NAME-1's alphabet), so its producer id stays within NAME-4.
 *
 * @example
 * sourceName("x".repeat(SOURCE_NAME_LENGTH_MAX + 1)); // throws INVALID_SOURCE
 */
export const SOURCE_NAME_LENGTH_MAX = 64;

/**
 * Bytes of a delivery's raw body: one record's stored size (a larger body could never be stored).
 *
 * @example
 * // a 2 MiB webhook body: 413 REQUEST_TOO_LARGE, nothing stored
 */
export const SOURCE_BODY_BYTES_MAX = RECORD_BYTES_MAX;

/**
 * Delivery ids a source remembers (the oldest forgotten first).
 *
 * @example
 * // the 10,001st delivery forgets the first one's id
 */
export const SOURCE_DELIVERY_IDS_MAX = 10_000;

/**
 * Characters of a delivery id.
 *
 * @example
 * // x-delivery-id of 300 characters: 400 INVALID_REQUEST
 */
export const SOURCE_DELIVERY_ID_LENGTH_MAX = 256;

/**
 * How long a source remembers a delivery id when its configuration says nothing (24 hours).
 *
 * @example
 * parseSourceConfig({ topic: "t", secret }).dedupeWindowMs; // 86_400_000
 */
export const SOURCE_DEDUPE_WINDOW_MS_DEFAULT = 86_400_000;

/**
 * The longest dedupe window a configuration may ask for (7 days).
 *
 * @example
 * parseSourceConfig({ topic: "t", secret, dedupeWindowMs: 8 * 86_400_000 }); // throws INVALID_SOURCE
 */
export const SOURCE_DEDUPE_WINDOW_MS_MAX = 604_800_000;

/**
 * Bytes of a source's shared secret, at least (a short secret is guessed).
 *
 * @example
 * parseSourceConfig({ topic: "t", secret: "short" }); // throws INVALID_SOURCE
 */
export const SOURCE_SECRET_BYTES_MIN = 16;

/**
 * Bytes of a source's shared secret, at most.
 *
 * @example
 * parseSourceConfig({ topic: "t", secret: "x".repeat(2_000) }); // throws INVALID_SOURCE
 */
export const SOURCE_SECRET_BYTES_MAX = 1_024;

/**
 * Request headers a source's mapping copies into the record's headers.
 *
 * @example
 * parseSourceConfig({ topic: "t", secret, mapping: { headers: Array(17).fill("x-a") } }); // throws INVALID_SOURCE
 */
export const SOURCE_HEADERS_MAX = 16;

/**
 * Characters of a header name or a JSON pointer in a source's configuration.
 *
 * @example
 * parseSourceConfig({ topic: "t", secret, mapping: { key: { pointer: `/${"a".repeat(300)}` } } }); // throws INVALID_SOURCE
 */
export const SOURCE_FIELD_LENGTH_MAX = 256;

/**
 * How far a timestamped signature's `t` may be from the server's clock, either way (5 minutes),
 * so a captured delivery cannot be replayed later.
 *
 * @example
 * // t=<now - 301 s>,v1=<a good HMAC>: 401 INVALID_SIGNATURE
 */
export const SIGNATURE_TOLERANCE_MS = 300_000;
