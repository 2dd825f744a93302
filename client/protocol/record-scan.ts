/**
 * One record and one producer of a produce request, scanned from the text (produce-scan.ts holds
 * the request around them). A record's key, value and headers become slices of the text when
 * they are in the form JSON.stringify writes (up to member order), so its stored tail is built by
 * concatenation; a value in another form (whitespace, `1.50`, `\u00e9`, a duplicate member) is
 * re-serialised as the full parse would store it. Null means "not taken": the full parse decides.
 * Rules: PROTOCOL.md RECORD-3, RECORD-5 to RECORD-8, PRODUCER-1.
 *
 * @example
 * scanRecord(new JsonScan('{"key":"k","value":[1]}')); // { key: "k", partition: null, timestamp: null, tail: '"key":"k","value":[1],"headers":{}}', bytes: 64 }
 */
import { utf8Length } from "./checks.ts";
import type { JsonScan } from "./json-scan.ts";
import {
  PRODUCER_EPOCH_MAX,
  PRODUCER_ID_LENGTH_MAX,
  PRODUCER_SEQUENCE_MAX,
  RECORD_BYTES_MAX,
  TIMESTAMP_MS_MAX,
  TOPIC_PARTITIONS_MAX,
  VALUE_DEPTH_MAX,
} from "./limits.ts";
import { type EncodedRecord, RECORD_TAIL_FRAME_BYTES, RECORD_TIMESTAMP_BYTES_MAX, recordTail } from "./records.ts";
import type { ProducerInput } from "./wire.ts";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;
const COLON = 0x3a;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** Digits a whole number may have to be read digit by digit, exactly (below 2^53). */
const PLAIN_DIGITS_MAX = 15;

const RECORD_MEMBERS = ["value", "key", "headers", "timestamp", "partition"] as const;
const PRODUCER_MEMBERS = ["id", "epoch", "sequence"] as const;

/**
 * The index in `names` of the member name at `pos` (a string with no escape), or -1; the scan
 * then stands after the name.
 *
 * @example
 * memberOf(new JsonScan('"id":1'), ["type", "id"]); // 1
 */
export function memberOf(scan: JsonScan, names: readonly string[]): number {
  const start = scan.pos;
  if (!scan.string() || scan.escaped) return -1;
  const length = scan.pos - start - 2;
  for (let k = 0; k < names.length; k++) {
    const name = names[k]!;
    if (name.length === length && scan.text.startsWith(name, start + 1)) return k;
  }
  return -1;
}

/**
 * The decoded text of the string the scan just passed, from `start` (its opening quote).
 *
 * @example
 * const scan = new JsonScan('"a\\"b"');
 * scan.string();
 * scannedString(scan, 0); // 'a"b'
 */
export function scannedString(scan: JsonScan, start: number): string {
  const json = scan.text.slice(start, scan.pos);
  return scan.escaped ? (JSON.parse(json) as string) : json.slice(1, -1);
}

/** A whole number from `min` to `max` at `pos` (JSON-2), or null. */
function wholeAt(scan: JsonScan, min: number, max: number): number | null {
  const { text } = scan;
  const start = scan.pos;
  if (!scan.number()) return null;
  const end = scan.pos;
  let value = 0;
  let plain = end - start <= PLAIN_DIGITS_MAX;
  for (let i = start; plain && i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) plain = false;
    else value = value * 10 + (c - DIGIT_0);
  }
  if (!plain) value = Number(text.slice(start, end));
  return Number.isInteger(value) && value >= min && value <= max ? value : null;
}

/** A record's parts as the scan finds them: one object, reset for each record. */
class RecordParts {
  valueStart = -1;
  valueEnd = -1;
  valueCanonical = true;
  valueExtra = 0;
  key: string | null = null;
  keyJson = "null";
  keyExtra = 0;
  headersJson = "{}";
  headersExtra = 0;
  timestamp: number | null = null;
  partition: number | null = null;

  reset(): this {
    this.valueStart = -1;
    this.key = null;
    this.keyJson = "null";
    this.keyExtra = 0;
    this.headersJson = "{}";
    this.headersExtra = 0;
    this.timestamp = null;
    this.partition = null;
    return this;
  }
}

// Reused: a record is scanned and encoded before the next one starts.
const PARTS = new RecordParts();

/** The key at `pos`: null, or a string in stringify's form. */
function scanKey(scan: JsonScan, parts: RecordParts): boolean {
  if (scan.text.startsWith("null", scan.pos)) {
    scan.pos += 4;
    return true;
  }
  const start = scan.pos;
  scan.canonical = true;
  scan.extraBytes = 0;
  if (!scan.string() || !scan.canonical) return false;
  parts.key = scannedString(scan, start);
  parts.keyJson = scan.text.slice(start, scan.pos);
  parts.keyExtra = scan.extraBytes;
  return true;
}

/** Where the string at `i` (its opening quote) of a text already scanned ends, after its quote. */
function stringEnd(text: string, from: number): number {
  let i = from + 1;
  for (let c = text.charCodeAt(i); c !== QUOTE; c = text.charCodeAt(i)) i += c === BACKSLASH ? 2 : 1;
  return i + 1;
}

/** Whether every member of the object scanned from `start` (JSON, no whitespace) is a string. */
function stringMembers(text: string, start: number): boolean {
  let i = start + 1;
  if (text.charCodeAt(i) === CLOSE_BRACE) return true;
  for (;;) {
    i = stringEnd(text, i); // the name, then its colon
    if (text.charCodeAt(i + 1) !== QUOTE) return false;
    i = stringEnd(text, i + 1);
    if (text.charCodeAt(i) === CLOSE_BRACE) return true;
    i++; // the comma
  }
}

/**
 * The headers at `pos`: an object of strings in stringify's form, each name once; the scan takes
 * at most RECORD_HEADERS_MAX names in one object (more are not compared: not canonical).
 */
function scanHeaders(scan: JsonScan, parts: RecordParts): boolean {
  const start = scan.pos;
  if (scan.peek() !== OPEN_BRACE) return false;
  scan.canonical = true;
  scan.extraBytes = 0;
  if (!scan.value(1) || !scan.canonical || !stringMembers(scan.text, start)) return false;
  parts.headersJson = scan.text.slice(start, scan.pos);
  parts.headersExtra = scan.extraBytes;
  return true;
}

/** One member of a record (RECORD_MEMBERS[k]) at `pos`. */
function scanRecordMember(scan: JsonScan, k: number, parts: RecordParts): boolean {
  switch (k) {
    case 0: {
      const start = scan.pos;
      scan.canonical = true;
      scan.extraBytes = 0;
      if (!scan.value(VALUE_DEPTH_MAX)) return false;
      parts.valueStart = start;
      parts.valueEnd = scan.pos;
      parts.valueCanonical = scan.canonical;
      parts.valueExtra = scan.extraBytes;
      return true;
    }
    case 1:
      return scanKey(scan, parts);
    case 2:
      return scanHeaders(scan, parts);
    case 3:
      parts.timestamp = wholeAt(scan, 0, TIMESTAMP_MS_MAX);
      return parts.timestamp !== null;
    default:
      parts.partition = wholeAt(scan, 0, TOPIC_PARTITIONS_MAX - 1);
      return parts.partition !== null;
  }
}

/** The encoded record from its parts, or null without a value or past RECORD_BYTES_MAX (RECORD-5). */
function encodeParts(text: string, parts: RecordParts): EncodedRecord | null {
  if (parts.valueStart < 0) return null;
  let valueJson = text.slice(parts.valueStart, parts.valueEnd);
  let valueBytes = valueJson.length + parts.valueExtra;
  if (!parts.valueCanonical) {
    // As the full parse stores it (RECORD-8): finite and at most VALUE_DEPTH_MAX deep, as scanned.
    valueJson = JSON.stringify(JSON.parse(valueJson));
    valueBytes = utf8Length(valueJson);
  }
  const { keyJson, headersJson } = parts;
  const bytes =
    RECORD_TAIL_FRAME_BYTES +
    keyJson.length +
    parts.keyExtra +
    valueBytes +
    headersJson.length +
    parts.headersExtra +
    RECORD_TIMESTAMP_BYTES_MAX;
  if (bytes > RECORD_BYTES_MAX) return null;
  return {
    key: parts.key,
    partition: parts.partition,
    timestamp: parts.timestamp,
    tail: recordTail(keyJson, valueJson, headersJson),
    bytes,
  };
}

/**
 * One record at `pos` (its opening brace), each member at most once, or null.
 *
 * @example
 * scanRecord(new JsonScan('{"value":1,"value":2}')); // null: the full parse takes the last one
 */
export function scanRecord(scan: JsonScan): EncodedRecord | null {
  if (scan.peek() !== OPEN_BRACE) return null;
  scan.pos++;
  const parts = PARTS.reset();
  let seen = 0;
  do {
    scan.space();
    const k = memberOf(scan, RECORD_MEMBERS);
    if (k < 0 || (seen & (1 << k)) !== 0) return null;
    seen |= 1 << k;
    if (!scan.take(COLON)) return null;
    scan.space();
    if (!scanRecordMember(scan, k, parts)) return null;
  } while (scan.take(COMMA));
  if (!scan.take(CLOSE_BRACE)) return null;
  return encodeParts(scan.text, parts);
}

/**
 * The `producer` object at `pos`: `{id, epoch, sequence}`, each once (PRODUCER-1), or null.
 *
 * @example
 * scanProducer(new JsonScan('{"id":"tab-1","epoch":0,"sequence":7}')); // { id: "tab-1", epoch: 0, sequence: 7 }
 */
export function scanProducer(scan: JsonScan): ProducerInput | null {
  if (scan.peek() !== OPEN_BRACE) return null;
  scan.pos++;
  const producer: ProducerInput = { id: "", epoch: 0, sequence: 0 };
  let seen = 0;
  do {
    scan.space();
    const k = memberOf(scan, PRODUCER_MEMBERS);
    if (k < 0 || (seen & (1 << k)) !== 0) return null;
    seen |= 1 << k;
    if (!scan.take(COLON)) return null;
    scan.space();
    const start = scan.pos;
    if (k === 0) {
      if (!scan.string()) return null;
      producer.id = scannedString(scan, start);
      if (producer.id.length === 0 || producer.id.length > PRODUCER_ID_LENGTH_MAX) return null;
    } else {
      const n = wholeAt(scan, 0, k === 1 ? PRODUCER_EPOCH_MAX : PRODUCER_SEQUENCE_MAX);
      if (n === null) return null;
      if (k === 1) producer.epoch = n;
      else producer.sequence = n;
    }
  } while (scan.take(COMMA));
  return scan.take(CLOSE_BRACE) && seen === 7 ? producer : null;
}
