/**
 * The table hooks: `useTableValue(topic, key)` (one key's value) and `useTable(topic, { limit })`
 * (the first entries and the size), live, from `client.table(topic)`'s IndexedDB view: offline
 * and after a reload they render what the device holds at once. Every hook on a topic shares one
 * table (table-view-store.ts), held while any is mounted and closed past a macrotask after the
 * last one unmounts, so StrictMode's remount keeps it.
 *
 * @example
 * function Price({ fruit }: { fruit: string }) {
 *   const { value, loading } = useTableValue<number>("prices", fruit);
 *   return <span>{loading ? "…" : (value ?? "no price")}</span>;
 * }
 */
import { useCallback, useSyncExternalStore } from "react";
import type { JsonValue } from "../protocol/index.ts";
import { useClient } from "./edgelog-provider.ts";
import { TABLE_ENTRIES_LIMIT_DEFAULT } from "./react-limits.ts";
import { tableStores } from "./shared-state.ts";
import { type TableState, type TableValueState, TableViewStore } from "./table-view-store.ts";

/**
 * How `useTable` reads.
 *
 * @example
 * const options: TableOptions = { limit: 20 };
 */
export interface TableOptions {
  /** Entries rendered (default TABLE_ENTRIES_LIMIT_DEFAULT, at most TABLE_HOOK_ENTRIES_MAX). */
  limit?: number;
}

/**
 * Key `key`'s value in the table of `topic`, re-rendering when it changes (here or in another tab).
 *
 * @example
 * function Stock({ sku }: { sku: string }) {
 *   const { value } = useTableValue<{ count: number }>("stock", sku);
 *   return <b>{value?.count ?? 0}</b>;
 * }
 */
export function useTableValue<T = JsonValue>(topic: string, key: string): TableValueState<T> {
  const { store, subscribe } = useTableStore(topic, (held) => held.watchKey(key), [key]);
  const read = (): TableValueState => store.keyState(key);
  return useSyncExternalStore(subscribe, read, read) as TableValueState<T>;
}

/**
 * The first `limit` entries of the table of `topic` and its size, re-rendering on every change.
 *
 * @example
 * function Prices() {
 *   const { entries, size, live } = useTable<number>("prices", { limit: 50 });
 *   return <ul aria-label={`${size} prices${live ? "" : " (offline)"}`}>{entries.map(([k, v]) => <li key={k}>{k}: {v}</li>)}</ul>;
 * }
 */
export function useTable<T = JsonValue>(topic: string, options: TableOptions = {}): TableState<T> {
  const limit = options.limit ?? TABLE_ENTRIES_LIMIT_DEFAULT;
  const { store, subscribe } = useTableStore(topic, (held) => held.watchList(limit), [limit]);
  const read = (): TableState => store.listState(limit);
  return useSyncExternalStore(subscribe, read, read) as TableState<T>;
}

/**
 * The shared store of `topic`, and a `subscribe` for useSyncExternalStore that holds it, starts
 * the hook's watch on it, and lets both go on unmount. When the store this render read was let go
 * before the subscription ran (a render left waiting), the held one is new: render again to read it.
 */
function useTableStore(
  topic: string,
  watch: (store: TableViewStore) => () => void,
  deps: readonly unknown[],
): { store: TableViewStore; subscribe: (onChange: () => void) => () => void } {
  const client = useClient();
  const stores = tableStores(client);
  const store = stores.get(topic, () => new TableViewStore(client, topic));
  // biome-ignore lint/correctness/useExhaustiveDependencies: `watch` changes with `deps` only.
  const subscribe = useCallback(
    (onChange: () => void) => {
      const held = stores.hold(topic, () => store.renewed());
      const off = held.listen(onChange);
      const unwatch = watch(held);
      if (held !== store) onChange();
      return () => {
        unwatch();
        off();
        stores.release(topic, held);
      };
    },
    [stores, topic, store, ...deps],
  );
  return { store, subscribe };
}
