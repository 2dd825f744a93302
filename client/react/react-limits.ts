/**
 * The limits of `edgelog/react`, each with its unit: how many records a records hook keeps, how
 * many clients and records stores are shared at once, and how long a value nobody holds lives on.
 *
 * @example
 * const { records } = useRecords("chat", { limit: RECORDS_LIMIT_DEFAULT }); // the newest 100
 */

/**
 * Records `useRecords` keeps when no `limit` is given (the newest).
 *
 * @example
 * useRecords("chat"); // at most 100 records, the newest
 */
export const RECORDS_LIMIT_DEFAULT = 100;

/**
 * The largest `limit` `useRecords` takes; more throws INVALID_USE (a list on screen is bounded).
 *
 * @example
 * useRecords("chat", { limit: 5_000 }); // throws INVALID_USE: at most 1000
 */
export const RECORDS_LIMIT_MAX = 1_000;

/**
 * Clients an `EdgelogProvider` with `options` shares at once (one per url, database and key).
 *
 * @example
 * // a 33rd distinct { url, dbName } provider throws INVALID_USE while the 32 others are mounted
 */
export const SHARED_CLIENTS_MAX = 32;

/**
 * Records stores (one per topic and options) shared at once per client, across every `useRecords`.
 *
 * @example
 * // the same topic and options in ten components: one store, one subscription
 */
export const SHARED_STORES_MAX = 256;

/**
 * Entries `useTable` renders when no `limit` is given (the first, in key order per partition).
 *
 * @example
 * useTable("prices"); // at most 100 entries
 */
export const TABLE_ENTRIES_LIMIT_DEFAULT = 100;

/**
 * The largest `limit` `useTable` takes; more throws INVALID_USE (a list on screen is bounded).
 *
 * @example
 * useTable("prices", { limit: 5_000 }); // throws INVALID_USE: at most 1000
 */
export const TABLE_HOOK_ENTRIES_MAX = 1_000;

/**
 * Keys (`useTableValue`) and lists (`useTable`, one per limit) watched at once on one table.
 *
 * @example
 * // 257 different keys of "prices" mounted at once: the 257th throws INVALID_USE
 */
export const TABLE_HOOK_WATCHES_MAX = 256;

/**
 * How long a shared client or records store nobody holds is kept before it is closed: 0 ms, that
 * is past one macrotask, so StrictMode's unmount and remount (and a hot reload's) find it again.
 *
 * @example
 * setTimeout(closeIfStillUnheld, RELEASE_DELAY_MS);
 */
export const RELEASE_DELAY_MS = 0;

/**
 * How long a shared client or records store made by a render, and not yet held, is kept before it
 * is closed (React runs effects a task or more after the render, and may throw a render away).
 * An effect that comes later still finds it closed, makes another and renders again: nothing leaks.
 *
 * @example
 * refs.get(key, make); // in render: closed after 1000 ms unless an effect holds it first
 */
export const RENDER_GRACE_MS = 1_000;
