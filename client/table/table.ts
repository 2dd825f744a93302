/**
 * `client.table(topic)`: a materialized key -> value view of a (compacted) topic, Kafka Streams'
 * KTable, kept in IndexedDB. Each record with a key sets it, a tombstone (`value === null`)
 * deletes it; records without a key are not part of a table and are passed over. It is readable
 * at once, offline and after a reload (`get`, `size`, `entries`, `for await`), follows the
 * topic live over the client's connection (shared by tabs like every subscription), and tells
 * `onChange` of each key's change and `onReset` when a partition's view was rebuilt.
 *
 * Guarantees (table-partition.ts has the rules, table-store.ts the transactions):
 * - a reader always sees a partition's view as of a whole page of records: the rows and the
 *   position covering them are written in one transaction;
 * - when the server says `reset` (it compacted past the table's position, the first build, a
 *   recreated topic), the new view is built in a generation of its own while readers keep the
 *   old one, and swapped in whole when the catch-up is live: never a half-empty table;
 * - once live, each partition's view equals the server's latest value per key as of the records
 *   delivered, whatever compaction and offline periods happened in between.
 * Memory holds no keys: every read goes to IndexedDB; `entries` reads TABLE_READ_PAGE_ROWS_MAX
 * rows at a time.
 *
 * @example
 * const prices = client.table<number>("prices");
 * console.log(await prices.get("apple"), await prices.size());
 * prices.onChange(({ key, value }) => render(key, value));
 * for await (const [key, value] of prices) console.log(key, value);
 */
import type { ClientError } from "../client-events.ts";
import { Ending } from "../ending.ts";
import { EdgelogClientError } from "../local-errors.ts";
import { TABLE_LIVE_WAITERS_MAX, TABLE_READ_PAGE_ROWS_MAX } from "../local-limits.ts";
import type { JsonValue } from "../protocol/index.ts";
import { EdgelogError as ServerError } from "../protocol/index.ts";
import { asClientError } from "../record-delivery.ts";
import type { LinkSnapshot } from "../status.ts";
import type { LookupWatch, SubscriptionContext } from "../subscription-context.ts";
import type { TableChange, TableReset } from "./table-change.ts";
import type { TableEvents } from "./table-events.ts";
import { TablePartition } from "./table-partition.ts";
import type { TableStore } from "./table-store.ts";

/**
 * What a table is made of (the client makes it).
 *
 * @example
 * const parts: TableParts = { ctx, store: openTableStore("shop"), events };
 */
export interface TableParts {
  ctx: SubscriptionContext;
  /** The store, opening. */
  store: Promise<TableStore>;
  events: TableEvents;
  /** The table closed: the client forgets it. */
  released(table: Table<unknown>): void;
}

/**
 * A materialized view of a topic (see the module comment).
 *
 * @example
 * const table: Table<{ price: number }> = client.table("prices");
 * const apple = await table.get("apple");
 */
export class Table<T = JsonValue> implements AsyncIterable<[string, T]> {
  readonly topic: string;
  private readonly parts: TableParts;
  private readonly partitions = new Map<number, TablePartition>();
  private readonly ending = new Ending<ClientError>();
  private readonly liveWaiters = new Set<(failure: ClientError | null) => void>();
  private resolving = true;
  private lookupFailures = 0;
  private closed = false;

  /** @internal `client.table` makes it. */
  constructor(parts: TableParts, topic: string) {
    this.parts = parts;
    this.topic = topic;
    void this.run().catch((error: unknown) => this.end(asClientError(error, "opening the table")));
  }

  /** The key's value, or undefined when the view holds none (offline too: it reads IndexedDB). */
  async get(key: string): Promise<T | undefined> {
    const found = await (await this.parts.store).get(this.topic, key);
    return found?.value as T | undefined;
  }

  /** How many keys the view holds, over every partition. */
  async size(): Promise<number> {
    return (await this.parts.store).size(this.topic);
  }

  /** The view's entries, partition by partition in key order, read TABLE_READ_PAGE_ROWS_MAX at a time. */
  async *entries(): AsyncGenerator<[string, T]> {
    const store = await this.parts.store;
    for (const stored of await store.partitions(this.topic)) {
      const { partition } = stored;
      let generation = stored.view.generation;
      let after: string | null = null;
      for (;;) {
        const rows = await store.page(this.topic, partition, generation, after, TABLE_READ_PAGE_ROWS_MAX);
        for (const row of rows) yield [row.key, row.value as T];
        const last = rows[rows.length - 1];
        if (last === undefined || rows.length < TABLE_READ_PAGE_ROWS_MAX) break;
        after = last.key;
        // A rebuild swapped in meanwhile: go on in the new view, past the keys already given.
        const now = await store.partition(this.topic, partition);
        if (now !== undefined) generation = now.view.generation;
      }
    }
  }

  /** The same as `entries()`. */
  [Symbol.asyncIterator](): AsyncIterator<[string, T]> {
    return this.entries();
  }

  /** Calls `listener` with each key's change of the view (in any tab of this database); returns its unsubscribe. */
  onChange(listener: (change: TableChange<T>) => void): () => void {
    return this.parts.events.onChange(listener as (change: TableChange) => void);
  }

  /** Calls `listener` when a partition's view was rebuilt and replaced whole; returns its unsubscribe. */
  onReset(listener: (reset: TableReset) => void): () => void {
    return this.parts.events.onReset(listener);
  }

  /** Whether every partition is live and shows its rebuilt view (false offline or while catching up). */
  get live(): boolean {
    if (this.resolving || this.partitions.size === 0) return false;
    for (const partition of this.partitions.values()) if (!partition.live) return false;
    return true;
  }

  /** Resolves once `live` is true (at once when it is); rejects with the table's error if it ends, CLOSED if closed. */
  whenLive(): Promise<void> {
    if (this.live) return Promise.resolve();
    if (this.ending.error !== null) return Promise.reject(this.ending.error);
    if (this.closed) return Promise.reject(new EdgelogClientError("CLOSED", "the table is closed"));
    if (this.liveWaiters.size >= TABLE_LIVE_WAITERS_MAX) {
      return Promise.reject(new EdgelogClientError("INVALID_USE", `at most ${TABLE_LIVE_WAITERS_MAX} whenLive() calls wait at once`));
    }
    return new Promise((resolve, reject) => {
      const waiter = (failure: ClientError | null): void => {
        this.liveWaiters.delete(waiter);
        if (failure === null) resolve();
        else reject(failure);
      };
      this.liveWaiters.add(waiter);
    });
  }

  /** The error the table ended with (UNKNOWN_TOPIC, a cache that cannot open, ...), or null. */
  get error(): ClientError | null {
    return this.ending.error;
  }

  /** Calls `listener` once with the error the table ends with; returns its unsubscribe. */
  onError(listener: (error: ClientError) => void): () => void {
    return this.ending.onEnd(listener);
  }

  /** For the client's status: a table still resolving its partitions is one connecting link. */
  resolvingLink(): LinkSnapshot | null {
    return this.resolving && !this.closed ? { state: "connecting", failures: this.lookupFailures } : null;
  }

  /** The network came back: the lookup's failures count afresh. */
  networkBack(): void {
    this.lookupFailures = 0;
  }

  /** Stops following the topic (the stored view stays for next time). Safe to call twice. */
  close(): void {
    if (!this.stop(new EdgelogClientError("CLOSED", "the table is closed"))) return;
    this.ending.clear();
    this.parts.released(this);
  }

  private end(error: ClientError): void {
    if (!this.stop(error)) return;
    this.parts.ctx.reportError(error);
    this.ending.end(error);
    this.parts.released(this);
  }

  private stop(why: ClientError): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.resolving = false;
    for (const partition of this.partitions.values()) partition.close();
    this.parts.events.close();
    for (const waiter of [...this.liveWaiters]) waiter(why);
    return true;
  }

  private checkLive(): void {
    if (!this.live) return;
    for (const waiter of [...this.liveWaiters]) waiter(null);
  }

  private async run(): Promise<void> {
    const watch: LookupWatch = {
      isClosed: () => this.closed,
      failed: () => {
        this.lookupFailures++;
        this.parts.ctx.linkChanged();
      },
      gone: (error) => this.end(error),
    };
    let count: number | undefined;
    let store: TableStore;
    try {
      [count, store] = await Promise.all([this.parts.ctx.partitionCount(this.topic, watch), this.parts.store]);
    } catch (error) {
      if (error instanceof ServerError || error instanceof EdgelogClientError) return this.end(error);
      throw error;
    }
    if (this.closed || count === undefined) return;
    this.resolving = false;
    for (let partition = 0; partition < count; partition++) {
      const part = new TablePartition({
        topic: this.topic,
        partition,
        store,
        events: this.parts.events,
        ctx: this.parts.ctx,
        ended: (error) => this.end(error),
        changed: () => this.checkLive(),
      });
      this.partitions.set(partition, part);
      part.open();
    }
  }
}
