/**
 * The browser client's own limits, each named with its unit and then its qualifier, as the
 * shared ones in limits.ts. Nothing the client holds grows without a bound: queues, batches,
 * retries, caches and waits all stop at one of these. They live apart from limits.ts because the
 * worker never enforces them; the protocol's limits (batch bytes, sequences) still apply.
 *
 * @example
 * import { RECONNECT_DELAY_MS_MAX } from "edgelog";
 * console.log(`a lost socket is retried within ${RECONNECT_DELAY_MS_MAX / 1000} s`);
 */
import { BATCH_BYTES_MAX } from "./protocol/index.ts";

/** First reconnect delay, and the floor of every later one (so a flapping network never spins). */
export const RECONNECT_DELAY_MS_MIN = 250;
/** Longest reconnect delay: a returning network is noticed within this even without `online`. */
export const RECONNECT_DELAY_MS_MAX = 30_000;
/** Attempts past which the delay's ceiling stops doubling (2^8 x 250 ms already passes the max). */
export const RECONNECT_ATTEMPTS_EXPONENT_MAX = 16;

/** How often a socket sends PING (PROTOCOL.md PING-1 asks for every 30 s). */
export const HEARTBEAT_INTERVAL_MS = 30_000;
/** Shortest heartbeat interval a caller may ask for (tests use short ones). */
export const HEARTBEAT_INTERVAL_MS_MIN = 50;
/** Longest heartbeat interval: past it a dead socket would go unnoticed too long. */
export const HEARTBEAT_INTERVAL_MS_MAX = 300_000;
/** Pongs missed in a row after which a socket is dead: closed and reconnected (protocol rule 9). */
export const HEARTBEAT_PONGS_MISSED_MAX = 2;
/** How long a new socket may take to open and say hello before it counts as failed. */
export const SOCKET_OPEN_TIMEOUT_MS = 10_000;

/** How long produced records wait for more to join their batch (Kafka's linger.ms). */
export const PRODUCE_LINGER_MS = 10;
/** Records in one produce request from the outbox (well under the protocol's BATCH_RECORDS_MAX). */
export const PRODUCE_BATCH_RECORDS_MAX = 500;
/** Stored bytes in one produce request: the protocol's own bound. */
export const PRODUCE_BATCH_BYTES_MAX = BATCH_BYTES_MAX;
/** Retries of one batch answered OUT_OF_ORDER_SEQUENCE or INTERNAL within one flush. */
export const PRODUCE_RETRIES_MAX = 5;
/** Records waiting in the outbox; past it `produce` fails with OUTBOX_FULL. */
export const OUTBOX_RECORDS_MAX = 10_000;
/** Outbox passes one flush makes before it reports what is left (each pass sends every partition). */
export const FLUSH_PASSES_MAX = 1_000;

/** One HTTP request (metadata, produce, commit) before it counts as a network failure. */
export const HTTP_TIMEOUT_MS = 15_000;
/** A socket request (commit) waiting for its answer. */
export const SOCKET_REQUEST_TIMEOUT_MS = 10_000;
/** Socket requests awaiting answers on one socket. */
export const SOCKET_REQUESTS_PENDING_MAX = 100;

/**
 * A tab waiting for another tab's answer (a follower's start position, a commit relayed to the
 * leader); past it the other tab counts as gone for that request.
 */
export const TAB_REQUEST_TIMEOUT_MS = 10_000;
/**
 * The leader waiting for a follower to take a `records` message; past it the follower is let go
 * (it attaches again and resumes from its own position), so one stuck tab cannot stall the others
 * for longer than this.
 */
export const TAB_RECORDS_ACK_TIMEOUT_MS = 30_000;
/** A follower waiting for the leader to run an outbox pass for it (a pass may retry batches). */
export const TAB_PASS_TIMEOUT_MS = 60_000;
/** Requests one tab has waiting on other tabs' answers. */
export const TAB_REQUESTS_PENDING_MAX = 1_000;

/** Records cached per partition; past it the oldest are evicted. */
export const CACHE_RECORDS_PER_PARTITION_MAX = 10_000;
/**
 * Records per stored page of the IndexedDB cache (a row of the "pages" store). Larger pages mean
 * fewer rows to write and read; this bounds what one row holds (~75 KB of 100-byte events), and
 * so the work of a page cut by an eviction. It matches the server's push page (PUSH_RECORDS_MAX).
 */
export const CACHE_PAGE_RECORDS_MAX = 500;
/**
 * A last page smaller than this takes newly appended records into it (rewritten whole) rather
 * than a page of their own, so records arriving live one at a time still end up in pages of this
 * size, while an append never rewrites more than this many records.
 */
export const CACHE_PAGE_GROW_RECORDS_MAX = 64;
/**
 * The same bound in bytes (UTF-8 of the page's JSON): with records of up to RECORD_BYTES_MAX,
 * 64 records could be 64 MiB, rewritten on every append. Past this a page takes no more records.
 */
export const CACHE_PAGE_GROW_BYTES_MAX = 65_536;
/** Records read from the cache in one transaction while replaying. */
export const REPLAY_PAGE_RECORDS_MAX = 2_000;
/** Records waiting in a subscription's async iterator; past it delivery waits (backpressure). */
export const SUBSCRIPTION_QUEUE_RECORDS_MAX = 1_000;
/** A named subscription's name (its positions are stored under it). */
export const SUBSCRIPTION_NAME_LENGTH_MAX = 249;
/** Listeners on one client event (status, storage, error): a leak shows as an error, not growth. */
export const LISTENERS_MAX = 1_000;

/**
 * The offset a produce resolves with when the server acknowledged a retry but no longer
 * remembers where it landed (DUPLICATE_SEQUENCE): delivered, position unknown. Kafka uses -1 too.
 */
export const OFFSET_UNKNOWN = -1;
