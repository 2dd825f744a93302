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

/**
 * First reconnect delay, and the floor of every later one (so a flapping network never spins).
 *
 * @example
 * reconnectDelayMs(5, () => 0); // 250: the floor, whatever the attempt
 */
export const RECONNECT_DELAY_MS_MIN = 250;

/**
 * Longest reconnect delay: a returning network is noticed within this even without `online`.
 *
 * @example
 * reconnectCeilingMs(20); // 30000: the ceiling stops doubling here
 */
export const RECONNECT_DELAY_MS_MAX = 30_000;

/**
 * Attempts past which the delay's ceiling stops doubling (2^8 x 250 ms already passes the max).
 *
 * @example
 * reconnectCeilingMs(1_000) === reconnectCeilingMs(RECONNECT_ATTEMPTS_EXPONENT_MAX); // true: both 30000
 */
export const RECONNECT_ATTEMPTS_EXPONENT_MAX = 16;

/**
 * How long before a token's `exp` (read from its payload, unverified) the client asks the `auth`
 * option for a fresh one before an HTTP request or a new socket: the server's SOCKET_REAUTH_LEAD_MS,
 * so a token is refreshed as a socket would be told to.
 *
 * @example
 * const due = claims.expiresAt !== null && claims.expiresAt - Date.now() <= TOKEN_REFRESH_LEAD_MS;
 */
export const TOKEN_REFRESH_LEAD_MS = 60_000;

/**
 * The shortest time between two calls of the `auth` function that succeeded: a token that lives
 * less than the lead time (or a server that keeps answering 401) makes at most one call per this,
 * never a tight loop. Failed calls wait for the reconnect backoff instead (reconnectDelayMs).
 *
 * @example
 * // a token of 10 s: refreshed at most every 2 s, however many requests and notices ask
 */
export const TOKEN_REFRESH_INTERVAL_MS_MIN = 2_000;

/**
 * How many fresh tokens a socket asks for after one `reauth` notice when `auth` keeps answering
 * the token the socket already has; then it waits for the server's 4401 close and reconnects.
 *
 * @example
 * // auth returns the same token 10 times after a reauth: the socket stops asking
 */
export const REAUTH_ATTEMPTS_MAX = 10;

/**
 * How often a socket sends PING (PROTOCOL.md PING-1 asks for every 30 s).
 *
 * @example
 * const makeLink = socketLinkFactory({ url, WebSocket, heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS });
 */
export const HEARTBEAT_INTERVAL_MS = 30_000;

/**
 * Shortest heartbeat interval a caller may ask for (tests use short ones).
 *
 * @example
 * createClient({ url, heartbeatIntervalMs: 10 }); // pings every 50 ms: clamped up to the minimum
 */
export const HEARTBEAT_INTERVAL_MS_MIN = 50;

/**
 * Longest heartbeat interval: past it a dead socket would go unnoticed too long.
 *
 * @example
 * createClient({ url, heartbeatIntervalMs: 3_600_000 }); // pings every 300000 ms: clamped down
 */
export const HEARTBEAT_INTERVAL_MS_MAX = 300_000;

/**
 * Pongs missed in a row after which a socket is dead: closed and reconnected (PROTOCOL.md PING-3).
 *
 * @example
 * // ReconnectingSocket, on each heartbeat:
 * if (this.missedPongs >= HEARTBEAT_PONGS_MISSED_MAX) this.fail(ws, null, `${this.missedPongs} pongs missed`);
 */
export const HEARTBEAT_PONGS_MISSED_MAX = 2;

/**
 * How long a new socket may take to open before it counts as failed (ReconnectingSocket stops the
 * timer at `open`; the server's `hello` comes after it).
 *
 * @example
 * setTimeout(() => this.fail(ws, null, `no open within ${SOCKET_OPEN_TIMEOUT_MS} ms`), SOCKET_OPEN_TIMEOUT_MS);
 */
export const SOCKET_OPEN_TIMEOUT_MS = 10_000;

/**
 * How long produced records wait for more to join their batch (Kafka's linger.ms).
 *
 * @example
 * createClient({ url, lingerMs: 0 }); // batches wait 0 ms instead of PRODUCE_LINGER_MS
 */
export const PRODUCE_LINGER_MS = 10;

/**
 * Records in one produce request from the outbox (well under the protocol's BATCH_RECORDS_MAX);
 * this many records queued since the last pass also start one at once, without the linger.
 *
 * @example
 * for (let i = 0; i < 1_200; i++) void client.enqueue("orders", { value: i }); // requests of at most 500 records
 */
export const PRODUCE_BATCH_RECORDS_MAX = 500;

/**
 * Stored bytes in one produce request: the protocol's own bound.
 *
 * @example
 * PRODUCE_BATCH_BYTES_MAX === BATCH_BYTES_MAX; // true
 */
export const PRODUCE_BATCH_BYTES_MAX = BATCH_BYTES_MAX;

/**
 * Retries of one batch answered OUT_OF_ORDER_SEQUENCE or INTERNAL within one outbox pass (then the
 * partition waits for the next pass).
 *
 * @example
 * // a batch answered OUT_OF_ORDER_SEQUENCE each time is sent 1 + PRODUCE_RETRIES_MAX = 6 times in a pass
 */
export const PRODUCE_RETRIES_MAX = 5;

/**
 * The longest wait after a QUOTA_EXCEEDED before a batch is sent again: the server's
 * `retryAfterMs`, but never more than this (a later refusal says again how long).
 *
 * @example
 * await sleep(Math.min(error.retryAfterMs ?? backoff, QUOTA_WAIT_MS_MAX));
 */
export const QUOTA_WAIT_MS_MAX = 60_000;

/**
 * How long one outbox pass waits, in all, for a partition's quota before it leaves the batch
 * for the next pass (which the producer schedules after `retryAfterMs`); below the leader tab's
 * TAB_PASS_TIMEOUT_MS, so a shared pass is never taken for a lost one.
 *
 * @example
 * // a partition refused with retryAfterMs 30,000: the pass ends, the next one starts 30 s later
 */
export const QUOTA_PASS_WAIT_MS_MAX = 20_000;

/**
 * Waits for a quota in one pass, per partition, whatever their lengths (a bound on the loop).
 *
 * @example
 * // 100 refusals of 1 ms each: the pass leaves the batch to the next one
 */
export const QUOTA_PASS_WAITS_MAX = 100;

/**
 * The least wait before a socket closed with 4429 (its principal holds too many sockets on the
 * partition, PROTOCOL.md QUOTA-9) is opened again; the usual backoff comes on top of it.
 *
 * @example
 * quotaReconnectDelayMs(0); // 5,000 + 250 .. 5,000 + 250
 */
export const QUOTA_RECONNECT_DELAY_MS_MIN = 5_000;

/**
 * Records waiting in the outbox; past it `produce` fails with OUTBOX_FULL.
 *
 * @example
 * try { await client.enqueue("orders", { value: 1 }); } catch (e) {
 *   if (errorCode(e) === "OUTBOX_FULL") console.warn(`${OUTBOX_RECORDS_MAX} records already wait`);
 * }
 */
export const OUTBOX_RECORDS_MAX = 10_000;

/**
 * Outbox passes one flush makes before it reports what is left (each pass sends every partition).
 *
 * @example
 * await client.flush(); // rejects TIMEOUT if earlier records still wait after FLUSH_PASSES_MAX passes
 */
export const FLUSH_PASSES_MAX = 1_000;

/**
 * One HTTP request (metadata, produce, commit) before it counts as a network failure.
 *
 * @example
 * await http.describeTopic("orders"); // rejects with EdgelogClientError TIMEOUT after HTTP_TIMEOUT_MS
 */
export const HTTP_TIMEOUT_MS = 15_000;

/**
 * A socket request (commit) waiting for its answer.
 *
 * @example
 * await link.commit({ type: "commit", group: "billing", offset: 42 }); // TIMEOUT without `committed` in 10 s
 * // (client.commit then commits over HTTP instead)
 */
export const SOCKET_REQUEST_TIMEOUT_MS = 10_000;

/**
 * Socket requests awaiting answers on one socket.
 *
 * @example
 * link.commit(message); // rejects NETWORK at once while 100 commits already wait on this socket
 */
export const SOCKET_REQUESTS_PENDING_MAX = 100;

/**
 * A tab waiting for another tab's answer (a follower's start position, a commit relayed to the
 * leader); past it the other tab counts as gone for that request.
 *
 * @example
 * await channel.ask(leader, { type: "commit", link: link.id, message }, TAB_REQUEST_TIMEOUT_MS); // or TIMEOUT
 */
export const TAB_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The leader waiting for a follower to take a `records` message; past it the follower is let go
 * (it attaches again and resumes from its own position), so one stuck tab cannot stall the others
 * for longer than this.
 *
 * @example
 * await channel.ask(tab, { type: "records", link, message }, TAB_RECORDS_ACK_TIMEOUT_MS); // RemoteConsumer.records
 */
export const TAB_RECORDS_ACK_TIMEOUT_MS = 30_000;

/**
 * A follower waiting for the leader to run an outbox pass for it (a pass may retry batches).
 *
 * @example
 * await channel.ask(leader, { type: "pass" }, TAB_PASS_TIMEOUT_MS); // a follower's pass, run by the leader
 */
export const TAB_PASS_TIMEOUT_MS = 60_000;

/**
 * Requests one tab has waiting on other tabs' answers.
 *
 * @example
 * channel.ask(leader, { type: "pass" }, TAB_PASS_TIMEOUT_MS); // rejects NETWORK at once while 1000 wait
 */
export const TAB_REQUESTS_PENDING_MAX = 1_000;

/**
 * Records cached per partition; past it the oldest are evicted.
 *
 * @example
 * createClient({ url, cacheRecordsPerPartitionMax: 1_000 }); // keep 1000 per partition, not 10000
 */
export const CACHE_RECORDS_PER_PARTITION_MAX = 10_000;

/**
 * Records per stored page of the IndexedDB cache (a row of the "pages" store). Larger pages mean
 * fewer rows to write and read; this bounds what one row holds (~75 KB of 100-byte events), and
 * so the work of a page cut by an eviction. It matches the server's push page (PUSH_RECORDS_MAX).
 *
 * @example
 * await cache.putRecords("orders", 0, records); // 1200 in a row, into an empty IndexedDB cache: pages of 500, 500, 200
 */
export const CACHE_PAGE_RECORDS_MAX = 500;

/**
 * A last page smaller than this takes newly appended records into it (rewritten whole) rather
 * than a page of their own, so records arriving live one at a time still end up in pages of this
 * size, while an append never rewrites more than this many records.
 *
 * @example
 * // one live record after a last page of 10 records joins it (a page of 11); after one of 64, a new page
 */
export const CACHE_PAGE_GROW_RECORDS_MAX = 64;

/**
 * The same bound in bytes (UTF-8 of the page's JSON): with records of up to RECORD_BYTES_MAX,
 * 64 records could be 64 MiB, rewritten on every append. Past this a page takes no more records.
 *
 * @example
 * // a last page of 40 records of 2 KB (80 KB of JSON) takes no more: the next record starts a page
 */
export const CACHE_PAGE_GROW_BYTES_MAX = 65_536;

/**
 * Records read from the cache in one transaction while replaying.
 *
 * @example
 * await cache.readRecords("orders", 0, offset, REPLAY_PAGE_RECORDS_MAX, topicId);
 */
export const REPLAY_PAGE_RECORDS_MAX = 2_000;

/**
 * Records waiting in a subscription's async iterator; past it delivery waits (backpressure).
 *
 * @example
 * for await (const record of sub) await save(record); // at most 1000 records wait meanwhile
 */
export const SUBSCRIPTION_QUEUE_RECORDS_MAX = 1_000;

/**
 * A named subscription's name (its positions are stored under it).
 *
 * @example
 * client.subscribe("orders", { name: "n".repeat(250) }); // throws INVALID_USE
 */
export const SUBSCRIPTION_NAME_LENGTH_MAX = 249;

/**
 * Outbox records an outbox-change event carries (the oldest); its `count` tells how many wait in all.
 *
 * @example
 * client.onOutbox(({ count, entries }) => show(entries, count - entries.length)); // entries.length <= 100
 */
export const OUTBOX_SNAPSHOT_ENTRIES_MAX = 100;

/**
 * Listeners on one client event (status, storage, error): a leak shows as an error, not growth.
 *
 * @example
 * client.onStatus(show); // throws INVALID_USE once 1000 status listeners are registered
 */
export const LISTENERS_MAX = 1_000;

/**
 * The offset a produce resolves with when the server acknowledged a retry but no longer
 * remembers where it landed (DUPLICATE_SEQUENCE): delivered, position unknown. Kafka uses -1 too.
 *
 * @example
 * const { offset } = await client.produce("orders", { value: 1 });
 * if (offset === OFFSET_UNKNOWN) console.log("delivered; its offset is no longer known");
 */
export const OFFSET_UNKNOWN = -1;

/**
 * The most schema issues a SCHEMA_VALIDATION_FAILED error carries (`error.issues`); its
 * `issuesTotal` says how many the schema reported. The message names the first.
 *
 * @example
 * catch (e) { if (e instanceof SchemaValidationError) e.issues.length <= SCHEMA_ISSUES_MAX; } // true
 */
export const SCHEMA_ISSUES_MAX = 10;

/**
 * The longest issue message kept (characters); a longer one is cut, ending with "…".
 *
 * @example
 * error.issues.every((issue) => issue.message.length <= SCHEMA_ISSUE_MESSAGE_LENGTH_MAX); // true
 */
export const SCHEMA_ISSUE_MESSAGE_LENGTH_MAX = 500;

/**
 * The most path segments kept per issue (the deepest are dropped, the path ends with "…").
 *
 * @example
 * error.issues.every((issue) => issue.path.length <= SCHEMA_ISSUE_PATH_SEGMENTS_MAX); // true
 */
export const SCHEMA_ISSUE_PATH_SEGMENTS_MAX = 32;

/**
 * How long an asynchronous schema may take to answer for one value; past it the value is refused
 * with SCHEMA_FAILED (a produce never waits forever on a validator).
 *
 * @example
 * await topic.produce({ value }); // rejects SCHEMA_FAILED if the schema's promise is still pending after 10 s
 */
export const SCHEMA_VALIDATE_MS_MAX = 10_000;

/**
 * The most produced records that may wait behind an asynchronous schema's answer (records are
 * queued in call order, so each waits for the ones before it); past it a produce is refused with
 * OUTBOX_FULL and nothing is queued.
 *
 * @example
 * // 1_001 produces in a row on a topic whose schema answers later: the last one rejects OUTBOX_FULL
 */
export const SCHEMA_PENDING_RECORDS_MAX = 1_000;

/**
 * Topics whose compiled registry schemas a client keeps in memory (SCHEMA-8); past it the least
 * recently used is compiled again when next needed.
 *
 * @example
 * // a client producing to 100 topics with schemas keeps 32 compiled
 */
export const SCHEMA_TOPICS_COMPILED_MAX = 32;

/**
 * How old a topic's cached schemas may be before a produce asks for them again, in the
 * background (the record is checked with the cached ones meanwhile).
 *
 * @example
 * // a produce 61 s after the last lookup also refreshes it
 */
export const SCHEMA_REFRESH_MS = 60_000;

/**
 * Rows a table's `entries()` reads per IndexedDB request: what it holds in memory at once (a
 * table's keys live in IndexedDB, never all in memory).
 *
 * @example
 * for await (const [key, value] of client.table("prices")) show(key, value); // 500 rows per read
 */
export const TABLE_READ_PAGE_ROWS_MAX = 500;

/**
 * `whenLive()` calls that may wait at once on one table; one more is refused with INVALID_USE.
 *
 * @example
 * await client.table("prices").whenLive();
 */
export const TABLE_LIVE_WAITERS_MAX = 64;

/**
 * Tables one client may have open at once (each holds a socket per partition, shared by tabs).
 *
 * @example
 * const prices = client.table("prices"); // the 65th open table throws INVALID_USE
 */
export const TABLES_OPEN_MAX = 64;
