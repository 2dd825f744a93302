/**
 * A table's change and reset events, shared by every table of the same topic and database in
 * any tab. Every tab's table applies the same records to the one database, and only the
 * transaction that really wrote a change can tell it (the others find it applied already), so
 * the writer tells its own listeners and posts the changes on a BroadcastChannel named after the
 * database and topic; every other table of them tells its listeners what it hears there. A
 * change is thus told once in each tab, whichever tab wrote it. Messages are a page's changes at
 * most (bounded by the records of one push).
 *
 * @example
 * const events = new TableEvents({ channelName: tableChannelName("shop", "prices"), BroadcastChannel: globalThis.BroadcastChannel });
 * events.onChange((change) => console.log(change.key, change.value));
 * events.wrote([{ key: "apple", value: 4, previous: 3, offset: 43, partition: 0 }], null);
 */
import { Listeners } from "../listeners.ts";
import type { BroadcastChannelClass, BroadcastChannelLike } from "../tabs/channel.ts";
import type { TableChange, TableReset } from "./table-change.ts";

/**
 * How a table's events are shared.
 *
 * @example
 * const options: TableEventsOptions = { channelName: tableChannelName("edgelog", "prices"), BroadcastChannel: null };
 */
export interface TableEventsOptions {
  /** The channel's name (tableChannelName), or its promise (the database's name is known once the principal is). */
  channelName: string | Promise<string>;
  /** The BroadcastChannel class, or null where there is none (events stay in this table). */
  BroadcastChannel: BroadcastChannelClass | null;
}

/** What goes over the channel: a page's changes, or a partition's reset. */
type TableNews = { kind: "changes"; changes: TableChange[] } | { kind: "reset"; reset: TableReset };

/**
 * The channel name of a topic's table in a database.
 *
 * @example
 * tableChannelName("shop", "prices"); // "edgelog-table:shop:prices"
 */
export function tableChannelName(dbName: string, topic: string): string {
  return `edgelog-table:${dbName}:${topic}`;
}

/**
 * The events of one table object.
 *
 * @example
 * const events = new TableEvents({ channelName: "edgelog-table:shop:prices", BroadcastChannel: null });
 * const off = events.onReset(({ partition }) => console.log("rebuilt", partition));
 */
export class TableEvents {
  private readonly changes = new Listeners<TableChange>();
  private readonly resets = new Listeners<TableReset>();
  private channel: BroadcastChannelLike | null = null;
  private closed = false;

  /** Joins the channel (when there is a BroadcastChannel, once its name is known) and tells what it hears. */
  constructor(options: TableEventsOptions) {
    const Channel = options.BroadcastChannel;
    if (Channel === null) return;
    void Promise.resolve(options.channelName).then(
      (name) => {
        if (this.closed) return;
        this.channel = new Channel(name);
        this.channel.onmessage = (event) => this.heard(event.data as TableNews);
      },
      () => undefined,
    );
  }

  /** Calls `listener` with each change of the view; returns its unsubscribe. */
  onChange(listener: (change: TableChange) => void): () => void {
    return this.changes.add(listener);
  }

  /** Calls `listener` when a partition's view is replaced whole; returns its unsubscribe. */
  onReset(listener: (reset: TableReset) => void): () => void {
    return this.resets.add(listener);
  }

  /** This table wrote `changes` (and swapped `reset` in, when not null): told here and to the others. */
  wrote(changes: readonly TableChange[], reset: TableReset | null): void {
    if (changes.length > 0) {
      this.post({ kind: "changes", changes: [...changes] });
      for (const change of changes) this.changes.emit(change);
    }
    if (reset !== null) {
      this.post({ kind: "reset", reset });
      this.resets.emit(reset);
    }
  }

  /** Leaves the channel and forgets every listener. */
  close(): void {
    this.closed = true;
    this.channel?.close();
    this.channel = null;
    this.changes.clear();
    this.resets.clear();
  }

  private post(news: TableNews): void {
    try {
      this.channel?.postMessage(news);
    } catch {
      // A closed channel (the page going away): the other tabs read the database when they need to.
    }
  }

  private heard(news: TableNews): void {
    if (news.kind === "changes") for (const change of news.changes) this.changes.emit(change);
    else this.resets.emit(news.reset);
  }
}
