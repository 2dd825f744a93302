/**
 * The feed on the page: one list item per delivered record, newest first by timestamp, at most
 * FEED_ENTRIES_MAX of them. It renders every record it is given, duplicates included, and never
 * filters: the page shows exactly what the client delivered (which is what the browser tests
 * count). Text goes in as text nodes only, never as HTML.
 *
 * @example
 * const feed = new FeedView(document.querySelector("#feed")!, document.querySelector("#feed-count")!);
 * client.subscribe("feed", {}, (record) => feed.add(record));
 */
import type { TopicRecord } from "../../client/index.ts";
import { FEED_ENTRIES_MAX } from "./feed-limits.ts";
import { readMessage } from "./message.ts";

/** Sorts entries: later timestamps first, then by partition and offset, so the order is stable. */
function isBefore(a: TopicRecord, b: HTMLElement): boolean {
  const bTimestamp = Number(b.dataset.timestamp);
  if (a.timestamp !== bTimestamp) return a.timestamp > bTimestamp;
  const bPartition = Number(b.dataset.partition);
  if (a.partition !== bPartition) return a.partition < bPartition;
  return a.offset > Number(b.dataset.offset);
}

/** "14:03:07" in the reader's time zone. */
function clock(timestamp: number): string {
  return new Date(timestamp).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
}

/**
 * The rendered feed.
 *
 * @example
 * feed.add(record); // inserted in timestamp order
 */
export class FeedView {
  private readonly list: HTMLElement;
  private readonly count: HTMLElement;
  private readonly empty: HTMLElement;

  constructor(list: HTMLElement, count: HTMLElement, empty: HTMLElement) {
    this.list = list;
    this.count = count;
    this.empty = empty;
  }

  /** Shows one delivered record. */
  add(record: TopicRecord): void {
    const item = this.entry(record);
    let before: Element | null = this.list.firstElementChild;
    while (before instanceof HTMLElement && !isBefore(record, before)) before = before.nextElementSibling;
    this.list.insertBefore(item, before);
    while (this.list.children.length > FEED_ENTRIES_MAX) this.list.lastElementChild?.remove();
    this.empty.hidden = true;
    this.count.textContent = String(this.list.children.length);
  }

  private entry(record: TopicRecord): HTMLLIElement {
    const item = document.createElement("li");
    item.className = "entry";
    item.dataset.partition = String(record.partition);
    item.dataset.offset = String(record.offset);
    item.dataset.timestamp = String(record.timestamp);
    const message = readMessage(record.value);
    const line = document.createElement("div");
    line.className = "line";
    if (message === null) {
      line.append(element("span", "text other", JSON.stringify(record.value)));
    } else {
      item.dataset.id = message.id;
      line.append(element("strong", "author", message.author), element("span", "text", message.text));
    }
    const meta = element("div", "meta", `${clock(record.timestamp)} · partition ${record.partition} · offset ${record.offset}`);
    item.append(line, meta);
    return item;
  }
}
