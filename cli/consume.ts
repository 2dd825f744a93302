/**
 * `edgelog consume TOPIC`: prints records (record-format.ts) from one partition (`-p`) or all,
 * from where `-o` says (start-offset.ts), over HTTP fetches of up to CONSUME_PAGE_RECORDS
 * records (no WebSocket needed), each partition read by its own loop. With `-e` each partition
 * stops at the high watermark it had when the command started (a replay, with a progress bar on
 * a TTY showing records, bytes, rate and ETA); without, it follows with long-polls of
 * CONSUME_WAIT_MS. `-c N` stops after N records. `-g GROUP` consumes as a group member instead
 * (group-consume.ts).
 *
 * @example
 * // npx edgelog consume orders -o beginning -e -f '%p:%o %k %s\n'
 * await consumeCommand(client, "orders", { partition: null, start: { kind: "beginning" }, exitAtEnd: true, count: null, print }, io);
 */
import type { EdgelogClient, PartitionOffsets } from "../client/index.ts";
import { UsageError } from "./failure.ts";
import type { Output } from "./output.ts";
import { startProgress } from "./progress.ts";
import type { PrintedRecord } from "./record-format.ts";
import { type StartSpec, startOffset } from "./start-offset.ts";

/**
 * Records asked for per fetch.
 *
 * @example
 * await client.admin.fetchRecords(topic, 0, { offset, limit: CONSUME_PAGE_RECORDS });
 */
export const CONSUME_PAGE_RECORDS = 5_000;

/**
 * How long a following fetch waits for a record (a long-poll, under the client's HTTP timeout).
 *
 * @example
 * await client.admin.fetchRecords(topic, 0, { offset, maxWaitMs: CONSUME_WAIT_MS });
 */
export const CONSUME_WAIT_MS = 10_000;

/**
 * `edgelog consume`'s options (without a group).
 *
 * @example
 * const options: ConsumeOptions = { partition: 0, start: { kind: "fromEnd", count: 10 }, exitAtEnd: true, count: null, print: jsonLine };
 */
export interface ConsumeOptions {
  partition: number | null;
  start: StartSpec;
  exitAtEnd: boolean;
  /** Stop after this many records (all partitions together); null: no limit. */
  count: number | null;
  print: (record: PrintedRecord) => string;
}

/**
 * Where consume writes.
 *
 * @example
 * const io: ConsumeIo = { output: new Output(process.stdout), stderr: process.stderr, stopped: () => false };
 */
export interface ConsumeIo {
  output: Output;
  stderr: NodeJS.WriteStream;
  /** Whether the user asked to stop (SIGINT). */
  stopped: () => boolean;
}

/**
 * The partitions to read, checked against the topic's (`-p` past them is a usage error).
 *
 * @example
 * chosenPartitions("orders", description.partitions, 2); // [{ partition: 2, logStartOffset, highWatermark }]
 */
export function chosenPartitions(topic: string, partitions: PartitionOffsets[], partition: number | null): PartitionOffsets[] {
  if (partition === null) return partitions;
  const chosen = partitions.find((p) => p.partition === partition);
  if (chosen === undefined) throw new UsageError(`-p ${partition}: topic "${topic}" has partitions 0 to ${partitions.length - 1}`);
  return [chosen];
}

/**
 * Runs `edgelog consume` without a group; answers the records printed.
 *
 * @example
 * const printed = await consumeCommand(client, "orders", options, io);
 */
export async function consumeCommand(client: EdgelogClient, topic: string, options: ConsumeOptions, io: ConsumeIo): Promise<number> {
  const { admin } = client;
  const bounds = chosenPartitions(topic, (await admin.describeTopic(topic)).partitions, options.partition);
  const starts = await Promise.all(bounds.map((b) => startOffset(admin, topic, b, options.start)));
  const total = options.exitAtEnd ? bounds.reduce((sum, b, i) => sum + Math.max(0, b.highWatermark - (starts[i] ?? 0)), 0) : null;
  const progress = startProgress({
    total: options.count === null || total === null ? total : Math.min(total, options.count),
    unit: "records",
    stream: io.stderr,
  });
  let printed = 0;
  const done = () => io.stopped() || io.output.closed || (options.count !== null && printed >= options.count);
  const readPartition = async (b: PartitionOffsets, start: number) => {
    let offset = start;
    while (!done() && !(options.exitAtEnd && offset >= b.highWatermark)) {
      const limit = options.exitAtEnd ? Math.min(CONSUME_PAGE_RECORDS, b.highWatermark - offset) : CONSUME_PAGE_RECORDS;
      const page = await admin.fetchRecords(topic, b.partition, {
        offset,
        limit,
        ...(options.exitAtEnd ? {} : { maxWaitMs: CONSUME_WAIT_MS }),
      });
      let bytes = 0;
      let lines = "";
      let taken = 0;
      for (const record of page.records) {
        if (options.count !== null && printed + taken >= options.count) break;
        const line = options.print({ ...record, topic, partition: b.partition });
        lines += line;
        bytes += Buffer.byteLength(line);
        taken += 1;
      }
      printed += taken;
      await io.output.write(lines);
      progress.add(taken, bytes);
      // A page that starts past `offset` skipped records that retention removed meanwhile.
      if (options.exitAtEnd && page.records.length === 0 && page.nextOffset <= offset && page.logStartOffset <= offset) break;
      offset = page.nextOffset > offset ? page.nextOffset : Math.max(offset, page.logStartOffset);
    }
  };
  try {
    await Promise.all(bounds.map((b, i) => readPartition(b, starts[i] ?? 0)));
  } finally {
    progress.stop();
  }
  return printed;
}
