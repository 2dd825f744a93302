/**
 * The Partition Durable Object: owns one partition's log, its idempotent-producer state and its
 * groups' committed offsets. The class is thin: each RPC method hands the work to a plain module
 * (log, producers, groups, waiters) and answers a Result, so errors keep their stable codes.
 *
 * Durability: a method writes with no await between its statements, so they commit atomically,
 * and the runtime's output gate holds the answer until storage confirms the write; an answered
 * offset therefore survives any restart. Appends go through a group commit (group-commit.ts):
 * those that arrive while an earlier one is being committed are applied together in one turn, so
 * they share one commit (one fsync locally), each still answered only once it is durable.
 *
 * Quotas: a produce by a principal (HTTP or socket) is admitted by its buckets (quota/quota-buckets.ts)
 * before anything is stored and charged after; a socket that authenticates is checked against
 * its principal's socket bound (quota/socket-quota.ts).
 *
 * Rules: PROTOCOL.md SOCKET-3, SOCKET-14, TOPIC-6, PRODUCE-6, FETCH-4, LOG-3, AUTH-9, AUTH-12, QUOTA-3, QUOTA-4, QUOTA-6, QUOTA-7.
 *
 * @example
 * const stub = partitionStub(env, topicId, 0);
 * const result = await stub.append({ topicId, timestamps: [null], tails: [tail], producer: null });
 */
import { DurableObject } from "cloudflare:workers";
import type { OffsetLookupResponse, PartitionOffsets, PartitionStats, TopicSchemas } from "../../client/protocol/index.ts";
import {
  CLOSE_TOPIC_DELETED,
  EdgelogError,
  isCompacted,
  PROTOCOL_VERSION,
  PROTOCOL_VERSIONS,
  type Principal,
  type ServerMessage,
} from "../../client/protocol/index.ts";
import { AlarmSchedule } from "../alarms.ts";
import { type Clock, type Clocked, systemClock } from "../clock.ts";
import type { Env } from "../env.ts";
import { errorJson } from "../error-response.ts";
import { QuotaBuckets } from "../quota/quota-buckets.ts";
import { type QuotaLimits, quotaDefaults, quotaLimits } from "../quota/quota-config.ts";
import { requireSocketRoom } from "../quota/socket-quota.ts";
import { capture, captureAsync, invariant, type Result } from "../result.ts";
import { SocketAuth } from "../sockets/socket-auth.ts";
import { SocketLayer } from "../sockets/socket-layer.ts";
import { isWebSocketUpgrade, upgradeRequired } from "../sockets/socket-upgrade.ts";
import { requestCharacters, storedBytes } from "./append-size.ts";
import { readPage } from "./compacted-reads.ts";
import { Compaction } from "./compaction.ts";
import { GroupCommit } from "./group-commit.ts";
import { type CommitInput, type CommittedOffset, commitOffset, committedOffset } from "./group-commits.ts";
import { earliest, Housekeeping } from "./housekeeping.ts";
import { KeyIndex, requireKeys } from "./keys.ts";
import { type LogPage, type PartitionIdentity, PartitionLog } from "./log.ts";
import {
  type AppendRequest,
  type AppendResult,
  type Position,
  type ProducePrincipal,
  type ReadRequest,
  TOPIC_ID_HEADER,
} from "./partition-api.ts";
import { handlePartitionSocketMessage, type SocketHost } from "./partition-messages.ts";
import { PartitionSchemas } from "./partition-schemas.ts";
import { ProducerTable, type ProducerVerdict } from "./producers.ts";
import { initialSocketState, type SocketState, Subscribers } from "./subscribers.ts";
import { createSchema } from "./tables.ts";
import { Waiters } from "./waiters.ts";
import { checkWatch, Watchers, wakeWatcher } from "./watchers.ts";

/**
 * The version of a partition socket's attachment state (`{sub, window, subscribes}`, see
 * subscribers.ts; 2 since the window became the socket's).
 *
 * @example
 * new SocketLayer(ctx, { version: PARTITION_SOCKET_VERSION, initial: initialSocketState, label: "partition" });
 */
export const PARTITION_SOCKET_VERSION = 2;

/**
 * The Partition Durable Object, one per partition of a topic incarnation (named `topicId/partition`),
 * as this module's header says. Its RPC methods answer a Result; the Worker unwraps it.
 *
 * @example
 * const stub = partitionStub(env, meta.topicId, 0);
 * const page = unwrap(await stub.read({ topicId: meta.topicId, offset: "earliest", limit: 100, maxBytes: 65_536, maxWaitMs: 0 }));
 */
export class Partition extends DurableObject<Env> implements SocketHost, Clocked {
  /** Where time comes from (a test sets another on the live object). */
  clock: Clock = systemClock;
  readonly log: PartitionLog;
  readonly sockets: SocketLayer<SocketState, ServerMessage>;
  readonly subscribers: Subscribers;
  /** Socket authentication (the first message, re-auth, expiry), on the shared alarm. */
  readonly auth: SocketAuth;
  /** Produce quotas per principal, in memory (bounded: QUOTA_BUCKETS_MAX). */
  readonly quotas = new QuotaBuckets();
  /** The deployment's default quotas (its vars), or what is wrong with them. */
  private readonly quotaDefaults: QuotaLimits | string;
  /** The one alarm, shared by retention and the sockets' authentication. */
  private readonly alarms: AlarmSchedule;
  private readonly producers: ProducerTable;
  /** A compacted topic's latest offset of each key (keys.ts). */
  readonly keys: KeyIndex;
  /** The topic's schemas, pushed by the registry; every append is validated first (SCHEMA-6). */
  readonly schemas: PartitionSchemas;
  private readonly waiters = new Waiters();
  /** The processors and connectors to wake on the next append (watchers.ts, PROC-7). */
  readonly watchers: Watchers;
  /** Concurrent appends (sockets' produce frames, RPC appends) sharing one storage commit. */
  readonly grouped = new GroupCommit<AppendRequest, AppendResult>({
    apply: (request) => this.appendNow(request),
    size: requestCharacters,
  });
  /** When this instance started: hibernation evicts it and the next event starts another. */
  private readonly startedAt = this.clock.now();
  /** Retention by time and size, and compaction, on the shared alarm. */
  readonly housekeeping: Housekeeping;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    createSchema(ctx.storage.sql);
    this.log = new PartitionLog(ctx.storage.sql);
    this.producers = new ProducerTable(ctx.storage.sql, this.log);
    this.keys = new KeyIndex(ctx.storage.sql, this.log.meter);
    this.schemas = new PartitionSchemas(ctx.storage.sql);
    const background = (promise: Promise<unknown>) => ctx.waitUntil(promise);
    this.watchers = new Watchers({ sql: ctx.storage.sql, durable: () => ctx.storage.sync(), background }, (w) => wakeWatcher(env, w));
    this.sockets = new SocketLayer(ctx, { version: PARTITION_SOCKET_VERSION, initial: initialSocketState, label: "partition" });
    const compaction = new Compaction({ log: this.log, keys: this.keys, transaction: (fn) => ctx.storage.transactionSync(fn) });
    this.subscribers = new Subscribers(
      this.sockets,
      this.log,
      { keys: this.keys, compaction },
      () => void this.alarms.atMost(this.clock.now() + 1),
    );
    this.alarms = new AlarmSchedule(ctx.storage);
    // Not awaited: the output gate still holds the answer until the alarm is stored.
    this.housekeeping = new Housekeeping(this.log, compaction, (dueMs) => void this.alarms.atMost(dueMs));
    this.quotaDefaults = quotaDefaults(env);
    this.auth = new SocketAuth(this.sockets, {
      env,
      clock: () => this.clock,
      schedule: (dueMs) => this.alarms.atMost(dueMs),
      greet: (ws) => this.sockets.send(ws, this.hello()),
      admitSocket: (ws, principal) => this.admitSocket(ws, principal),
    });
  }

  /** Accepts a subscriber's WebSocket (forwarded by the Worker with the topic incarnation). */
  override async fetch(request: Request): Promise<Response> {
    if (!isWebSocketUpgrade(request)) return upgradeRequired();
    const identity = this.log.identity;
    if (identity === null || identity.topicId !== request.headers.get(TOPIC_ID_HEADER)) {
      return errorJson("UNKNOWN_TOPIC", "the topic does not exist (it may have been deleted)");
    }
    const auth = await this.auth.initial();
    const { socket, response } = this.sockets.accept(auth);
    // When auth is required, nothing is sent before the socket authenticates (AUTH-9).
    if (auth.phase === "open") this.sockets.send(socket, this.hello());
    return response;
  }

  /** The socket's greeting (SOCKET-3). */
  private hello(): ServerMessage {
    const identity = this.log.identity!;
    return {
      type: "hello",
      version: PROTOCOL_VERSION,
      topic: identity.topic,
      topicId: identity.topicId,
      partition: identity.partition,
      logStartOffset: this.log.logStartOffset,
      highWatermark: this.log.highWatermark,
      versions: [...PROTOCOL_VERSIONS],
    };
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await this.sockets.receive(ws, message, (text) => handlePartitionSocketMessage(this, this.env, ws, text));
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.subscribers.forget(ws);
    this.sockets.closed(ws, code, reason);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.subscribers.forget(ws);
    this.sockets.errored(ws);
  }

  /** Makes this object partition `identity.partition` of topic incarnation `identity.topicId`. */
  init(identity: PartitionIdentity): Result<PartitionOffsets> {
    return capture(() => {
      this.log.init(identity);
      return this.offsetsNow(identity.partition);
    });
  }

  /** Deletes everything this partition holds; later calls answer UNKNOWN_TOPIC. */
  async drop(topicId: string): Promise<Result<null>> {
    if (this.log.identity?.topicId !== topicId) return { ok: true, value: null };
    for (const ws of this.sockets.all()) {
      this.sockets.send(ws, { type: "error", id: null, code: "UNKNOWN_TOPIC", message: "the topic was deleted" });
      this.sockets.close(ws, CLOSE_TOPIC_DELETED, "topic deleted");
    }
    await this.ctx.storage.deleteAlarm();
    this.alarms.cleared();
    await this.ctx.storage.deleteAll();
    createSchema(this.ctx.storage.sql);
    this.log.reload();
    this.producers.reload();
    this.housekeeping.cleared();
    this.schemas.reset();
    this.watchers.reload();
    this.waiters.wakeAll();
    return { ok: true, value: null };
  }

  /** Appends a batch (or recognises an idempotent retry), pushes it to subscribers, wakes long-polls and watchers. */
  append(request: AppendRequest): Promise<Result<AppendResult>> {
    return captureAsync(() => this.appendGrouped(request));
  }

  /**
   * An append in the partition's group commit (group-commit.ts): applied at once when the object
   * is idle, else with the other appends waiting, in one turn and so one commit; rejects with the
   * EdgelogError appendNow threw for this request alone.
   */
  appendGrouped(request: AppendRequest): Promise<AppendResult> {
    return this.grouped.submit(request);
  }

  /** Keeps the topic's schemas the registry pushes (the newest by `seq`); whether they were newer. */
  setSchemas(topicId: string, schemas: TopicSchemas): boolean {
    return this.schemas.set(topicId, schemas);
  }

  /**
   * The append itself, shared by RPC and socket produce; throws EdgelogError. A retry the
   * producer state recognises is answered before the quota (it stores nothing, costs nothing);
   * otherwise a principal's batch is admitted by its buckets (unless a request spanning
   * partitions was admitted already, `admitted`), appended, then charged.
   */
  appendNow(request: AppendRequest): AppendResult {
    const { config } = this.log.require(request.topicId);
    // A compacted topic keeps each key's latest record: a record without a key is refused (COMPACT-2).
    const keys = isCompacted(config) ? requireKeys(request.tails) : null;
    const count = request.tails.length;
    const { producer } = request;
    const verdict = producer ? this.producers.check(producer, count) : null;
    if (verdict?.duplicateOf != null) return { baseOffset: verdict.duplicateOf, count, duplicate: true };
    // After the retry check (a stored batch is answered as stored, whatever the schema is now),
    // before anything is stored; a refusal rejects this request alone (SCHEMA-6).
    this.schemas.check(request.topicId, request.tails);
    const now = this.clock.now();
    const principal = request.principal ?? null;
    const limits = principal === null ? null : this.limitsOf(principal.quota);
    if (principal !== null && limits !== null && request.admitted !== true) this.quotas.admit(principal.sub, limits, now);
    const highWatermarkBefore = this.log.highWatermark;
    const { baseOffset, batch } = this.store(request, verdict, keys, now);
    invariant(baseOffset === highWatermarkBefore && this.log.highWatermark === baseOffset + count, "append extends the log by count");
    if (principal !== null && limits !== null)
      this.quotas.take(principal.sub, limits, now, { events: count, bytes: storedBytes(request.tails) });
    this.housekeeping.afterAppend(now, batch.bytes);
    this.subscribers.afterAppend(batch);
    this.waiters.wakeAll();
    this.watchers.afterAppend();
    return { baseOffset, count, duplicate: false };
  }

  /**
   * Stores a batch and, for an idempotent producer, its state, and for a compacted topic its keys
   * (COMPACT-3): several statements, so in a transactionSync of their own (a savepoint inside the
   * turn's commit), so that a failure stores none of them and leaves the other requests of a group
   * commit whole; the log's bounds in memory are then read again from storage. Alone, the one
   * INSERT is atomic by itself.
   */
  private store(
    request: AppendRequest,
    verdict: ProducerVerdict | null,
    keys: string[] | null,
    now: number,
  ): ReturnType<PartitionLog["append"]> {
    const { producer } = request;
    const idempotent = producer !== null && verdict !== null;
    if (!idempotent && keys === null) return this.log.append(request.timestamps, request.tails, now);
    try {
      return this.ctx.storage.transactionSync(() => {
        const stored = this.log.append(request.timestamps, request.tails, now);
        if (keys !== null) this.keys.record(stored.baseOffset, keys);
        if (idempotent) this.producers.record(producer, request.tails.length, stored.baseOffset, verdict, now);
        return stored;
      });
    } catch (error) {
      this.log.reload();
      this.producers.reload();
      throw error;
    }
  }

  /**
   * Whether a request spanning partitions may produce here now (it asks each of them first, then
   * appends with `admitted`, so a refusal stores nothing anywhere): SCHEMA_VIOLATION for a record
   * of its `share` the topic's schemas refuse, QUOTA_EXCEEDED while `principal`'s buckets are in debt.
   */
  admitProduce(topicId: string, principal: ProducePrincipal | null, share?: { tails: string[]; indexes: number[] }): Result<null> {
    return capture(() => {
      this.log.require(topicId);
      if (share !== undefined) this.schemas.check(topicId, share.tails, share.indexes);
      if (principal !== null) this.quotas.admit(principal.sub, this.limitsOf(principal.quota), this.clock.now());
      return null;
    });
  }

  /** A principal's limits here: its claim's, else the deployment's defaults. */
  private limitsOf(claim: ProducePrincipal["quota"]): QuotaLimits {
    // The Worker refuses every request of a deployment whose quota vars are malformed (AUTH-14).
    if (typeof this.quotaDefaults === "string") throw new EdgelogError("AUTH_NOT_CONFIGURED", this.quotaDefaults);
    return quotaLimits(this.quotaDefaults, claim);
  }

  /** A socket authenticating: refused (QUOTA_EXCEEDED, then 4429) at its principal's socket bound. */
  private admitSocket(ws: WebSocket, principal: Principal): void {
    requireSocketRoom(this.sockets, ws, principal.sub, this.limitsOf(principal.quota).socketsMax);
  }

  /** Reads a page (compacted-reads.ts); an empty read at the end waits up to maxWaitMs for an append and registers its `watch` (PROC-7). */
  async read(request: ReadRequest): Promise<Result<LogPage>> {
    return captureAsync(async () => {
      this.log.require(request.topicId);
      const watch = request.watch === undefined ? null : checkWatch(request.watch);
      const parts = { log: this.log, keys: this.keys, compaction: this.housekeeping.compaction };
      const page = readPage(parts, request);
      const caughtUp = page.count === 0 && page.nextOffset >= this.log.highWatermark;
      if (watch !== null) page.watching = caughtUp && this.watchers.register(watch);
      if (!caughtUp || request.maxWaitMs <= 0) return page;
      await this.waiters.wait(request.maxWaitMs);
      this.log.require(request.topicId);
      const again = readPage(parts, { ...request, offset: page.nextOffset, cleaned: page.cleanedTombstonesBelow });
      // The reset a snapshot starts with holds for what the wait brought.
      return page.reset === true ? { ...again, reset: true } : again;
    });
  }

  /** The log's bounds. */
  offsets(topicId: string): Result<PartitionOffsets> {
    return capture(() => this.offsetsNow(this.log.require(topicId).partition));
  }

  /** Kafka's ListOffsets: earliest, latest, or the first record at or after a timestamp. */
  lookup(topicId: string, timestamp: Position): Result<OffsetLookupResponse> {
    return capture(() => {
      this.log.require(topicId);
      if (timestamp === "earliest") return { offset: this.log.logStartOffset, timestamp: null };
      if (timestamp === "latest") return { offset: this.log.highWatermark, timestamp: null };
      return this.log.offsetForTimestamp(timestamp);
    });
  }

  /** Kafka's deleteRecords: moves logStartOffset up to `before`. */
  deleteRecords(topicId: string, before: number): Result<PartitionOffsets> {
    return capture(() => {
      const { partition } = this.log.require(topicId);
      this.log.deleteBefore(before);
      return this.offsetsNow(partition);
    });
  }

  /** Commits a group's offset here (`generation` from a group member, null when standalone). */
  commit(topicId: string, group: string, offset: number, metadata: string | null, generation: number | null = null): Result<null> {
    return capture(() => this.commitNow(topicId, { group, offset, metadata, generation }));
  }

  /** The commit itself, shared by RPC and socket commits; throws EdgelogError. */
  commitNow(topicId: string, commit: CommitInput): null {
    this.log.require(topicId);
    commitOffset(this.ctx.storage.sql, this.log, commit, this.clock.now());
    return null;
  }

  /** A group's committed offset with the log's bounds. */
  groupOffset(topicId: string, group: string): Result<CommittedOffset & PartitionOffsets> {
    return capture(() => {
      const { partition } = this.log.require(topicId);
      return { ...committedOffset(this.ctx.storage.sql, group), ...this.offsetsNow(partition) };
    });
  }

  /**
   * Rows written and read since this object started (what a workload costs, measured), its
   * sockets, and when it started (a later start means it was evicted from memory meanwhile).
   */
  stats(): PartitionStats {
    const { rowsWritten, rowsRead, appendedRecords, appendedBytes } = this.log.meter;
    return {
      rowsWritten,
      rowsRead,
      appendedRecords,
      appendedBytes,
      highWatermark: this.log.highWatermark,
      logStartOffset: this.log.logStartOffset,
      storedBytes: this.ctx.storage.sql.databaseSize,
      sockets: this.sockets.all().length,
      subscribersPaused: this.subscribers.pausedCount(),
      longPollWaiters: this.waiters.size,
      watchers: this.watchers.size,
      startedAt: this.startedAt,
    };
  }

  /**
   * The shared alarm: retention deletes expired batches, the sockets' authentication closes and
   * notifies what is due; then the alarm is set for the earliest next time either needs.
   */
  override async alarm(): Promise<void> {
    this.alarms.cleared();
    const now = this.clock.now();
    this.auth.fire(now);
    const logDue = this.housekeeping.run(now);
    this.subscribers.resumeStalled();
    const socketsDue = this.auth.nextDue();
    const due = earliest(logDue, socketsDue);
    if (due !== null) await this.alarms.atMost(Math.max(due, now + 1));
  }

  private offsetsNow(partition: number): PartitionOffsets {
    return { partition, logStartOffset: this.log.logStartOffset, highWatermark: this.log.highWatermark };
  }
}
