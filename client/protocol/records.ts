/**
 * Validates a produce request and encodes its records into the text edgelog stores.
 *
 * A record is stored as one line of JSON, `"timestamp":T,"key":K,"value":V,"headers":H}`, so a
 * read answers `{"offset":N,` + line with no parsing. The worker encodes everything but the
 * timestamp (the partition adds log-append time), and the client runs the same checks before it
 * queues a record offline, so a queued record cannot be refused later for its shape.
 * A produce frame or body in the usual shape skips this parse: produce-scan.ts validates its text
 * in one scan and stores the producer's own text (RECORD-8); every other input comes here.
 * Rules: PROTOCOL.md RECORD-3, RECORD-5, RECORD-8, PRODUCE-3, PRODUCER-1, PRODUCER-2.
 *
 * @example
 * const { records, producer } = parseProduceRequest({ records: [{ key: "k", value: 1 }] });
 * records[0].tail; // '"key":"k","value":1,"headers":{}}'
 */
import { isObject, objectWithKeys, partitionNumber, utf8Length, wholeNumber } from "./checks.ts";
import { EdgelogError } from "./errors.ts";
import { jsonDepthExceeds } from "./json-depth.ts";
import {
  BATCH_BYTES_MAX,
  BATCH_RECORDS_MAX,
  PRODUCER_EPOCH_MAX,
  PRODUCER_ID_LENGTH_MAX,
  PRODUCER_SEQUENCE_MAX,
  RECORD_BYTES_MAX,
  RECORD_HEADERS_MAX,
  TIMESTAMP_MS_MAX,
  VALUE_DEPTH_MAX,
} from "./limits.ts";
import type { ProducerInput } from "./wire.ts";

/**
 * Bytes the `"timestamp":T,` prefix adds at most (T has at most 16 digits).
 *
 * @example
 * encodeRecord({ value: 1 }, "records[0]").bytes; // 63: the tail's 34 bytes + RECORD_TIMESTAMP_BYTES_MAX (29)
 */
export const RECORD_TIMESTAMP_BYTES_MAX = '"timestamp":,'.length + 16;

/**
 * Bytes of a tail's own text around K, V and H: `"key":`, `,"value":`, `,"headers":` and `}`.
 *
 * @example
 * recordTail("null", "1", "{}").length; // 34: RECORD_TAIL_FRAME_BYTES + 4 + 1 + 2
 */
export const RECORD_TAIL_FRAME_BYTES = 27;

/**
 * The stored JSON after the timestamp, from the JSON texts of the key, the value and the
 * headers (RECORD-2's field order; the partition prefixes `"timestamp":T,`).
 *
 * @example
 * recordTail('"k"', '{"a":1}', "{}"); // '"key":"k","value":{"a":1},"headers":{}}'
 */
export function recordTail(keyJson: string, valueJson: string, headersJson: string): string {
  return `"key":${keyJson},"value":${valueJson},"headers":${headersJson}}`;
}

/**
 * One validated record, encoded but for its timestamp.
 *
 * @example
 * const record: EncodedRecord = encodeRecord({ key: "k", value: 1, partition: 2 }, "records[0]");
 * // { key: "k", partition: 2, timestamp: null, tail: '"key":"k","value":1,"headers":{}}', bytes: 62 }
 */
export interface EncodedRecord {
  key: string | null;
  /** The partition the producer named, or null to let the partitioner choose. */
  partition: number | null;
  /** The producer's CreateTime, or null for log-append time. */
  timestamp: number | null;
  /** The stored JSON after the timestamp: `"key":K,"value":V,"headers":H}`. */
  tail: string;
  /** Stored size, counting the timestamp at its longest. */
  bytes: number;
}

/**
 * A validated produce request.
 *
 * @example
 * const { records, producer }: ParsedProduce = parseProduceRequest({ records: [{ value: 1 }] }); // producer: null
 */
export interface ParsedProduce {
  records: EncodedRecord[];
  producer: ProducerInput | null;
}

const RECORD_FIELDS = ["key", "value", "headers", "timestamp", "partition"] as const;
const PRODUCER_FIELDS = ["id", "epoch", "sequence"] as const;

/** The headers' JSON; `where` names the record, and error messages only are built from it. */
function encodeHeaders(value: unknown, where: string): string {
  if (value === undefined) return "{}";
  if (!isObject(value)) throw new EdgelogError("INVALID_RECORD", `${where}.headers must be an object of strings`);
  const names = Object.keys(value);
  if (names.length > RECORD_HEADERS_MAX) {
    throw new EdgelogError("INVALID_RECORD", `${where}.headers has ${names.length} headers; at most ${RECORD_HEADERS_MAX}`);
  }
  for (const name of names) {
    if (typeof value[name] !== "string") {
      throw new EdgelogError("INVALID_RECORD", `${where}.headers.${name} must be a string`);
    }
  }
  return JSON.stringify(value);
}

/**
 * A value's JSON, or INVALID_RECORD for one JSON cannot hold: a BigInt or a cycle (stringify
 * throws), or a function, a Symbol or a `toJSON` answering undefined (stringify answers
 * undefined). Values parsed from a request body are always JSON; values from a client's code may
 * not be, and must fail as a bad record rather than later as something else.
 */
function valueJson(value: unknown, where: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new EdgelogError("INVALID_RECORD", `${where}.value is not JSON: ${(error as Error)?.message ?? String(error)}`);
  }
  if (json === undefined) throw new EdgelogError("INVALID_RECORD", `${where}.value is not JSON (${typeof value}); null is a valid value`);
  // stringify writes a non-finite number as null, so only a value whose JSON holds "null" can hide one.
  if (json.includes("null") && holdsNonFinite(value)) {
    throw new EdgelogError("INVALID_RECORD", `${where}.value holds a number JSON cannot carry (Infinity or NaN; 1e999 parses as Infinity)`);
  }
  if (jsonDepthExceeds(json, VALUE_DEPTH_MAX)) {
    throw new EdgelogError("INVALID_RECORD", `${where}.value nests deeper than ${VALUE_DEPTH_MAX} levels of arrays and objects`);
  }
  return json;
}

/**
 * Whether a JSON-shaped value holds a non-finite number anywhere (RECORD-6). An explicit stack, so
 * a deeply nested value cannot overflow the call stack; stringify already walked it, so it is finite.
 */
function holdsNonFinite(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === "number") {
      if (!Number.isFinite(item)) return true;
    } else if (Array.isArray(item)) {
      for (const entry of item) stack.push(entry);
    } else if (item !== null && typeof item === "object") {
      for (const entry of Object.values(item)) stack.push(entry);
    }
  }
  return false;
}

/**
 * Validates and encodes one record. `where` names it in error messages ("records[3]").
 *
 * @example
 * encodeRecord({ value: "hi" }, "records[0]").tail; // '"key":null,"value":"hi","headers":{}}'
 */
export function encodeRecord(input: unknown, where: string): EncodedRecord {
  const record = objectWithKeys(input, where, RECORD_FIELDS, "INVALID_RECORD");
  if (!("value" in record) || record.value === undefined) {
    throw new EdgelogError("INVALID_RECORD", `${where}.value is required (null is a valid value)`);
  }
  const key = record.key ?? null;
  if (key !== null && typeof key !== "string") {
    throw new EdgelogError("INVALID_RECORD", `${where}.key must be a string or null`);
  }
  const timestamp =
    record.timestamp === undefined ? null : wholeNumber(record.timestamp, `${where}.timestamp`, 0, TIMESTAMP_MS_MAX, "INVALID_RECORD");
  const partition = record.partition === undefined ? null : partitionNumber(record.partition, `${where}.partition`);
  const headers = encodeHeaders(record.headers, where);
  const keyJson = key === null ? "null" : JSON.stringify(key);
  const tail = recordTail(keyJson, valueJson(record.value, where), headers);
  const bytes = utf8Length(tail) + RECORD_TIMESTAMP_BYTES_MAX;
  if (bytes > RECORD_BYTES_MAX) {
    throw new EdgelogError("RECORD_TOO_LARGE", `${where} is ${bytes} bytes stored; at most ${RECORD_BYTES_MAX}`);
  }
  return { key, partition, timestamp, tail, bytes };
}

/**
 * Validates the `producer` field of a produce request.
 *
 * @example
 * parseProducer({ id: "tab-1", epoch: 0, sequence: 0 });
 */
export function parseProducer(input: unknown): ProducerInput {
  const producer = objectWithKeys(input, "producer", PRODUCER_FIELDS, "INVALID_PRODUCER");
  const { id } = producer;
  if (typeof id !== "string" || id.length === 0 || id.length > PRODUCER_ID_LENGTH_MAX) {
    throw new EdgelogError("INVALID_PRODUCER", `producer.id must be a string of 1 to ${PRODUCER_ID_LENGTH_MAX} characters`);
  }
  return {
    id,
    epoch: wholeNumber(producer.epoch, "producer.epoch", 0, PRODUCER_EPOCH_MAX, "INVALID_PRODUCER"),
    sequence: wholeNumber(producer.sequence, "producer.sequence", 0, PRODUCER_SEQUENCE_MAX, "INVALID_PRODUCER"),
  };
}

/**
 * Validates a whole produce request body: 1 to BATCH_RECORDS_MAX records, BATCH_BYTES_MAX
 * stored bytes in all, and an optional producer.
 *
 * @example
 * parseProduceRequest(await request.json());
 */
export function parseProduceRequest(body: unknown): ParsedProduce {
  const request = objectWithKeys(body, "the body", ["records", "producer"], "INVALID_REQUEST");
  const list = request.records;
  if (!Array.isArray(list) || list.length === 0) {
    throw new EdgelogError("INVALID_REQUEST", "records must be a non-empty array");
  }
  if (list.length > BATCH_RECORDS_MAX) {
    throw new EdgelogError("BATCH_TOO_LARGE", `${list.length} records in one request; at most ${BATCH_RECORDS_MAX}`);
  }
  const records: EncodedRecord[] = [];
  let bytes = 0;
  for (let i = 0; i < list.length; i++) {
    const record = encodeRecord(list[i], `records[${i}]`);
    bytes += record.bytes;
    records.push(record);
  }
  if (bytes > BATCH_BYTES_MAX) {
    throw new EdgelogError("BATCH_TOO_LARGE", `the records are ${bytes} bytes stored; at most ${BATCH_BYTES_MAX} in one request`);
  }
  const producer = request.producer === undefined ? null : parseProducer(request.producer);
  if (producer !== null && producer.sequence + records.length - 1 > PRODUCER_SEQUENCE_MAX) {
    throw new EdgelogError("INVALID_PRODUCER", `producer.sequence would pass ${PRODUCER_SEQUENCE_MAX}; start a new epoch`);
  }
  return { records, producer };
}
