/**
 * `edgelog topics list|create|describe|delete`: the client's admin calls, printed as tables (or
 * JSON with `-J`). `create` takes `-p/--partitions` and `-c name=value` config entries (numbers
 * given as numbers), checked by the protocol's own rules before anything is sent.
 *
 * @example
 * // npx edgelog topics create orders -p 3 -c retention.ms=604800000
 * await createTopicCommand(client, "orders", { partitions: 3, config: ["retention.ms=604800000"] }, out);
 */
import type { EdgelogClient, TopicConfig } from "../client/index.ts";
import { UsageError } from "./failure.ts";
import type { Output } from "./output.ts";
import { table } from "./tables.ts";

/**
 * `-c name=value` entries as a topic config: a value that reads as a number is one.
 *
 * @example
 * topicConfig(["retention.ms=60000", "cleanup.policy=delete"]); // { "retention.ms": 60000, "cleanup.policy": "delete" }
 */
export function topicConfig(entries: readonly string[]): TopicConfig {
  const config: Record<string, string | number> = {};
  for (const entry of entries) {
    const at = entry.indexOf("=");
    if (at <= 0) throw new UsageError(`a config entry is name=value, not ${JSON.stringify(entry)}`);
    const raw = entry.slice(at + 1);
    config[entry.slice(0, at)] = /^-?\d+$/.test(raw) ? Number(raw) : raw;
  }
  return config as TopicConfig;
}

/**
 * `topics list`: one name a line (with `-J`, the summaries as JSON).
 *
 * @example
 * await listTopicsCommand(client, { json: false }, out); // "orders\npayments\n"
 */
export async function listTopicsCommand(client: EdgelogClient, options: { json: boolean }, out: Output): Promise<void> {
  const topics = await client.admin.listTopics();
  if (options.json) return out.write(`${JSON.stringify(topics)}\n`);
  const rows = topics.map((t) => [t.name, String(t.partitions), JSON.stringify(t.config)]);
  return out.write(table(["TOPIC", "PARTITIONS", "CONFIG"], rows));
}

/**
 * `topics create NAME -p N [-c name=value ...]`.
 *
 * @example
 * await createTopicCommand(client, "orders", { partitions: 3, config: [] }, out); // "created orders (3 partitions)"
 */
export async function createTopicCommand(
  client: EdgelogClient,
  topic: string,
  options: { partitions: number; config: readonly string[] },
  out: Output,
): Promise<void> {
  const config = topicConfig(options.config);
  const created = await client.admin.createTopic(topic, {
    partitions: options.partitions,
    ...(options.config.length > 0 ? { config } : {}),
  });
  await out.write(`created ${created.name} (${created.partitions.length} partitions, id ${created.topicId})\n`);
}

/**
 * `topics describe NAME`: its config and each partition's offsets.
 *
 * @example
 * await describeTopicCommand(client, "orders", { json: false }, out);
 */
export async function describeTopicCommand(client: EdgelogClient, topic: string, options: { json: boolean }, out: Output): Promise<void> {
  const description = await client.admin.describeTopic(topic);
  if (options.json) return out.write(`${JSON.stringify(description)}\n`);
  const head = `topic ${description.name}  id ${description.topicId}  created ${new Date(description.createdAt).toISOString()}\nconfig ${JSON.stringify(description.config)}\n`;
  const rows = description.partitions.map((p) => [
    String(p.partition),
    String(p.logStartOffset),
    String(p.highWatermark),
    String(p.highWatermark - p.logStartOffset),
  ]);
  return out.write(head + table(["PARTITION", "LOG-START", "HIGH-WATERMARK", "RECORDS"], rows));
}

/**
 * `topics delete NAME`.
 *
 * @example
 * await deleteTopicCommand(client, "scratch", out); // "deleted scratch"
 */
export async function deleteTopicCommand(client: EdgelogClient, topic: string, out: Output): Promise<void> {
  await client.admin.deleteTopic(topic);
  await out.write(`deleted ${topic}\n`);
}
