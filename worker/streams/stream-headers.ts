/**
 * The Durable Streams protocol's header names and the parsing of its request headers: the
 * create's TTL, Expires-At and closure, the append's producer triple and Stream-Seq. Each bad
 * value is a 400 with a stable code before anything is read or stored.
 *
 * Rules: PROTOCOL.md STREAM-3, STREAM-6, STREAM-9, STREAM-11.
 *
 * @example
 * const producer = producerHeaders(request.headers); // null when none of the three is sent
 */
import { EdgelogError, STREAM_PATH_CHARS_MAX } from "../../client/protocol/index.ts";
import type { ProducerHeaders } from "./stream-producers.ts";
import type { StreamConfig } from "./stream-store.ts";

/**
 * The header names (HTTP headers are case-insensitive; these are the protocol's spelling).
 *
 * @example
 * headers.set(STREAM_HEADER.nextOffset, store.offset(page.next));
 */
export const STREAM_HEADER = {
  nextOffset: "Stream-Next-Offset",
  upToDate: "Stream-Up-To-Date",
  closed: "Stream-Closed",
  cursor: "Stream-Cursor",
  ttl: "Stream-TTL",
  expiresAt: "Stream-Expires-At",
  seq: "Stream-Seq",
  producerId: "Producer-Id",
  producerEpoch: "Producer-Epoch",
  producerSeq: "Producer-Seq",
  expectedSeq: "Producer-Expected-Seq",
  receivedSeq: "Producer-Received-Seq",
  sseEncoding: "Stream-SSE-Data-Encoding",
  forkedFrom: "Stream-Forked-From",
} as const;

/** The content type a create without a usable one gets. */
const DEFAULT_CONTENT_TYPE = "application/octet-stream";
/** A decimal without sign, leading zeros or anything else. */
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;
/** A content type's shape: type/subtype, then anything (parameters). */
const CONTENT_TYPE = /^[\w.+-]+\/[\w.+-]+/;

/**
 * The config a PUT asks for. Both Stream-TTL and Stream-Expires-At, a TTL that is not a plain
 * decimal, or an Expires-At that is not a date, are INVALID_PARAMETER.
 *
 * @example
 * createConfig(new Headers({ "content-type": "text/plain", "stream-ttl": "60" })); // ttlSeconds 60
 */
export function createConfig(headers: Headers): StreamConfig {
  const given = headers.get("content-type")?.trim() ?? "";
  const contentType = CONTENT_TYPE.test(given) ? given : DEFAULT_CONTENT_TYPE;
  const ttl = headers.get(STREAM_HEADER.ttl);
  const expiresAt = headers.get(STREAM_HEADER.expiresAt);
  if (ttl !== null && expiresAt !== null) {
    throw new EdgelogError("INVALID_PARAMETER", "Stream-TTL and Stream-Expires-At exclude each other");
  }
  if (ttl !== null && !DECIMAL.test(ttl)) throw new EdgelogError("INVALID_PARAMETER", "Stream-TTL must be whole seconds, in decimal");
  const expiresAtMs = expiresAt === null ? null : Date.parse(expiresAt);
  if (expiresAtMs !== null && !Number.isFinite(expiresAtMs)) {
    throw new EdgelogError("INVALID_PARAMETER", "Stream-Expires-At must be an RFC 3339 timestamp");
  }
  return {
    contentType,
    ttlSeconds: ttl === null ? null : Number(ttl),
    expiresAt,
    expiresAtMs,
    closed: headers.get(STREAM_HEADER.closed) === "true",
  };
}

/**
 * The producer triple, null when none of the three headers is sent; some but not all, an empty
 * id, or an epoch or sequence that is not a decimal integer, is INVALID_PRODUCER.
 *
 * @example
 * producerHeaders(new Headers({ "producer-id": "p", "producer-epoch": "0", "producer-seq": "0" })); // { producerId: "p", epoch: 0, seq: 0 }
 */
export function producerHeaders(headers: Headers): ProducerHeaders | null {
  const producerId = headers.get(STREAM_HEADER.producerId);
  const epoch = headers.get(STREAM_HEADER.producerEpoch);
  const seq = headers.get(STREAM_HEADER.producerSeq);
  if (producerId === null && epoch === null && seq === null) return null;
  if (producerId === null || epoch === null || seq === null) {
    throw new EdgelogError("INVALID_PRODUCER", "Producer-Id, Producer-Epoch and Producer-Seq go together");
  }
  if (producerId === "" || producerId.length > STREAM_PATH_CHARS_MAX) {
    throw new EdgelogError("INVALID_PRODUCER", `Producer-Id must have 1 to ${STREAM_PATH_CHARS_MAX} characters`);
  }
  if (!/^[0-9]{1,16}$/.test(epoch) || !Number.isSafeInteger(Number(epoch))) {
    throw new EdgelogError("INVALID_PRODUCER", "Producer-Epoch must be a non-negative integer");
  }
  if (!/^[0-9]{1,16}$/.test(seq) || !Number.isSafeInteger(Number(seq))) {
    throw new EdgelogError("INVALID_PRODUCER", "Producer-Seq must be a non-negative integer");
  }
  return { producerId, epoch: Number(epoch), seq: Number(seq) };
}

/**
 * The Stream-Seq header (writer coordination, compared as a string), null when absent.
 *
 * @example
 * streamSeq(new Headers({ "stream-seq": "002" })); // "002"
 */
export function streamSeq(headers: Headers): string | null {
  const seq = headers.get(STREAM_HEADER.seq);
  if (seq !== null && (seq === "" || seq.length > STREAM_PATH_CHARS_MAX)) {
    throw new EdgelogError("INVALID_PARAMETER", `Stream-Seq must have 1 to ${STREAM_PATH_CHARS_MAX} characters`);
  }
  return seq;
}
