/**
 * A stored batch as reads serve it: its records already written as they go on the wire
 * (`{"offset":N,"timestamp":T,"key":K,"value":V,"headers":H}`) and joined by commas, so a whole
 * batch is served as `[` + json + `]` with no split, no prefix and no join; the UTF-16 end of
 * each record, so a page edge inside a batch is one slice; and the UTF-8 bytes of the whole, so
 * no byte budget scans the text again (an all-ASCII batch, bytes equal to its length, never does;
 * another is measured record by record only in a batch a page edge falls inside).
 *
 * Rows written before this form (`payload` lines `"timestamp":T,...}` joined by "\n", no ends, no
 * bytes) are converted on read to the same shape, so one read path serves both.
 *
 * A batch compaction rewrote (COMPACT-4) holds only the records it kept: its offsets rise with
 * gaps, from its base offset to `offset_end` - 1, and each record's offset is read from its own
 * `{"offset":N,` prefix once, when the row is read (`offsets`). Every function here takes the
 * offsets from `recordOffset`, so both kinds read the same way.
 *
 * Rules: PROTOCOL.md RECORD-2, FETCH-3, SOCKET-6, FLOW-2.
 *
 * @example
 * const batch = newBatch(7, ['"timestamp":1,"key":null,"value":1,"headers":{}}']);
 * `[${batch.json}]`; // '[{"offset":7,"timestamp":1,"key":null,"value":1,"headers":{}}]'
 */
import { utf8Length } from "../../client/protocol/index.ts";
import { invariant } from "../result.ts";

/**
 * One batch: records [baseOffset, baseOffset + count) (see this module's header).
 *
 * @example
 * const batch: StoredBatch = newBatch(0, lines); // batch.json, batch.ends, batch.bytes
 */
export interface StoredBatch {
  baseOffset: number;
  count: number;
  /** The records joined by ",": the inside of their JSON array. */
  json: string;
  /** `ends[i]`: the UTF-16 index one past record i in `json` (record i + 1 starts one after). */
  ends: Uint32Array;
  /** The UTF-8 bytes of `json`. */
  bytes: number;
  /** Each record's UTF-8 bytes, measured once on the first partial read of a non-ASCII batch. */
  recordBytes?: Uint32Array;
  /** Each record's offset, in a batch with gaps (compacted); absent: `baseOffset + i`. */
  offsets?: Float64Array;
}

/**
 * A batch row as the SELECT gives it: `records_bytes` and `record_ends` are null in a row
 * written before they existed (then `payload` holds the old "\n"-joined lines).
 *
 * @example
 * storedBatch(sql.exec<BatchRow>("SELECT base_offset, record_count, payload, records_bytes, record_ends FROM batches").one());
 */
export type BatchRow = {
  base_offset: number;
  record_count: number;
  payload: string;
  records_bytes: number | null;
  record_ends: ArrayBuffer | null;
  /** One past the last record's offset in a compacted row; null: `base_offset + record_count`. */
  offset_end?: number | null;
};

/**
 * What one take from a batch may hold: `recordsMax` records and `bytesMax` bytes, counted as a
 * pushed frame's array (`framed`: each record's UTF-8 bytes, and a comma before every record but
 * the page's first, `joined` saying one precedes) or as HTTP's maxBytes (the stored line alone:
 * a record's bytes less its `{"offset":N,` prefix). With `first` the first record is taken
 * whatever its size (FETCH-3's firstAlways).
 *
 * @example
 * const bounds: TakeBounds = { recordsMax: 500, bytesMax: 65_536, framed: true, joined: false, first: true };
 */
export interface TakeBounds {
  recordsMax: number;
  bytesMax: number;
  framed: boolean;
  joined: boolean;
  first: boolean;
}

/**
 * The outcome of a take: records [from, to) fit, costing `bytes`; `full` when the next one did
 * not fit in `bytesMax`.
 *
 * @example
 * const take: Take = takeRecords(batch, 0, bounds); // records [0, take.to) fit in take.bytes
 */
export interface Take {
  to: number;
  bytes: number;
  full: boolean;
}

/** `{"offset":` then the offset's digits and a comma: the prefix each served record carries. */
const OFFSET_PREFIX_CHARS = '{"offset":'.length + 1;
/** Powers of ten that bound an offset's digits (offsets are below 2^53 < 10^16). */
const OFFSET_DIGITS_MAX = 16;

/**
 * The characters of `{"offset":N,` (all ASCII, so its UTF-8 bytes too).
 *
 * @example
 * offsetPrefixChars(7); // 12
 */
export function offsetPrefixChars(offset: number): number {
  return OFFSET_PREFIX_CHARS + String(offset).length;
}

/**
 * The prefix characters of the offsets [from, to) together, with no loop over the offsets.
 *
 * @example
 * offsetPrefixesChars(9, 11); // 12 + 13
 */
export function offsetPrefixesChars(from: number, to: number): number {
  let chars = (to - from) * OFFSET_PREFIX_CHARS;
  let low = 0;
  let high = 10;
  for (let digits = 1; digits <= OFFSET_DIGITS_MAX && low < to; digits++) {
    const overlap = Math.min(to, high) - Math.max(from, low);
    if (overlap > 0) chars += overlap * digits;
    low = high;
    high *= 10;
  }
  return chars;
}

/**
 * Builds the stored form of a just-appended batch from its lines (`"timestamp":T,<tail>`).
 *
 * @example
 * newBatch(0, ['"timestamp":1,"key":null,"value":"é","headers":{}}']).bytes; // the UTF-8 bytes of its json
 */
export function newBatch(baseOffset: number, lines: readonly string[], bytes?: number): StoredBatch {
  const count = lines.length;
  const ends = new Uint32Array(count);
  let json = "";
  for (let i = 0; i < count; i++) {
    json += `${i === 0 ? "" : ","}{"offset":${baseOffset + i},${lines[i]}`;
    ends[i] = json.length;
  }
  return { baseOffset, count, json, ends, bytes: bytes ?? utf8Length(json) };
}

/**
 * The batch a row holds, in either stored form, with the invariants of that form asserted.
 *
 * @example
 * for (const row of cursor) take(storedBatch(row), next - row.base_offset, bounds);
 */
export function storedBatch(row: BatchRow): StoredBatch {
  if (row.records_bytes === null || row.record_ends === null) return legacyBatch(row);
  const batch = currentBatch(row as BatchRow & { records_bytes: number; record_ends: ArrayBuffer });
  if (row.offset_end != null && row.offset_end !== row.base_offset + row.record_count) batch.offsets = parsedOffsets(batch, row.offset_end);
  return batch;
}

/** A row of the current form, its invariants asserted. */
function currentBatch(row: BatchRow & { records_bytes: number; record_ends: ArrayBuffer }): StoredBatch {
  invariant(row.record_ends.byteLength === row.record_count * Uint32Array.BYTES_PER_ELEMENT, "a batch stores one end per record");
  const batch: StoredBatch = {
    baseOffset: row.base_offset,
    count: row.record_count,
    json: row.payload,
    ends: new Uint32Array(row.record_ends),
    bytes: row.records_bytes,
  };
  const { json, ends, bytes, count } = batch;
  invariant(ends.length === count && ends[count - 1] === json.length, "a batch's record ends tile its json");
  invariant(bytes >= json.length && bytes <= 3 * json.length, "a batch's bytes are its json's UTF-8 length");
  invariant(json.startsWith(`{"offset":${batch.baseOffset},`), "a batch's json starts at its base offset");
  return batch;
}

/** The offsets of a compacted batch's records, from their prefixes: rising, first the base, last `end` - 1. */
function parsedOffsets(batch: StoredBatch, end: number): Float64Array {
  const offsets = new Float64Array(batch.count);
  const head = '{"offset":'.length;
  for (let i = 0; i < batch.count; i++) {
    const start = recordStart(batch, i) + head;
    offsets[i] = Number(batch.json.slice(start, batch.json.indexOf(",", start)));
    invariant(i === 0 || offsets[i]! > offsets[i - 1]!, "a batch's offsets rise");
  }
  invariant(offsets[0] === batch.baseOffset && offsets[batch.count - 1] === end - 1, "a compacted batch spans its base to its end");
  return offsets;
}

/**
 * The offset of record `i`.
 *
 * @example
 * recordOffset(batch, 0) === batch.baseOffset; // true
 */
export function recordOffset(batch: StoredBatch, i: number): number {
  return batch.offsets === undefined ? batch.baseOffset + i : batch.offsets[i]!;
}

/**
 * One past the batch's last offset.
 *
 * @example
 * batchEnd(newBatch(7, [line, line])); // 9
 */
export function batchEnd(batch: StoredBatch): number {
  return recordOffset(batch, batch.count - 1) + 1;
}

/**
 * The index of the first record at or after `offset` (`batch.count` when none is).
 *
 * @example
 * indexAtOrAfter(batch, batch.baseOffset); // 0
 */
export function indexAtOrAfter(batch: StoredBatch, offset: number): number {
  if (batch.offsets === undefined) return Math.min(batch.count, Math.max(0, offset - batch.baseOffset));
  let low = 0;
  let high = batch.count;
  // Binary search: the range halves each turn.
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (batch.offsets[middle]! < offset) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The characters of the `{"offset":N,` prefixes of records [from, to). */
function prefixesChars(batch: StoredBatch, from: number, to: number): number {
  if (batch.offsets === undefined) return offsetPrefixesChars(batch.baseOffset + from, batch.baseOffset + to);
  let chars = 0;
  for (let i = from; i < to; i++) chars += offsetPrefixChars(batch.offsets[i]!);
  return chars;
}

/** A row of the old form (lines joined by "\n"): converted, measuring each line as reads did. */
function legacyBatch(row: BatchRow): StoredBatch {
  const lines = row.payload.split("\n");
  invariant(lines.length === row.record_count, "a batch holds record_count lines");
  const recordBytes = new Uint32Array(lines.length);
  let bytes = 0;
  for (let i = 0; i < lines.length; i++) {
    recordBytes[i] = utf8Length(lines[i]!) + offsetPrefixChars(row.base_offset + i);
    bytes += recordBytes[i]! + (i > 0 ? 1 : 0);
  }
  return { ...newBatch(row.base_offset, lines, bytes), recordBytes };
}

/**
 * Where record `i` starts in the batch's json.
 *
 * @example
 * batch.json.slice(recordStart(batch, 1), batch.ends[1]); // the second record
 */
export function recordStart(batch: StoredBatch, i: number): number {
  return i === 0 ? 0 : batch.ends[i - 1]! + 1;
}

/**
 * Record i's UTF-8 bytes: its characters in an all-ASCII batch, else measured once per batch.
 *
 * @example
 * recordBytesOf(batch, 0); // the UTF-8 bytes of batch.json.slice(0, batch.ends[0])
 */
export function recordBytesOf(batch: StoredBatch, i: number): number {
  if (batch.bytes === batch.json.length) return batch.ends[i]! - recordStart(batch, i);
  if (batch.recordBytes === undefined) {
    const measured = new Uint32Array(batch.count);
    for (let r = 0; r < batch.count; r++) measured[r] = utf8Length(batch.json.slice(recordStart(batch, r), batch.ends[r]));
    batch.recordBytes = measured;
  }
  return batch.recordBytes[i]!;
}

/**
 * How many records of `batch` from index `from` fit `bounds` (see TakeBounds): the whole rest of
 * the batch in one step when it fits, else record by record up to the first that does not.
 *
 * @example
 * const { to, bytes, full } = takeRecords(batch, 0, { recordsMax: 500, bytesMax: 65_536, framed: true, joined: false, first: true });
 */
export function takeRecords(batch: StoredBatch, from: number, bounds: TakeBounds): Take {
  const { recordsMax, bytesMax, framed, joined, first } = bounds;
  invariant(from >= 0 && from < batch.count && recordsMax >= 1, "a take starts inside the batch");
  const to = Math.min(batch.count, from + recordsMax);
  if (from === 0 && to === batch.count) {
    const prefixes = framed ? 0 : prefixesChars(batch, 0, to);
    const whole = batch.bytes - prefixes + (framed ? (joined ? 1 : 0) : 1 - to);
    if (whole <= bytesMax) return { to, bytes: whole, full: false };
  }
  let bytes = 0;
  for (let i = from; i < to; i++) {
    const size = framed
      ? recordBytesOf(batch, i) + (joined || i > from ? 1 : 0)
      : recordBytesOf(batch, i) - offsetPrefixChars(recordOffset(batch, i));
    if (bytes + size > bytesMax && !(first && i === from)) return { to: i, bytes, full: true };
    bytes += size;
  }
  return { to, bytes, full: false };
}

/**
 * The json of records [from, to) of the batch (the whole json when that is all of it).
 *
 * @example
 * `[${sliceRecords(batch, 0, 2)}]`; // the batch's first two records as a JSON array
 */
export function sliceRecords(batch: StoredBatch, from: number, to: number): string {
  invariant(from >= 0 && from < to && to <= batch.count, "a slice holds records of the batch");
  if (from === 0 && to === batch.count) return batch.json;
  const start = recordStart(batch, from);
  invariant(batch.json.startsWith(`{"offset":${recordOffset(batch, from)},`, start), "a slice starts at its record's offset");
  return batch.json.slice(start, batch.ends[to - 1]);
}

/**
 * The timestamp of record `i` (after its `{"offset":N,"timestamp":` head).
 *
 * @example
 * recordTimestamp(newBatch(7, ['"timestamp":1700000000000,"key":null,"value":1,"headers":{}}']), 0); // 1700000000000
 */
export function recordTimestamp(batch: StoredBatch, i: number): number {
  const start = recordStart(batch, i) + offsetPrefixChars(recordOffset(batch, i)) + '"timestamp":'.length;
  return Number(batch.json.slice(start, batch.json.indexOf(",", start)));
}
