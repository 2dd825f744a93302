/**
 * What the table hooks render: one `client.table(topic)` per client and topic, shared by every
 * `useTable` and `useTableValue` on it (shared-state.ts), and the slices its hooks watch: a key's
 * value (updated from the table's change events, read again from IndexedDB after a reset) and
 * the first `limit` entries with the size (read again, once per microtask at most, after any
 * change). Each slice is a frozen object, replaced only when it changes, as
 * `useSyncExternalStore` needs. What it holds is bounded: the slices mounted hooks watch, each at
 * most TABLE_HOOK_ENTRIES_MAX entries, at most TABLE_HOOK_WATCHES_MAX slices.
 *
 * @example
 * const store = new TableViewStore(client, "prices");
 * const stop = store.watchKey("apple");
 * const off = store.listen(() => render(store.keyState("apple").value));
 */
import type { EdgelogClient } from "../client.ts";
import type { ClientError } from "../client-events.ts";
import { Listeners } from "../listeners.ts";
import { EdgelogClientError } from "../local-errors.ts";
import type { JsonValue } from "../protocol/index.ts";
import { EdgelogError } from "../protocol/index.ts";
import type { Table } from "../table/table.ts";
import type { TableChange } from "../table/table-change.ts";
import { TABLE_HOOK_ENTRIES_MAX, TABLE_HOOK_WATCHES_MAX } from "./react-limits.ts";

/**
 * What `useTableValue` renders.
 *
 * @example
 * const { value, loading }: TableValueState<number> = useTableValue<number>("prices", "apple");
 */
export interface TableValueState<T = JsonValue> {
  /** The key's value, or undefined when the table holds none (or before the first read). */
  readonly value: T | undefined;
  /** True until the first read from IndexedDB answered. */
  readonly loading: boolean;
  /** Why the table ended (UNKNOWN_TOPIC, no IndexedDB, a closed client), or null. */
  readonly error: ClientError | null;
}

/**
 * What `useTable` renders.
 *
 * @example
 * const { entries, size, live }: TableState<number> = useTable<number>("prices", { limit: 20 });
 */
export interface TableState<T = JsonValue> {
  /** The first `limit` entries, partition by partition in key order. */
  readonly entries: readonly (readonly [string, T])[];
  /** Keys the table holds. */
  readonly size: number;
  /** True until the first read from IndexedDB answered. */
  readonly loading: boolean;
  /** Whether every partition is live (false offline or while catching up). */
  readonly live: boolean;
  readonly error: ClientError | null;
}

/** What a hook shows before its first read (the same objects every time). */
const VALUE_LOADING: TableValueState<never> = Object.freeze({ value: undefined, loading: true, error: null });
const TABLE_LOADING: TableState<never> = Object.freeze({ entries: Object.freeze([]), size: 0, loading: true, live: false, error: null });

interface Watch<S> {
  holders: number;
  state: S;
  /** Bumped per read started: an older read's answer is dropped. */
  reads: number;
}

/**
 * One table's slices for the hooks.
 *
 * @example
 * const store = new TableViewStore(client, "prices");
 * store.close();
 */
export class TableViewStore {
  readonly topic: string;
  private readonly client: EdgelogClient;
  private readonly listeners = new Listeners<void>();
  private readonly table: Table | null = null;
  private readonly keys = new Map<string, Watch<TableValueState>>();
  private readonly lists = new Map<number, Watch<TableState>>();
  private readonly stops: (() => void)[] = [];
  private error: ClientError | null = null;
  private refreshScheduled = false;
  private closed = false;

  /** Opens `client.table(topic)` and follows its events (an error to open it is the state's `error`). */
  constructor(client: EdgelogClient, topic: string) {
    this.client = client;
    this.topic = topic;
    try {
      this.table = client.table(topic);
      this.stops.push(this.table.onChange((change) => this.changed(change)));
      this.stops.push(this.table.onReset(() => this.refreshAll()));
      this.stops.push(this.table.onError((error) => this.end(error)));
      this.stops.push(client.onStatus(() => this.refreshLive()));
    } catch (error) {
      this.end(asClientError(error));
    }
  }

  /** Calls `onChange` after each change of any slice; returns its unsubscribe. */
  listen(onChange: () => void): () => void {
    return this.listeners.add(onChange);
  }

  /** A new store for the same table (this one was closed under a component that still wants it). */
  renewed(): TableViewStore {
    return new TableViewStore(this.client, this.topic);
  }

  /** Key `key`'s slice now (loading until a watch of it read it). */
  keyState(key: string): TableValueState {
    return this.keys.get(key)?.state ?? VALUE_LOADING;
  }

  /** The first `limit` entries' slice now. */
  listState(limit: number): TableState {
    return this.lists.get(limit)?.state ?? TABLE_LOADING;
  }

  /** Watches key `key` (read now, then kept up to date); returns the unwatch. */
  watchKey(key: string): () => void {
    return this.watch(this.keys, key, VALUE_LOADING, () => this.readKey(key));
  }

  /** Watches the first `limit` entries (1 to TABLE_HOOK_ENTRIES_MAX); returns the unwatch. */
  watchList(limit: number): () => void {
    if (!Number.isInteger(limit) || limit < 1 || limit > TABLE_HOOK_ENTRIES_MAX) {
      throw new EdgelogClientError(
        "INVALID_USE",
        `useTable's limit must be an integer from 1 to ${TABLE_HOOK_ENTRIES_MAX}; it is ${limit}`,
      );
    }
    return this.watch(this.lists, limit, TABLE_LOADING, () => this.readList(limit));
  }

  /** Closes the table and forgets every listener. */
  close(): void {
    this.closed = true;
    for (const stop of this.stops.splice(0)) stop();
    this.table?.close();
    this.listeners.clear();
    this.keys.clear();
    this.lists.clear();
  }

  private watch<K, S>(map: Map<K, Watch<S>>, id: K, loading: S, read: () => void): () => void {
    let watch = map.get(id);
    if (watch === undefined) {
      if (this.keys.size + this.lists.size >= TABLE_HOOK_WATCHES_MAX) {
        throw new EdgelogClientError("INVALID_USE", `at most ${TABLE_HOOK_WATCHES_MAX} keys and lists of one table are watched at once`);
      }
      watch = { holders: 0, state: loading, reads: 0 };
      map.set(id, watch);
      read();
    }
    watch.holders++;
    const held = watch;
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      held.holders--;
      if (held.holders === 0 && map.get(id) === held) map.delete(id);
    };
  }

  private changed(change: TableChange): void {
    const watch = this.keys.get(change.key);
    if (watch !== undefined) {
      // The change itself says the value: no read needed (a read under way is superseded).
      watch.reads++;
      this.set(watch, { value: change.value ?? undefined, loading: false, error: this.error });
    }
    this.scheduleLists();
  }

  private refreshAll(): void {
    for (const key of this.keys.keys()) this.readKey(key);
    this.scheduleLists();
  }

  private refreshLive(): void {
    const live = this.table?.live ?? false;
    for (const watch of this.lists.values()) if (watch.state.live !== live) this.set(watch, { ...watch.state, live });
  }

  /** Lists are read again once per microtask at most, however many changes came. */
  private scheduleLists(): void {
    if (this.refreshScheduled || this.lists.size === 0) return;
    this.refreshScheduled = true;
    queueMicrotask(() => {
      this.refreshScheduled = false;
      for (const limit of this.lists.keys()) this.readList(limit);
    });
  }

  private readKey(key: string): void {
    const watch = this.keys.get(key);
    const table = this.table;
    if (watch === undefined || table === null) return;
    const read = ++watch.reads;
    table.get(key).then(
      (value) => {
        if (read === watch.reads) this.set(watch, { value, loading: false, error: this.error });
      },
      (error: unknown) => this.end(asClientError(error)),
    );
  }

  private readList(limit: number): void {
    const watch = this.lists.get(limit);
    const table = this.table;
    if (watch === undefined || table === null) return;
    const read = ++watch.reads;
    void firstEntries(table, limit).then(
      ([entries, size]) => {
        if (read === watch.reads) this.set(watch, { entries, size, loading: false, live: table.live, error: this.error });
      },
      (error: unknown) => this.end(asClientError(error)),
    );
  }

  private set<S>(watch: Watch<S>, state: S): void {
    if (this.closed) return;
    watch.state = Object.freeze(state);
    this.listeners.emit();
  }

  private end(error: ClientError): void {
    this.error = error;
    for (const watch of this.keys.values()) this.set(watch, { ...watch.state, loading: false, error });
    for (const watch of this.lists.values()) this.set(watch, { ...watch.state, loading: false, error });
  }
}

async function firstEntries(table: Table, limit: number): Promise<[readonly (readonly [string, JsonValue])[], number]> {
  const entries: (readonly [string, JsonValue])[] = [];
  for await (const entry of table.entries()) {
    entries.push(Object.freeze(entry));
    if (entries.length >= limit) break;
  }
  return [Object.freeze(entries), await table.size()];
}

function asClientError(error: unknown): ClientError {
  if (error instanceof EdgelogError || error instanceof EdgelogClientError) return error;
  return new EdgelogClientError("INVALID_USE", (error as Error)?.message ?? String(error));
}
