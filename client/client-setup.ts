/**
 * The parts a client is built from, chosen from its options: the cache (opened in the
 * background, falling back to memory when IndexedDB cannot open), the partition links (a
 * WebSocket per partition unless a LinkFactory is given), the tabs' sharing, and the fetch function.
 *
 * @example
 * const cache = clientCache({ url, cache: "indexeddb" }, (error) => console.warn(error));
 * const makeLink = clientLinks({ url, WebSocket });
 */

import type { AuthOption } from "./auth-token.ts";
import { DB_NAME_DEFAULT } from "./cache/db-schema.ts";
import { deferCache } from "./cache/deferred.ts";
import { createMemoryCache } from "./cache/memory.ts";
import { openCache } from "./cache/open.ts";
import type { CacheKind, EventCache } from "./cache/types.ts";
import type { ClientError } from "./client-events.ts";
import type { Credentials } from "./credentials.ts";
import type { ClientEnvironment } from "./environment.ts";
import type { FetchFunction, HttpApi } from "./http-api.ts";
import { type LinkFactory, socketLinkFactory } from "./link.ts";
import { cacheError } from "./local-errors.ts";
import { HEARTBEAT_INTERVAL_MS, HEARTBEAT_INTERVAL_MS_MAX, HEARTBEAT_INTERVAL_MS_MIN } from "./local-limits.ts";
import type { WebSocketClass } from "./reconnecting-socket.ts";
import { ClientTables } from "./table/client-tables.ts";
import type { BroadcastChannelClass } from "./tabs/channel.ts";
import { principalName, principalTabs } from "./tabs/principal-tabs.ts";
import { browserTabs, createTabs, type Tabs, type TabsEnvironment } from "./tabs/tabs.ts";

/**
 * How a client is made. Only `url` is required.
 *
 * @example
 * const options: ClientOptions = { url: "https://events.example.com", cache: "indexeddb", dbName: "shop" };
 * const client = createClient(options);
 */
export interface ClientOptions {
  /** The edgelog server, e.g. "https://events.example.com" (a path prefix is kept). */
  url: string;
  /**
   * The credential, when the server requires one (PROTOCOL.md AUTH-17 to AUTH-22): a token, or a
   * function (sync or async) answering a fresh one. It is called before the first request and
   * socket, TOKEN_REFRESH_LEAD_MS before the token's `exp`, after a 401, on a socket's `reauth`
   * notice and after a 4401 close; at most once per TOKEN_REFRESH_INTERVAL_MS_MIN, with backoff
   * when it fails (each failure reported to `onError` as AUTH_FAILED). Tabs share a connection
   * only with tabs whose token has the same `sub`.
   */
  auth?: AuthOption;
  /** "indexeddb" (default: persistent), "memory", or your own EventCache. */
  cache?: CacheKind | EventCache;
  /** The IndexedDB database name (default "edgelog"). */
  dbName?: string;
  /** Records cached per partition (default CACHE_RECORDS_PER_PARTITION_MAX). */
  cacheRecordsPerPartitionMax?: number;
  /** The WebSocket class (default globalThis.WebSocket; in Node pass the `ws` package's). */
  WebSocket?: WebSocketClass;
  /** The fetch function (default globalThis.fetch). */
  fetch?: FetchFunction;
  /** Online/offline and visibility events (default: the browser's, when present). */
  environment?: ClientEnvironment;
  /** PING interval (default HEARTBEAT_INTERVAL_MS, clamped to HEARTBEAT_INTERVAL_MS_MIN.._MAX). */
  heartbeatIntervalMs?: number;
  /** How long produced records wait to be batched (default PRODUCE_LINGER_MS). */
  lingerMs?: number;
  /** Random numbers for jitter and sticky partitions (default Math.random). */
  random?: () => number;
  /** Makes partition links (default: a WebSocket per partition). Giving one turns `tabs` off. */
  makeLink?: LinkFactory;
  /**
   * Share one connection and one cache with the other tabs of this origin on the same server and
   * database (tabs/tabs.ts): by default where the browser has Web Locks and BroadcastChannel and
   * the cache is IndexedDB. `false` connects this tab alone; an object injects the platform (tests).
   */
  tabs?: boolean | TabsEnvironment;
}

/**
 * The client's cache: available at once, opening in the background. If IndexedDB cannot open,
 * `report` hears why and the client keeps working from memory.
 *
 * @example
 * const cache = clientCache({ url, cache: "memory" }, report);
 */
export function clientCache(
  options: ClientOptions,
  report: (error: ClientError) => void,
  credentials: Credentials | null = null,
): EventCache {
  const choice = {
    ...(options.cache === undefined ? {} : { cache: options.cache }),
    ...(options.dbName === undefined ? {} : { dbName: options.dbName }),
    ...(options.cacheRecordsPerPartitionMax === undefined ? {} : { recordsPerPartitionMax: options.cacheRecordsPerPartitionMax }),
  };
  // With `auth`, an IndexedDB database per principal (tabs/principal-tabs.ts): opened once the first token named it.
  const perPrincipal = credentials !== null && (options.cache ?? "indexeddb") === "indexeddb";
  const named = perPrincipal
    ? credentials.principal().then((sub) => ({ ...choice, dbName: principalName(options.dbName ?? DB_NAME_DEFAULT, sub) }))
    : Promise.resolve(choice);
  const ready = named.then(openCache).catch((error: unknown) => {
    report(cacheError(error, "opening the cache"));
    return createMemoryCache(choice);
  });
  const kind = typeof options.cache === "object" ? options.cache.kind : (options.cache ?? "indexeddb");
  return deferCache(ready, kind);
}

/**
 * The client's link factory: the given one, or a WebSocket per partition with the heartbeat
 * interval clamped to its bounds; null where there is no WebSocket (a client that only produces
 * needs none; `subscribe` then throws INVALID_USE).
 *
 * @example
 * const makeLink = clientLinks({ url, WebSocket });
 */
export function clientLinks(options: ClientOptions, credentials: Credentials | null = null): LinkFactory | null {
  if (options.makeLink !== undefined) return options.makeLink;
  // Typed through the DOM's WebSocket, so the compiler checks that the browser's class fits.
  const WebSocketImpl: WebSocketClass | undefined =
    options.WebSocket ?? (typeof globalThis.WebSocket === "function" ? globalThis.WebSocket : undefined);
  if (WebSocketImpl === undefined) return null;
  const requested = options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS;
  const heartbeatIntervalMs = Math.min(Math.max(requested, HEARTBEAT_INTERVAL_MS_MIN), HEARTBEAT_INTERVAL_MS_MAX);
  const random = options.random ? { random: options.random } : {};
  return socketLinkFactory({ url: options.url, WebSocket: WebSocketImpl, heartbeatIntervalMs, credentials, ...random });
}

/**
 * The client's fetch: the given one, or the global one looked up at call time.
 *
 * @example
 * const fetchFn = clientFetch({ url });
 */
export function clientFetch(options: ClientOptions): FetchFunction {
  return options.fetch ?? ((url, init) => globalThis.fetch(url, init));
}

/**
 * The client's share in the tabs' connection, or null when it connects alone: `tabs: false`, a
 * LinkFactory of its own, a cache other tabs cannot see (memory, or one of its own), no
 * WebSocket, or a platform without Web Locks or BroadcastChannel (Node).
 *
 * @example
 * const tabs = clientTabs({ url }, http); // in a browser: shares with the other tabs
 */
export function clientTabs(options: ClientOptions, http: HttpApi, credentials: Credentials | null = null): Tabs | null {
  if (options.tabs === false || options.makeLink !== undefined) return null;
  if ((options.cache ?? "indexeddb") !== "indexeddb") return null;
  const environment = typeof options.tabs === "object" ? options.tabs : browserTabs();
  const socketLinks = clientLinks(options, credentials);
  if (environment === null || socketLinks === null) return null;
  const name = `${options.dbName ?? DB_NAME_DEFAULT}@${options.url}`;
  const random = options.random ? { random: options.random } : {};
  if (credentials === null) return createTabs({ environment, name, socketLinks, http, ...random });
  // Shared only with the tabs of the same principal, whose leader sends with the same `sub`.
  return principalTabs(credentials.principal(), (sub) =>
    createTabs({ environment, name: principalName(name, sub), socketLinks, http, ...random }),
  );
}

/**
 * The client's tables (client.table): in the cache's IndexedDB database (per principal with
 * `auth`), their change events shared over the tabs' BroadcastChannel (the injected one when
 * `tabs` is an object); null when the cache is not IndexedDB (tables need it).
 *
 * @example
 * const tables = clientTables({ url }, null); // database "edgelog"
 */
export function clientTables(options: ClientOptions, credentials: Credentials | null = null): ClientTables | null {
  const cache = options.cache ?? "indexeddb";
  if ((typeof cache === "string" ? cache : cache.kind) !== "indexeddb") return null;
  const name = options.dbName ?? DB_NAME_DEFAULT;
  const dbName = credentials === null ? Promise.resolve(name) : credentials.principal().then((sub) => principalName(name, sub));
  const global = (globalThis as { BroadcastChannel?: BroadcastChannelClass }).BroadcastChannel ?? null;
  const BroadcastChannel = typeof options.tabs === "object" ? options.tabs.BroadcastChannel : global;
  return new ClientTables({ dbName, BroadcastChannel });
}
