/**
 * Opens the cache a client asked for: IndexedDB (the default, persistent), memory, or a cache the
 * caller made (a leader tab's proxy, a wrapper for tests).
 *
 * @example
 * const cache = await openCache({ cache: "memory" });
 */
import { openIndexedDbCache } from "./indexeddb.ts";
import { createMemoryCache } from "./memory.ts";
import type { CacheKind, EventCache } from "./types.ts";

/**
 * Which cache, and how it is set up.
 *
 * @example
 * const choice: CacheChoice = { cache: "indexeddb", dbName: "shop" };
 */
export interface CacheChoice {
  /** "indexeddb" (default), "memory", or a ready EventCache. */
  cache?: CacheKind | EventCache;
  /** IndexedDB database name (default "edgelog"). */
  dbName?: string;
  /** Records kept per partition (default CACHE_RECORDS_PER_PARTITION_MAX). */
  recordsPerPartitionMax?: number;
}

/**
 * The cache for `choice`.
 *
 * @example
 * const cache = await openCache({ cache: "indexeddb", dbName: "shop" });
 */
export async function openCache(choice: CacheChoice): Promise<EventCache> {
  const cache = choice.cache ?? "indexeddb";
  if (typeof cache !== "string") return cache;
  const bound = choice.recordsPerPartitionMax === undefined ? {} : { recordsPerPartitionMax: choice.recordsPerPartitionMax };
  if (cache === "memory") return createMemoryCache(bound);
  return openIndexedDbCache({ ...bound, ...(choice.dbName === undefined ? {} : { dbName: choice.dbName }) });
}
