/**
 * The outbox on the page: the records produced here (or in another tab) that the server has not
 * acknowledged yet, oldest first, as the client's outbox-change event tells them. They survive
 * reloads (they are in IndexedDB) and leave the list once the leader tab has sent them.
 *
 * @example
 * const outbox = new OutboxView(list, count, empty);
 * client.onOutbox((snapshot) => outbox.show(snapshot));
 */
import type { OutboxSnapshot, QueuedRecord } from "../../client/index.ts";
import { OUTBOX_SHOWN_MAX } from "./feed-limits.ts";
import { readMessage } from "./message.ts";

/**
 * The rendered outbox.
 *
 * @example
 * outbox.show(client.outboxSnapshot ?? { count: 0, entries: [] });
 */
export class OutboxView {
  private readonly list: HTMLElement;
  private readonly count: HTMLElement;
  private readonly empty: HTMLElement;

  constructor(list: HTMLElement, count: HTMLElement, empty: HTMLElement) {
    this.list = list;
    this.count = count;
    this.empty = empty;
  }

  /** Replaces the list with the snapshot's entries (the oldest), and shows how many wait in all. */
  show(snapshot: OutboxSnapshot): void {
    const items = snapshot.entries.slice(0, OUTBOX_SHOWN_MAX).map((record) => this.entry(record));
    this.list.replaceChildren(...items);
    this.count.textContent = String(snapshot.count);
    this.empty.hidden = snapshot.count > 0;
  }

  private entry(record: QueuedRecord): HTMLLIElement {
    const item = document.createElement("li");
    item.className = "queued";
    item.dataset.outboxId = String(record.id);
    const message = readMessage(record.value);
    if (message !== null) item.dataset.id = message.id;
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = message === null ? JSON.stringify(record.value) : `${message.author}: ${message.text}`;
    const meta = document.createElement("span");
    meta.className = "meta";
    const when = new Date(record.enqueuedAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    meta.textContent = record.sent ? `queued ${when} · retrying until acknowledged` : `queued ${when}`;
    item.append(text, meta);
    return item;
  }
}
