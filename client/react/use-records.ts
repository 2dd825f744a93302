/**
 * `useRecords`: a topic's newest records, live. It subscribes from "cached" unless told otherwise,
 * so a component mounted again (or a page reloaded offline) renders at once what this device
 * cached, then catches up and stays live; it keeps at most `limit` records (RECORDS_LIMIT_DEFAULT,
 * at most RECORDS_LIMIT_MAX). Components asking for the same topic and options share one store and
 * one subscription (records-store.ts), held while any is mounted and ended past a macrotask after
 * the last one unmounts: so StrictMode's remount keeps it, and an unmount ends it.
 *
 * @example
 * function Feed() {
 *   const { records, error } = useRecords<{ text: string }>("chat", { limit: 50 });
 *   if (error) return <p>{error.code}</p>;
 *   return <ul>{records.map((r) => <li key={`${r.partition}:${r.offset}`}>{r.value.text}</li>)}</ul>;
 * }
 */
import { useCallback, useSyncExternalStore } from "react";
import { EdgelogClientError } from "../local-errors.ts";
import type { JsonValue } from "../protocol/index.ts";
import type { SubscribeOptions } from "../subscribe-options.ts";
import { useClient } from "./edgelog-provider.ts";
import { RECORDS_LIMIT_DEFAULT, RECORDS_LIMIT_MAX } from "./react-limits.ts";
import { type RecordsState, RecordsStore } from "./records-store.ts";
import { recordsStores } from "./shared-state.ts";

/**
 * How `useRecords` subscribes: the subscription's options (`from` defaults to "cached") and how
 * many records it keeps.
 *
 * @example
 * const options: RecordsOptions = { from: "latest", limit: 20 };
 */
export interface RecordsOptions extends SubscribeOptions {
  /** The newest records kept (default RECORDS_LIMIT_DEFAULT, at most RECORDS_LIMIT_MAX). */
  limit?: number;
}

/**
 * The newest records of `topic` (oldest first), live, and the error the subscription ended with.
 *
 * @example
 * function Orders() {
 *   const { records } = useRecords<{ item: string }>("orders", { limit: 20 });
 *   return <ol>{records.map((r) => <li key={`${r.partition}:${r.offset}`}>{r.value.item}</li>)}</ol>;
 * }
 */
export function useRecords<T = JsonValue>(topic: string, options: RecordsOptions = {}): RecordsState<T> {
  const client = useClient();
  const { limit = RECORDS_LIMIT_DEFAULT, ...rest } = options;
  if (!Number.isInteger(limit) || limit < 1 || limit > RECORDS_LIMIT_MAX) {
    throw new EdgelogClientError("INVALID_USE", `useRecords' limit must be an integer from 1 to ${RECORDS_LIMIT_MAX}; it is ${limit}`);
  }
  const subscribeOptions: SubscribeOptions = { ...rest, from: rest.from ?? "cached" };
  const key = storeKey(topic, subscribeOptions, limit);
  const stores = recordsStores(client);
  const store = stores.get(key, () => new RecordsStore({ client, topic, options: subscribeOptions, limit }));
  const subscribe = useCallback(
    (onChange: () => void) => {
      const held = stores.hold(key, () => store.renewed());
      const off = held.listen(onChange);
      // The store this render read was let go before the subscription (a render left waiting): render the held one.
      if (held !== store) onChange();
      return () => {
        off();
        stores.release(key, held);
      };
    },
    [stores, key, store],
  );
  const read = (): RecordsState => store.state;
  return useSyncExternalStore(subscribe, read, read) as RecordsState<T>;
}

/** Every option that changes what is subscribed, in a fixed order. */
function storeKey(topic: string, options: SubscribeOptions, limit: number): string {
  const { from, partitions, group, reset, name } = options;
  return JSON.stringify([topic, limit, from ?? null, partitions ?? null, group ?? null, reset ?? null, name ?? null]);
}
