/**
 * A Source object's SQLite: its configuration and counters (one row), the delivery ids it
 * remembers with where each landed, and the next sequence of its idempotent producer on each
 * partition of its topic. A delivery being appended is a row whose `request` holds the produce
 * request it sends (an intent): it is written, with the sequence it takes, before the append, and
 * cleared when the append is acknowledged, so a crash between the two leaves the intent to resend
 * (SOURCE-8). The one object named SOURCE_INDEX_NAME keeps the list of source names instead.
 *
 * @example
 * const state = new SourceState(ctx.storage.sql);
 * state.seen("d-1"); // null, or where delivery d-1 landed
 */
import { SOURCE_DELIVERY_IDS_MAX, type SourceConfig } from "../../client/protocol/index.ts";

/**
 * A source's stored line: its name, configuration, producer incarnation and counters.
 *
 * @example
 * const { config, incarnation, accepted } = state.read()!;
 */
export interface SourceLine {
  name: string;
  config: SourceConfig;
  /** Changes with each new configuration: part of the producer id, so each configuration produces afresh. */
  incarnation: string;
  accepted: number;
  duplicates: number;
  refusedSignatures: number;
  lastDeliveryMs: number | null;
}

/**
 * A remembered delivery: where it landed (`offset` null while its append is not acknowledged,
 * `request` then holding what to resend).
 *
 * @example
 * const { partition, offset } = state.seen("d-1")!;
 */
export interface DeliveryRow {
  deliveryId: string;
  receivedMs: number;
  topic: string;
  topicId: string;
  partition: number;
  sequence: number;
  offset: number | null;
  request: string | null;
}

interface ConfigRow extends Record<string, SqlStorageValue> {
  name: string;
  config: string;
  incarnation: string;
  accepted: number;
  duplicates: number;
  refused_signatures: number;
  last_delivery_ms: number | null;
}

interface DeliverySqlRow extends Record<string, SqlStorageValue> {
  delivery_id: string;
  received_ms: number;
  topic: string;
  topic_id: string;
  partition: number;
  sequence: number;
  offset: number | null;
  request: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS source (
  id INTEGER PRIMARY KEY CHECK (id = 1), name TEXT NOT NULL, config TEXT NOT NULL, incarnation TEXT NOT NULL,
  accepted INTEGER NOT NULL DEFAULT 0, duplicates INTEGER NOT NULL DEFAULT 0,
  refused_signatures INTEGER NOT NULL DEFAULT 0, last_delivery_ms INTEGER);
CREATE TABLE IF NOT EXISTS deliveries (
  delivery_id TEXT PRIMARY KEY, received_ms INTEGER NOT NULL, topic TEXT NOT NULL, topic_id TEXT NOT NULL, partition INTEGER NOT NULL,
  sequence INTEGER NOT NULL, offset INTEGER, request TEXT);
CREATE INDEX IF NOT EXISTS deliveries_received ON deliveries (received_ms);
CREATE TABLE IF NOT EXISTS sequences (
  topic_id TEXT NOT NULL, partition INTEGER NOT NULL, next_sequence INTEGER NOT NULL, PRIMARY KEY (topic_id, partition));
CREATE TABLE IF NOT EXISTS names (name TEXT PRIMARY KEY);`;

function deliveryOf(row: DeliverySqlRow): DeliveryRow {
  return {
    deliveryId: row.delivery_id,
    receivedMs: row.received_ms,
    topic: row.topic,
    topicId: row.topic_id,
    partition: row.partition,
    sequence: row.sequence,
    offset: row.offset,
    request: row.request,
  };
}

/**
 * The SQL of one Source object.
 *
 * @example
 * new SourceState(ctx.storage.sql).read(); // null until configured
 */
export class SourceState {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
  }

  /** The stored line, or null when the source is not configured. */
  read(): SourceLine | null {
    const row = this.sql.exec<ConfigRow>("SELECT * FROM source WHERE id = 1").toArray()[0];
    if (row === undefined) return null;
    return {
      name: row.name,
      config: JSON.parse(row.config) as SourceConfig,
      incarnation: row.incarnation,
      accepted: row.accepted,
      duplicates: row.duplicates,
      refusedSignatures: row.refused_signatures,
      lastDeliveryMs: row.last_delivery_ms,
    };
  }

  /**
   * Stores a configuration; a new or changed one takes `incarnation` and forgets the producer's
   * sequences (counters and delivery ids stay). Answers whether the source was created.
   */
  configure(name: string, config: SourceConfig, incarnation: string): boolean {
    const before = this.read();
    const text = JSON.stringify(config);
    if (before === null) {
      this.sql.exec("INSERT INTO source (id, name, config, incarnation) VALUES (1, ?, ?, ?)", name, text, incarnation);
    } else if (JSON.stringify(before.config) !== text) {
      this.sql.exec("UPDATE source SET config = ?, incarnation = ? WHERE id = 1", text, incarnation);
    } else {
      return false;
    }
    this.sql.exec("DELETE FROM sequences");
    return before === null;
  }

  /** Forgets everything of the source (its name stays in the index until released there). */
  clear(): void {
    for (const table of ["source", "deliveries", "sequences"]) this.sql.exec(`DELETE FROM ${table}`);
  }

  /** Counts a duplicate or a refused signature, at `nowMs`. */
  count(what: "duplicates" | "refused_signatures", nowMs: number): void {
    this.sql.exec(`UPDATE source SET ${what} = ${what} + 1, last_delivery_ms = ? WHERE id = 1`, nowMs);
  }

  /** Delivery ids remembered. */
  deliveryCount(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM deliveries").one().n;
  }

  /** Where delivery `deliveryId` landed, if it is remembered. */
  seen(deliveryId: string): DeliveryRow | null {
    const row = this.sql.exec<DeliverySqlRow>("SELECT * FROM deliveries WHERE delivery_id = ?", deliveryId).toArray()[0];
    return row === undefined ? null : deliveryOf(row);
  }

  /** The delivery whose append is not acknowledged yet (at most one: deliveries run one at a time). */
  pending(): DeliveryRow | null {
    const row = this.sql.exec<DeliverySqlRow>("SELECT * FROM deliveries WHERE request IS NOT NULL LIMIT 1").toArray()[0];
    return row === undefined ? null : deliveryOf(row);
  }

  /** Forgets acknowledged ids older than the window, then the oldest past SOURCE_DELIVERY_IDS_MAX - 1 (room for one more). */
  evict(nowMs: number, windowMs: number, keepMax = SOURCE_DELIVERY_IDS_MAX - 1): void {
    this.sql.exec("DELETE FROM deliveries WHERE request IS NULL AND received_ms < ?", nowMs - windowMs);
    const excess = this.deliveryCount() - keepMax;
    if (excess <= 0) return;
    this.sql.exec(
      `DELETE FROM deliveries WHERE rowid IN
         (SELECT rowid FROM deliveries WHERE request IS NULL ORDER BY received_ms, rowid LIMIT ?)`,
      excess,
    );
  }

  /** The producer's next sequence on a partition of topic incarnation `topicId`. */
  nextSequence(topicId: string, partition: number): number {
    const row = this.sql
      .exec<{ next_sequence: number }>("SELECT next_sequence FROM sequences WHERE topic_id = ? AND partition = ?", topicId, partition)
      .toArray()[0];
    return row?.next_sequence ?? 0;
  }

  /**
   * Records the intent of an append: the delivery, the sequence it takes (the next one moves past
   * it) and the request to resend after a crash. Sequences of other topic incarnations are
   * forgotten (their partitions are gone), so at most one topic's partitions have a row.
   */
  intend(row: DeliveryRow, transaction: (body: () => void) => void): void {
    transaction(() => {
      this.sql.exec(
        "INSERT INTO deliveries (delivery_id, received_ms, topic, topic_id, partition, sequence, offset, request) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
        row.deliveryId,
        row.receivedMs,
        row.topic,
        row.topicId,
        row.partition,
        row.sequence,
        row.request,
      );
      this.sql.exec("DELETE FROM sequences WHERE topic_id != ?", row.topicId);
      this.sql.exec(
        `INSERT INTO sequences (topic_id, partition, next_sequence) VALUES (?, ?, ?)
         ON CONFLICT (topic_id, partition) DO UPDATE SET next_sequence = excluded.next_sequence`,
        row.topicId,
        row.partition,
        row.sequence + 1,
      );
    });
  }

  /** The intent's append was acknowledged at `offset`: the id is remembered with it and counted accepted. */
  complete(deliveryId: string, offset: number, nowMs: number): void {
    this.sql.exec("UPDATE deliveries SET offset = ?, request = NULL WHERE delivery_id = ?", offset, deliveryId);
    this.sql.exec("UPDATE source SET accepted = accepted + 1, last_delivery_ms = ? WHERE id = 1", nowMs);
  }

  /** The intent's append was refused (nothing stored): the id is forgotten and its sequence given back. */
  abandon(row: DeliveryRow): void {
    this.sql.exec("DELETE FROM deliveries WHERE delivery_id = ?", row.deliveryId);
    this.sql.exec(
      "UPDATE sequences SET next_sequence = ? WHERE topic_id = ? AND partition = ? AND next_sequence = ?",
      row.sequence,
      row.topicId,
      row.partition,
      row.sequence + 1,
    );
  }

  /** The index object's names (sorted). */
  names(): string[] {
    return this.sql
      .exec<{ name: string }>("SELECT name FROM names ORDER BY name")
      .toArray()
      .map((row) => row.name);
  }

  /** Adds a name to the index unless `max` are there already; answers whether it is there now. */
  reserve(name: string, max: number): boolean {
    if (this.sql.exec("SELECT 1 FROM names WHERE name = ?", name).toArray().length > 0) return true;
    if (this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM names").one().n >= max) return false;
    this.sql.exec("INSERT INTO names (name) VALUES (?)", name);
    return true;
  }

  /** Removes a name from the index. */
  release(name: string): void {
    this.sql.exec("DELETE FROM names WHERE name = ?", name);
  }
}
