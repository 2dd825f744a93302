/**
 * `edgelog produce TOPIC`: records from stdin (or `--file`), one a line (record-lines.ts), each to
 * its partition: `-p N` for all, else by key (Kafka's murmur2 partitioner, PARTITION-1), a keyless
 * record in runs of PRODUCE_KEYLESS_RUN_RECORDS (round the partitions), so the same input
 * always lands the same way. A partition's records are cut into batches of at most `--batch-size`
 * records and PRODUCE_BATCH_CHARS_MAX characters, or sooner when `--linger-ms` passes with no
 * batch full (a slow pipe), and sent in order by its PartitionSender, idempotently: rerunning a
 * failed pipe with the same `--producer-id` appends only what the first run did not.
 * Reading pauses while a partition has PRODUCE_QUEUED_BATCHES_MAX batches waiting (bounded memory).
 *
 * @example
 * // seq 1 100000 | npx edgelog produce orders --producer-id nightly-2026-12-02
 * await produceCommand(client, "orders", options, { input: process.stdin, stderr: process.stderr });
 */
import { createReadStream, fstatSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { type EdgelogClient, partitionForKey, type RecordInput } from "../client/index.ts";
import { UsageError } from "./failure.ts";
import { PartitionSender, type SendCount } from "./partition-sender.ts";
import { startProgress } from "./progress.ts";
import { type LineFormat, parseRecordLine } from "./record-lines.ts";

/**
 * A batch's most characters of record JSON (well under BATCH_BYTES_MAX's 1 MiB of UTF-8).
 *
 * @example
 * if (chars + next > PRODUCE_BATCH_CHARS_MAX) cut();
 */
export const PRODUCE_BATCH_CHARS_MAX = 512 * 1024;

/**
 * Keyless records go to one partition in runs of this many (the 1st run to partition 0, the next
 * to 1, ...): fixed, not the batch size, so a rerun with other `-b` routes every record the same.
 *
 * @example
 * const partition = Math.floor(keylessIndex / PRODUCE_KEYLESS_RUN_RECORDS) % partitions;
 */
export const PRODUCE_KEYLESS_RUN_RECORDS = 1_000;

/**
 * Batches a partition may have waiting before reading pauses.
 *
 * @example
 * if (queued >= PRODUCE_QUEUED_BATCHES_MAX) await partition.drained();
 */
export const PRODUCE_QUEUED_BATCHES_MAX = 4;

/**
 * `edgelog produce`'s options.
 *
 * @example
 * const options: ProduceOptions = { partition: null, batchSize: 1000, lingerMs: 100, producerId: "load-1", format, file: null };
 */
export interface ProduceOptions {
  partition: number | null;
  batchSize: number;
  lingerMs: number;
  producerId: string;
  format: LineFormat;
  file: string | null;
}

/**
 * Where produce reads and reports.
 *
 * @example
 * const io: ProduceIo = { input: process.stdin, stderr: process.stderr, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
 */
export interface ProduceIo {
  input: NodeJS.ReadableStream & { fd?: number };
  stderr: NodeJS.WriteStream;
  sleep: (ms: number) => Promise<void>;
}

/** One partition's pending records, its queue of sends and its linger timer. */
class PartitionQueue {
  records: RecordInput[] = [];
  chars = 0;
  /** The input's bytes of the pending records (their lines and newlines), for the progress bar. */
  inputBytes = 0;
  queued = 0;
  chain: Promise<void> = Promise.resolve();
  timer: ReturnType<typeof setTimeout> | null = null;
  readonly sender: PartitionSender;

  constructor(sender: PartitionSender) {
    this.sender = sender;
  }

  /** Seals the pending records into a batch that `send` sends after the ones before it (in order). */
  cut(send: (batch: RecordInput[], inputBytes: number) => Promise<void>): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.records.length === 0) return;
    const batch = this.records;
    const inputBytes = this.inputBytes;
    this.records = [];
    this.chars = 0;
    this.inputBytes = 0;
    this.queued += 1;
    this.chain = this.chain.then(async () => {
      try {
        await send(batch, inputBytes);
      } finally {
        this.queued -= 1;
      }
    });
  }
}

function inputSize(options: ProduceOptions, io: ProduceIo): number | null {
  try {
    const stat = options.file !== null ? statSync(options.file) : io.input.fd === undefined ? null : fstatSync(io.input.fd);
    return stat?.isFile() ? stat.size : null;
  } catch {
    return null;
  }
}

/**
 * Runs `edgelog produce`, as this module's header says; answers the records appended now and
 * those an earlier run had stored.
 *
 * @example
 * const { appended, present } = await produceCommand(client, "orders", options, io);
 */
export async function produceCommand(client: EdgelogClient, topic: string, options: ProduceOptions, io: ProduceIo): Promise<SendCount> {
  const { partitions } = await client.admin.describeTopic(topic);
  const count = partitions.length;
  if (options.partition !== null && options.partition >= count) {
    throw new UsageError(`-p ${options.partition}: topic "${topic}" has partitions 0 to ${count - 1}`);
  }
  const queues = Array.from({ length: count }, (_, partition) => {
    return new PartitionQueue(
      new PartitionSender({ admin: client.admin, topic, partition, producerId: options.producerId, sleep: io.sleep }),
    );
  });
  const totals: SendCount = { appended: 0, present: 0 };
  const progress = startProgress({ total: inputSize(options, io), unit: "bytes", stream: io.stderr });
  let failure: unknown = null;
  const cut = (queue: PartitionQueue) =>
    queue.cut(async (batch, inputBytes) => {
      if (failure !== null) return;
      try {
        const sent = await queue.sender.send(batch);
        totals.appended += sent.appended;
        totals.present += sent.present;
        progress.add(batch.length, inputBytes);
      } catch (error) {
        failure ??= error;
      }
    });
  const input = options.file !== null ? createReadStream(options.file) : io.input;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  let keyless = 0;
  try {
    for await (const line of lines) {
      lineNumber += 1;
      const record = parseRecordLine(line, options.format, lineNumber);
      if (record === null) {
        progress.add(0, Buffer.byteLength(line) + 1);
        continue;
      }
      const partition =
        options.partition ??
        (record.key == null ? Math.floor(keyless++ / PRODUCE_KEYLESS_RUN_RECORDS) % count : partitionForKey(record.key, count));
      const queue = queues[partition] as PartitionQueue;
      const chars = JSON.stringify(record).length;
      if (queue.records.length > 0 && queue.chars + chars > PRODUCE_BATCH_CHARS_MAX) cut(queue);
      queue.records.push(record);
      queue.chars += chars;
      queue.inputBytes += Buffer.byteLength(line) + 1;
      if (queue.records.length >= options.batchSize) cut(queue);
      else if (queue.timer === null) queue.timer = setTimeout(() => cut(queue), options.lingerMs);
      while (queue.queued >= PRODUCE_QUEUED_BATCHES_MAX && failure === null) await queue.chain;
      if (failure !== null) throw failure;
    }
    for (const queue of queues) cut(queue);
    await Promise.all(queues.map((queue) => queue.chain));
    if (failure !== null) throw failure;
    return totals;
  } finally {
    for (const queue of queues) if (queue.timer !== null) clearTimeout(queue.timer);
    progress.stop();
  }
}
