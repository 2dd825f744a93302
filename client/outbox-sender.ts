/**
 * One pass over the outbox: place records whose partition was unknown, then send each
 * partition's records in enqueue order as idempotent batches, one request in flight per
 * partition (so sequences never race), partitions in parallel.
 *
 * Placing looks each topic's partition count up on its own: a topic the server says does not
 * exist (UNKNOWN_TOPIC) has its waiting records removed and their promises rejected, reported
 * once; a topic whose lookup fails for the network waits for a later pass. Neither stops the
 * other topics' records, so one bad record never blocks the outbox.
 *
 * How each answer is taken:
 * - offsets (or `duplicate: true`, a retry the server recognised): delivered; removed;
 * - DUPLICATE_SEQUENCE: delivered long ago, offsets forgotten: removed, offset OFFSET_UNKNOWN;
 * - OUT_OF_ORDER_SEQUENCE or INTERNAL: the same batch again after a backoff, at most
 *   PRODUCE_RETRIES_MAX times, then the partition waits for the next pass (order is never broken);
 * - QUOTA_EXCEEDED (nothing was stored): the same batch again after the server's `retryAfterMs`
 *   (at most QUOTA_WAIT_MS_MAX), within the pass's budget (QUOTA_PASS_WAIT_MS_MAX); past it the
 *   partition stops, the batch stays sealed, and the producer starts the next pass after the wait
 *   (PROTOCOL.md QUOTA-6: the outbox is kept);
 * - the network failing (or a timeout: the answer may be lost): the partition stops; its batch
 *   stays sealed in the outbox, so the next pass repeats it exactly and the server deduplicates;
 * - UNKNOWN_PRODUCER_ID: one request in flight per partition, so the server forgot this producer
 *   (PROTOCOL.md PRODUCER-9: only once all its batches left the log): the batch is sealed again
 *   under a new producer id at sequence 0 and sent at once, and the error is reported (if the
 *   batch had been appended before, its records were deleted since, and are appended again);
 * - PRODUCER_FENCED: another holder of this producer id has a newer epoch: stop everything;
 * - SCHEMA_VIOLATION of a batch holding records the client could not check (its topic's schemas
 *   were not cached yet): the schemas are fetched and each record checked; the ones refused are
 *   removed and rejected, the others sealed again (a new producer id, as above: nothing was
 *   appended) and sent. When the schemas cannot be read, the whole batch is refused, as below;
 * - any other server error (UNKNOWN_TOPIC, UNKNOWN_PARTITION, ...): the batch can never be
 *   appended: removed, its sequences given back (the server appended nothing, so the next batch
 *   must start where it did), its records' promises rejected, the error reported.
 *
 * @example
 * const result = await sendOutbox(context);
 * if (result.failure) scheduleRetry();
 */
import { quotaWaitMs, reconnectDelayMs } from "./backoff.ts";
import { type EventCache, type OutboxEntry, PARTITION_UNRESOLVED, type SealedBatch } from "./cache/types.ts";
import type { HttpApi } from "./http-api.ts";
import { EdgelogClientError } from "./local-errors.ts";
import {
  OUTBOX_RECORDS_MAX,
  PRODUCE_BATCH_BYTES_MAX,
  PRODUCE_BATCH_RECORDS_MAX,
  PRODUCE_RETRIES_MAX,
  QUOTA_PASS_WAIT_MS_MAX,
  QUOTA_PASS_WAITS_MAX,
} from "./local-limits.ts";
import type { RecordPosition } from "./protocol/index.ts";
import { EdgelogError, partitionForKey, stickyPartition } from "./protocol/index.ts";

/**
 * What a pass needs.
 *
 * @example
 * await sendOutbox({ cache, http, fetchPartitionCount, delivered, undeliverable, reportError, sleep });
 */
export interface SenderContext {
  cache: EventCache;
  http: HttpApi;
  /** Fetches a topic's partition count (and caches it); throws when it cannot. */
  fetchPartitionCount(topic: string): Promise<number>;
  /** Records delivered: resolve their promises (`offsets` null: delivered, offsets unknown). */
  delivered(entries: readonly OutboxEntry[], offsets: readonly RecordPosition[] | null): void;
  /** Records that can never be delivered: reject their promises. */
  undeliverable(entries: readonly OutboxEntry[], error: EdgelogError): void;
  reportError(error: EdgelogError | EdgelogClientError): void;
  sleep(ms: number): Promise<void>;
  random?: () => number;
  /**
   * After a batch was refused with SCHEMA_VIOLATION (SCHEMA-6): the ids of its entries that fail
   * the topic's schemas fetched again, or an empty set when they cannot be read.
   */
  schemaRefused?(topic: string, entries: readonly OutboxEntry[]): Promise<ReadonlySet<number>>;
}

/**
 * How a pass went.
 *
 * @example
 * const { removed, failure, fenced } = await sendOutbox(context);
 */
export interface PassResult {
  /** Entries removed from the outbox (delivered or undeliverable). */
  removed: number;
  /** Why some partition stopped short (the network, a stuck batch), if one did. */
  failure: EdgelogError | EdgelogClientError | null;
  /** Set when the producer was fenced: nothing more can be sent. */
  fenced: EdgelogError | null;
}

/**
 * Runs a producer's passes elsewhere: given the producer's sender context once (its `delivered`
 * and `undeliverable` settle the producer's promises), answers the function each pass calls.
 * Tabs sharing one outbox use it to run every pass in the leader tab (tabs/outbox-relay.ts).
 *
 * @example
 * const here: PassRunnerFactory = (sender) => () => sendOutbox(sender);
 */
export type PassRunnerFactory = (sender: SenderContext) => () => Promise<PassResult>;

type Outcome =
  | { kind: "ok"; offsets: RecordPosition[] | null }
  | { kind: "unknown-producer"; error: EdgelogError }
  | { kind: "retry-later"; error: EdgelogError | EdgelogClientError }
  | { kind: "fenced"; error: EdgelogError }
  | { kind: "fatal"; error: EdgelogError };

/**
 * Runs one pass over the outbox.
 *
 * @example
 * const { removed, failure } = await sendOutbox(context);
 */
export async function sendOutbox(ctx: SenderContext): Promise<PassResult> {
  const result: PassResult = { removed: 0, failure: null, fenced: null };
  let entries: OutboxEntry[];
  try {
    entries = await ctx.cache.outboxList(OUTBOX_RECORDS_MAX);
    entries = await placeUnresolved(ctx, entries, result);
  } catch (error) {
    result.failure = asError(error);
    return result;
  }
  const groups = groupBy(entries, (entry) => (entry.partition === PARTITION_UNRESOLVED ? null : `${entry.topic}/${entry.partition}`));
  await Promise.all([...groups.values()].map((group) => sendPartition(ctx, group, result)));
  return result;
}

/**
 * Chooses partitions for entries queued while their topic's partition count was unknown, topic
 * by topic (see the module comment); answers the entries left to send.
 */
async function placeUnresolved(ctx: SenderContext, entries: OutboxEntry[], result: PassResult): Promise<OutboxEntry[]> {
  const topics = groupBy(entries, (entry) => (entry.partition === PARTITION_UNRESOLVED ? entry.topic : null));
  if (topics.size === 0) return entries;
  const placed = new Map<number, number>();
  const gone = new Set<number>();
  for (const [topic, waiting] of topics) {
    let count: number;
    try {
      count = await ctx.fetchPartitionCount(topic);
    } catch (error) {
      if (error instanceof EdgelogError && error.code === "UNKNOWN_TOPIC") {
        // Unplaced entries were never sealed: removing them gives no sequence back.
        await ctx.cache.outboxRemove(waiting.map((entry) => entry.id));
        for (const entry of waiting) gone.add(entry.id);
        result.removed += waiting.length;
        ctx.undeliverable(waiting, error);
        ctx.reportError(error);
      } else result.failure = asError(error);
      continue;
    }
    // Keyless records queued together stick to one partition, as Kafka's sticky partitioner.
    const sticky = stickyPartition(count);
    for (const entry of waiting) placed.set(entry.id, entry.record.key === null ? sticky : partitionForKey(entry.record.key, count));
  }
  if (placed.size > 0) await ctx.cache.outboxResolve(placed);
  return entries.flatMap((entry) => {
    if (gone.has(entry.id)) return [];
    const partition = placed.get(entry.id);
    return [partition === undefined ? entry : { ...entry, partition }];
  });
}

/** Entries by `keyOf` (in order within each group); those it answers null for are left out. */
function groupBy(entries: readonly OutboxEntry[], keyOf: (entry: OutboxEntry) => string | null): Map<string, OutboxEntry[]> {
  const groups = new Map<string, OutboxEntry[]>();
  for (const entry of entries) {
    const key = keyOf(entry);
    if (key === null) continue;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [entry]);
    else group.push(entry);
  }
  return groups;
}

/** The next batch from `entries[start]`: a sealed batch exactly as sealed, else a new one within the bounds. */
function nextBatch(entries: readonly OutboxEntry[], start: number): OutboxEntry[] {
  const first = entries[start];
  if (first === undefined) return [];
  if (first.batch !== null) {
    const sealed = first.batch;
    const batch = entries.slice(start, start + sealed.count);
    const whole = batch.length === sealed.count && batch.every((e) => sameBatch(e.batch, sealed));
    if (!whole) throw new EdgelogClientError("CACHE_FAILED", `outbox entry ${first.id} belongs to a batch that is no longer whole`);
    return batch;
  }
  const batch: OutboxEntry[] = [];
  let bytes = 0;
  for (let i = start; i < entries.length && batch.length < PRODUCE_BATCH_RECORDS_MAX; i++) {
    const entry = entries[i]!;
    if (entry.batch !== null || (batch.length > 0 && bytes + entry.bytes > PRODUCE_BATCH_BYTES_MAX)) break;
    batch.push(entry);
    bytes += entry.bytes;
  }
  return batch;
}

function sameBatch(a: SealedBatch | null, b: SealedBatch): boolean {
  return a !== null && a.producerId === b.producerId && a.epoch === b.epoch && a.sequence === b.sequence && a.count === b.count;
}

/** Sends one partition's entries, batch after batch, until done or stopped. */
async function sendPartition(ctx: SenderContext, sending: readonly OutboxEntry[], result: PassResult): Promise<void> {
  let entries = sending;
  // Bounded: every turn consumes at least one entry, returns, or unseals a batch (at most once
  // per entry: a batch sealed again starts a new producer at 0, which is never unknown).
  for (let start = 0, turn = 0; start < entries.length && result.fenced === null && turn <= 2 * entries.length; turn++) {
    let batch: OutboxEntry[];
    let sealed: SealedBatch;
    try {
      batch = nextBatch(entries, start);
      const first = batch[0]!;
      sealed =
        first.batch ??
        (await ctx.cache.outboxSeal(
          batch.map((e) => e.id),
          first.topic,
          first.partition,
        ));
    } catch (error) {
      result.failure = asError(error);
      return;
    }
    const outcome = await sendBatch(ctx, batch, sealed);
    if (outcome.kind === "retry-later") {
      result.failure = outcome.error;
      return;
    }
    if (outcome.kind === "fenced") {
      result.fenced = outcome.error;
      return;
    }
    const batchIds = batch.map((e) => e.id);
    if (outcome.kind === "fatal" && outcome.error.code === "SCHEMA_VIOLATION" && batch.length > 1) {
      const kept = await keepValid(ctx, batch, sealed, outcome.error, result);
      if (kept === null) return;
      if (kept.size < batch.length) {
        entries = entries
          .filter((entry) => !batchIds.includes(entry.id) || kept.has(entry.id))
          .map((e) => (kept.has(e.id) ? { ...e, batch: null } : e));
        continue;
      }
    }
    try {
      if (outcome.kind === "ok") await ctx.cache.outboxRemove(batchIds);
      else if (outcome.kind === "unknown-producer") await ctx.cache.outboxUnseal(batchIds, batch[0]!.topic, batch[0]!.partition, sealed);
      else await ctx.cache.outboxDiscard(batchIds, batch[0]!.topic, batch[0]!.partition, sealed);
    } catch (error) {
      // Delivered but still queued: the next pass repeats the sealed batch and gets `duplicate`.
      result.failure = asError(error);
      return;
    }
    if (outcome.kind === "unknown-producer") {
      // Not silent: the batch goes again under a new producer id, from this same place.
      ctx.reportError(outcome.error);
      const unsealed = new Set(batchIds);
      entries = entries.map((entry) => (unsealed.has(entry.id) ? { ...entry, batch: null } : entry));
      continue;
    }
    result.removed += batch.length;
    if (outcome.kind === "ok") ctx.delivered(batch, outcome.offsets);
    else {
      ctx.undeliverable(batch, outcome.error);
      ctx.reportError(outcome.error);
    }
    start += batch.length;
  }
}

/**
 * A batch refused with SCHEMA_VIOLATION: removes (and rejects) its entries the topic's schemas,
 * fetched again, refuse, and unseals the others; answers the ids kept (all of them when none is
 * found refused: the caller discards the batch), or null when the cache failed (`result.failure`).
 */
async function keepValid(
  ctx: SenderContext,
  batch: readonly OutboxEntry[],
  sealed: SealedBatch,
  error: EdgelogError,
  result: PassResult,
): Promise<Set<number> | null> {
  const first = batch[0]!;
  const refused = (await ctx.schemaRefused?.(first.topic, batch).catch(() => undefined)) ?? new Set<number>();
  const kept = new Set(batch.filter((entry) => !refused.has(entry.id)).map((entry) => entry.id));
  if (refused.size === 0 || kept.size === batch.length) return kept;
  try {
    // Unsealed first: were the removal lost, the refused entries would only be checked again.
    await ctx.cache.outboxUnseal(
      batch.map((e) => e.id),
      first.topic,
      first.partition,
      sealed,
    );
    await ctx.cache.outboxRemove([...refused]);
  } catch (cacheFailure) {
    result.failure = asError(cacheFailure);
    return null;
  }
  result.removed += refused.size;
  ctx.undeliverable(
    batch.filter((entry) => refused.has(entry.id)),
    error,
  );
  ctx.reportError(error);
  return kept;
}

/** Sends one sealed batch, retrying in place what the rules say to retry. */
async function sendBatch(ctx: SenderContext, batch: readonly OutboxEntry[], sealed: SealedBatch): Promise<Outcome> {
  const first = batch[0]!;
  const body = {
    records: batch.map((entry) => entry.record),
    producer: { id: sealed.producerId, epoch: sealed.epoch, sequence: sealed.sequence },
  };
  let last: EdgelogError | null = null;
  let retries = 0;
  const quota = { waits: 0, waitedMs: 0 };
  // Bounded: each turn answers, or counts a retry (PRODUCE_RETRIES_MAX) or a quota wait (QUOTA_PASS_WAITS_MAX).
  for (let turn = 0; turn <= PRODUCE_RETRIES_MAX + QUOTA_PASS_WAITS_MAX; turn++) {
    try {
      const answer = await ctx.http.produce(first.topic, first.partition, body);
      return { kind: "ok", offsets: answer.offsets };
    } catch (error) {
      if (!(error instanceof EdgelogError)) return { kind: "retry-later", error: asError(error) };
      if (error.code === "DUPLICATE_SEQUENCE") return { kind: "ok", offsets: null };
      if (error.code === "UNKNOWN_PRODUCER_ID") return { kind: "unknown-producer", error };
      if (error.code === "PRODUCER_FENCED") return { kind: "fenced", error };
      if (error.code === "QUOTA_EXCEEDED") {
        if (!(await waitForQuota(ctx, error, quota))) return { kind: "retry-later", error };
        continue;
      }
      if (error.code !== "OUT_OF_ORDER_SEQUENCE" && error.code !== "INTERNAL") return { kind: "fatal", error };
      last = error;
      if (retries >= PRODUCE_RETRIES_MAX) break;
      await ctx.sleep(reconnectDelayMs(retries++, ctx.random));
    }
  }
  return { kind: "retry-later", error: last ?? new EdgelogClientError("NETWORK", "the batch was not sent") };
}

/**
 * After QUOTA_EXCEEDED (nothing was stored, PROTOCOL.md QUOTA-4): waits the server's
 * `retryAfterMs` (at most QUOTA_WAIT_MS_MAX) so the same batch, same sequence, goes again; false
 * when this pass has waited its budget (QUOTA_PASS_WAIT_MS_MAX, QUOTA_PASS_WAITS_MAX): then the
 * batch stays sealed in the outbox and the producer starts the next pass after the wait.
 */
async function waitForQuota(ctx: SenderContext, error: EdgelogError, spent: { waits: number; waitedMs: number }): Promise<boolean> {
  const waitMs = quotaWaitMs(error.retryAfterMs, spent.waits, ctx.random);
  if (spent.waits >= QUOTA_PASS_WAITS_MAX || spent.waitedMs + waitMs > QUOTA_PASS_WAIT_MS_MAX) return false;
  spent.waits++;
  spent.waitedMs += waitMs;
  await ctx.sleep(waitMs);
  return true;
}

function asError(error: unknown): EdgelogError | EdgelogClientError {
  if (error instanceof EdgelogError || error instanceof EdgelogClientError) return error;
  return new EdgelogClientError("CACHE_FAILED", `the outbox failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}
