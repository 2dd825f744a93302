/**
 * A partition's schemas: what its topic's records are validated with before anything is stored
 * (SCHEMA-6). The registry pushes them on every change of the topic's `-value` or `-key` subject
 * and at topic creation (schemas/schema-push.ts); the partition keeps the newest it was given (by
 * the registry's change number) in a one-row table, so a restart or an eviction keeps enforcing
 * them, and holds at most two compiled validators in memory (value and key), compiled on first use
 * after a start or a push.
 *
 * Rules: PROTOCOL.md SCHEMA-6.
 *
 * @example
 * const schemas = new PartitionSchemas(ctx.storage.sql);
 * schemas.check(topicId, request.tails); // throws SCHEMA_VIOLATION naming the record and the path
 */
import { checkRecordSchemas, type EnforcedSchemas, enforcedSchemas, recordOfTail, type TopicSchemas } from "../../client/protocol/index.ts";

import { invariant } from "../result.ts";

type Loaded = { topicId: string; schemas: EnforcedSchemas };

/**
 * The partition's schemas, as this module's header says.
 *
 * @example
 * schemas.set(topicId, { seq: 3, value: answer, key: null }); // true: newer than what it held
 */
export class PartitionSchemas {
  /** undefined: not read since the start (or the last change); null: none. */
  private loaded: Loaded | null | undefined = undefined;

  constructor(private readonly sql: SqlStorage) {
    this.reset();
  }

  /** Creates the table (again, after the partition's storage was dropped) and forgets the cache. */
  reset(): void {
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS topic_schemas (id INTEGER PRIMARY KEY CHECK (id = 0), topic_id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL)",
    );
    this.loaded = undefined;
  }

  /** Keeps `schemas` for topic incarnation `topicId` unless what it holds is as new; whether it did. */
  set(topicId: string, schemas: TopicSchemas): boolean {
    invariant(Number.isSafeInteger(schemas.seq) && schemas.seq >= 0, "a push carries the registry's change number");
    const held = this.sql.exec<{ topic_id: string; seq: number }>("SELECT topic_id, seq FROM topic_schemas WHERE id = 0").toArray()[0];
    if (held !== undefined && held.topic_id === topicId && held.seq >= schemas.seq) return false;
    this.sql.exec(
      "INSERT INTO topic_schemas (id, topic_id, seq, body) VALUES (0, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET topic_id = excluded.topic_id, seq = excluded.seq, body = excluded.body",
      topicId,
      schemas.seq,
      JSON.stringify(schemas),
    );
    this.loaded = undefined;
    return true;
  }

  private load(): Loaded | null {
    if (this.loaded !== undefined) return this.loaded;
    const row = this.sql.exec<{ topic_id: string; body: string }>("SELECT topic_id, body FROM topic_schemas WHERE id = 0").toArray()[0];
    if (row === undefined) {
      this.loaded = null;
      return null;
    }
    this.loaded = { topicId: row.topic_id, schemas: enforcedSchemas(JSON.parse(row.body) as TopicSchemas) };
    return this.loaded;
  }

  /**
   * SCHEMA_VIOLATION unless every record (its encoded tail) validates: its value under the
   * `-value` schema, its key (when not null) under the `-key` one. `indexes` are the records'
   * places in the request (for the message), their places in `tails` when left out.
   */
  check(topicId: string, tails: readonly string[], indexes?: readonly number[]): void {
    const loaded = this.load();
    if (loaded === null || loaded.topicId !== topicId || (loaded.schemas.value === null && loaded.schemas.key === null)) return;
    for (let i = 0; i < tails.length; i++) checkRecordSchemas(loaded.schemas, recordOfTail(tails[i]!), `records[${indexes?.[i] ?? i}]`);
  }
}
