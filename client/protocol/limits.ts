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

/**
 * Longest topic name, as Kafka (a filesystem limit there; kept for familiarity).
 *
 * @example
 * topicName("t".repeat(250)); // throws INVALID_TOPIC_NAME
 */
export const TOPIC_NAME_LENGTH_MAX = 249;

/**
 * Longest consumer-group name.
 *
 * @example
 * groupName("g".repeat(250)); // throws INVALID_GROUP_NAME
 */
export const GROUP_NAME_LENGTH_MAX = 249;

/**
 * Topic and group names: Kafka's alphabet, ASCII letters, digits, '.', '_' and '-'.
 *
 * @example
 * NAME_PATTERN.test("orders.v2"); // true
 * NAME_PATTERN.test("a/b"); // false
 */
export const NAME_PATTERN = /^[A-Za-z0-9._-]+$/;

/**
 * Partitions in one topic: each is a Durable Object, and describing a topic asks every one.
 *
 * @example
 * parseCreateTopic({ partitions: 65 }); // throws INVALID_PARTITIONS
 */
export const TOPIC_PARTITIONS_MAX = 64;

/**
 * Topics in one deployment: the registry lists them all in one answer.
 *
 * @example
 * await createTopic(env, "orders", 3, config); // a new topic when 10000 exist: TOPIC_LIMIT_REACHED
 */
export const TOPICS_MAX = 10_000;

/**
 * One record as stored (its JSON encoding, UTF-8). Kafka's default max.message.bytes is ~1 MB.
 *
 * @example
 * encodeRecord({ value: "x".repeat(RECORD_BYTES_MAX) }, "records[0]"); // throws RECORD_TOO_LARGE
 */
export const RECORD_BYTES_MAX = 1_048_576;

/**
 * Records in one produce request (and so in one stored batch at most).
 *
 * @example
 * parseProduceRequest({ records: Array.from({ length: 10_001 }, () => ({ value: 1 })) }); // throws BATCH_TOO_LARGE
 */
export const BATCH_RECORDS_MAX = 10_000;

/**
 * Stored bytes of one produce request; a partition's share is one SQLite row (<= 2 MB).
 *
 * @example
 * const value = "x".repeat(600_000); // one such record fits, two in one request do not:
 * parseProduceRequest({ records: [{ value }, { value }] }); // throws BATCH_TOO_LARGE
 */
export const BATCH_BYTES_MAX = 1_048_576;

/**
 * An HTTP request body, before parsing (JSON framing and whitespace on top of the batch).
 *
 * @example
 * await readJson(c.req.raw); // throws REQUEST_TOO_LARGE past 4 MiB, while the body streams in
 */
export const REQUEST_BYTES_MAX = 4 * 1_048_576;

/**
 * How long an HTTP request body may take to arrive, whole, from when the server starts reading
 * it: a declared Content-Length never sent, or a body trickled a byte a second, is refused with
 * REQUEST_TIMEOUT (408) then instead of holding the request open. 30 s takes a REQUEST_BYTES_MAX
 * body at 140 KB/s, and a produce batch of the client's (PRODUCE_BATCH_BYTES_MAX) at 35 KB/s.
 *
 * @example
 * await readJson(c.req.raw); // throws REQUEST_TIMEOUT when the body is not whole within 30 s
 */
export const REQUEST_BODY_MS_MAX = 30_000;

/**
 * Headers on one record.
 *
 * @example
 * encodeRecord({ value: 1, headers }, "records[0]"); // throws INVALID_RECORD with 65 headers
 */
export const RECORD_HEADERS_MAX = 64;

/**
 * Levels of arrays and objects a record's value may nest (RECORD-7): far past what data needs,
 * and far below where `JSON.stringify` overflows the stack in browsers and Node (a few thousand).
 *
 * @example
 * encodeRecord({ value: JSON.parse("[".repeat(513) + "]".repeat(513)) }, "r"); // throws INVALID_RECORD
 */
export const VALUE_DEPTH_MAX = 512;

/**
 * Latest timestamp a record may carry: the end of JavaScript's Date range.
 *
 * @example
 * new Date(TIMESTAMP_MS_MAX).toISOString(); // "+275760-09-13T00:00:00.000Z"
 */
export const TIMESTAMP_MS_MAX = 8_640_000_000_000_000;

/**
 * Records one read returns at most.
 *
 * @example
 * intParam("10001", "limit", 1, FETCH_RECORDS_MAX, FETCH_RECORDS_DEFAULT); // throws INVALID_PARAMETER
 */
export const FETCH_RECORDS_MAX = 10_000;

/**
 * Records one read returns at most when the request does not say (no `limit`).
 *
 * @example
 * intParam(undefined, "limit", 1, FETCH_RECORDS_MAX, FETCH_RECORDS_DEFAULT); // 500
 */
export const FETCH_RECORDS_DEFAULT = 500;

/**
 * Bytes one read returns at most (its first record is returned whatever its size, so a big one
 * is never stuck).
 *
 * @example
 * intParam(c.req.query("maxBytes"), "maxBytes", 1, FETCH_BYTES_MAX, FETCH_BYTES_DEFAULT);
 */
export const FETCH_BYTES_MAX = 8 * 1_048_576;

/**
 * Bytes one read returns at most when the request does not say (no `maxBytes`).
 *
 * @example
 * stub.read({ topicId, offset, limit: FETCH_RECORDS_DEFAULT, maxBytes: FETCH_BYTES_DEFAULT, maxWaitMs }); // the SSE tail
 */
export const FETCH_BYTES_DEFAULT = 1_048_576;

/**
 * How long an empty read at the end of the log may wait for an append.
 *
 * @example
 * intParam(c.req.query("maxWaitMs"), "maxWaitMs", 0, LONG_POLL_WAIT_MS_MAX, 0); // ?maxWaitMs=60000: INVALID_PARAMETER
 */
export const LONG_POLL_WAIT_MS_MAX = 30_000;

/**
 * Long-polls parked on one partition at once; past it a read answers at once, empty.
 *
 * @example
 * await waiters.wait(5_000); // false at once while 1000 reads are parked
 */
export const LONG_POLL_WAITERS_MAX = 1_000;

/**
 * Processor partitions and connectors one partition keeps to wake on its next append (PROC-7);
 * past it a registration is refused and the watcher keeps its 1 s idle poll.
 *
 * @example
 * if (count >= PARTITION_WATCHERS_MAX) return false; // not registered
 */
export const PARTITION_WATCHERS_MAX = 64;

/**
 * Longest idempotent producer id.
 *
 * @example
 * parseProducer({ id: "p".repeat(129), epoch: 0, sequence: 0 }); // throws INVALID_PRODUCER
 */
export const PRODUCER_ID_LENGTH_MAX = 128;

/**
 * Producer epochs are Kafka's int16, 0..32767.
 *
 * @example
 * parseProducer({ id: "tab-1", epoch: 32_768, sequence: 0 }); // throws INVALID_PRODUCER
 */
export const PRODUCER_EPOCH_MAX = 32_767;

/**
 * Sequences are Kafka's int32; a producer that reaches the end bumps its epoch.
 *
 * @example
 * const producer = { id: "tab-1", epoch: 0, sequence: PRODUCER_SEQUENCE_MAX };
 * parseProduceRequest({ records: [{ value: 1 }, { value: 2 }], producer }); // throws INVALID_PRODUCER: a new epoch
 */
export const PRODUCER_SEQUENCE_MAX = 2_147_483_647;

/**
 * Batches remembered per producer and partition for de-duplicating retries (Kafka: 5 in flight).
 *
 * @example
 * producers.check({ id: "tab-1", epoch: 0, sequence: 0 }, 3); // after 5 later batches: throws DUPLICATE_SEQUENCE
 */
export const PRODUCER_BATCHES_RETAINED = 5;

/**
 * Producers a partition remembers beyond those with a batch in the log: past it, producers whose
 * batches all left the log (retention, deleteRecords) are forgotten. A producer with a batch in
 * the log is never forgotten, so past the limit each remembered producer has a stored batch of
 * its own (PROTOCOL.md PRODUCER-9, PRODUCER-10).
 *
 * @example
 * producers.record(producer, count, baseOffset, verdict, now); // a 10001st id forgets those with nothing left in the log
 */
export const PRODUCERS_PER_PARTITION_MAX = 10_000;

/**
 * Offsets in one group commit request.
 *
 * @example
 * parseCommitRequest({ offsets: [] }); // throws INVALID_REQUEST: 1 to 1000 entries
 */
export const COMMIT_OFFSETS_MAX = 1_000;

/**
 * Metadata string stored with a committed offset (Kafka's offset.metadata.max.bytes).
 *
 * @example
 * parseCommitMetadata("é".repeat(2_049), "metadata"); // throws INVALID_REQUEST: 4098 bytes
 */
export const COMMIT_METADATA_BYTES_MAX = 4_096;

/**
 * One WebSocket frame from a client, in UTF-8 bytes, before parsing (the same as an HTTP body,
 * PROTOCOL.md SOCKET-2).
 *
 * @example
 * parseFrame("x".repeat(SOCKET_MESSAGE_BYTES_MAX + 1)); // throws REQUEST_TOO_LARGE
 */
export const SOCKET_MESSAGE_BYTES_MAX = REQUEST_BYTES_MAX;

/**
 * Frames of one socket received and not yet answered: the one being handled and those waiting
 * behind it (SOCKET-19). Frames wait only behind a handler that awaits something other than
 * storage (a token's verification, an RPC); past this the socket is closed 1008.
 *
 * @example
 * if (pending.frames >= SOCKET_PENDING_FRAMES_MAX) close(ws, CLOSE_POLICY_VIOLATION, "too many frames waiting");
 */
export const SOCKET_PENDING_FRAMES_MAX = 1_024;

/**
 * The frames of one socket received and not yet answered, in characters (UTF-16 code units, as a
 * string's length counts them; binary frames by their bytes): what a client can make the object
 * hold by sending faster than it is answered (SOCKET-19). Two frames of the largest size, so one
 * such frame is always taken when nothing waits.
 *
 * @example
 * if (pending.characters + frame.length > SOCKET_PENDING_CHARACTERS_MAX) close(ws, CLOSE_POLICY_VIOLATION, "too much waiting");
 */
export const SOCKET_PENDING_CHARACTERS_MAX = 2 * SOCKET_MESSAGE_BYTES_MAX;

/**
 * A request id or subscription id on a socket.
 *
 * @example
 * messageId("s".repeat(65)); // throws INVALID_REQUEST
 */
export const MESSAGE_ID_LENGTH_MAX = 64;

/**
 * Flow control: `records` messages pushed to one subscription and not yet covered by a
 * `consumed` (unconsumed) are at most SUBSCRIBER_WINDOW_MESSAGES_MAX messages and
 * SUBSCRIBER_WINDOW_BYTES_MAX bytes, a message's bytes being the UTF-8 length of its whole frame,
 * envelope included. One exception: with nothing unconsumed, one message holding a single record
 * may pass the bytes alone (a record near RECORD_BYTES_MAX). A page that does not fit is not
 * pushed, catch-up or live: the partition says `paused` (the log is the buffer, not the object's
 * memory) and a `consumed` that frees room resumes from the subscriber's offset.
 *
 * @example
 * ws.send(JSON.stringify({ type: "consumed", offset: record.offset + 1 })); // frees the messages it covers
 */
export const SUBSCRIBER_WINDOW_BYTES_MAX = 1_048_576;

/**
 * Unconsumed `records` messages one subscription may have (see SUBSCRIBER_WINDOW_BYTES_MAX).
 *
 * @example
 * // after 64 unconsumed messages, however small, the partition says `paused` and pushes no more
 */
export const SUBSCRIBER_WINDOW_MESSAGES_MAX = 64;

/**
 * Subscriptions one partition socket may start in its life (a seek is a new one). The window is
 * the socket's, so a seek never frees it; this bounds how often a client that lies in `consumed`
 * can make the partition replay its log into a socket it does not read (PROTOCOL.md FLOW-7).
 * Past it a `subscribe` is refused with TOO_MANY_SUBSCRIBES; the running subscription goes on,
 * and another socket may subscribe again. edgelog's client subscribes once per socket.
 *
 * @example
 * // the 101st subscribe on one socket: {type: "error", id, code: "TOO_MANY_SUBSCRIBES"}
 */
export const SOCKET_SUBSCRIBES_MAX = 100;

/**
 * Characters of an error's `message`: a longer one is cut (ending in "…"), so an answer never
 * echoes a large piece of what the client sent (an unknown field or message type of megabytes)
 * and each refused socket frame costs the object at most about a kilobyte of answer.
 *
 * @example
 * new EdgelogError("INVALID_REQUEST", "x".repeat(5_000)).message.length; // 1024
 */
export const ERROR_MESSAGE_LENGTH_MAX = 1_024;

/**
 * Records in one pushed `records` message, catch-up and live alike: an append of 10,000 records
 * is pushed as 20 messages (as many as the window takes, the rest after `consumed`).
 *
 * @example
 * appendPages({ topic: "orders", partition: 0, baseOffset: 0, lines, highWatermark: 1_200 }); // 500, 500, 200 records
 */
export const PUSH_RECORDS_MAX = 500;

/**
 * Consumer groups whose committed offsets one partition keeps (each at most ~4.4 KB with its
 * metadata, so ~4.4 MB a partition). A new group's commit past it is GROUP_LIMIT_REACHED, unless
 * some group has been idle for GROUP_OFFSETS_RETENTION_MS (then that one is forgotten).
 *
 * @example
 * commitOffset(sql, log, { group: "the-1001st", offset: 0, metadata: null, generation: null }, now); // throws GROUP_LIMIT_REACHED
 */
export const GROUPS_PER_PARTITION_MAX = 1_000;

/**
 * How long a group's committed offset on a partition is kept without a new commit, once the
 * partition holds GROUPS_PER_PARTITION_MAX groups and another group needs room: 7 days, Kafka's
 * offsets.retention.minutes default. Below the limit nothing is forgotten.
 *
 * @example
 * sql.exec("DELETE FROM group_offsets WHERE commit_time < ?", now - GROUP_OFFSETS_RETENTION_MS);
 */
export const GROUP_OFFSETS_RETENTION_MS = 7 * 86_400_000;

/**
 * Members in one consumer group.
 *
 * @example
 * members.join(request, now); // a new member of a group of 1000: throws GROUP_MAX_SIZE_REACHED
 */
export const GROUP_MEMBERS_MAX = 1_000;

/**
 * Shortest session timeout a member may ask for: missing heartbeats this long removes it and rebalances.
 *
 * @example
 * parseJoin({ topic: "orders", sessionTimeoutMs: 500 }); // throws INVALID_REQUEST
 */
export const SESSION_TIMEOUT_MS_MIN = 1_000;

/**
 * Longest session timeout a member may ask for.
 *
 * @example
 * parseJoin({ topic: "orders", sessionTimeoutMs: 600_000 }); // throws INVALID_REQUEST
 */
export const SESSION_TIMEOUT_MS_MAX = 300_000;

/**
 * The session timeout of a join that names none (Kafka's session.timeout.ms default).
 *
 * @example
 * parseJoin({ topic: "orders" }).sessionTimeoutMs; // 45000
 */
export const SESSION_TIMEOUT_MS_DEFAULT = 45_000;

/**
 * Longest member id (ours are generated UUIDs; a client may bring its own, e.g. a device id).
 *
 * @example
 * memberId("d".repeat(65)); // throws INVALID_REQUEST
 */
export const MEMBER_ID_LENGTH_MAX = MESSAGE_ID_LENGTH_MAX;

/**
 * The largest `retention.bytes` a topic may name: 10 GiB, what one partition object may store
 * (Cloudflare's SQLite limit per Durable Object).
 *
 * @example
 * parseTopicConfig({ "retention.bytes": RETENTION_BYTES_MAX + 1 }); // throws INVALID_CONFIG
 */
export const RETENTION_BYTES_MAX = 10 * 1_073_741_824;

/**
 * The (group, topic) pairs the registry lists (GROUP-14): a group is noted with each topic it
 * joins or commits on; past this many pairs a new one is not listed (the group still works).
 *
 * @example
 * if (pairs >= GROUP_TOPICS_MAX) return false; // not noted, not listed by GET /v1/groups
 */
export const GROUP_TOPICS_MAX = 10_000;
