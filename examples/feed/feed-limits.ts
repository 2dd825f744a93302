/**
 * The example feed's own limits, each with its unit: what the page keeps and shows.
 * The client library's limits (outbox size, cache size, backoff) are in client/client-limits.ts.
 *
 * @example
 * if (list.children.length > FEED_ENTRIES_MAX) list.lastElementChild?.remove();
 */

/** Feed entries kept on the page (the newest); older ones stay in IndexedDB and on the server. */
export const FEED_ENTRIES_MAX = 500;
/** Outbox entries listed (the oldest, as they will be sent); the count shows the rest. */
export const OUTBOX_SHOWN_MAX = 100;
/** Characters in one message. */
export const MESSAGE_LENGTH_MAX = 500;
/** Characters in an author's name (the record key: one author's messages stay in order). */
export const AUTHOR_LENGTH_MAX = 40;
/** Partitions of the feed topic when the page creates it. */
export const FEED_PARTITIONS = 2;
/** How long the service worker waits for the network before it serves the cached page. */
export const SHELL_NETWORK_WAIT_MS = 3_000;
