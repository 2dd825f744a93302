/**
 * The `records` messages a partition pushes, written as text around records already serialised
 * (the stored lines), and a live append cut into pages: at most PUSH_RECORDS_MAX records and
 * SUBSCRIBER_WINDOW_BYTES_MAX bytes a message (one record larger than that goes alone), so a
 * live push is paged as a catch-up is and every page fits an empty window. An append's pages are
 * built once and the same strings go to every caught-up subscriber (fan-out never serialises per
 * subscriber).
 *
 * Rules: PROTOCOL.md SOCKET-6, FLOW-2.
 *
 * @example
 * const pages = appendPages({ topic: "orders", partition: 0, baseOffset: 7, lines, highWatermark: 9 });
 * for (const page of pages) ws.send(page.message);
 */
import { PUSH_RECORDS_MAX, SUBSCRIBER_WINDOW_BYTES_MAX, utf8Length } from "../../client/protocol/index.ts";
import { invariant } from "../result.ts";

/**
 * One `records` message of a live append, with what the window needs to know of it.
 *
 * @example
 * for (const page of appendPages(batch)) ws.send(page.message); // each costs the window page.bytes
 */
export interface PushPage {
  message: string;
  /** One past its last record's offset. */
  endOffset: number;
  /** The UTF-8 bytes of the whole frame (what it costs the window). */
  bytes: number;
  count: number;
}

/**
 * Where a records message goes and the log end it reports.
 *
 * @example
 * recordsMessage({ topic: "orders", partition: 0, highWatermark: 9 }, page.recordsJson);
 */
export interface PageTarget {
  topic: string;
  partition: number;
  highWatermark: number;
}

/**
 * What `appendPages` cuts: a just-appended batch's stored lines from `baseOffset`.
 *
 * @example
 * appendPages({ topic: "orders", partition: 0, baseOffset, lines, highWatermark: baseOffset + lines.length });
 */
export interface AppendedBatch extends PageTarget {
  baseOffset: number;
  lines: readonly string[];
}

/** Halvings of a page that passes the byte bound (500 records halve to one in 9). */
const PAGE_HALVINGS_MAX = 10;

/**
 * `[{"offset":N,...},...]` from stored lines `lines[from..to)`, the first at `baseOffset`.
 *
 * @example
 * joinLines(7, ['"timestamp":1,"key":null,"value":1,"headers":{}}']); // '[{"offset":7,"timestamp":1,...}]'
 */
export function joinLines(baseOffset: number, lines: readonly string[], from = 0, to = lines.length): string {
  let json = "[";
  for (let i = from; i < to; i++) json += `${i === from ? "" : ","}{"offset":${baseOffset + i - from},${lines[i]}`;
  return `${json}]`;
}

/**
 * A `records` message, assembled around already-serialised records.
 *
 * @example
 * recordsMessage({ topic: "t", partition: 0, highWatermark: 1 }, "[]"); // '{"type":"records",...,"records":[],"highWatermark":1}'
 */
export function recordsMessage(target: PageTarget, recordsJson: string): string {
  const { topic, partition, highWatermark } = target;
  return `{"type":"records","topic":${JSON.stringify(topic)},"partition":${partition},"records":${recordsJson},"highWatermark":${highWatermark}}`;
}

/**
 * The UTF-8 bytes of a records message around its records array: a frame's bytes are these plus
 * the array's.
 *
 * @example
 * envelopeBytes({ topic: "t", partition: 0, highWatermark: 1 }); // 73
 */
export function envelopeBytes(target: PageTarget): number {
  return utf8Length(recordsMessage(target, ""));
}

/**
 * Cuts a just-appended batch into `records` messages of at most PUSH_RECORDS_MAX records and at
 * most SUBSCRIBER_WINDOW_BYTES_MAX bytes each (a page past the bytes is halved until it fits, or
 * holds one record), in offset order, contiguous from `baseOffset`.
 *
 * @example
 * appendPages({ topic: "t", partition: 0, baseOffset: 0, lines: tenThousandLines, highWatermark: 10_000 }).length; // 20
 */
export function appendPages(batch: AppendedBatch): PushPage[] {
  const { baseOffset, lines } = batch;
  invariant(lines.length > 0 && batch.highWatermark === baseOffset + lines.length, "an append ends at the high watermark");
  const envelope = envelopeBytes(batch);
  const pages: PushPage[] = [];
  const cut = (from: number, to: number, halvings: number): void => {
    const recordsJson = joinLines(baseOffset + from, lines, from, to);
    const bytes = envelope + utf8Length(recordsJson);
    if (bytes > SUBSCRIBER_WINDOW_BYTES_MAX && to - from > 1) {
      invariant(halvings < PAGE_HALVINGS_MAX, "halving a page reaches one record");
      const middle = from + Math.ceil((to - from) / 2);
      cut(from, middle, halvings + 1);
      cut(middle, to, halvings + 1);
      return;
    }
    pages.push({ message: recordsMessage(batch, recordsJson), endOffset: baseOffset + to, bytes, count: to - from });
  };
  for (let from = 0; from < lines.length; from += PUSH_RECORDS_MAX) cut(from, Math.min(lines.length, from + PUSH_RECORDS_MAX), 0);
  invariant(pages.length > 0 && pages[pages.length - 1]!.endOffset === batch.highWatermark, "the pages cover the append");
  return pages;
}
