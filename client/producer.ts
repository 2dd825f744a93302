/**
 * The producing side: every record is validated with the shared `encodeRecord` (a bad record
 * throws at once and never enters the outbox), placed on a partition with the shared partitioner
 * when the topic's partition count is known (cached), written to the persistent outbox, and sent
 * after PRODUCE_LINGER_MS in batches by outbox-sender.ts as an idempotent producer. A pass that
 * fails for the network leaves the outbox intact and is retried with bounded backoff, or at once
 * when the network comes back; one stopped by a quota (QUOTA_EXCEEDED) is retried after the
 * server's `retryAfterMs` (at most QUOTA_WAIT_MS_MAX), and `flush` waits it out; a reloaded page's outbox is sent by the next client on the same
 * database, exactly once, because its sealed batches are retried as they were.
 *
 * @example
 * const producer = new Producer(context);
 * const { partition, offset } = await producer.produce("orders", { key: "alice", value: { qty: 1 } });
 */
import { quotaWaitMs, reconnectDelayMs } from "./backoff.ts";
import { type OutboxEntry, type OutboxRecord, PARTITION_UNRESOLVED } from "./cache/types.ts";
import { cacheError, EdgelogClientError } from "./local-errors.ts";
import { FLUSH_PASSES_MAX, OFFSET_UNKNOWN, OUTBOX_RECORDS_MAX, PRODUCE_BATCH_RECORDS_MAX } from "./local-limits.ts";
import { type PassResult, type PassRunnerFactory, type SenderContext, sendOutbox } from "./outbox-sender.ts";
import type { JsonValue, RecordInput, RecordPosition } from "./protocol/index.ts";
import { EdgelogError, type EncodedRecord, encodeRecord, partitionForKey, stickyPartition, topicName } from "./protocol/index.ts";

/**
 * A record to produce: the protocol's record input (key, value, headers, timestamp, partition),
 * with its value typed `T` (any JSON by default; a typed topic's value type otherwise).
 *
 * @example
 * const record: ProduceRecord = { key: "alice", value: { item: "book" }, headers: { source: "web" } };
 * const order: ProduceRecord<Order> = { key: "alice", value: { id: "o-1", qty: 2 } };
 */
export interface ProduceRecord<T = JsonValue> extends Omit<RecordInput, "value"> {
  value: T;
}

/**
 * A record safely queued: its outbox id, where it goes (null until known) and its acknowledgement.
 *
 * @example
 * const queued = await client.enqueue("orders", { value: 1 }); // safely in the outbox
 * const { offset } = await queued.delivered;
 */
export interface Queued {
  id: number;
  topic: string;
  partition: number | null;
  /** Resolves once the server acknowledged the record; `offset` is OFFSET_UNKNOWN after DUPLICATE_SEQUENCE. */
  delivered: Promise<RecordPosition>;
}

/**
 * An outbox entry as a UI shows it.
 *
 * @example
 * for (const r of await client.outbox()) list.append(`${r.topic}: ${JSON.stringify(r.value)}${r.sent ? " (sending)" : ""}`);
 */
export interface QueuedRecord {
  id: number;
  topic: string;
  partition: number | null;
  key: string | null;
  value: OutboxRecord["value"];
  headers: Record<string, string>;
  timestamp: number | null;
  enqueuedAt: number;
  /** Whether it was sent at least once (its answer may have been lost: it will be retried as is). */
  sent: boolean;
}

/**
 * What the producer needs from its client.
 *
 * @example
 * const producer = new Producer({ cache, http, cachedPartitionCount, fetchPartitionCount, reportError, sleep, lingerMs: 10 });
 */
export interface ProducerContext extends Omit<SenderContext, "delivered" | "undeliverable"> {
  /** The topic's partition count from the cache only (no network), or undefined. */
  cachedPartitionCount(topic: string): Promise<number | undefined>;
  lingerMs: number;
  /** Refuses a record its topic's cached registry schemas refuse (SCHEMA_VIOLATION, SCHEMA-8). */
  checkSchemas?(topic: string, encoded: EncodedRecord): Promise<void>;
  /** Where passes run (default: here, with sendOutbox); tabs sharing an outbox run them in the leader tab. */
  passRunner?: PassRunnerFactory;
  /**
   * The outbox changed: told after each enqueue, and after each pass when the passes run here
   * (a pass runner tells of its own passes: tabs/outbox-relay.ts).
   */
  outboxChanged?(): void;
}

interface Deferred {
  resolve(position: RecordPosition): void;
  reject(error: Error): void;
}

/**
 * Queues, batches and sends produced records through the outbox.
 *
 * @example
 * const producer = new Producer(context);
 * const queued = await producer.enqueue("orders", { key: "alice", value: 1 });
 * await producer.flush();
 */
export class Producer {
  private readonly ctx: ProducerContext;
  private readonly pending = new Map<number, Deferred>();
  /** Keyless records queued since the last pass stick to one partition per topic. */
  private readonly sticky = new Map<string, number>();
  private queuedSincePass = 0;
  private lingerTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryAttempt = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private nextPass: Promise<PassResult> | null = null;
  private fenced: EdgelogError | null = null;
  private closed = false;

  private readonly runPass: () => Promise<PassResult>;

  constructor(ctx: ProducerContext) {
    this.ctx = ctx;
    this.runPass = ctx.passRunner?.(this.senderContext()) ?? (() => sendOutbox(this.senderContext()));
  }

  /**
   * Validates, places and queues a record; resolves once it is in the outbox. A bad record is
   * refused with the protocol's code before the cache is touched (SCHEMA_VIOLATION when the
   * topic's registry schema refuses it, SCHEMA-8); a failed outbox write is
   * CACHE_QUOTA_EXCEEDED or CACHE_FAILED (or OUTBOX_FULL).
   */
  async enqueue(topic: string, input: ProduceRecord): Promise<Queued> {
    if (this.closed) throw new EdgelogClientError("CLOSED", "the client is closed");
    topicName(topic);
    const encoded = encodeJson(input);
    await this.ctx.checkSchemas?.(topic, encoded);
    const record = outboxRecord(encoded);
    const count = await this.ctx.cachedPartitionCount(topic);
    if (count !== undefined && encoded.partition !== null && encoded.partition >= count) {
      throw new EdgelogError("UNKNOWN_PARTITION", `topic "${topic}" has ${count} partitions; there is no partition ${encoded.partition}`);
    }
    const partition = encoded.partition ?? (count === undefined ? PARTITION_UNRESOLVED : this.place(topic, encoded.key, count));
    let id: number;
    try {
      id = await this.ctx.cache.outboxAdd({ topic, partition, record, bytes: encoded.bytes, enqueuedAt: Date.now() }, OUTBOX_RECORDS_MAX);
    } catch (error) {
      throw cacheError(error, "queueing a record");
    }
    const delivered = new Promise<RecordPosition>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    // Marked handled here: a caller that only wanted "queued" must not get an unhandled rejection.
    delivered.catch(() => undefined);
    // Fenced: this client can no longer send (another holder of the producer id may, later).
    if (this.fenced !== null) this.settle(id)?.reject(this.fenced);
    this.queuedSincePass++;
    this.ctx.outboxChanged?.();
    this.scheduleLinger();
    return { id, topic, partition: partition === PARTITION_UNRESOLVED ? null : partition, delivered };
  }

  /** Queues a record and resolves with its position once the server acknowledged it. */
  async produce(topic: string, input: ProduceRecord): Promise<RecordPosition> {
    return (await this.enqueue(topic, input)).delivered;
  }

  /**
   * Sends everything queued before the call; resolves when all of it is acknowledged. Rejects
   * (leaving the outbox intact) when the network fails or a batch cannot be sent now.
   */
  async flush(): Promise<void> {
    const before = await this.ctx.cache.outboxList(OUTBOX_RECORDS_MAX);
    const lastId = before[before.length - 1]?.id;
    if (lastId === undefined) return;
    for (let pass = 0; pass < FLUSH_PASSES_MAX; pass++) {
      const result = await this.pass();
      const left = await this.ctx.cache.outboxList(OUTBOX_RECORDS_MAX);
      if (!left.some((entry) => entry.id <= lastId)) return;
      if (result.fenced !== null) throw result.fenced;
      // Throttled, nothing lost: wait as the server says, then pass again (bounded by the passes).
      if (isQuotaExceeded(result.failure)) {
        await this.ctx.sleep(quotaWaitMs(result.failure.retryAfterMs, pass, this.ctx.random));
        continue;
      }
      if (result.failure !== null) throw result.failure;
      if (result.removed === 0) throw new EdgelogClientError("NETWORK", "the outbox made no progress; it will be retried");
    }
    throw new EdgelogClientError("TIMEOUT", `the outbox was not empty after ${FLUSH_PASSES_MAX} passes`);
  }

  /** The records waiting in the outbox, oldest first. */
  async outbox(): Promise<QueuedRecord[]> {
    const entries = await this.ctx.cache.outboxList(OUTBOX_RECORDS_MAX);
    return entries.map(toQueuedRecord);
  }

  /** The network is (probably) back: send now rather than after the backoff. */
  wake(): void {
    if (this.closed || this.fenced !== null) return;
    this.retryAttempt = 0;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    void this.pass();
  }

  /** Stops sending. Queued records stay in the outbox (persistent caches send them next time). */
  close(): void {
    this.closed = true;
    for (const timer of [this.lingerTimer, this.retryTimer]) if (timer !== null) clearTimeout(timer);
    this.lingerTimer = this.retryTimer = null;
    this.rejectAll(new EdgelogClientError("CLOSED", "the client closed before the record was acknowledged; it stays in the outbox"));
  }

  /** The partition of a record without an explicit one: its key's, or the topic's sticky one. */
  private place(topic: string, key: string | null, count: number): number {
    if (key !== null) return partitionForKey(key, count);
    let partition = this.sticky.get(topic);
    if (partition === undefined || partition >= count) {
      partition = stickyPartition(count);
      this.sticky.set(topic, partition);
    }
    return partition;
  }

  private scheduleLinger(): void {
    if (this.queuedSincePass >= PRODUCE_BATCH_RECORDS_MAX) {
      void this.pass();
      return;
    }
    this.lingerTimer ??= setTimeout(() => {
      this.lingerTimer = null;
      void this.pass();
    }, this.ctx.lingerMs);
  }

  /**
   * Runs a pass after any running one. Passes are serial; a pass not yet started serves every
   * caller (it will see everything queued so far), so bursts of triggers cost one pass.
   */
  private pass(): Promise<PassResult> {
    if (this.nextPass !== null) return this.nextPass;
    const pass = this.chain.then(async (): Promise<PassResult> => {
      this.nextPass = null;
      if (this.fenced !== null) return { removed: 0, failure: null, fenced: this.fenced };
      this.queuedSincePass = 0;
      this.sticky.clear();
      let result: PassResult;
      try {
        result = await this.runPass();
      } catch (error) {
        const failure =
          error instanceof EdgelogError || error instanceof EdgelogClientError
            ? error
            : new EdgelogClientError("CACHE_FAILED", `sending the outbox failed: ${(error as Error)?.message ?? String(error)}`, {
                cause: error,
              });
        result = { removed: 0, failure, fenced: null };
      }
      this.afterPass(result);
      if (this.ctx.passRunner === undefined) this.ctx.outboxChanged?.();
      return result;
    });
    this.nextPass = pass;
    this.chain = pass.catch(() => undefined);
    return pass;
  }

  private afterPass(result: PassResult): void {
    if (result.fenced !== null) {
      this.fenced = result.fenced;
      this.ctx.reportError(result.fenced);
      this.rejectAll(result.fenced);
      return;
    }
    if (result.failure === null) {
      this.retryAttempt = 0;
      return;
    }
    // A quota refusal is a wait the server asked for (QUOTA-6), not a failure to report.
    const { failure } = result;
    const quota = isQuotaExceeded(failure);
    if (!quota && (failure instanceof EdgelogError || !failure.retriable)) this.ctx.reportError(failure);
    if (this.closed || this.retryTimer !== null) return;
    const delayMs = quota
      ? quotaWaitMs(failure.retryAfterMs, this.retryAttempt, this.ctx.random)
      : reconnectDelayMs(this.retryAttempt++, this.ctx.random);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.closed) void this.pass();
    }, delayMs);
  }

  private senderContext(): SenderContext {
    return {
      ...this.ctx,
      delivered: (entries, offsets) => {
        entries.forEach((entry, i) => {
          const position = offsets?.[i] ?? { partition: entry.partition, offset: OFFSET_UNKNOWN };
          this.settle(entry.id)?.resolve(position);
        });
      },
      undeliverable: (entries, error) => {
        for (const entry of entries) this.settle(entry.id)?.reject(error);
      },
    };
  }

  private settle(id: number): Deferred | undefined {
    const deferred = this.pending.get(id);
    this.pending.delete(id);
    return deferred;
  }

  private rejectAll(error: Error): void {
    for (const [id, deferred] of this.pending) {
      this.pending.delete(id);
      deferred.reject(error);
    }
  }
}

/** Whether a pass stopped on a quota (the server stored nothing and said how long to wait). */
function isQuotaExceeded(failure: EdgelogError | EdgelogClientError | null): failure is EdgelogError {
  return failure instanceof EdgelogError && failure.code === "QUOTA_EXCEEDED";
}

/** encodeRecord, with a value JSON cannot encode (a BigInt, a cycle) refused as INVALID_RECORD too. */
function encodeJson(input: ProduceRecord): EncodedRecord {
  try {
    return encodeRecord(input, "record");
  } catch (error) {
    if (error instanceof EdgelogError) throw error;
    throw new EdgelogError("INVALID_RECORD", `record.value is not JSON: ${(error as Error)?.message ?? String(error)}`);
  }
}

/**
 * The record the outbox keeps, from its one validated encoding: the JSON that was checked is the
 * JSON that is sent (a value is never stringified twice, so one whose `toJSON` answers otherwise
 * the next time cannot slip past the checks), and it clones cleanly into IndexedDB.
 */
function outboxRecord(encoded: EncodedRecord): OutboxRecord {
  const parsed = JSON.parse(`{${encoded.tail}`) as { value: OutboxRecord["value"]; headers: Record<string, string> };
  const record: OutboxRecord = { key: encoded.key, value: parsed.value };
  if (Object.keys(parsed.headers).length > 0) record.headers = parsed.headers;
  if (encoded.timestamp !== null) record.timestamp = encoded.timestamp;
  return record;
}

/**
 * An outbox entry as `outbox()` lists it.
 *
 * @example
 * const shown = (await cache.outboxList(10)).map(toQueuedRecord);
 */
export function toQueuedRecord(entry: OutboxEntry): QueuedRecord {
  return {
    id: entry.id,
    topic: entry.topic,
    partition: entry.partition === PARTITION_UNRESOLVED ? null : entry.partition,
    key: entry.record.key,
    value: entry.record.value,
    headers: entry.record.headers ?? {},
    timestamp: entry.record.timestamp ?? null,
    enqueuedAt: entry.enqueuedAt,
    sent: entry.batch !== null,
  };
}
