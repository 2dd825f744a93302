/**
 * The Registry Durable Object: the one place topic metadata lives (name, incarnation id,
 * partition count, config, state). Only admin calls and metadata-cache misses reach it; the
 * produce and fetch paths go to partition objects directly (see topics.ts).
 *
 * Each creation gets a fresh `topicId`, and partition objects are named by it, so a topic deleted
 * and created again starts on new, empty objects and can never show old records.
 *
 * It also lists the consumer groups: each (group, topic) pair a Group object noted once (GROUP-14).
 *
 * Rules: PROTOCOL.md TOPIC-1, TOPIC-4, NAME-5, GROUP-14.
 *
 * @example
 * const outcome = await registryStub(env).create("orders", 3, config);
 */
import { DurableObject } from "cloudflare:workers";
import { type FullTopicConfig, GROUP_TOPICS_MAX, type GroupTopics, sameConfig, TOPICS_MAX } from "../client/protocol/index.ts";
import type { Env } from "./env.ts";
import type { CreateOutcome, TopicMeta, TopicState } from "./topic-meta.ts";

type TopicRow = {
  name: string;
  topic_id: string;
  partitions: number;
  config: string;
  created_at: number;
  state: TopicState;
};

function toMeta(row: TopicRow): TopicMeta {
  return {
    name: row.name,
    topicId: row.topic_id,
    partitions: row.partitions,
    config: JSON.parse(row.config) as FullTopicConfig,
    createdAt: row.created_at,
    state: row.state,
  };
}

/**
 * The Registry Durable Object: the one object (named REGISTRY_OBJECT_NAME) that holds every
 * topic's metadata, as this module's header says.
 *
 * @example
 * const meta = await registryStub(env).get("orders"); // null when there is no such topic
 * const topics = await registryStub(env).list(); // ready, creating and deleting ones alike
 */
export class Registry extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS topics (
      name TEXT PRIMARY KEY,
      topic_id TEXT NOT NULL,
      partitions INTEGER NOT NULL,
      config TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      state TEXT NOT NULL
    ) WITHOUT ROWID`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS group_topics (
      group_name TEXT NOT NULL,
      topic TEXT NOT NULL,
      PRIMARY KEY (group_name, topic)
    ) WITHOUT ROWID`);
  }

  /**
   * Notes that group `group` consumes or commits on `topic` (once per pair: the Group object
   * remembers it told), so groups can be listed (GROUP-14). Past GROUP_TOPICS_MAX pairs a new one
   * is not noted and false is answered: the group works on, unlisted.
   */
  noteGroup(group: string, topic: string): boolean {
    const { n } = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM group_topics").one();
    if (n >= GROUP_TOPICS_MAX) return false;
    this.sql.exec("INSERT OR IGNORE INTO group_topics (group_name, topic) VALUES (?, ?)", group, topic);
    return true;
  }

  /** The groups noted, by name, each with its topics (at most GROUP_TOPICS_MAX pairs). */
  listGroups(): GroupTopics[] {
    const rows = this.sql
      .exec<{ group_name: string; topic: string }>(
        "SELECT group_name, topic FROM group_topics ORDER BY group_name, topic LIMIT ?",
        GROUP_TOPICS_MAX,
      )
      .toArray();
    const groups: GroupTopics[] = [];
    for (const row of rows) {
      const last = groups[groups.length - 1];
      if (last !== undefined && last.group === row.group_name) last.topics.push(row.topic);
      else groups.push({ group: row.group_name, topics: [row.topic] });
    }
    return groups;
  }

  /** A topic's metadata, or null. */
  get(name: string): TopicMeta | null {
    const row = this.sql.exec<TopicRow>("SELECT * FROM topics WHERE name = ?", name).toArray()[0];
    return row ? toMeta(row) : null;
  }

  /** Every topic, by name (at most TOPICS_MAX). */
  list(): TopicMeta[] {
    return this.sql.exec<TopicRow>("SELECT * FROM topics ORDER BY name LIMIT ?", TOPICS_MAX).toArray().map(toMeta);
  }

  /** Creates a topic in state "creating", or says why not. */
  create(name: string, partitions: number, config: FullTopicConfig): CreateOutcome {
    const existing = this.get(name);
    if (existing !== null) {
      if (existing.state === "deleting") return { outcome: "deleting", meta: existing };
      const same = existing.partitions === partitions && sameConfig(existing.config, config);
      return { outcome: same ? "same" : "conflict", meta: existing };
    }
    const { n } = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM topics").one();
    if (n >= TOPICS_MAX) return { outcome: "limit", meta: null };
    const meta: TopicMeta = { name, topicId: crypto.randomUUID(), partitions, config, createdAt: Date.now(), state: "creating" };
    this.sql.exec(
      "INSERT INTO topics (name, topic_id, partitions, config, created_at, state) VALUES (?, ?, ?, ?, ?, ?)",
      name,
      meta.topicId,
      partitions,
      JSON.stringify(config),
      meta.createdAt,
      meta.state,
    );
    return { outcome: "created", meta };
  }

  /** Moves a topic incarnation to `state`; false when that incarnation is gone. */
  setState(name: string, topicId: string, state: TopicState): boolean {
    this.sql.exec("UPDATE topics SET state = ? WHERE name = ? AND topic_id = ?", state, name, topicId);
    return this.get(name)?.topicId === topicId;
  }

  /** Forgets a topic incarnation (after its partitions were dropped). */
  remove(name: string, topicId: string): void {
    this.sql.exec("DELETE FROM topics WHERE name = ? AND topic_id = ?", name, topicId);
  }
}
