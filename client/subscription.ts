/**
 * A subscription to a topic: per partition it replays the cache, then connects a link and
 * delivers what the server pushes, each record exactly once and in partition order (a record
 * below the partition's next offset was delivered already and is skipped, which is what makes
 * replay, catch-up and reconnects meet without duplicates). Records go to the callback, and to
 * the async iterator once someone iterates. Received records are cached; a named subscription
 * also stores its position per partition, to resume there next time.
 *
 * A subscription ends with an error when the server says it can never go on: its topic does not
 * exist (UNKNOWN_TOPIC answering the partition-count lookup, or a socket closed with 4404 because
 * the topic was deleted) or the server refuses the protocol (4400). It then closes its links, its
 * async iterator throws the error after the records already queued, `error` holds it,
 * `onError` listeners hear it, and the client's `onError` reports it once. Network failures are
 * never an end: they are retried.
 *
 * What it shares with its client is in subscription-context.ts; the decoder and the callback are
 * called by record-delivery.ts.
 *
 * @example
 * const sub = client.subscribe("orders", { from: "earliest" }, (record) => render(record));
 * for await (const record of sub) console.log(record.partition, record.offset, record.value);
 * sub.close();
 */

import { AsyncQueue } from "./async-queue.ts";
import { Ending } from "./ending.ts";
import type { LinkHandlers } from "./link.ts";
import { EdgelogClientError } from "./local-errors.ts";
import { REPLAY_PAGE_RECORDS_MAX, SUBSCRIPTION_QUEUE_RECORDS_MAX } from "./local-limits.ts";
import type { FetchedRecord, JsonValue, ServerMessageOf, SubscribeStart } from "./protocol/index.ts";
import { EdgelogError } from "./protocol/index.ts";
import { asClientError, RecordDelivery } from "./record-delivery.ts";
import { checkAgainstLog, planStart, type SubscribeFrom, wireStart } from "./start-plan.ts";
import type { LinkSnapshot } from "./status.ts";
import type { RecordCallback, RecordDecoder, SubscribeOptions, TopicRecord } from "./subscribe-options.ts";
import type { LookupWatch, PartitionState, SubscriptionContext } from "./subscription-context.ts";

export type { RecordCallback, RecordDecoder, SubscribeOptions, TopicRecord };

/**
 * One subscription to a topic (made by `client.subscribe`).
 *
 * @example
 * const sub: Subscription = client.subscribe("orders", { group: "billing" });
 * for await (const record of sub) { bill(record); await sub.commit(); }
 */
export class Subscription<T = JsonValue> implements AsyncIterable<TopicRecord<T>> {
  readonly topic: string;
  private readonly options: SubscribeOptions;
  private readonly from: SubscribeFrom;
  private readonly ctx: SubscriptionContext;
  private readonly delivery: RecordDelivery<T>;
  private readonly states = new Map<number, PartitionState>();
  private readonly ending = new Ending<EdgelogError>();
  private queue: AsyncQueue<TopicRecord<T>> | null = null;
  private closed = false;
  /** Whether the partition-count lookup is still under way (the status counts it as connecting). */
  private resolving: boolean;
  private lookupFailures = 0;

  /** @internal The client makes it (`client.subscribe`, a typed topic's `subscribe`). */
  constructor(
    ctx: SubscriptionContext,
    topic: string,
    options: SubscribeOptions,
    callback: RecordCallback<T> | undefined,
    decode?: RecordDecoder<T>,
  ) {
    this.ctx = ctx;
    this.topic = topic;
    this.options = options;
    this.from = options.from ?? "earliest";
    this.delivery = new RecordDelivery({ callback, subscription: this, decode, reportError: (error) => this.ctx.reportError(error) });
    this.resolving = options.partitions === undefined;
    // Without a callback the iterator is the only reader: queue from the start, so records that
    // arrive before the loop begins (a produce awaited in between) wait for it (bounded: a full
    // queue holds delivery back, which pauses the server).
    if (callback === undefined) this.queue = new AsyncQueue<TopicRecord<T>>(SUBSCRIPTION_QUEUE_RECORDS_MAX, () => this.close());
    void this.run().catch((error: unknown) => this.ctx.reportError(asClientError(error, "starting the subscription")));
  }

  /** The error the subscription ended with (UNKNOWN_TOPIC, INVALID_REQUEST), or null while it runs or after `close()`. */
  get error(): EdgelogError | null {
    return this.ending.error;
  }

  /**
   * Calls `listener` once with the error the subscription ends with; returns its unsubscribe. A
   * listener added after the end hears it too, in a microtask.
   */
  onError(listener: (error: EdgelogError) => void): () => void {
    return this.ending.onEnd(listener);
  }

  /** For the client's status: a subscription still resolving its partitions is one connecting link. */
  resolvingLink(): LinkSnapshot | null {
    return this.resolving && !this.closed ? { state: "connecting", failures: this.lookupFailures } : null;
  }

  /** The network came back: the lookup's failures count afresh. */
  networkBack(): void {
    this.lookupFailures = 0;
  }

  /** The next offset this subscription delivers, per partition (where known). */
  positions(): Map<number, number> {
    const out = new Map<number, number>();
    for (const state of this.states.values()) if (state.next !== null) out.set(state.partition, state.next);
    return out;
  }

  /** Commits, for each partition, the next offset to deliver to the subscription's group. */
  async commit(): Promise<void> {
    const group = this.options.group;
    if (group === undefined) throw new EdgelogClientError("INVALID_USE", "commit() needs the subscription's `group` option");
    await Promise.all([...this.positions()].map(([partition, next]) => this.ctx.commit(group, this.topic, partition, next)));
  }

  /** Stops: closes the sockets, ends any `for await` loop. Safe to call twice. */
  close(): void {
    if (!this.stop()) return;
    this.queue?.close();
    this.ending.clear();
    this.ctx.released(this);
  }

  /** Ends with an error the server gave (see the module comment); the first end wins. */
  private end(error: EdgelogError): void {
    if (!this.stop()) return;
    this.queue?.fail(error);
    this.ctx.reportError(error);
    this.ending.end(error);
    this.ctx.released(this);
  }

  /** Closes every link; false when already stopped. */
  private stop(): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.resolving = false;
    for (const state of this.states.values()) {
      if (state.link === null) continue;
      state.link.close();
      this.ctx.linkRemoved(state.link);
    }
    return true;
  }

  /**
   * Iterates delivered records; leaving the loop early closes the subscription. A subscription
   * made without a callback queues its records from the start (so a loop begun later misses
   * none); with a callback, records are queued for the iterator from its first call on.
   */
  [Symbol.asyncIterator](): AsyncIterator<TopicRecord<T>> {
    this.queue ??= new AsyncQueue<TopicRecord<T>>(SUBSCRIPTION_QUEUE_RECORDS_MAX, () => this.close());
    const error = this.ending.error;
    if (error !== null) this.queue.fail(error);
    else if (this.closed) this.queue.close();
    return this.queue;
  }

  private async run(): Promise<void> {
    let partitions = this.options.partitions;
    if (partitions === undefined) {
      const watch: LookupWatch = {
        isClosed: () => this.closed,
        failed: () => {
          this.lookupFailures++;
          this.ctx.linkChanged();
        },
        gone: (error) => this.end(error),
      };
      try {
        partitions = range(await this.ctx.partitionCount(this.topic, watch));
      } catch (error) {
        if (error instanceof EdgelogError) return this.end(error);
        throw error;
      }
      // The links below are added at once (before any await), so the status never sees neither.
      this.resolving = false;
    }
    await Promise.all(partitions.map((partition) => this.startPartition(partition)));
  }

  private async startPartition(partition: number): Promise<void> {
    if (this.closed || this.states.has(partition)) return;
    const state: PartitionState = { partition, next: null, topicId: null, logStartOffset: undefined, link: null };
    this.states.set(partition, state);
    // The link exists (idle) during replay, so the status says "connecting" meanwhile.
    const link = this.ctx.makeLink(this.topic, partition, this.handlers(state));
    state.link = link;
    this.ctx.linkAdded(link);
    const { cache } = this.ctx;
    const name = this.options.name;
    const position =
      name === undefined
        ? undefined
        : await this.ctx.cached("reading a position", () => cache.position(name, this.topic, partition), undefined);
    const run = await this.ctx.cached("reading the cache", () => cache.run(this.topic, partition), undefined);
    const plan = planStart(this.from, run, position);
    state.next = plan.next;
    state.topicId = plan.topicId;
    if (plan.replayFrom !== null && run !== undefined) await this.replay(state, plan.replayFrom, run.high);
    if (!this.closed) link.start();
  }

  /** Delivers cached records [from, high) page by page (bounded by the run's size). */
  private async replay(state: PartitionState, from: number, high: number): Promise<void> {
    const pagesMax = Math.ceil((high - from) / REPLAY_PAGE_RECORDS_MAX) + 1;
    let offset = from;
    for (let page = 0; page < pagesMax && offset < high && !this.closed; page++) {
      const records = await this.ctx.cached(
        "replaying the cache",
        () => this.ctx.cache.readRecords(this.topic, state.partition, offset, REPLAY_PAGE_RECORDS_MAX, state.topicId),
        [],
      );
      // Empty, evicted under us (another subscription's writes moved the run on), or replaced by
      // another incarnation's: the socket fetches the rest from `offset`, so nothing is skipped,
      // and its hello tells whether the topic changed.
      if (records[0]?.offset !== offset) break;
      offset = await this.deliverAll(state, records);
    }
    await this.savePosition(state);
  }

  private handlers(state: PartitionState): LinkHandlers {
    return {
      start: (hello) => this.startOnServer(state, hello),
      subscribed: async (message) => {
        state.next ??= message.offset;
      },
      records: (message) => this.received(state, message),
      changed: () => this.ctx.linkChanged(),
      error: (error) => this.ctx.reportError(error),
      ended: (error) => this.end(error),
    };
  }

  /** Where to subscribe on this connection: the next offset not delivered, checked against the log. */
  private async startOnServer(state: PartitionState, hello: ServerMessageOf<"hello">): Promise<SubscribeStart> {
    state.logStartOffset = hello.logStartOffset;
    if (state.next !== null) {
      const verdict = checkAgainstLog({ next: state.next, topicId: state.topicId }, hello);
      if (verdict.kind !== "stale") {
        if (verdict.kind === "lost") {
          this.ctx.reportError(
            new EdgelogClientError(
              "RECORDS_LOST",
              `${this.topic}/${state.partition}: ${verdict.lost} records expired before they were read (offsets ${state.next} to ${verdict.next - 1})`,
            ),
          );
        }
        state.next = verdict.next;
        state.topicId = hello.topicId;
        return { from: { offset: verdict.next } };
      }
      const where = `${this.topic}/${state.partition}`;
      const why =
        state.topicId !== null && state.topicId !== hello.topicId
          ? `the topic was deleted and created again (topic id ${state.topicId} is now ${hello.topicId})`
          : `the cache reaches offset ${state.next} but the log ends at ${hello.highWatermark}; the topic was recreated`;
      this.ctx.reportError(new EdgelogClientError("CACHE_STALE", `${where}: ${why}, so its cache and named positions were dropped`));
      await this.ctx.cached(
        "dropping stale records",
        () => this.ctx.cache.dropStale(this.topic, state.partition, hello.topicId),
        undefined,
      );
      state.next = null;
    }
    state.topicId = hello.topicId;
    return wireStart(this.from, this.options, hello);
  }

  /** A `records` message: cache the new records, deliver them, store the position. */
  private async received(state: PartitionState, message: ServerMessageOf<"records">): Promise<void> {
    if (this.closed) return;
    const next = state.next;
    const fresh = next === null ? message.records : message.records.filter((record) => record.offset >= next);
    if (fresh.length === 0) return;
    const options = {
      ...(state.logStartOffset === undefined ? {} : { logStartOffset: state.logStartOffset }),
      ...(state.topicId === null ? {} : { topicId: state.topicId }),
    };
    await this.ctx.cached("storing records", () => this.ctx.cache.putRecords(this.topic, state.partition, fresh, options), undefined);
    await this.deliverAll(state, fresh);
    await this.savePosition(state);
  }

  /**
   * Delivers records in order, skipping any already delivered; answers the next offset. A record
   * counts as delivered once the callback returned (or threw) and it was handed to the iterator.
   */
  private async deliverAll(state: PartitionState, records: readonly FetchedRecord[]): Promise<number> {
    for (const record of records) {
      if (this.closed) break;
      if (state.next !== null && record.offset < state.next) continue;
      // Awaited only when the decoder or the callback answered a promise: a tick per record is most of a replay.
      const decoded = this.delivery.decoded({ ...record, topic: this.topic, partition: state.partition });
      const delivered = decoded instanceof Promise ? await decoded : decoded;
      const pending = delivered === null ? undefined : this.delivery.callBack(delivered);
      if (pending !== undefined) await pending;
      state.next = record.offset + 1;
      // Waits while the iterator's queue is full: the backpressure that delays `consumed`.
      if (this.queue !== null && delivered !== null) await this.queue.push(delivered);
    }
    return state.next ?? 0;
  }

  private async savePosition(state: PartitionState): Promise<void> {
    const name = this.options.name;
    const next = state.next;
    if (name === undefined || next === null) return;
    const position = { next, topicId: state.topicId };
    await this.ctx.cached("storing a position", () => this.ctx.cache.putPosition(name, this.topic, state.partition, position), undefined);
  }
}

function range(count: number | undefined): number[] {
  return Array.from({ length: count ?? 0 }, (_, i) => i);
}
