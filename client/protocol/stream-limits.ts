/**
 * Limits of the Durable Streams routes (`/v1/stream/...`, PROTOCOL.md STREAM-*).
 *
 * @example
 * if (body.byteLength > STREAM_APPEND_BYTES_MAX) throw new EdgelogError("REQUEST_TOO_LARGE", "...");
 */

/**
 * Bytes of one append (POST body, or a PUT's initial body): the whole append is stored as one
 * batch of the partition log, within one SQLite row whatever its shape (base64 for bytes, up to
 * BATCH_RECORDS_MAX JSON messages with their framing).
 *
 * @example
 * await fetch(url, { method: "POST", body: new Uint8Array(STREAM_APPEND_BYTES_MAX + 1) }); // 413 REQUEST_TOO_LARGE
 */
export const STREAM_APPEND_BYTES_MAX = 524_288;

/**
 * Bytes of a too-large body the server still reads (and drops) before answering 413, so a client
 * that is still sending gets the answer rather than a reset connection; past it the connection
 * is cut.
 *
 * @example
 * await fetch(url, { method: "POST", body: new Uint8Array(10 * 1_048_576) }); // 413, not ECONNRESET
 */
export const STREAM_DRAIN_BYTES_MAX = 16 * 1_048_576;

/**
 * Bytes of one stored chunk of a byte-mode append (a larger body is stored as several records of one batch).
 *
 * @example
 * Math.ceil(bodyBytes / STREAM_CHUNK_BYTES_MAX); // records the append takes
 */
export const STREAM_CHUNK_BYTES_MAX = 65_536;

/**
 * Bytes (as stored) one catch-up read, long-poll or SSE event returns at most (the first record
 * always comes back); a reader follows Stream-Next-Offset for the rest.
 *
 * @example
 * const res = await fetch(`${url}?offset=-1`); // at most about 256 KiB; Stream-Up-To-Date absent when more remain
 */
export const STREAM_READ_BYTES_MAX = 262_144;

/**
 * Idempotent producers remembered per stream; past it the least recently used is forgotten.
 *
 * @example
 * // the 1001st producer of a stream makes the stream forget its least recently used one
 */
export const STREAM_PRODUCERS_MAX = 1_000;

/**
 * Characters of a stream path below `/v1/stream/` (and of a Producer-Id, a Stream-Seq).
 *
 * @example
 * await fetch(`/v1/stream/${"a".repeat(STREAM_PATH_CHARS_MAX + 1)}`, { method: "PUT" }); // 400 INVALID_PARAMETER
 */
export const STREAM_PATH_CHARS_MAX = 512;

/**
 * How long a long-poll waits for data before answering 204 (the env var
 * EDGELOG_STREAM_LONG_POLL_MS may lower it, never past LONG_POLL_WAIT_MS_MAX).
 *
 * @example
 * await fetch(`${url}?offset=${next}&live=long-poll`); // 204 after 20 s without data
 */
export const STREAM_LONG_POLL_MS_DEFAULT = 20_000;

/**
 * How long one SSE response streams before the server ends it (the client reconnects from the
 * last streamNextOffset, as the protocol asks, about every minute).
 *
 * @example
 * // an SSE response ends after 60 s; the client resumes from its last control event's offset
 */
export const STREAM_SSE_MS_MAX = 60_000;

/**
 * Stored bytes a fork copies from its source at most (copy-on-fork, STREAM-18); a larger source
 * refuses the fork with REQUEST_TOO_LARGE.
 *
 * @example
 * await fetch(forkUrl, { method: "PUT", headers: { "Stream-Forked-From": "/v1/stream/huge" } }); // 413 past 8 MiB
 */
export const STREAM_FORK_BYTES_MAX = 8 * 1_048_576;
