/**
 * Every limit edgelog enforces, named with its unit and then its qualifier (TIGER_STYLE).
 * Worker and client import these from one place so they can never disagree.
 *
 * Why these numbers: a produced batch is stored as one SQLite row, and Cloudflare caps a row at
 * 2 MB, so one batch must stay well under it; Kafka's defaults (1 MB records, 249-character topic
 * names, 4 KiB commit metadata, 5 batches in flight per producer) are kept where they fit.
 * Rules: PROTOCOL.md LIMIT-1 (the table of limits).
 *
 * @example
 * import { RECORD_BYTES_MAX } from "edgelog/protocol";
 * if (bytes > RECORD_BYTES_MAX) throw new Error("too big");
 */

/** Longest topic name, as Kafka (a filesystem limit there; kept for familiarity). */
export const TOPIC_NAME_LENGTH_MAX = 249;
/** Longest consumer-group name. */
export const GROUP_NAME_LENGTH_MAX = 249;
/** Topic and group names: Kafka's alphabet, ASCII letters, digits, '.', '_' and '-'. */
export const NAME_PATTERN = /^[A-Za-z0-9._-]+$/;
/** Partitions in one topic: each is a Durable Object, and describing a topic asks every one. */
export const TOPIC_PARTITIONS_MAX = 64;
/** Topics in one deployment: the registry lists them all in one answer. */
export const TOPICS_MAX = 10_000;

/** One record as stored (its JSON encoding, UTF-8). Kafka's default max.message.bytes is ~1 MB. */
export const RECORD_BYTES_MAX = 1_048_576;
/** Records in one produce request (and so in one stored batch at most). */
export const BATCH_RECORDS_MAX = 10_000;
/** Stored bytes of one produce request; a partition's share is one SQLite row (<= 2 MB). */
export const BATCH_BYTES_MAX = 1_048_576;
/** An HTTP request body, before parsing (JSON framing and whitespace on top of the batch). */
export const REQUEST_BYTES_MAX = 4 * 1_048_576;
/** Headers on one record. */
export const RECORD_HEADERS_MAX = 64;
/** Latest timestamp a record may carry: the end of JavaScript's Date range. */
export const TIMESTAMP_MS_MAX = 8_640_000_000_000_000;

/** Records one read returns at most, and when the request does not say. */
export const FETCH_RECORDS_MAX = 10_000;
export const FETCH_RECORDS_DEFAULT = 500;
/** Bytes one read returns at most (one record more is always allowed, so a big one is never stuck). */
export const FETCH_BYTES_MAX = 8 * 1_048_576;
export const FETCH_BYTES_DEFAULT = 1_048_576;
/** How long an empty read at the end of the log may wait for an append. */
export const LONG_POLL_WAIT_MS_MAX = 30_000;
/** Long-polls parked on one partition at once; past it a read answers at once, empty. */
export const LONG_POLL_WAITERS_MAX = 1_000;

/** Longest idempotent producer id. */
export const PRODUCER_ID_LENGTH_MAX = 128;
/** Producer epochs are Kafka's int16, 0..32767. */
export const PRODUCER_EPOCH_MAX = 32_767;
/** Sequences are Kafka's int32; a producer that reaches the end bumps its epoch. */
export const PRODUCER_SEQUENCE_MAX = 2_147_483_647;
/** Batches remembered per producer and partition for de-duplicating retries (Kafka: 5 in flight). */
export const PRODUCER_BATCHES_RETAINED = 5;
/** Producers remembered per partition; past it the least recently used is forgotten. */
export const PRODUCERS_PER_PARTITION_MAX = 10_000;

/** Offsets in one group commit request. */
export const COMMIT_OFFSETS_MAX = 1_000;
/** Metadata string stored with a committed offset (Kafka's offset.metadata.max.bytes). */
export const COMMIT_METADATA_BYTES_MAX = 4_096;

/** One WebSocket frame from a client, before parsing (the same as an HTTP body). */
export const SOCKET_MESSAGE_BYTES_MAX = REQUEST_BYTES_MAX;
/** A request id or subscription id on a socket. */
export const MESSAGE_ID_LENGTH_MAX = 64;
/**
 * Flow control: `records` messages pushed to one subscription and not yet covered by a
 * `consumed` (unconsumed) are at most SUBSCRIBER_WINDOW_MESSAGES_MAX messages and
 * SUBSCRIBER_WINDOW_BYTES_MAX bytes, a message's bytes being the UTF-8 length of its whole frame,
 * envelope included. One exception: with nothing unconsumed, one message holding a single record
 * may pass the bytes alone (a record near RECORD_BYTES_MAX). A page that does not fit is not
 * pushed, catch-up or live: the partition says `paused` (the log is the buffer, not the object's
 * memory) and a `consumed` that frees room resumes from the subscriber's offset.
 */
export const SUBSCRIBER_WINDOW_BYTES_MAX = 1_048_576;
export const SUBSCRIBER_WINDOW_MESSAGES_MAX = 64;
/**
 * Records in one pushed `records` message, catch-up and live alike: an append of 10,000 records
 * is pushed as 20 messages (as many as the window takes, the rest after `consumed`).
 */
export const PUSH_RECORDS_MAX = 500;

/** Members in one consumer group. */
export const GROUP_MEMBERS_MAX = 1_000;
/** A member's session timeout: missing heartbeats this long removes it and rebalances. */
export const SESSION_TIMEOUT_MS_MIN = 1_000;
export const SESSION_TIMEOUT_MS_MAX = 300_000;
export const SESSION_TIMEOUT_MS_DEFAULT = 45_000;
/** Longest member id (ours are generated UUIDs; a client may bring its own, e.g. a device id). */
export const MEMBER_ID_LENGTH_MAX = MESSAGE_ID_LENGTH_MAX;
