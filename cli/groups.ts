/**
 * `edgelog groups list|describe|lag|reset-offsets`. `lag` shows each partition's committed
 * offset, high watermark and lag (COMMIT-7) on the group's topics (or `-t TOPIC`).
 * `reset-offsets` moves a group with no members to the earliest or latest offset, an offset, or
 * the first record at or after a time, on every partition or one (`-p`): it prints the plan
 * (current and new offset per partition), and commits it unless `--dry-run` (a standalone commit,
 * COMMIT-2: a group with members refuses it, UNKNOWN_MEMBER_ID, as Kafka does).
 *
 * @example
 * // npx edgelog groups reset-offsets billing -t orders --to-earliest --dry-run
 * await resetOffsetsCommand(client, "billing", { topic: "orders", target: { kind: "earliest" }, partition: null, dryRun: true, json: false }, out);
 */
import type { EdgelogClient, GroupPartitionOffset } from "../client/index.ts";
import { UsageError } from "./failure.ts";
import type { Output } from "./output.ts";
import { table } from "./tables.ts";

/**
 * Where `reset-offsets` moves a group.
 *
 * @example
 * const target: ResetTarget = { kind: "timestamp", timestamp: Date.parse("2026-12-01T00:00:00Z") };
 */
export type ResetTarget =
  | { kind: "earliest" }
  | { kind: "latest" }
  | { kind: "offset"; offset: number }
  | { kind: "timestamp"; timestamp: number };

/**
 * `reset-offsets`'s options.
 *
 * @example
 * const options: ResetOptions = { topic: "orders", target: { kind: "latest" }, partition: 0, dryRun: false, json: true };
 */
export interface ResetOptions {
  topic: string;
  target: ResetTarget;
  partition: number | null;
  dryRun: boolean;
  json: boolean;
}

/**
 * `groups list`: each group with the topics it joined or committed on.
 *
 * @example
 * await listGroupsCommand(client, { json: false }, out); // "GROUP    TOPICS\nbilling  orders\n"
 */
export async function listGroupsCommand(client: EdgelogClient, options: { json: boolean }, out: Output): Promise<void> {
  const groups = await client.admin.listGroups();
  if (options.json) return out.write(`${JSON.stringify(groups)}\n`);
  return out.write(
    table(
      ["GROUP", "TOPICS"],
      groups.map((g) => [g.group, g.topics.join(",")]),
    ),
  );
}

/**
 * `groups describe GROUP`: its topic, assignor, generation and members with their partitions.
 *
 * @example
 * await describeGroupCommand(client, "billing", { json: false }, out);
 */
export async function describeGroupCommand(client: EdgelogClient, group: string, options: { json: boolean }, out: Output): Promise<void> {
  const description = await client.admin.describeGroup(group);
  if (options.json) return out.write(`${JSON.stringify(description)}\n`);
  const head = `group ${description.group}  topic ${description.topic ?? "-"}  assignor ${description.assignor}  generation ${description.generation}  members ${description.members.length}\n`;
  const rows = description.members.map((m) => [
    m.memberId,
    m.partitions.join(",") || "-",
    m.viaSocket ? "socket" : "http",
    new Date(m.lastSeen).toISOString(),
  ]);
  return out.write(head + table(["MEMBER", "PARTITIONS", "VIA", "LAST-SEEN"], rows));
}

/** The topics a group's lag is shown for: `-t`, else those the registry lists for it, else its members' topic. */
async function groupTopics(client: EdgelogClient, group: string, topic: string | null): Promise<string[]> {
  if (topic !== null) return [topic];
  const listed = (await client.admin.listGroups()).find((g) => g.group === group)?.topics ?? [];
  if (listed.length > 0) return listed;
  const own = (await client.admin.describeGroup(group)).topic;
  if (own === null) throw new UsageError(`group "${group}" has no topic on record: name one with -t`);
  return [own];
}

/**
 * `groups lag GROUP [-t TOPIC]`: committed offset, high watermark and lag per partition, and the total.
 *
 * @example
 * await lagCommand(client, "billing", { topic: "orders", json: false }, out);
 */
export async function lagCommand(
  client: EdgelogClient,
  group: string,
  options: { topic: string | null; json: boolean },
  out: Output,
): Promise<void> {
  const topics = await groupTopics(client, group, options.topic);
  const answers = await Promise.all(topics.map((topic) => client.admin.groupOffsets(group, topic)));
  if (options.json) return out.write(`${JSON.stringify(answers)}\n`);
  const rows = answers.flatMap((answer) =>
    answer.partitions.map((p) => [
      answer.topic,
      String(p.partition),
      String(p.committedOffset ?? "-"),
      String(p.highWatermark),
      String(p.lag ?? "-"),
    ]),
  );
  const total = answers.reduce((sum, answer) => sum + answer.totalLag, 0);
  return out.write(`${table(["TOPIC", "PARTITION", "COMMITTED", "HIGH-WATERMARK", "LAG"], rows)}total lag ${total}\n`);
}

async function newOffset(client: EdgelogClient, topic: string, line: GroupPartitionOffset, target: ResetTarget): Promise<number> {
  const within = (offset: number) => Math.min(Math.max(offset, line.logStartOffset), line.highWatermark);
  switch (target.kind) {
    case "earliest":
      return line.logStartOffset;
    case "latest":
      return line.highWatermark;
    case "offset":
      return within(target.offset);
    case "timestamp":
      return (await client.admin.offsetForTimestamp(topic, line.partition, target.timestamp)).offset;
  }
}

/**
 * `groups reset-offsets GROUP -t TOPIC --to-...`, as this module's header says.
 *
 * @example
 * await resetOffsetsCommand(client, "billing", { topic: "orders", target: { kind: "offset", offset: 10 }, partition: null, dryRun: false, json: false }, out);
 */
export async function resetOffsetsCommand(client: EdgelogClient, group: string, options: ResetOptions, out: Output): Promise<void> {
  const { topic } = options;
  const current = await client.admin.groupOffsets(group, topic);
  const lines = options.partition === null ? current.partitions : current.partitions.filter((p) => p.partition === options.partition);
  if (lines.length === 0)
    throw new UsageError(`-p ${options.partition}: topic "${topic}" has partitions 0 to ${current.partitions.length - 1}`);
  const plan = await Promise.all(
    lines.map(async (line) => ({
      partition: line.partition,
      current: line.committedOffset,
      offset: await newOffset(client, topic, line, options.target),
    })),
  );
  if (!options.dryRun)
    await client.admin.commitOffsets(
      group,
      plan.map(({ partition, offset }) => ({ topic, partition, offset })),
    );
  if (options.json) return out.write(`${JSON.stringify({ group, topic, dryRun: options.dryRun, offsets: plan })}\n`);
  const rows = plan.map((p) => [topic, String(p.partition), String(p.current ?? "-"), String(p.offset)]);
  const verdict = options.dryRun ? "dry run: nothing committed" : `committed for group ${group}`;
  return out.write(`${table(["TOPIC", "PARTITION", "CURRENT", "NEW"], rows)}${verdict}\n`);
}
