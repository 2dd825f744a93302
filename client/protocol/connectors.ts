/**
 * Connectors: a connector delivers one topic to something outside edgelog, configured through
 * `PUT /v1/connectors/:name` and run on Durable Object alarms. This module is the wire contract:
 * the configuration (a union on `kind`; `webhook` is the one kind so far), its strict parser,
 * its limits, the status a connector reports and the backoff rule, so the worker and any client
 * read one definition.
 *
 * Rules: PROTOCOL.md CONNECT-1 to CONNECT-9.
 *
 * @example
 * const config = parseConnectorConfig({ kind: "webhook", topic: "orders", url: "https://example.com/hook", secret: "s3cret-s3cret-s3cret" });
 * backoffDelayMs(config, 3); // 4 × backoffInitialMs, at most backoffMaxMs
 */
import { isObject, objectWithKeys, wholeNumber } from "./checks.ts";
import {
  CONNECTOR_ARCHIVE_PREFIX_LENGTH_MAX,
  CONNECTOR_ATTEMPTS_DEFAULT,
  CONNECTOR_ATTEMPTS_MAX,
  CONNECTOR_BACKOFF_INITIAL_MS_DEFAULT,
  CONNECTOR_BACKOFF_MAX_MS_DEFAULT,
  CONNECTOR_BACKOFF_MS_MAX,
  CONNECTOR_BACKOFF_MS_MIN,
  CONNECTOR_BATCH_RECORDS_DEFAULT,
  CONNECTOR_BATCH_RECORDS_MAX,
  CONNECTOR_HEADER_VALUE_LENGTH_MAX,
  CONNECTOR_HEADERS_MAX,
  CONNECTOR_NAME_LENGTH_MAX,
  CONNECTOR_SECRET_LENGTH_MAX,
  CONNECTOR_SECRET_LENGTH_MIN,
  CONNECTOR_URL_LENGTH_MAX,
} from "./connector-limits.ts";
import { EdgelogError, type ErrorCode } from "./errors.ts";
import { NAME_PATTERN } from "./limits.ts";
import { topicName } from "./names.ts";

/**
 * The request header naming a batch: `<name>/<partition>/<first offset>-<last offset>`, the same on
 * every attempt of that batch, so a receiver can drop a repeat (CONNECT-5).
 *
 * @example
 * request.headers.get(DELIVERY_ID_HEADER); // "orders-hook/0/40-49"
 */
export const DELIVERY_ID_HEADER = "edgelog-delivery-id";
/**
 * The request header signing a delivery: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (CONNECT-6).
 *
 * @example
 * request.headers.get(SIGNATURE_HEADER); // "t=1767225600,v1=5f0c…"
 */
export const SIGNATURE_HEADER = "edgelog-signature";

/** Headers a webhook's `headers` may not set: the ones a delivery sets itself or HTTP owns. */
const RESERVED_HEADERS = [
  "content-type",
  "content-length",
  "host",
  "connection",
  "transfer-encoding",
  DELIVERY_ID_HEADER,
  SIGNATURE_HEADER,
];
/** An absolute http(s) URL: a host name or bracketed IPv6 address (no credentials), a port, then printable ASCII. */
const WEBHOOK_URL = /^https?:\/\/(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?(?:[/?#][\x21-\x7e]*)?$/i;
/** RFC 9110's token: a header name. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
/** A header value: visible ASCII, spaces and tabs, no CR or LF. */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

/**
 * What every connector kind shares: the topic it delivers, where a batch goes after `attemptsMax`
 * failed attempts, and the batch size and backoff.
 *
 * @example
 * const common: ConnectorCommon = { topic: "orders", deadLetterTopic: "orders.dlq", attemptsMax: 5, backoffInitialMs: 500, backoffMaxMs: 60_000, batchRecordsMax: 100 };
 */
export interface ConnectorCommon {
  topic: string;
  /** null: a batch is retried forever, at `backoffMaxMs` once `attemptsMax` attempts failed. */
  deadLetterTopic: string | null;
  attemptsMax: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  batchRecordsMax: number;
}

/**
 * The webhook sink: each batch POSTed as JSON to `url`, signed with `secret`.
 *
 * @example
 * const hook: WebhookConfig = { kind: "webhook", url: "https://example.com/hook", secret: "…", headers: {}, ...common };
 */
export interface WebhookConfig extends ConnectorCommon {
  kind: "webhook";
  url: string;
  secret: string;
  /** Extra request headers (names lower-cased). */
  headers: Record<string, string>;
}

/**
 * A connector's configuration, by kind.
 *
 * @example
 * if (config.kind === "webhook") console.log(config.url);
 */
export type ConnectorConfig = WebhookConfig | ArchiveConfig;

/**
 * The archive sink: each batch written to the deployment's R2 bucket (binding ARCHIVE) as one
 * NDJSON object, `<prefix>/<topic>/<partition>/<first offset>-<last offset>.ndjson`, the offsets
 * 20 digits with leading zeros (CONNECT-10).
 *
 * @example
 * const archive: ArchiveConfig = { kind: "archive", prefix: "edgelog", ...common };
 */
export interface ArchiveConfig extends ConnectorCommon {
  kind: "archive";
  prefix: string;
}

/**
 * The default `prefix` of an archive connector.
 *
 * @example
 * ARCHIVE_PREFIX_DEFAULT; // "edgelog"
 */
export const ARCHIVE_PREFIX_DEFAULT = "edgelog";

/**
 * Every kind of connector.
 *
 * @example
 * CONNECTOR_KINDS.includes("archive"); // true
 */
export const CONNECTOR_KINDS = ["webhook", "archive"] as const;

const COMMON_FIELDS = ["kind", "topic", "deadLetterTopic", "attemptsMax", "backoffInitialMs", "backoffMaxMs", "batchRecordsMax"];
const CODE: ErrorCode = "INVALID_CONNECTOR";

/**
 * A connector name (the topic-name alphabet, at most CONNECTOR_NAME_LENGTH_MAX), or INVALID_CONNECTOR.
 *
 * @example
 * connectorName("orders-hook"); // "orders-hook"
 * connectorName("a/b"); // throws INVALID_CONNECTOR
 */
export function connectorName(value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > CONNECTOR_NAME_LENGTH_MAX) {
    throw new EdgelogError(CODE, `a connector name must be a string of 1 to ${CONNECTOR_NAME_LENGTH_MAX} characters`);
  }
  if (!NAME_PATTERN.test(value) || value === "." || value === "..") {
    throw new EdgelogError(
      CODE,
      `connector name "${value}" may hold only ASCII letters, digits, '.', '_' and '-' (and is not "." or "..")`,
    );
  }
  return value;
}

/**
 * The consumer group a connector commits its positions under (CONNECT-4).
 *
 * @example
 * connectorGroup("orders-hook"); // "connector.orders-hook"
 */
export function connectorGroup(name: string): string {
  return `connector.${name}`;
}

function optionalNumber(body: Record<string, unknown>, field: string, min: number, max: number, fallback: number): number {
  const value = body[field];
  return value === undefined ? fallback : wholeNumber(value, field, min, max, CODE);
}

function checkedTopic(value: unknown, field: string): string {
  try {
    return topicName(value);
  } catch (error) {
    throw new EdgelogError(CODE, `${field}: ${(error as Error).message}`);
  }
}

function commonPart(body: Record<string, unknown>): ConnectorCommon {
  const topic = checkedTopic(body.topic, "topic");
  const deadLetterTopic = body.deadLetterTopic === undefined ? null : checkedTopic(body.deadLetterTopic, "deadLetterTopic");
  if (deadLetterTopic === topic) throw new EdgelogError(CODE, "deadLetterTopic must differ from topic");
  const backoffInitialMs = optionalNumber(
    body,
    "backoffInitialMs",
    CONNECTOR_BACKOFF_MS_MIN,
    CONNECTOR_BACKOFF_MS_MAX,
    CONNECTOR_BACKOFF_INITIAL_MS_DEFAULT,
  );
  const backoffMaxMs = optionalNumber(
    body,
    "backoffMaxMs",
    CONNECTOR_BACKOFF_MS_MIN,
    CONNECTOR_BACKOFF_MS_MAX,
    Math.max(backoffInitialMs, CONNECTOR_BACKOFF_MAX_MS_DEFAULT),
  );
  if (backoffMaxMs < backoffInitialMs) throw new EdgelogError(CODE, "backoffMaxMs must be at least backoffInitialMs");
  return {
    topic,
    deadLetterTopic,
    attemptsMax: optionalNumber(body, "attemptsMax", 1, CONNECTOR_ATTEMPTS_MAX, CONNECTOR_ATTEMPTS_DEFAULT),
    backoffInitialMs,
    backoffMaxMs,
    batchRecordsMax: optionalNumber(body, "batchRecordsMax", 1, CONNECTOR_BATCH_RECORDS_MAX, CONNECTOR_BATCH_RECORDS_DEFAULT),
  };
}

function webhookUrl(value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > CONNECTOR_URL_LENGTH_MAX) {
    throw new EdgelogError(CODE, `url must be a string of 1 to ${CONNECTOR_URL_LENGTH_MAX} characters`);
  }
  if (!WEBHOOK_URL.test(value)) {
    throw new EdgelogError(
      CODE,
      "url must be an absolute http: or https: URL of printable ASCII, its host a name or [IPv6], without credentials",
    );
  }
  return value;
}

function webhookHeaders(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value)) throw new EdgelogError(CODE, "headers must be a JSON object of header names to values");
  const entries = Object.entries(value);
  if (entries.length > CONNECTOR_HEADERS_MAX) throw new EdgelogError(CODE, `headers holds at most ${CONNECTOR_HEADERS_MAX} headers`);
  const headers: Record<string, string> = {};
  for (const [name, text] of entries) {
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(name)) throw new EdgelogError(CODE, `headers: "${name.slice(0, 64)}" is not a header name`);
    if (RESERVED_HEADERS.includes(lower)) throw new EdgelogError(CODE, `headers: "${lower}" is set by the delivery itself`);
    if (lower in headers) throw new EdgelogError(CODE, `headers: "${lower}" is given twice`);
    if (typeof text !== "string" || text.length > CONNECTOR_HEADER_VALUE_LENGTH_MAX || !HEADER_VALUE.test(text)) {
      throw new EdgelogError(
        CODE,
        `headers.${lower} must be a string of at most ${CONNECTOR_HEADER_VALUE_LENGTH_MAX} printable ASCII characters`,
      );
    }
    headers[lower] = text;
  }
  return headers;
}

function webhookConfig(input: unknown): WebhookConfig {
  const body = objectWithKeys(input, "a webhook connector", [...COMMON_FIELDS, "url", "secret", "headers"], CODE);
  const common = commonPart(body);
  const url = webhookUrl(body.url);
  const { secret } = body;
  if (typeof secret !== "string" || secret.length < CONNECTOR_SECRET_LENGTH_MIN || secret.length > CONNECTOR_SECRET_LENGTH_MAX) {
    throw new EdgelogError(CODE, `secret must be a string of ${CONNECTOR_SECRET_LENGTH_MIN} to ${CONNECTOR_SECRET_LENGTH_MAX} characters`);
  }
  return { kind: "webhook", ...common, url, secret, headers: webhookHeaders(body.headers) };
}

/** Path segments of `[A-Za-z0-9._-]` joined by `/`, none of them `.` or `..`. */
const ARCHIVE_PREFIX = /^(?!\.\.?(?:\/|$))[A-Za-z0-9._-]+(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9._-]+)*$/;

function archiveConfig(input: unknown): ArchiveConfig {
  const body = objectWithKeys(input, "an archive connector", [...COMMON_FIELDS, "prefix"], CODE);
  const common = commonPart(body);
  const prefix = body.prefix ?? ARCHIVE_PREFIX_DEFAULT;
  if (typeof prefix !== "string" || prefix.length > CONNECTOR_ARCHIVE_PREFIX_LENGTH_MAX || !ARCHIVE_PREFIX.test(prefix)) {
    throw new EdgelogError(
      CODE,
      `prefix must be at most ${CONNECTOR_ARCHIVE_PREFIX_LENGTH_MAX} characters: segments of ASCII letters, digits, '.', '_' and '-' joined by '/', none "." or ".."`,
    );
  }
  return { kind: "archive", ...common, prefix };
}

/**
 * The R2 key of an archived batch (CONNECT-10).
 *
 * @example
 * archiveKey("edgelog", "orders", 2, 0, 99); // "edgelog/orders/2/00000000000000000000-00000000000000000099.ndjson"
 */
export function archiveKey(prefix: string, topic: string, partition: number, firstOffset: number, lastOffset: number): string {
  const pad = (offset: number) => String(offset).padStart(20, "0");
  return `${prefix}/${topic}/${partition}/${pad(firstOffset)}-${pad(lastOffset)}.ndjson`;
}

/**
 * A `PUT /v1/connectors/:name` body, checked strictly (an unknown field is refused, VERSION-3),
 * with the defaults filled in; INVALID_CONNECTOR names what is wrong.
 *
 * @example
 * parseConnectorConfig({ kind: "webhook", topic: "orders", url: "https://example.com/hook", secret: "0123456789abcdef" });
 * // { kind: "webhook", topic: "orders", deadLetterTopic: null, attemptsMax: 10, ..., headers: {} }
 */
export function parseConnectorConfig(input: unknown): ConnectorConfig {
  if (!isObject(input)) throw new EdgelogError(CODE, "the body must be a JSON object");
  const { kind } = input;
  if (kind === "webhook") return webhookConfig(input);
  if (kind === "archive") return archiveConfig(input);
  throw new EdgelogError(CODE, `kind must be one of ${CONNECTOR_KINDS.join(", ")}`);
}

/**
 * The wait after the `attempt`-th failed attempt of a batch: backoffInitialMs × 2^(attempt − 1),
 * at most backoffMaxMs; once `attemptsMax` attempts failed (with no dead-letter topic), backoffMaxMs.
 *
 * @example
 * backoffDelayMs({ backoffInitialMs: 100, backoffMaxMs: 1_000, attemptsMax: 10 }, 3); // 400
 * backoffDelayMs({ backoffInitialMs: 100, backoffMaxMs: 1_000, attemptsMax: 10 }, 8); // 1_000
 */
export function backoffDelayMs(
  config: Pick<ConnectorCommon, "backoffInitialMs" | "backoffMaxMs" | "attemptsMax">,
  attempt: number,
): number {
  if (attempt >= config.attemptsMax) return config.backoffMaxMs;
  const exponent = Math.min(Math.max(0, attempt - 1), 40);
  return Math.min(config.backoffMaxMs, config.backoffInitialMs * 2 ** exponent);
}

/**
 * A connector's configuration as the API shows it: a webhook's secret and header values left out
 * (`headerNames` instead).
 *
 * @example
 * publicConfig(config); // { kind: "webhook", topic, url, headerNames: ["authorization"], ... }
 */
export type PublicConnectorConfig = (Omit<WebhookConfig, "secret" | "headers"> & { headerNames: string[] }) | ArchiveConfig;

/**
 * The configuration as the API shows it (PublicConnectorConfig).
 *
 * @example
 * publicConfig(config); // { kind: "webhook", topic, url, headerNames: ["authorization"], ... }
 */
export function publicConfig(config: ConnectorConfig): PublicConnectorConfig {
  if (config.kind !== "webhook") return config;
  const { secret: _secret, headers, ...rest } = config;
  return { ...rest, headerNames: Object.keys(headers) };
}

/**
 * One partition's delivery state (`GET /v1/connectors/:name`, CONNECT-8).
 *
 * @example
 * const { committedOffset, lag, attempts, nextAttemptMs, lastError } = line;
 */
export interface ConnectorPartitionStatus {
  partition: number;
  /** The next offset to deliver: everything below was delivered or dead-lettered. */
  committedOffset: number;
  highWatermark: number;
  lag: number;
  deliveredRecords: number;
  deliveredBatches: number;
  /** Attempts that failed, over the connector's life. */
  failedAttempts: number;
  deadLetteredRecords: number;
  /** Offsets removed (retention, deletion) before they were delivered, passed over (CONNECT-4). */
  skippedOffsets: number;
  /** The batch being retried (first and last offset), or null. */
  pending: { firstOffset: number; lastOffset: number } | null;
  /** Failed attempts of the pending batch. */
  attempts: number;
  /** When the next attempt is due (ms since the epoch), or null when not backing off. */
  nextAttemptMs: number | null;
  lastError: { message: string; atMs: number } | null;
  lastSuccessMs: number | null;
  /** `failing`: attemptsMax attempts failed and there is no dead-letter topic. */
  state: "idle" | "delivering" | "retrying" | "failing";
}

/**
 * A connector as the API shows it.
 *
 * @example
 * const { name, config, lag, partitions } = (await res.json()) as ConnectorStatus;
 */
export interface ConnectorStatus {
  name: string;
  group: string;
  config: PublicConnectorConfig;
  lag: number;
  deliveredRecords: number;
  failedAttempts: number;
  deadLetteredRecords: number;
  partitions: ConnectorPartitionStatus[];
}
