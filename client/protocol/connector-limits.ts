/**
 * The connectors' limits and defaults (PROTOCOL.md LIMIT-1, CONNECT-2 to CONNECT-9), beside the
 * configuration they bound (connectors.ts).
 *
 * @example
 * wholeNumber(body.attemptsMax, "attemptsMax", 1, CONNECTOR_ATTEMPTS_MAX, "INVALID_CONNECTOR");
 */

/**
 * Connectors a deployment holds (`CONNECTOR_LIMIT_REACHED` past it).
 *
 * @example
 * CONNECTORS_MAX; // 100
 */
export const CONNECTORS_MAX = 100;
/**
 * Characters of a connector's name (its consumer group `connector.<name>` stays within NAME-1's 249).
 *
 * @example
 * CONNECTOR_NAME_LENGTH_MAX; // 200
 */
export const CONNECTOR_NAME_LENGTH_MAX = 200;
/**
 * Records in one delivered batch: the most `batchRecordsMax` may be, and its default.
 *
 * @example
 * CONNECTOR_BATCH_RECORDS_MAX; // 1_000
 */
export const CONNECTOR_BATCH_RECORDS_MAX = 1_000;
/**
 * The default `batchRecordsMax`.
 *
 * @example
 * CONNECTOR_BATCH_RECORDS_DEFAULT; // 100
 */
export const CONNECTOR_BATCH_RECORDS_DEFAULT = 100;
/**
 * Stored bytes of the records one batch reads (a batch holds at least one record, whatever its size).
 *
 * @example
 * CONNECTOR_BATCH_BYTES_MAX; // 1_048_576
 */
export const CONNECTOR_BATCH_BYTES_MAX = 1_048_576;
/**
 * Delivery attempts of one batch: the most `attemptsMax` may be, and its default.
 *
 * @example
 * CONNECTOR_ATTEMPTS_MAX; // 100
 */
export const CONNECTOR_ATTEMPTS_MAX = 100;
/**
 * The default `attemptsMax`.
 *
 * @example
 * CONNECTOR_ATTEMPTS_DEFAULT; // 10
 */
export const CONNECTOR_ATTEMPTS_DEFAULT = 10;
/**
 * The shortest `backoffInitialMs` and `backoffMaxMs`.
 *
 * @example
 * CONNECTOR_BACKOFF_MS_MIN; // 10
 */
export const CONNECTOR_BACKOFF_MS_MIN = 10;
/**
 * The longest `backoffInitialMs` and `backoffMaxMs` (one hour).
 *
 * @example
 * CONNECTOR_BACKOFF_MS_MAX; // 3_600_000
 */
export const CONNECTOR_BACKOFF_MS_MAX = 3_600_000;
/**
 * The default `backoffInitialMs`.
 *
 * @example
 * CONNECTOR_BACKOFF_INITIAL_MS_DEFAULT; // 1_000
 */
export const CONNECTOR_BACKOFF_INITIAL_MS_DEFAULT = 1_000;
/**
 * The default `backoffMaxMs` (five minutes).
 *
 * @example
 * CONNECTOR_BACKOFF_MAX_MS_DEFAULT; // 300_000
 */
export const CONNECTOR_BACKOFF_MAX_MS_DEFAULT = 300_000;
/**
 * Characters of a webhook's `url`.
 *
 * @example
 * CONNECTOR_URL_LENGTH_MAX; // 2_048
 */
export const CONNECTOR_URL_LENGTH_MAX = 2_048;
/**
 * The shortest and longest signing `secret`, in characters.
 *
 * @example
 * CONNECTOR_SECRET_LENGTH_MIN; // 16
 */
export const CONNECTOR_SECRET_LENGTH_MIN = 16;
/**
 * The longest signing `secret`, in characters.
 *
 * @example
 * CONNECTOR_SECRET_LENGTH_MAX; // 512
 */
export const CONNECTOR_SECRET_LENGTH_MAX = 512;
/**
 * Extra request headers a webhook sends.
 *
 * @example
 * CONNECTOR_HEADERS_MAX; // 16
 */
export const CONNECTOR_HEADERS_MAX = 16;
/**
 * Characters of one extra header's value.
 *
 * @example
 * CONNECTOR_HEADER_VALUE_LENGTH_MAX; // 1_024
 */
export const CONNECTOR_HEADER_VALUE_LENGTH_MAX = 1_024;
/**
 * Connectors one `GET /v1/metrics` scrape visits (all of them: CONNECTORS_MAX).
 *
 * @example
 * METRICS_CONNECTORS_MAX; // 100
 */
export const METRICS_CONNECTORS_MAX = CONNECTORS_MAX;
/**
 * How long one delivery may take, from the request to the answer's status, before it counts as failed.
 *
 * @example
 * DELIVERY_TIMEOUT_MS; // 10_000
 */
export const DELIVERY_TIMEOUT_MS = 10_000;
/**
 * Characters of an archive connector's `prefix`.
 *
 * @example
 * CONNECTOR_ARCHIVE_PREFIX_LENGTH_MAX; // 256
 */
export const CONNECTOR_ARCHIVE_PREFIX_LENGTH_MAX = 256;
