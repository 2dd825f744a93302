/**
 * A stream's metadata, one row in its object's SQLite beside the partition log's tables: the
 * incarnation (raised by every create after a delete or an expiry, never reused), whether the
 * stream exists, its content type, TTL or Expires-At, closure (and the producer tuple that closed
 * it), the last Stream-Seq and the last access (the TTL slides from it).
 *
 * Rules: PROTOCOL.md STREAM-2, STREAM-5, STREAM-9, STREAM-10.
 *
 * @example
 * createStreamSchema(ctx.storage.sql);
 * const meta = loadStreamMeta(ctx.storage.sql); // null before the first create
 */
import { invariant } from "../result.ts";

/**
 * The producer tuple whose append or close closed the stream (its retry is answered as a duplicate).
 *
 * @example
 * const by: ClosedBy = { producerId: "p1", epoch: 0, seq: 3 };
 */
export interface ClosedBy {
  producerId: string;
  epoch: number;
  seq: number;
}

/**
 * Where a fork came from: its source's name and incarnation, the position it forked at (before
 * any sub-offset) and the Stream-Fork-Offset and sub-offset as asked (for an idempotent create).
 *
 * @example
 * const fork: ForkInfo = { source: "chat/a", incarnation: 1, position: 4, offset: null, subOffset: 0 };
 */
export interface ForkInfo {
  source: string;
  incarnation: number;
  position: number;
  offset: string | null;
  subOffset: number;
}

/**
 * The row (see this module's header). `live` is false once deleted or expired.
 *
 * @example
 * const meta: StreamMeta = loadStreamMeta(sql) ?? newStreamMeta(0);
 */
export interface StreamMeta {
  incarnation: number;
  live: boolean;
  contentType: string;
  /** Sliding TTL in seconds, or null. */
  ttlSeconds: number | null;
  /** Expires-At as given (echoed by HEAD), or null. */
  expiresAt: string | null;
  /** Expires-At in ms since the epoch, or null. */
  expiresAtMs: number | null;
  closed: boolean;
  closedBy: ClosedBy | null;
  /** The last Stream-Seq accepted, or null. */
  lastSeq: string | null;
  accessedMs: number;
  /** The fork's origin, or null for a stream created empty. */
  fork: ForkInfo | null;
  /** Forks made from this stream and not yet deleted or expired. */
  refs: number;
  /** Deleted (or expired) while forks still referred to it: 410 to every request, its path held. */
  softDeleted: boolean;
}

type MetaRow = {
  incarnation: number;
  live: number;
  content_type: string;
  ttl_seconds: number | null;
  expires_at: string | null;
  expires_at_ms: number | null;
  closed: number;
  closed_by: string | null;
  last_seq: string | null;
  accessed_ms: number;
  fork: string | null;
  refs: number;
  soft_deleted: number;
};

/**
 * Creates the stream's tables if missing: the meta row and the idempotent producers.
 *
 * @example
 * createStreamSchema(ctx.storage.sql); // beside the partition log's createSchema
 */
export function createStreamSchema(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS stream_meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    incarnation INTEGER NOT NULL,
    live INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    ttl_seconds INTEGER,
    expires_at TEXT,
    expires_at_ms INTEGER,
    closed INTEGER NOT NULL,
    closed_by TEXT,
    last_seq TEXT,
    accessed_ms INTEGER NOT NULL,
    fork TEXT,
    refs INTEGER NOT NULL,
    soft_deleted INTEGER NOT NULL
  )`);
  sql.exec(`CREATE TABLE IF NOT EXISTS stream_producers (
    producer_id TEXT PRIMARY KEY,
    epoch INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
  ) WITHOUT ROWID`);
}

/**
 * The stored row, or null before the first create.
 *
 * @example
 * const meta = loadStreamMeta(sql);
 * if (meta === null || !meta.live) return notFound();
 */
export function loadStreamMeta(sql: SqlStorage): StreamMeta | null {
  const row = sql.exec<MetaRow>("SELECT * FROM stream_meta WHERE id = 1").toArray()[0];
  if (row === undefined) return null;
  invariant(row.incarnation >= 1, "a stored incarnation is at least 1");
  return {
    incarnation: row.incarnation,
    live: row.live === 1,
    contentType: row.content_type,
    ttlSeconds: row.ttl_seconds,
    expiresAt: row.expires_at,
    expiresAtMs: row.expires_at_ms,
    closed: row.closed === 1,
    closedBy: row.closed_by === null ? null : (JSON.parse(row.closed_by) as ClosedBy),
    lastSeq: row.last_seq,
    accessedMs: row.accessed_ms,
    fork: row.fork === null ? null : (JSON.parse(row.fork) as ForkInfo),
    refs: row.refs,
    softDeleted: row.soft_deleted === 1,
  };
}

/**
 * Writes the row (insert or replace).
 *
 * @example
 * saveStreamMeta(sql, { ...meta, closed: true });
 */
export function saveStreamMeta(sql: SqlStorage, meta: StreamMeta): void {
  invariant(meta.incarnation >= 1 && meta.refs >= 0, "an incarnation is at least 1, references at least 0");
  sql.exec(
    `INSERT OR REPLACE INTO stream_meta (id, incarnation, live, content_type, ttl_seconds, expires_at, expires_at_ms, closed, closed_by, last_seq, accessed_ms, fork, refs, soft_deleted)
     VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    meta.incarnation,
    meta.live ? 1 : 0,
    meta.contentType,
    meta.ttlSeconds,
    meta.expiresAt,
    meta.expiresAtMs,
    meta.closed ? 1 : 0,
    meta.closedBy === null ? null : JSON.stringify(meta.closedBy),
    meta.lastSeq,
    meta.accessedMs,
    meta.fork === null ? null : JSON.stringify(meta.fork),
    meta.refs,
    meta.softDeleted ? 1 : 0,
  );
}

/**
 * When the stream expires (ms since the epoch), or null when it never does: the earlier of
 * Expires-At and the last access plus the TTL.
 *
 * @example
 * expiryMs({ ...meta, ttlSeconds: 60, accessedMs: 1_000 }); // 61_000
 */
export function expiryMs(meta: StreamMeta): number | null {
  const sliding = meta.ttlSeconds === null ? null : meta.accessedMs + meta.ttlSeconds * 1000;
  if (sliding === null) return meta.expiresAtMs;
  return meta.expiresAtMs === null ? sliding : Math.min(sliding, meta.expiresAtMs);
}
