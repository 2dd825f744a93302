/**
 * A produce request validated and encoded from its text in one scan: the socket's
 * `{type: "produce", id, records, producer?}` frame and the HTTP body `{records, producer?}`.
 * Each record's stored tail is built from slices of the text (the producer's own JSON of its key,
 * value and headers), with no JSON.parse of the request and no JSON.stringify of a value.
 *
 * The scan takes only what the full parse (JSON.parse, then parseProduceRequest) takes, and
 * encodes it to the same records: the same key, partition and timestamp, a tail whose JSON parses
 * to the same value, and the same stored size (RECORD-8). Anything else answers null, and the
 * caller runs the full parse, which answers the error (or, for a rare shape, the records) today's
 * rules give: so every refusal keeps its code and message, and each rule is written once.
 * Null also for: a member name with an escape, a member given twice, headers not in the form
 * JSON.stringify writes, a key with an escape stringify would not write, a text that may pass
 * the size limits, a value nested past VALUE_DEPTH_MAX.
 * Rules: PROTOCOL.md RECORD-3 to RECORD-8, PRODUCE-3, PRODUCER-1, PRODUCER-2, SOCKET-2, SOCKET-10.
 *
 * @example
 * scanProduceFrame('{"type":"produce","id":"p1","records":[{"value":{"a":1}}]}');
 * // { id: "p1", parsed: { records: [{ key: null, partition: null, timestamp: null, tail: '"key":null,"value":{"a":1},"headers":{}}', bytes: 69 }], producer: null } }
 */
import { JsonScan } from "./json-scan.ts";
import {
  BATCH_BYTES_MAX,
  BATCH_RECORDS_MAX,
  MESSAGE_ID_LENGTH_MAX,
  PRODUCER_SEQUENCE_MAX,
  REQUEST_BYTES_MAX,
  SOCKET_MESSAGE_BYTES_MAX,
} from "./limits.ts";
import { memberOf, scannedString, scanProducer, scanRecord } from "./record-scan.ts";
import type { EncodedRecord, ParsedProduce } from "./records.ts";
import type { ProducerInput } from "./wire.ts";

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** A frame's members; a body's are the last two. */
const FRAME_MEMBERS = ["type", "id", "records", "producer"] as const;
const BODY_MEMBERS = ["records", "producer"] as const;
type Member = (typeof FRAME_MEMBERS)[number];

/** `"produce"` as the frame's type, written plainly. */
const PRODUCE_TYPE = '"produce"';

/** What one request holds once scanned. */
interface Scanned {
  id: string | null;
  records: EncodedRecord[] | null;
  producer: ProducerInput | null;
}

/** The records array at `pos`, or null (the full parse decides). */
function scanRecords(scan: JsonScan): EncodedRecord[] | null {
  if (scan.peek() !== OPEN_BRACKET) return null;
  scan.pos++;
  const records: EncodedRecord[] = [];
  let bytes = 0;
  do {
    scan.space();
    const record = scanRecord(scan);
    if (record === null) return null;
    records.push(record);
    bytes += record.bytes;
    if (records.length > BATCH_RECORDS_MAX || bytes > BATCH_BYTES_MAX) return null;
  } while (scan.take(COMMA));
  return scan.take(CLOSE_BRACKET) ? records : null;
}

/** One member's value at `pos` into `into`; false when the full parse must decide. */
function scanMember(scan: JsonScan, member: Member, into: Scanned): boolean {
  switch (member) {
    case "type":
      if (!scan.text.startsWith(PRODUCE_TYPE, scan.pos)) return false;
      scan.pos += PRODUCE_TYPE.length;
      return true;
    case "id": {
      const start = scan.pos;
      if (!scan.string()) return false;
      into.id = scannedString(scan, start);
      return into.id.length > 0 && into.id.length <= MESSAGE_ID_LENGTH_MAX;
    }
    case "records":
      into.records = scanRecords(scan);
      return into.records !== null;
    case "producer":
      into.producer = scanProducer(scan);
      return into.producer !== null;
  }
}

/** The members of the request object, each at most once; null when the full parse must decide. */
function scanRequest(text: string, frame: boolean): Scanned | null {
  if (text.length * 3 > Math.min(SOCKET_MESSAGE_BYTES_MAX, REQUEST_BYTES_MAX)) return null;
  const scan = new JsonScan(text);
  if (!scan.take(OPEN_BRACE)) return null;
  const names = frame ? FRAME_MEMBERS : BODY_MEMBERS;
  const into: Scanned = { id: null, records: null, producer: null };
  let seen = 0;
  do {
    scan.space();
    const k = memberOf(scan, names);
    if (k < 0 || (seen & (1 << k)) !== 0) return null;
    seen |= 1 << k;
    if (!scan.take(COLON)) return null;
    scan.space();
    if (!scanMember(scan, names[k]!, into)) return null;
  } while (scan.take(COMMA));
  if (!scan.take(CLOSE_BRACE)) return null;
  scan.space();
  if (scan.pos !== text.length) return null;
  const { records, producer } = into;
  if (records === null || (frame && (into.id === null || (seen & 1) === 0))) return null;
  if (producer !== null && producer.sequence + records.length - 1 > PRODUCER_SEQUENCE_MAX) return null;
  return into;
}

/**
 * A socket produce frame scanned into its id and encoded records, or null when the frame is
 * anything else (another type, a refused produce, a rare shape): then parse it in full.
 *
 * @example
 * const produce = scanProduceFrame(text) ?? null; // null: parseFrame(text) and the full rules
 */
export function scanProduceFrame(text: string): { id: string; parsed: ParsedProduce } | null {
  const scanned = scanRequest(text, true);
  if (scanned === null) return null;
  return { id: scanned.id!, parsed: { records: scanned.records!, producer: scanned.producer } };
}

/**
 * An HTTP produce body scanned into encoded records, or null when the full parse must decide.
 *
 * @example
 * const parsed = scanProduceBody(text) ?? parseProduceRequest(JSON.parse(text));
 */
export function scanProduceBody(text: string): ParsedProduce | null {
  const scanned = scanRequest(text, false);
  if (scanned === null) return null;
  return { records: scanned.records!, producer: scanned.producer };
}
