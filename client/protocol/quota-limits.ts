/**
 * The limits of quotas (per principal and partition): the default rates and socket bound a
 * deployment starts from (its vars EDGELOG_QUOTA_EVENTS_PER_S, EDGELOG_QUOTA_BYTES_PER_S and
 * EDGELOG_QUOTA_SOCKETS_MAX override them), the highest value a var or a token's `quota` claim may
 * set, the burst a bucket holds, and how many buckets a partition keeps in memory. Never Infinity.
 * Named with the unit and then the qualifier (TIGER_STYLE), as limits.ts.
 * Rules: PROTOCOL.md LIMIT-1, QUOTA-1, QUOTA-2, QUOTA-3, QUOTA-6, QUOTA-8.
 *
 * @example
 * const eventsPerS = claim.eventsPerS ?? QUOTA_EVENTS_PER_S_DEFAULT; // at most QUOTA_EVENTS_PER_S_MAX
 */

/**
 * Events a principal may produce per second on one partition unless the deployment or its token
 * says otherwise: generous, far above what one producer needs, and about what one partition takes.
 *
 * @example
 * quotaDefaults({}).eventsPerS; // 10_000
 */
export const QUOTA_EVENTS_PER_S_DEFAULT = 10_000;

/**
 * The highest events-per-second rate a var or a `quota` claim may set (a higher one is refused).
 *
 * @example
 * parseQuotaClaim({ eventsPerS: 1_000_001 }); // throws UNAUTHENTICATED
 */
export const QUOTA_EVENTS_PER_S_MAX = 1_000_000;

/**
 * Bytes (as stored, RECORD-5) a principal may produce per second on one partition by default: 8 MiB.
 *
 * @example
 * quotaDefaults({}).bytesPerS; // 8_388_608
 */
export const QUOTA_BYTES_PER_S_DEFAULT = 8_388_608;

/**
 * The highest bytes-per-second rate a var or a `quota` claim may set: 1 GiB.
 *
 * @example
 * parseQuotaClaim({ bytesPerS: 2 ** 31 }); // throws UNAUTHENTICATED
 */
export const QUOTA_BYTES_PER_S_MAX = 1_073_741_824;

/**
 * Sockets one principal may hold authenticated on one partition by default.
 *
 * @example
 * quotaDefaults({}).socketsMax; // 100
 */
export const QUOTA_SOCKETS_DEFAULT = 100;

/**
 * The highest socket bound a var or a `quota` claim may set (a partition holds at most 32,768 sockets).
 *
 * @example
 * parseQuotaClaim({ socketsMax: 20_000 }); // throws UNAUTHENTICATED
 */
export const QUOTA_SOCKETS_MAX = 10_000;

/**
 * What a bucket holds when full: this many milliseconds of its rate (one second: a principal of
 * 100 events/s may send 100 at once after a pause).
 *
 * @example
 * const capacity = (eventsPerS * QUOTA_BURST_MS) / 1000;
 */
export const QUOTA_BURST_MS = 1_000;

/**
 * Principals' buckets one partition keeps in memory; past it, full buckets (the same as fresh
 * ones) are forgotten first, then the one closest to full.
 *
 * @example
 * buckets.size <= QUOTA_BUCKETS_MAX; // always
 */
export const QUOTA_BUCKETS_MAX = 10_000;
