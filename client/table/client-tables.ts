/**
 * A client's tables: the one table store they share (opened on the first `client.table`, in the
 * client's IndexedDB database: per principal with `auth`, as the cache), and the tables open,
 * at most TABLES_OPEN_MAX.
 *
 * @example
 * const tables = new ClientTables({ dbName: Promise.resolve("shop"), BroadcastChannel: globalThis.BroadcastChannel ?? null });
 * const prices = tables.open("prices", ctx, (table) => forget(table));
 */
import { EdgelogClientError } from "../local-errors.ts";
import { TABLES_OPEN_MAX } from "../local-limits.ts";
import type { SubscriptionContext } from "../subscription-context.ts";
import type { BroadcastChannelClass } from "../tabs/channel.ts";
import { Table } from "./table.ts";
import { TableEvents, tableChannelName } from "./table-events.ts";
import { openTableStore, type TableStore } from "./table-store.ts";

/**
 * Where a client's tables live.
 *
 * @example
 * const options: ClientTablesOptions = { dbName: Promise.resolve("edgelog"), BroadcastChannel: null };
 */
export interface ClientTablesOptions {
  /** The IndexedDB database's name, once known (with `auth`, after the first token named the principal). */
  dbName: Promise<string>;
  /** Shares change events with the other tabs (null: none, events stay in this tab). */
  BroadcastChannel: BroadcastChannelClass | null;
}

/**
 * The tables of one client.
 *
 * @example
 * const table = tables.open<number>("prices", ctx, released);
 * tables.close();
 */
export class ClientTables {
  private readonly options: ClientTablesOptions;
  private store: Promise<TableStore> | null = null;
  private readonly open_ = new Set<Table<unknown>>();

  /** Nothing opens until the first table. */
  constructor(options: ClientTablesOptions) {
    this.options = options;
  }

  /** A new table on `topic`; throws INVALID_USE past TABLES_OPEN_MAX. */
  open<T>(topic: string, ctx: SubscriptionContext, released: (table: Table<unknown>) => void): Table<T> {
    if (this.open_.size >= TABLES_OPEN_MAX) {
      throw new EdgelogClientError("INVALID_USE", `at most ${TABLES_OPEN_MAX} tables are open at once; close the ones you no longer need`);
    }
    this.store ??= this.options.dbName.then(openTableStore);
    // Handled here too: a store that cannot open ends each table with its error, never unhandled.
    this.store.catch(() => undefined);
    const channelName = this.options.dbName.then((name) => tableChannelName(name, topic));
    const events = new TableEvents({ channelName, BroadcastChannel: this.options.BroadcastChannel });
    const table = new Table<T>(
      {
        ctx,
        store: this.store,
        events,
        released: (closed) => {
          this.open_.delete(closed);
          released(closed);
        },
      },
      topic,
    );
    this.open_.add(table as Table<unknown>);
    return table;
  }

  /** Closes every table and the store. */
  close(): void {
    for (const table of [...this.open_]) table.close();
    this.open_.clear();
    void this.store?.then(
      (store) => store.close(),
      () => undefined,
    );
  }
}
