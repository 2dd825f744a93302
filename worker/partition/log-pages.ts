/**
 * What the partition log's reads answer (log.ts re-exports these): a page of records already
 * serialised as JSON, for HTTP and for pushed frames, and the bounds a read takes.
 *
 * Rules: PROTOCOL.md FETCH-1, FETCH-3, COMPACT-5, COMPACT-6, TABLE-2.
 *
 * @example
 * const page: LogPage = log.read(log.logStartOffset, 100, FETCH_BYTES_DEFAULT);
 */
import type { FetchResponse } from "../../client/protocol/index.ts";

/**
 * A page of records, already serialised as a JSON array, with the fields of FETCH-1's answer
 * (on a compacted topic also those of COMPACT-6 and TABLE-2).
 *
 * @example
 * const page: LogPage = log.read(log.logStartOffset, 100, FETCH_BYTES_DEFAULT); // recordsJson is served as it is
 */
export interface LogPage extends Omit<FetchResponse, "records"> {
  /** `[{"offset":N,"timestamp":...}, ...]` */
  recordsJson: string;
  count: number;
  /** A read with `watch` (PROC-7): true when the reader is registered to be woken by the next append. */
  watching?: boolean;
}

/**
 * A page read for a pushed frame: its records array and that array's UTF-8 bytes.
 *
 * @example
 * const page: FramedPage = log.readWithin(sub.next, { recordsMax: PUSH_RECORDS_MAX, bytesMax, firstAlways: true });
 * if (page.full) return; // the next record did not fit in bytesMax
 */
export interface FramedPage {
  recordsJson: string;
  count: number;
  nextOffset: number;
  /** UTF-8 bytes of `recordsJson` (framed reads) or of its stored lines alone (HTTP reads). */
  bytes: number;
  /** Whether the page ended because the next record would pass `bytesMax` (it did not fit). */
  full: boolean;
}

/**
 * How far a read goes: `recordsMax` records, and `bytesMax` UTF-8 bytes of the records array
 * (`framed`) or of the stored lines alone (HTTP's maxBytes); `firstAlways` returns the first
 * record whatever its size.
 *
 * @example
 * const bounds: ScanBounds = { recordsMax: 500, bytesMax: 65_536, framed: true, firstAlways: false };
 */
export interface ScanBounds {
  recordsMax: number;
  bytesMax: number;
  framed: boolean;
  firstAlways: boolean;
}
