/**
 * What `edgelog/react` shares, kept on `globalThis` under a registered Symbol so that it survives
 * the module being evaluated again (Vite's hot reload): the clients providers made from `options`
 * (keyed by url, database, cache kind and the provider's `clientKey`), and each client's records
 * stores. A hot reload's new provider so finds the client the old one made, rather than opening a
 * second one next to it.
 *
 * @example
 * const client = sharedClients().get(sharedClientKey(options), () => createClient(options));
 * sharedClientStats(); // { open: 1, created: 1 }
 */
import { DB_NAME_DEFAULT } from "../cache/db-schema.ts";
import type { ClientOptions, EdgelogClient } from "../client.ts";
import { EdgelogClientError } from "../local-errors.ts";
import { SHARED_CLIENTS_MAX, SHARED_STORES_MAX } from "./react-limits.ts";
import type { RecordsStore } from "./records-store.ts";
import { SharedRefs } from "./shared-refs.ts";
import type { TableViewStore } from "./table-view-store.ts";

/** Registered (Symbol.for): the same symbol in every copy of this module. */
const SHARED = Symbol.for("edgelog.react.shared");

interface Shared {
  clients: SharedRefs<EdgelogClient>;
  stores: WeakMap<EdgelogClient, SharedRefs<RecordsStore>>;
  /** Absent from a copy of this module older than the table hooks (a hot reload across the upgrade). */
  tables?: WeakMap<EdgelogClient, SharedRefs<TableViewStore>>;
}

function shared(): Shared {
  const scope = globalThis as unknown as Record<symbol, Shared | undefined>;
  let state = scope[SHARED];
  if (state === undefined) {
    state = {
      clients: new SharedRefs<EdgelogClient>({
        what: "clients",
        sizeMax: SHARED_CLIENTS_MAX,
        dispose: (client) => client.close(),
        usable: (client) => client.status !== "closed",
      }),
      stores: new WeakMap(),
    };
    scope[SHARED] = state;
  }
  return state;
}

/**
 * The clients providers share (made from their `options`).
 *
 * @example
 * const held = sharedClients().hold(key, () => createClient(options));
 */
export function sharedClients(): SharedRefs<EdgelogClient> {
  return shared().clients;
}

/**
 * The records stores of one client.
 *
 * @example
 * const store = recordsStores(client).get(key, () => new RecordsStore(spec));
 */
export function recordsStores(client: EdgelogClient): SharedRefs<RecordsStore> {
  const { stores } = shared();
  let refs = stores.get(client);
  if (refs === undefined) {
    refs = new SharedRefs<RecordsStore>({
      what: "records stores per client",
      sizeMax: SHARED_STORES_MAX,
      dispose: (store) => store.close(),
    });
    stores.set(client, refs);
  }
  return refs;
}

/**
 * The table stores of one client (one per topic, shared by `useTable` and `useTableValue`).
 *
 * @example
 * const store = tableStores(client).get("prices", () => new TableViewStore(client, "prices"));
 */
export function tableStores(client: EdgelogClient): SharedRefs<TableViewStore> {
  const state = shared();
  state.tables ??= new WeakMap();
  let refs = state.tables.get(client);
  if (refs === undefined) {
    refs = new SharedRefs<TableViewStore>({
      what: "table stores per client",
      sizeMax: SHARED_STORES_MAX,
      dispose: (store) => store.close(),
    });
    state.tables.set(client, refs);
  }
  return refs;
}

/**
 * The key a provider's client is shared under: the server's URL, the database, the cache kind and
 * `clientKey` (give one per principal when the `auth` differs between users). A cache object of
 * your own cannot be keyed: make that client yourself and pass it as `client`.
 *
 * @example
 * sharedClientKey({ url: "https://events.example.com" }); // '["https://events.example.com","edgelog","indexeddb",""]'
 */
export function sharedClientKey(options: ClientOptions, clientKey = ""): string {
  if (typeof options.cache === "object") {
    throw new EdgelogClientError(
      "INVALID_USE",
      "a provider shares clients by url and database: with a cache of your own, create the client and pass it as `client`",
    );
  }
  return JSON.stringify([options.url, options.dbName ?? DB_NAME_DEFAULT, options.cache ?? "indexeddb", clientKey]);
}

/**
 * How many clients providers share now (`open`) and have made since the page loaded (`created`):
 * under StrictMode and hot reloads, one provider makes one client.
 *
 * @example
 * console.log(sharedClientStats()); // { open: 1, created: 1 }
 */
export function sharedClientStats(): { open: number; created: number } {
  return sharedClients().stats();
}
