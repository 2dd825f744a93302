/**
 * The outbox-change event: after every change of the outbox (a record queued here, a pass that
 * delivered, refused or sealed records, here or in the leader tab) the outbox is read again and,
 * when it differs from the last snapshot, the new snapshot goes to every listener. A snapshot is
 * frozen and stays the same object until the outbox changes (what React's `useSyncExternalStore`
 * needs). Reads are coalesced: at most one runs and one waits, however many changes arrive; and
 * nothing is read while nobody listens (the first listener reads afresh).
 *
 * Who tells of a change: the producer, after each enqueue and after each pass it runs itself
 * (solo); with tabs, the leader after each pass it runs (for any tab), once per pass, on the tabs'
 * channel, and every other tab reads again when it hears it (tabs/outbox-relay.ts).
 *
 * @example
 * const watch = new OutboxWatch({ cache, reportError });
 * const off = watch.onChange(({ count, entries }) => render(count, entries));
 * await watch.changed(); // something was queued: read again
 * off();
 */
import type { EventCache } from "./cache/types.ts";
import type { ClientError } from "./client-events.ts";
import { Listeners } from "./listeners.ts";
import { cacheError, EdgelogClientError } from "./local-errors.ts";
import { OUTBOX_SNAPSHOT_ENTRIES_MAX } from "./local-limits.ts";
import { type QueuedRecord, toQueuedRecord } from "./producer.ts";

/**
 * The outbox as a UI shows it: how many records wait, and the oldest of them.
 *
 * @example
 * client.onOutbox(({ count, entries }) => {
 *   badge.textContent = String(count);
 *   list.replaceChildren(...entries.map((r) => item(r.value)));
 * });
 */
export interface OutboxSnapshot {
  /** How many records wait (all of them, also those past `entries`). */
  readonly count: number;
  /** The oldest waiting records, oldest first, at most OUTBOX_SNAPSHOT_ENTRIES_MAX. */
  readonly entries: readonly QueuedRecord[];
}

/**
 * What an outbox watch needs.
 *
 * @example
 * const options: OutboxWatchOptions = { cache, reportError: (error) => events.reportError(error) };
 */
export interface OutboxWatchOptions {
  cache: EventCache;
  reportError(error: ClientError): void;
}

/**
 * The outbox's snapshot and its listeners.
 *
 * @example
 * const watch = new OutboxWatch({ cache, reportError });
 * watch.onChange((snapshot) => console.log(snapshot.count));
 */
export class OutboxWatch {
  private readonly options: OutboxWatchOptions;
  private readonly listeners = new Listeners<OutboxSnapshot>();
  private current: OutboxSnapshot | null = null;
  private reading: Promise<void> | null = null;
  private again: Promise<void> | null = null;
  private closed = false;

  constructor(options: OutboxWatchOptions) {
    this.options = options;
  }

  /** The last snapshot read (null before the first); current while someone listens. */
  get snapshot(): OutboxSnapshot | null {
    return this.current;
  }

  /** Calls `listener` with each new snapshot; returns its unsubscribe. The first listener makes a read. */
  onChange(listener: (snapshot: OutboxSnapshot) => void): () => void {
    if (this.closed) return () => undefined;
    const off = this.listeners.add(listener);
    // Nothing was read while nobody listened: the snapshot may be behind.
    if (this.listeners.size === 1) void this.changed();
    return off;
  }

  /**
   * The outbox changed: reads it again (after the running read, if one runs; every change
   * meanwhile shares that one next read). Resolves once a read begun after this call is done.
   */
  changed(): Promise<void> {
    if (this.closed || this.listeners.size === 0) return Promise.resolve();
    if (this.reading === null) {
      this.reading = this.read().finally(() => {
        this.reading = null;
      });
      return this.reading;
    }
    this.again ??= this.reading.then(() => {
      this.again = null;
      return this.changed();
    });
    return this.again;
  }

  /** Stops reading and telling. */
  close(): void {
    this.closed = true;
    this.listeners.clear();
  }

  private async read(): Promise<void> {
    let next: OutboxSnapshot;
    try {
      const { cache } = this.options;
      const [records, count] = await Promise.all([cache.outboxList(OUTBOX_SNAPSHOT_ENTRIES_MAX), cache.outboxCount()]);
      const entries = Object.freeze(records.slice(0, OUTBOX_SNAPSHOT_ENTRIES_MAX).map(toQueuedRecord));
      // Two reads, not one transaction: the count is never shown below the entries listed.
      next = Object.freeze({ count: Math.max(count, entries.length), entries });
    } catch (error) {
      if (!this.closed && !(error instanceof EdgelogClientError && error.code === "CLOSED")) {
        this.options.reportError(cacheError(error, "reading the outbox"));
      }
      return;
    }
    if (this.closed || (this.current !== null && sameOutbox(this.current, next))) return;
    this.current = next;
    this.listeners.emit(next);
  }
}

/** Whether two snapshots show the same thing (an entry changes only by being sealed or placed). */
function sameOutbox(a: OutboxSnapshot, b: OutboxSnapshot): boolean {
  if (a.count !== b.count || a.entries.length !== b.entries.length) return false;
  return a.entries.every((entry, i) => {
    const other = b.entries[i];
    return other !== undefined && other.id === entry.id && other.sent === entry.sent && other.partition === entry.partition;
  });
}
