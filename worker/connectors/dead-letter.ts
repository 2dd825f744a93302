/**
 * The dead-letter topic: a batch whose `attemptsMax` attempts all failed is appended there, each
 * record with its key, value and timestamp and with headers naming where it came from and why it
 * failed, before the connector's position moves past it (CONNECT-7). The append is an ordinary
 * produce (keys hash to partitions, PART-1), in chunks that stay under BATCH_BYTES_MAX; it may
 * repeat after a crash (at least once).
 *
 * Rules: PROTOCOL.md CONNECT-7.
 *
 * @example
 * await appendDeadLetters(env, "orders.dlq", batch, "HTTP 500");
 */
import {
  BATCH_BYTES_MAX,
  BATCH_RECORDS_MAX,
  type FetchedRecord,
  parseProduceRequest,
  RECORD_HEADERS_MAX,
  utf8Length,
} from "../../client/protocol/index.ts";
import type { Env } from "../env.ts";
import { produce } from "../produce.ts";
import type { Batch } from "./sink.ts";

/**
 * The headers a dead-lettered record gets (its own follow, as many as fit in RECORD_HEADERS_MAX).
 *
 * @example
 * record.headers[DEAD_LETTER_HEADERS.offset]; // "42"
 */
export const DEAD_LETTER_HEADERS = {
  connector: "edgelog-dead-letter-connector",
  topic: "edgelog-dead-letter-topic",
  partition: "edgelog-dead-letter-partition",
  offset: "edgelog-dead-letter-offset",
  error: "edgelog-dead-letter-error",
} as const;

/** Characters of the error kept in its header. */
const ERROR_HEADER_LENGTH_MAX = 200;
/** Bytes one dead-letter append aims to stay under (half of BATCH_BYTES_MAX leaves room for the envelope). */
const CHUNK_BYTES = BATCH_BYTES_MAX / 2;

function deadLetterRecord(batch: Batch, record: FetchedRecord, error: string) {
  const headers: Record<string, string> = {
    [DEAD_LETTER_HEADERS.connector]: batch.connector,
    [DEAD_LETTER_HEADERS.topic]: batch.topic,
    [DEAD_LETTER_HEADERS.partition]: String(batch.partition),
    [DEAD_LETTER_HEADERS.offset]: String(record.offset),
    [DEAD_LETTER_HEADERS.error]: error.slice(0, ERROR_HEADER_LENGTH_MAX),
  };
  let room = RECORD_HEADERS_MAX - Object.keys(headers).length;
  for (const [name, value] of Object.entries(record.headers)) {
    if (room === 0) break;
    if (name in headers) continue;
    headers[name] = value;
    room--;
  }
  return { key: record.key, value: record.value, timestamp: record.timestamp, headers };
}

/**
 * Appends every record of `batch` to `topic`; throws (an EdgelogError) when an append is refused.
 *
 * @example
 * await appendDeadLetters(env, config.deadLetterTopic, batch, outcome.error);
 */
export async function appendDeadLetters(env: Env, topic: string, batch: Batch, error: string): Promise<void> {
  let chunk: ReturnType<typeof deadLetterRecord>[] = [];
  let bytes = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    await produce(env, topic, parseProduceRequest({ records: chunk }), null);
    chunk = [];
    bytes = 0;
  };
  for (const record of batch.records) {
    const letter = deadLetterRecord(batch, record, error);
    const size = utf8Length(JSON.stringify(letter));
    if (chunk.length > 0 && (bytes + size > CHUNK_BYTES || chunk.length === BATCH_RECORDS_MAX)) await flush();
    chunk.push(letter);
    bytes += size;
  }
  await flush();
}
