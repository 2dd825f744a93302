/**
 * One partition of a table: its link's handlers, applying what the server pushes to the stored
 * view (table-store.ts) by table-plan.ts's rules.
 *
 * - On `hello`: a rebuild under way resumes from its next offset, else the view does; with
 *   neither (first use, another topic incarnation, records lost to retention, a log shorter than
 *   the position) a rebuild begins: `from: "latest-per-key"` (or "earliest" from a server that
 *   refused it: an older server, which has no compaction, where applying every record in order
 *   gives the same table).
 * - On `subscribed`: `reset: true` (the server compacted past the position, or answers a
 *   latest-per-key start) begins a new rebuild, dropping what the partition held, but only in
 *   the new generation: readers keep the old view. A missing `reset` (an older server) is false.
 * - On `records`: one transaction per page, into the target generation.
 * - When the link goes live with a rebuild as its target: the rebuild is swapped in, in one
 *   transaction, and a reset event told.
 * - When the store says this writer moved (another writer began a rebuild, or the stored
 *   position is behind its own): the link is made again, so the next `hello` starts from what is
 *   stored. Every store call runs in turn on one chain, so a swap never overtakes a page.
 *
 * @example
 * const part = new TablePartition({ topic: "prices", partition: 0, store, events, ctx, isLive: () => link.state === "live" });
 * part.open();
 */
import type { LinkHandlers, LinkStart, PartitionLink } from "../link.ts";
import type { EdgelogError, ServerMessageOf } from "../protocol/index.ts";
import { asClientError } from "../record-delivery.ts";
import type { SubscriptionContext } from "../subscription-context.ts";
import type { TableEvents } from "./table-events.ts";
import { planTableStart } from "./table-plan.ts";
import type { TableTarget } from "./table-rows.ts";
import type { TableStore } from "./table-store.ts";

/**
 * What a table partition needs.
 *
 * @example
 * const options: TablePartitionOptions = { topic, partition: 0, store, events, ctx, ended: (error) => table.end(error), changed: () => table.recheck() };
 */
export interface TablePartitionOptions {
  topic: string;
  partition: number;
  store: TableStore;
  events: TableEvents;
  ctx: SubscriptionContext;
  /** The link ended for good (the topic deleted, the protocol refused): the table ends. */
  ended(error: EdgelogError): void;
  /** Whether the partition is caught up may have changed. */
  changed(): void;
}

/**
 * A table's partition, driving one link.
 *
 * @example
 * const part = new TablePartition(options);
 * part.open();
 * part.close();
 */
export class TablePartition {
  private readonly options: TablePartitionOptions;
  private link: PartitionLink | null = null;
  /** The generation this writer applies to; null until the socket subscribed. */
  private target: TableTarget | null = null;
  /** The next offset this writer expects its target at. */
  private next: number | null = null;
  /** Whether the next subscribe must rebuild (the start said so). */
  private rebuild = false;
  private topicId: string | null = null;
  /** The subscription's high watermark: at `live`, every offset below it was delivered. */
  private subscribedEnd = 0;
  /** The subscription's `cleanedTombstonesBelow` (a compacted topic on a server that sends it). */
  private cleaned: number | undefined = undefined;
  /** The server refused `latest-per-key` or `cleaned`: rebuild `from: "earliest"`, send no `cleaned`. */
  private legacy = false;
  /** Whether the last start asked what an older server refuses. */
  private askedNew = false;
  private chain: Promise<unknown> = Promise.resolve();
  /** Bumped per link made. */
  private serial = 0;
  private closed = false;

  /** @internal The table makes it. */
  constructor(options: TablePartitionOptions) {
    this.options = options;
  }

  /** Caught up: the link is live and the view is the target (no rebuild waits to be swapped in). */
  get live(): boolean {
    return this.link?.state === "live" && this.target?.kind === "view";
  }

  /** Makes the link and starts it. */
  open(): void {
    if (this.closed) return;
    const { ctx, topic, partition } = this.options;
    const link = ctx.makeLink(topic, partition, this.handlers());
    this.link = link;
    ctx.linkAdded(link);
    link.start();
  }

  /** Closes the link for good. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dropLink();
  }

  private dropLink(): void {
    const link = this.link;
    if (link === null) return;
    this.link = null;
    link.close();
    this.options.ctx.linkRemoved(link);
  }

  /** Starts over on a new link: its `hello` starts from what is stored. */
  private restart(): void {
    this.dropLink();
    this.target = null;
    this.next = null;
    this.open();
  }

  private handlers(): LinkHandlers {
    // Calls from a link made before a restart are ignored: its socket's records are not this one's stream.
    const serial = ++this.serial;
    const current = (): boolean => serial === this.serial && !this.closed;
    const guarded = (doing: string, work: () => Promise<void>): Promise<void> =>
      this.inTurn(async () => {
        if (!current()) return;
        try {
          await work();
        } catch (error) {
          // A page not stored must never be skipped over: start again from what is stored.
          this.options.ctx.reportError(asClientError(error, doing));
          if (current()) this.restart();
        }
      });
    return {
      start: (hello) => this.inTurn(() => this.start(hello)),
      subscribed: (message) => guarded("beginning a table rebuild", () => this.subscribed(message)),
      records: (message) => guarded("applying records to a table", () => this.received(message)),
      changed: () => {
        if (!current()) return;
        this.options.ctx.linkChanged();
        if (this.link?.state === "live" && this.target?.kind === "building") void guarded("swapping a rebuilt table in", () => this.swap());
        this.options.changed();
      },
      error: (error) => {
        // An older server refusing latest-per-key is expected, not news: the next start is "earliest".
        if (this.askedNew && LATEST_PER_KEY_REFUSED.has(error.code) && !this.legacy) {
          this.legacy = true;
          return;
        }
        this.options.ctx.reportError(error);
      },
      ended: (error) => {
        if (current()) this.options.ended(error);
      },
    };
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.chain.then(work);
    this.chain = result.catch(() => undefined);
    return result;
  }

  private async start(hello: ServerMessageOf<"hello">): Promise<LinkStart> {
    const { store, topic, partition } = this.options;
    this.topicId = hello.topicId;
    const plan = planTableStart(await store.partition(topic, partition), hello);
    this.askedNew = false;
    if (plan.kind === "resume") {
      this.target = plan.target;
      this.next = plan.next;
      this.rebuild = false;
      if (plan.cleaned === undefined || this.legacy) return { from: { offset: plan.next } };
      this.askedNew = true;
      return { from: { offset: plan.next }, cleaned: plan.cleaned };
    }
    this.target = null;
    this.next = null;
    this.rebuild = true;
    if (this.legacy) return { from: "earliest" };
    this.askedNew = true;
    return { from: "latest-per-key" };
  }

  private async subscribed(message: ServerMessageOf<"subscribed">): Promise<void> {
    this.subscribedEnd = message.highWatermark;
    this.cleaned = message.cleanedTombstonesBelow;
    if (message.reset !== true && !this.rebuild) return;
    const { store, topic, partition } = this.options;
    const generation = await store.beginRebuild(topic, partition, this.topicId);
    this.target = { kind: "building", generation };
    this.next = null;
    this.rebuild = false;
  }

  private async received(message: ServerMessageOf<"records">): Promise<void> {
    const target = this.target;
    if (this.closed || target === null || message.records.length === 0) return;
    const { store, topic, partition, events } = this.options;
    const page = { topic, partition, target, next: this.next, records: message.records, topicId: this.topicId };
    const result = await store.apply(this.cleaned === undefined ? page : { ...page, cleaned: this.cleaned });
    if (result.moved !== null) return this.restart();
    this.next = result.next;
    events.wrote(result.changes, null);
  }

  private async swap(): Promise<void> {
    const target = this.target;
    if (this.closed || target?.kind !== "building") return;
    const { store, topic, partition, events } = this.options;
    const { verdict, view } = await store.swap(topic, partition, target.generation, this.next, this.subscribedEnd);
    if (verdict.kind === "moved" || view === undefined) return this.restart();
    this.target = { kind: "view" };
    this.next = view.next;
    if (verdict.kind === "swap") events.wrote([], { partition, size: view.size });
    this.options.changed();
  }
}

/**
 * The codes a server refusing `from: "latest-per-key"` or `cleaned` answers (an older server:
 * INVALID_REQUEST, its start parser's; a topic that is not compacted, TABLE-2); the table then
 * rebuilds `from: "earliest"`, which gives the same view, and sends no `cleaned`.
 */
const LATEST_PER_KEY_REFUSED: ReadonlySet<string> = new Set(["INVALID_REQUEST", "INVALID_PARAMETER"]);
