/**
 * `edgelog consume TOPIC -g GROUP`: consumes as a member of the group with the client's
 * consumer (client.consumer: join, assignments, rebalances, auto-commit, commit on stop), so
 * several CLIs, or a CLI beside an app, share the partitions. `-o beginning|end` chooses where a
 * partition the group never committed on starts (Kafka's auto.offset.reset). With `-e` it stops
 * once every partition it owns reached the high watermark it had when the command started, and
 * `-c N` after N records; SIGINT stops it too. Stopping commits what was printed and leaves the
 * group (its partitions go to the other members); with `-c`, a record delivered past the count is
 * held unprocessed, so it is never committed unprinted.
 *
 * @example
 * // npx edgelog consume orders -g billing -o beginning -e -J
 * await groupConsumeCommand(client, "orders", { group: "billing", reset: "earliest", exitAtEnd: true, count: null, print: jsonLine, memberId: null }, io);
 */
import type { EdgelogClient, GroupPartitionOffset, OffsetReset } from "../client/index.ts";
import type { ConsumeIo } from "./consume.ts";
import type { PrintedRecord } from "./record-format.ts";

/**
 * `edgelog consume -g`'s options.
 *
 * @example
 * const options: GroupConsumeOptions = { group: "billing", reset: "earliest", exitAtEnd: false, count: 10, print: jsonLine, memberId: "cli-1" };
 */
export interface GroupConsumeOptions {
  group: string;
  reset: OffsetReset;
  exitAtEnd: boolean;
  count: number | null;
  print: (record: PrintedRecord) => string;
  memberId: string | null;
}

/** What a record past `-c`'s count waits for: nothing, ever (see eachRecord). */
const HELD = new Promise<void>(() => undefined);

/** Where each partition starts for this group: its commit, else the reset's end of the log. */
function firstOffsets(lines: GroupPartitionOffset[], reset: OffsetReset): Map<number, number> {
  return new Map(
    lines.map((line) => [line.partition, line.committedOffset ?? (reset === "earliest" ? line.logStartOffset : line.highWatermark)]),
  );
}

/**
 * Runs `edgelog consume -g`; answers the records printed.
 *
 * @example
 * const printed = await groupConsumeCommand(client, "orders", options, io);
 */
export async function groupConsumeCommand(
  client: EdgelogClient,
  topic: string,
  options: GroupConsumeOptions,
  io: ConsumeIo,
): Promise<number> {
  const before = await client.admin.groupOffsets(options.group, topic);
  const ends = new Map(before.partitions.map((line) => [line.partition, line.highWatermark]));
  const next = firstOffsets(before.partitions, options.reset);
  const consumer = client.consumer({
    group: options.group,
    topic,
    reset: options.reset,
    ...(options.memberId === null ? {} : { memberId: options.memberId }),
  });
  let printed = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  // The partitions this member owns, as onAssign and onRevoke tell (before the first, none is
  // owed: an empty assignment is not caught up).
  const owned = new Set<number>();
  let assigned = false;
  const caughtUp = () => options.exitAtEnd && assigned && [...owned].every((p) => (next.get(p) ?? 0) >= (ends.get(p) ?? 0));
  const check = () => {
    if (io.stopped() || io.output.closed || (options.count !== null && printed >= options.count) || caughtUp()) finish();
  };
  const stopTimer = setInterval(check, 100);
  consumer.onError((error) => io.stderr.write(`edgelog: ${error.code}: ${error.message}\n`));
  try {
    await consumer.run({
      eachRecord: async (record) => {
        // Past -c's count a record is held, never done: it is not committed (the next reader gets it).
        if (options.count !== null && printed >= options.count) return HELD;
        await io.output.write(options.print(record));
        printed += 1;
        next.set(record.partition, record.offset + 1);
        check();
      },
      onAssign: (change) => {
        for (const partition of change.partitions) owned.add(partition);
        assigned = true;
        check();
      },
      onRevoke: (change) => {
        for (const partition of change.partitions) owned.delete(partition);
      },
    });
    check();
    await finished;
  } finally {
    clearInterval(stopTimer);
    if (options.count !== null && printed >= options.count) {
      // stop() would wait for the held records: commit what was printed, and the client's close
      // (the command's end) closes the group socket, which removes the member (GSOCKET-6).
      // The last record printed counts as processed once its eachRecord has returned: let that run first.
      await new Promise((resolve) => setImmediate(resolve));
      await consumer.commit().catch((error: unknown) => io.stderr.write(`edgelog: commit: ${String(error)}\n`));
    } else {
      await consumer.stop();
    }
  }
  return printed;
}
