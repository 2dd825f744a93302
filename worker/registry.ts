/**
 * The Registry Durable Object: the one place topic metadata lives (name, incarnation id,
 * partition count, config, state). Only admin calls and metadata-cache misses reach it; the
 * produce and fetch paths go to partition objects directly (see topics.ts).
 *
 * Each creation gets a fresh `topicId`, and partition objects are named by it, so a topic deleted
 * and created again starts on new, empty objects and can never show old records.
 *
 * It also lists the consumer groups: each (group, topic) pair a Group object noted once (GROUP-14),
 * and holds the schema registry (schemas/schema-store.ts): its methods below answer a Result,
 * so their refusals keep their codes across RPC.
 *
 * Rules: PROTOCOL.md TOPIC-1, TOPIC-4, NAME-5, GROUP-14, SCHEMA-1.
 *
 * @example
 * const outcome = await registryStub(env).create("orders", 3, config);
 */
import { DurableObject } from "cloudflare:workers";
import {
  type CompatibilityLevel,
  type FullTopicConfig,
  GROUP_TOPICS_MAX,
  type GroupTopics,
  type SchemaDocument,
  type SchemaVersionAnswer,
  sameConfig,
  TOPICS_MAX,
  type TopicSchemas,
  withConfigDefaults,
} from "../client/protocol/index.ts";
import type { Env } from "./env.ts";
import { capture, type Result } from "./result.ts";
import { type CompatibilityAnswer, SchemaStore } from "./schemas/schema-store.ts";
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
    config: withConfigDefaults(JSON.parse(row.config) as FullTopicConfig),
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
  private readonly schemas: SchemaStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.schemas = new SchemaStore(this.sql);
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

  /** Registers a schema under a subject (SchemaStore.register). */
  schemaRegister(subject: string, doc: SchemaDocument): Result<{ id: number; version: number; created: boolean }> {
    return capture(() => this.schemas.register(subject, doc));
  }

  /** One version of a subject. */
  schemaVersion(subject: string, version: number | "latest", deleted: boolean): Result<SchemaVersionAnswer> {
    return capture(() => this.schemas.version(subject, version, deleted));
  }

  /** A subject's version numbers. */
  schemaVersions(subject: string, deleted: boolean): Result<number[]> {
    return capture(() => this.schemas.versions(subject, deleted));
  }

  /** Every subject. */
  schemaSubjects(deleted: boolean): string[] {
    return this.schemas.subjects(deleted);
  }

  /** A document by id. */
  schemaById(id: number): Result<{ schema: string; schemaType: "JSON"; subjects: string[] }> {
    return capture(() => this.schemas.byId(id));
  }

  /** The live version of a subject holding a document. */
  schemaLookup(subject: string, doc: SchemaDocument): Result<SchemaVersionAnswer> {
    return capture(() => this.schemas.lookup(subject, doc));
  }

  /** A compatibility check, against every live version ("all", as a registration) or one. */
  schemaCheck(subject: string, doc: SchemaDocument, version: number | "latest" | "all"): Result<CompatibilityAnswer> {
    return capture(() => this.schemas.check(subject, doc, version));
  }

  /** Deletes a subject (soft, or permanent after a soft delete). */
  schemaDeleteSubject(subject: string, permanent: boolean): Result<number[]> {
    return capture(() => this.schemas.deleteSubject(subject, permanent));
  }

  /** Deletes a version (soft, or permanent after a soft delete). */
  schemaDeleteVersion(subject: string, version: number | "latest", permanent: boolean): Result<number> {
    return capture(() => this.schemas.deleteVersion(subject, version, permanent));
  }

  /** A level: the subject's own (null when unset, unless `fallback`), or the global one (subject null). */
  schemaLevel(subject: string | null, fallback: boolean): CompatibilityLevel | null {
    return subject === null || fallback ? this.schemas.level(subject) : this.schemas.ownLevel(subject);
  }

  /** Sets a level (subject null: the global one). */
  schemaSetLevel(subject: string | null, level: CompatibilityLevel): void {
    this.schemas.setLevel(subject, level);
  }

  /** Removes a subject's own level. */
  schemaDeleteLevel(subject: string): Result<CompatibilityLevel> {
    return capture(() => this.schemas.deleteLevel(subject));
  }

  /** What a topic's records are validated with now. */
  topicSchemas(topic: string): TopicSchemas {
    return this.schemas.topicSchemas(topic);
  }
}
