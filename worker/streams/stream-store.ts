/**
 * One Durable Stream's state over its object's SQLite: the metadata row (stream-meta.ts), the
 * idempotent producers (stream-producers.ts) and the messages in the partition log's own tables,
 * written and read by PartitionLog (one append, one batch). Every method runs without an await,
 * so what it writes commits atomically; expiry is checked on every access (and by the alarm).
 *
 * Rules: PROTOCOL.md STREAM-2, STREAM-3, STREAM-5, STREAM-6, STREAM-9, STREAM-10.
 *
 * @example
 * const store = new StreamStore(ctx.storage.sql);
 * store.create({ contentType: "text/plain", ttlSeconds: null, expiresAt: null, expiresAtMs: null, closed: false }, [], Date.now());
 */
import { EdgelogError, STREAM_READ_BYTES_MAX } from "../../client/protocol/index.ts";
import { PartitionLog } from "../partition/log.ts";
import { createSchema } from "../partition/tables.ts";
import { invariant } from "../result.ts";
import { mediaType } from "./stream-messages.ts";
import {
  type ClosedBy,
  createStreamSchema,
  expiryMs,
  type ForkInfo,
  loadStreamMeta,
  type StreamMeta,
  saveStreamMeta,
} from "./stream-meta.ts";
import { streamOffset } from "./stream-offsets.ts";
import { commitProducer, type ProducerHeaders, type ProducerVerdict, validateProducer } from "./stream-producers.ts";

/** Records one read takes at most (the byte bound usually ends it first). */
const STREAM_READ_RECORDS_MAX = 1_000;

/**
 * What a create asks for (STREAM-3 compares it with an existing stream's).
 *
 * @example
 * const config: StreamConfig = { contentType: "application/json", ttlSeconds: 60, expiresAt: null, expiresAtMs: null, closed: false };
 */
export interface StreamConfig {
  contentType: string;
  ttlSeconds: number | null;
  expiresAt: string | null;
  expiresAtMs: number | null;
  closed: boolean;
}

/**
 * What an append carries beside its record tails.
 *
 * @example
 * const options: AppendOptions = { contentType: "text/plain", seq: null, producer: null, close: false };
 */
export interface AppendOptions {
  contentType: string;
  seq: string | null;
  producer: ProducerHeaders | null;
  close: boolean;
}

/**
 * What an append did: stored (with its producer's verdict when it had one), a producer refusal
 * (nothing stored), or refused because the stream is closed (`duplicate` when it is the retry
 * of the append that closed it).
 *
 * @example
 * const outcome: AppendOutcome = { kind: "stored", closed: false };
 */
export type AppendOutcome =
  | { kind: "stored"; closed: boolean }
  | { kind: "producer"; verdict: Exclude<ProducerVerdict, { status: "accepted" }> }
  | { kind: "closed"; duplicate: boolean };

/**
 * A page read from a position: the records' JSON, the position after them, and whether that is the tail.
 *
 * @example
 * const page: StreamPage = store.read(0); // page.upToDate when nothing is left
 */
export interface StreamPage {
  recordsJson: string;
  count: number;
  next: number;
  upToDate: boolean;
}

/**
 * The stream's state (see this module's header).
 *
 * @example
 * const store = new StreamStore(sql);
 * const meta = store.current(Date.now()); // null when there is no live stream here
 */
export class StreamStore {
  readonly sql: SqlStorage;
  readonly log: PartitionLog;
  private meta: StreamMeta | null;
  /** The source a just-wiped fork must release (the object does it, over RPC, after the request). */
  pendingRelease: string | null = null;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    createSchema(sql);
    createStreamSchema(sql);
    this.log = new PartitionLog(sql);
    this.meta = loadStreamMeta(sql);
  }

  /**
   * The live stream's metadata, or null (none, deleted, soft-deleted, or expired: an expired one
   * is wiped now, or soft-deleted while forks refer to it).
   */
  current(nowMs: number): StreamMeta | null {
    const meta = this.meta;
    if (meta === null || !meta.live || meta.softDeleted) return null;
    const expires = expiryMs(meta);
    if (expires !== null && nowMs >= expires) {
      this.remove();
      return null;
    }
    return meta;
  }

  /** The live stream's metadata, or NOT_FOUND (STREAM_GONE when soft-deleted). */
  require(nowMs: number): StreamMeta {
    const meta = this.current(nowMs);
    if (meta !== null) return meta;
    if (this.meta?.live === true && this.meta.softDeleted) {
      throw new EdgelogError("STREAM_GONE", "the stream was deleted; its forks still read it");
    }
    throw new EdgelogError("NOT_FOUND", "no such stream");
  }

  /** Whether the stream is soft-deleted (its path held for its forks). */
  get softDeleted(): boolean {
    return this.meta?.live === true && this.meta.softDeleted;
  }

  /** A fork now refers to this stream. */
  addFork(): void {
    invariant(this.meta?.live === true, "a fork refers to a created stream");
    this.save({ ...this.meta, refs: this.meta.refs + 1 });
  }

  /** A fork of this stream is gone: the last one wipes a soft-deleted stream. */
  releaseFork(): void {
    if (this.meta === null || !this.meta.live) return;
    const refs = Math.max(0, this.meta.refs - 1);
    this.save({ ...this.meta, refs });
    if (refs === 0 && this.meta.softDeleted) this.wipe();
  }

  /** The offset token of a position in the current incarnation. */
  offset(position: number): string {
    invariant(this.meta !== null, "an offset is issued for a created stream");
    return streamOffset(this.meta.incarnation, position);
  }

  /** The tail position (one past the last message). */
  get tail(): number {
    return this.log.highWatermark;
  }

  /**
   * Creates the stream (`created`) or, when one exists with the same config, changes nothing;
   * another config is STREAM_EXISTS. `tails` (the initial body's) are appended on creation only.
   */
  create(config: StreamConfig, tails: readonly string[], nowMs: number): { created: boolean; meta: StreamMeta } {
    const existing = this.existing(config, null, nowMs);
    if (existing !== null) return { created: false, meta: existing };
    return { created: true, meta: this.start(config, null, [tails], nowMs) };
  }

  /**
   * The stream already here when its config (and fork origin) is the one asked, null when there
   * is none; STREAM_EXISTS for another config or a soft-deleted stream holding the path.
   */
  existing(config: StreamConfig, fork: ForkInfo | null, nowMs: number): StreamMeta | null {
    const existing = this.current(nowMs);
    if (this.softDeleted) throw new EdgelogError("STREAM_EXISTS", "a deleted stream whose forks still read it holds this path");
    if (existing === null) return null;
    if (!sameConfig(existing, config) || !sameFork(existing.fork, fork)) {
      throw new EdgelogError("STREAM_EXISTS", "a stream exists here with another configuration");
    }
    return existing;
  }

  /**
   * Starts a new incarnation with `batches` (each appended as one batch; empty ones skipped): the
   * next one, or `incarnationMin` when higher (a fork takes its source's, so it shares its
   * offsets, STREAM-18).
   */
  start(
    config: StreamConfig,
    fork: ForkInfo | null,
    batches: readonly (readonly string[])[],
    nowMs: number,
    incarnationMin = 1,
  ): StreamMeta {
    const incarnation = Math.max((this.meta?.incarnation ?? 0) + 1, incarnationMin);
    const meta: StreamMeta = {
      incarnation,
      live: true,
      ...config,
      closedBy: null,
      lastSeq: null,
      accessedMs: nowMs,
      fork,
      refs: 0,
      softDeleted: false,
    };
    invariant(this.log.highWatermark === 0, "a new incarnation starts with an empty log");
    saveStreamMeta(this.sql, meta);
    this.meta = meta;
    for (const tails of batches) if (tails.length > 0) this.log.append(new Array<null>(tails.length).fill(null), tails, nowMs);
    return meta;
  }

  /**
   * Appends the records `makeTails` gives (none for a close alone; see AppendOutcome). Stream-Seq not above the last is STREAM_CONFLICT, as is another content type.
   */
  append(makeTails: () => readonly string[], options: AppendOptions, nowMs: number): AppendOutcome {
    const meta = this.require(nowMs);
    if (meta.closed) return { kind: "closed", duplicate: isClosingTuple(meta.closedBy, options.producer) };
    if (mediaType(options.contentType) !== mediaType(meta.contentType)) {
      throw new EdgelogError("STREAM_CONFLICT", `this stream's content type is ${meta.contentType}`);
    }
    const verdict = options.producer === null ? null : validateProducer(this.sql, options.producer);
    if (verdict !== null && verdict.status !== "accepted") return { kind: "producer", verdict };
    if (options.seq !== null && meta.lastSeq !== null && options.seq <= meta.lastSeq) {
      throw new EdgelogError("STREAM_CONFLICT", `Stream-Seq must be above the last one (${meta.lastSeq})`);
    }
    // The body is parsed only now: a closed stream, another content type or a producer's
    // refusal is answered first, whatever the body holds.
    const tails = makeTails();
    if (tails.length > 0) this.log.append(new Array<null>(tails.length).fill(null), tails, nowMs);
    if (verdict !== null) commitProducer(this.sql, verdict, nowMs);
    const closedBy = options.close && options.producer !== null ? { ...options.producer } : meta.closedBy;
    this.save({ ...meta, lastSeq: options.seq ?? meta.lastSeq, closed: meta.closed || options.close, closedBy, accessedMs: nowMs });
    return { kind: "stored", closed: options.close };
  }

  /**
   * Deletes the stream (NOT_FOUND when there is none): its messages and producers go, its
   * incarnation stays; with forks referring to it, it is soft-deleted instead.
   */
  delete(nowMs: number): void {
    this.require(nowMs);
    this.remove();
  }

  /** Wipes the stream, or soft-deletes it while forks refer to it. */
  private remove(): void {
    invariant(this.meta !== null, "only a created stream is removed");
    if (this.meta.refs > 0) this.save({ ...this.meta, softDeleted: true });
    else this.wipe();
  }

  /** Reads from `position` (inside [0, tail]) at most STREAM_READ_BYTES_MAX bytes, the first record always. */
  read(position: number): StreamPage {
    invariant(position >= 0 && position <= this.log.highWatermark, "a read starts inside the log");
    const page = this.log.read(position, STREAM_READ_RECORDS_MAX, STREAM_READ_BYTES_MAX);
    return { recordsJson: page.recordsJson, count: page.count, next: page.nextOffset, upToDate: page.nextOffset === page.highWatermark };
  }

  /** Slides the TTL: the stream was read or written now. */
  touch(nowMs: number): void {
    const meta = this.current(nowMs);
    if (meta !== null && meta.ttlSeconds !== null) this.save({ ...meta, accessedMs: nowMs });
  }

  /** Drops every message and producer and marks the stream gone (delete, expiry). */
  private wipe(): void {
    invariant(this.meta !== null, "only a created stream is wiped");
    this.sql.exec("DELETE FROM batches");
    this.sql.exec("DELETE FROM stream_producers");
    if (this.meta.fork !== null) this.pendingRelease = this.meta.fork.source;
    this.save({ ...this.meta, live: false, closed: false, closedBy: null, lastSeq: null, fork: null, refs: 0, softDeleted: false });
    this.log.reload();
  }

  private save(meta: StreamMeta): void {
    saveStreamMeta(this.sql, meta);
    this.meta = meta;
  }
}

/** Whether a create's config is the existing stream's (STREAM-3). */
function sameConfig(meta: StreamMeta, config: StreamConfig): boolean {
  return (
    mediaType(meta.contentType) === mediaType(config.contentType) &&
    meta.ttlSeconds === config.ttlSeconds &&
    meta.expiresAt === config.expiresAt &&
    meta.closed === config.closed
  );
}

/** Whether two fork origins are the same create (an omitted Stream-Fork-Offset matches any). */
function sameFork(existing: ForkInfo | null, asked: ForkInfo | null): boolean {
  if (existing === null || asked === null) return existing === asked;
  return (
    existing.source === asked.source &&
    (asked.offset === null || asked.offset === existing.offset || asked.position === existing.position) &&
    existing.subOffset === asked.subOffset
  );
}

/** Whether `producer` is the tuple that closed the stream. */
function isClosingTuple(closedBy: ClosedBy | null, producer: ProducerHeaders | null): boolean {
  return (
    closedBy !== null &&
    producer !== null &&
    closedBy.producerId === producer.producerId &&
    closedBy.epoch === producer.epoch &&
    closedBy.seq === producer.seq
  );
}
