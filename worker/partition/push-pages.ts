/**
 * The `records` messages a partition pushes, written as text around records already serialised
 * (the stored batch's json), and a live append cut into pages: at most PUSH_RECORDS_MAX records and
 * SUBSCRIBER_WINDOW_BYTES_MAX bytes a message (one record larger than that goes alone), so a
 * live push is paged as a catch-up is and every page fits an empty window. An append's pages are
 * built once and the same strings go to every caught-up subscriber (fan-out never serialises per
 * subscriber).
 *
 * Rules: PROTOCOL.md SOCKET-6, FLOW-2.
 *
 * @example
 * const pages = appendPages({ topic: "orders", partition: 0, batch, highWatermark: batch.baseOffset + batch.count });
 * for (const page of pages) ws.send(page.message);
 */
import { PUSH_RECORDS_MAX, SUBSCRIBER_WINDOW_BYTES_MAX, utf8Length } from "../../client/protocol/index.ts";
import { invariant } from "../result.ts";
import { type StoredBatch, sliceRecords, takeRecords } from "./stored-batch.ts";

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
 * What `appendPages` cuts: a just-appended batch, in its stored form.
 *
 * @example
 * appendPages({ topic: "orders", partition: 0, batch, highWatermark: batch.baseOffset + batch.count });
 */
export interface AppendedBatch extends PageTarget {
  batch: StoredBatch;
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
 * most SUBSCRIBER_WINDOW_BYTES_MAX bytes each (a record larger than that goes alone), in offset
 * order, contiguous from its base offset. A batch within both bounds is one message around its
 * stored json as it is; a larger one is cut at record ends, with no UTF-8 scan of an ASCII batch.
 *
 * @example
 * appendPages({ topic: "t", partition: 0, batch: tenThousandRecords, highWatermark: 10_000 }).length; // 10
 */
export function appendPages(appended: AppendedBatch): PushPage[] {
  const { batch } = appended;
  invariant(batch.count > 0 && appended.highWatermark === batch.baseOffset + batch.count, "an append ends at the high watermark");
  const envelope = envelopeBytes(appended);
  // The array's brackets, then its records.
  const bytesMax = SUBSCRIBER_WINDOW_BYTES_MAX - envelope - 2;
  const pages: PushPage[] = [];
  // Bounded: each turn takes at least one record.
  for (let from = 0; from < batch.count && pages.length < batch.count; ) {
    const take = takeRecords(batch, from, { recordsMax: PUSH_RECORDS_MAX, bytesMax, framed: true, joined: false, first: true });
    invariant(take.to > from, "a page takes at least one record");
    const message = recordsMessage(appended, `[${sliceRecords(batch, from, take.to)}]`);
    pages.push({ message, endOffset: batch.baseOffset + take.to, bytes: envelope + 2 + take.bytes, count: take.to - from });
    from = take.to;
  }
  invariant(pages.length > 0 && pages[pages.length - 1]!.endOffset === appended.highWatermark, "the pages cover the append");
  return pages;
}
