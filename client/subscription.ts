/**
 * A subscription to a topic: per partition it replays the cache, then connects a link and
 * delivers what the server pushes, each record exactly once and in partition order (a record
 * below the partition's next offset was delivered already and is skipped, which is what makes
 * replay, catch-up and reconnects meet without duplicates). Records go to the callback, and to
 * the async iterator once someone iterates. Received records are cached; a named subscription
 * also stores its position per partition, to resume there next time.
 *
 * @example
 * const sub = client.subscribe("orders", { from: "earliest" }, (record) => render(record));
 * for await (const record of sub) console.log(record.partition, record.offset, record.value);
 * sub.close();
 */

import { AsyncQueue } from "./async-queue.ts";
import type { EventCache } from "./cache/types.ts";
import type { LinkFactory, LinkHandlers, PartitionLink } from "./link.ts";
import { EdgelogClientError } from "./local-errors.ts";
import { REPLAY_PAGE_RECORDS_MAX, SUBSCRIPTION_QUEUE_RECORDS_MAX } from "./local-limits.ts";
import type { FetchedRecord, ServerMessageOf, StartPosition, SubscribeStart } from "./protocol/index.ts";
import { EdgelogError } from "./protocol/index.ts";
import { checkAgainstLog, planStart } from "./start-plan.ts";

/**
 * A delivered record: the stored record and where it came from.
 *
 * @example
 * client.subscribe("orders", {}, (r: TopicRecord) => console.log(r.topic, r.partition, r.offset, r.key, r.value));
 */
export type TopicRecord = FetchedRecord & { topic: string; partition: number };

/**
 * What a subscriber's callback may be: it may return a promise, awaited before the next record of its partition.
 *
 * @example
 * const onRecord: RecordCallback = async (record) => { await db.save(record); };
 */
export type RecordCallback = (record: TopicRecord) => void | Promise<void>;

/**
 * How to subscribe.
 *
 * @example
 * client.subscribe("orders", { partitions: [0, 1], from: { timestamp: Date.now() - 3_600_000 } }, show);
 * client.subscribe("orders", { group: "billing", from: "committed", reset: "earliest" }, bill);
 * client.subscribe("orders", { name: "sidebar" }, show); // resumes where it left off next time
 */
export interface SubscribeOptions {
  /** Which partitions (default: all of the topic's). */
  partitions?: number[];
  /** Where to start when there is no stored position (default "earliest"). */
  from?: StartPosition;
  /** The consumer group: needed for `from: "committed"` and `sub.commit()`. */
  group?: string;
  /** For "committed" when the group has no commit: "latest" (default, as Kafka) or "earliest". */
  reset?: "earliest" | "latest";
  /** Stores this subscription's position per partition under this name, to resume there next time. */
  name?: string;
}

/**
 * What a subscription needs from its client.
 *
 * @example
 * new Subscription(context, "orders", { from: "earliest" }, (record) => show(record));
 */
export interface SubscriptionContext {
  cache: EventCache;
  makeLink: LinkFactory;
  /** The topic's partition count: cached, else fetched (retrying); undefined if `isClosed` first. */
  partitionCount(topic: string, isClosed: () => boolean): Promise<number | undefined>;
  /** Runs a cache call; a failure is reported and `fallback` answered (the cache is best effort here). */
  cached<T>(doing: string, op: () => Promise<T>, fallback: T): Promise<T>;
  commit(group: string, topic: string, partition: number, offset: number): Promise<void>;
  linkAdded(link: PartitionLink): void;
  linkRemoved(link: PartitionLink): void;
  linkChanged(): void;
  /** The subscription closed: the client forgets it. */
  released(subscription: Subscription): void;
  reportError(error: EdgelogError | EdgelogClientError): void;
}

interface PartitionState {
  partition: number;
  /** The next offset to deliver; null until known (the server resolves `from`). */
  next: number | null;
  logStartOffset: number | undefined;
  link: PartitionLink | null;
}

/**
 * One subscription to a topic (made by `client.subscribe`).
 *
 * @example
 * const sub: Subscription = client.subscribe("orders", { group: "billing" });
 * for await (const record of sub) { bill(record); await sub.commit(); }
 */
export class Subscription implements AsyncIterable<TopicRecord> {
  readonly topic: string;
  private readonly options: SubscribeOptions;
  private readonly from: StartPosition;
  private readonly ctx: SubscriptionContext;
  private readonly callback: RecordCallback | undefined;
  private readonly states = new Map<number, PartitionState>();
  private queue: AsyncQueue<TopicRecord> | null = null;
  private closed = false;

  constructor(ctx: SubscriptionContext, topic: string, options: SubscribeOptions, callback: RecordCallback | undefined) {
    this.ctx = ctx;
    this.topic = topic;
    this.options = options;
    this.from = options.from ?? "earliest";
    this.callback = callback;
    void this.run().catch((error: unknown) => this.ctx.reportError(asClientError(error, "starting the subscription")));
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
    if (this.closed) return;
    this.closed = true;
    for (const state of this.states.values()) {
      if (state.link === null) continue;
      state.link.close();
      this.ctx.linkRemoved(state.link);
    }
    this.queue?.close();
    this.ctx.released(this);
  }

  /**
   * Iterates delivered records; leaving the loop early closes the subscription. Records are
   * queued for the iterator from its first call on, so start the loop right after `subscribe`
   * (as `for await (const r of client.subscribe(...))` does).
   */
  [Symbol.asyncIterator](): AsyncIterator<TopicRecord> {
    this.queue ??= new AsyncQueue<TopicRecord>(SUBSCRIPTION_QUEUE_RECORDS_MAX, () => this.close());
    if (this.closed) this.queue.close();
    return this.queue;
  }

  private async run(): Promise<void> {
    const partitions = this.options.partitions ?? range(await this.ctx.partitionCount(this.topic, () => this.closed));
    await Promise.all(partitions.map((partition) => this.startPartition(partition)));
  }

  private async startPartition(partition: number): Promise<void> {
    if (this.closed || this.states.has(partition)) return;
    const state: PartitionState = { partition, next: null, logStartOffset: undefined, link: null };
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
        () => this.ctx.cache.readRecords(this.topic, state.partition, offset, REPLAY_PAGE_RECORDS_MAX),
        [],
      );
      // Empty, or evicted under us (another subscription's writes moved the run on): the socket
      // fetches the rest from `offset`, so nothing is skipped.
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
    };
  }

  /** Where to subscribe on this connection: the next offset not delivered, checked against the log. */
  private async startOnServer(state: PartitionState, hello: ServerMessageOf<"hello">): Promise<SubscribeStart> {
    state.logStartOffset = hello.logStartOffset;
    if (state.next !== null) {
      const verdict = checkAgainstLog(state.next, hello);
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
        return { from: { offset: verdict.next } };
      }
      this.ctx.reportError(
        new EdgelogClientError(
          "CACHE_STALE",
          `${this.topic}/${state.partition}: the cache reaches offset ${state.next} but the log ends at ${hello.highWatermark}; the topic was recreated, so the cache was dropped`,
        ),
      );
      await this.ctx.cached("dropping stale records", () => this.ctx.cache.dropRecords(this.topic, state.partition), undefined);
      state.next = null;
    }
    if (this.from === "committed") {
      const start: SubscribeStart = { from: "committed", group: this.options.group ?? "" };
      if (this.options.reset !== undefined) start.reset = this.options.reset;
      return start;
    }
    if (typeof this.from === "object" && "offset" in this.from)
      return { from: { offset: Math.min(this.from.offset, hello.highWatermark) } };
    return { from: this.from };
  }

  /** A `records` message: cache the new records, deliver them, store the position. */
  private async received(state: PartitionState, message: ServerMessageOf<"records">): Promise<void> {
    if (this.closed) return;
    const next = state.next;
    const fresh = next === null ? message.records : message.records.filter((record) => record.offset >= next);
    if (fresh.length === 0) return;
    const options = state.logStartOffset === undefined ? {} : { logStartOffset: state.logStartOffset };
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
      const delivered: TopicRecord = { ...record, topic: this.topic, partition: state.partition };
      // Awaited only when the callback returned a promise: a tick per record is most of a replay.
      const pending = this.callBack(delivered);
      if (pending !== undefined) await pending;
      state.next = record.offset + 1;
      // Waits while the iterator's queue is full: the backpressure that delays `consumed`.
      if (this.queue !== null) await this.queue.push(delivered);
    }
    return state.next ?? 0;
  }

  /** Calls the callback; answers a promise only when it returned one (to be awaited). */
  private callBack(record: TopicRecord): Promise<void> | undefined {
    if (this.callback === undefined) return undefined;
    const failed = (error: unknown): void => {
      this.ctx.reportError(
        new EdgelogClientError(
          "CALLBACK_FAILED",
          `the callback threw on ${record.topic}/${record.partition}@${record.offset}: ${(error as Error)?.message ?? String(error)}`,
          { cause: error },
        ),
      );
    };
    try {
      const result = this.callback(record);
      return result instanceof Promise ? result.then(undefined, failed) : undefined;
    } catch (error) {
      failed(error);
      return undefined;
    }
  }

  private async savePosition(state: PartitionState): Promise<void> {
    const name = this.options.name;
    const next = state.next;
    if (name === undefined || next === null) return;
    await this.ctx.cached("storing a position", () => this.ctx.cache.putPosition(name, this.topic, state.partition, next), undefined);
  }
}

function range(count: number | undefined): number[] {
  return Array.from({ length: count ?? 0 }, (_, i) => i);
}

function asClientError(error: unknown, doing: string): EdgelogError | EdgelogClientError {
  if (error instanceof EdgelogClientError) return error;
  if (error instanceof EdgelogError) return error;
  return new EdgelogClientError("CACHE_FAILED", `${doing} failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}
