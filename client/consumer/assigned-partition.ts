/**
 * One partition a consumer owns: its own partition socket (a PartitionLink, never the tabs'
 * shared ones, and no cache), subscribed from the group's committed offset on the first connect
 * and from the next offset to process on every reconnect (PROTOCOL.md SOCKET-5, SOCKET-16). Each
 * record goes to `eachRecord`, awaited, in offset order; the link sends `consumed` only once a
 * whole `records` message was processed, so what waits here is bounded by the server's window
 * (FLOW-1, FLOW-2). `next` is the progress to commit: one past the last record processed.
 *
 * @example
 * const owned = new AssignedPartition(context, 2);
 * await owned.stop(timers); // no record starts after this; the one in flight finished (or the wait ran out)
 * owned.close();
 */
import type { LinkFactory, LinkHandlers, PartitionLink } from "../link.ts";
import { EdgelogClientError } from "../local-errors.ts";
import type { EdgelogError, OffsetReset, ServerMessageOf, SubscribeStart } from "../protocol/index.ts";
import { checkAgainstLog } from "../start-plan.ts";
import type { TopicRecord } from "../subscribe-options.ts";
import { REVOKE_WAIT_MS_MAX } from "./consumer-limits.ts";
import type { ConsumerTimers } from "./consumer-options.ts";

/**
 * What an owned partition needs from its consumer.
 *
 * @example
 * const context: PartitionContext = { topic: "orders", group: "billing", reset: "earliest", makeLink, eachRecord, progressed, ended, reportError };
 */
export interface PartitionContext {
  topic: string;
  group: string;
  reset: OffsetReset | undefined;
  makeLink: LinkFactory;
  /** Processes one record (the consumer's `eachRecord`, failures already caught). */
  eachRecord(record: TopicRecord): Promise<void>;
  /** A record was processed: there is progress to commit. */
  progressed(): void;
  /** The partition's socket closed for good (the topic was deleted): the consumer ends. */
  ended(error: EdgelogError): void;
  reportError(error: EdgelogError | EdgelogClientError): void;
}

/**
 * One owned partition (see the module comment).
 *
 * @example
 * const owned = new AssignedPartition(context, 0);
 * if (owned.uncommitted() !== null) await commit(owned.partition, owned.uncommitted());
 */
export class AssignedPartition {
  readonly partition: number;
  /** The next offset to process (one past the last processed record); null until the server resolved the start. */
  next: number | null = null;
  /** The offset known committed for the group here (the start from "committed", then each commit). */
  committed: number | null = null;
  private readonly ctx: PartitionContext;
  private readonly link: PartitionLink;
  private topicId: string | null = null;
  private stopped = false;
  /** The `records` message being processed, if any. */
  private running: Promise<void> = Promise.resolve();

  constructor(ctx: PartitionContext, partition: number) {
    this.ctx = ctx;
    this.partition = partition;
    this.link = ctx.makeLink(ctx.topic, partition, this.handlers());
    this.link.start();
  }

  /** The offset to commit, or null when nothing was processed since the last commit. */
  uncommitted(): number | null {
    return this.next !== null && this.next !== this.committed ? this.next : null;
  }

  /**
   * Stops delivering: no record starts after this; resolves once the record in flight finished,
   * or after REVOKE_WAIT_MS_MAX (that record's progress then counts no more).
   */
  async stop(timers: ConsumerTimers): Promise<void> {
    this.stopped = true;
    let timer: unknown = null;
    const waited = new Promise<void>((resolve) => {
      timer = timers.setTimeout(resolve, REVOKE_WAIT_MS_MAX);
    });
    await Promise.race([this.running, waited]);
    timers.clearTimeout(timer);
  }

  /** Closes the socket. */
  close(): void {
    this.stopped = true;
    this.link.close();
  }

  private handlers(): LinkHandlers {
    return {
      start: async (hello) => this.start(hello),
      subscribed: async (message) => {
        if (this.next !== null) return;
        this.next = message.offset;
        this.committed = message.offset;
      },
      records: (message) => {
        if (this.stopped) return Promise.resolve();
        this.running = this.deliver(message);
        return this.running;
      },
      changed: () => undefined,
      error: (error) => this.ctx.reportError(error),
      ended: (error) => this.ctx.ended(error),
    };
  }

  /** Where to subscribe: the group's committed offset first, then the next offset to process. */
  private start(hello: ServerMessageOf<"hello">): SubscribeStart {
    const next = this.next;
    if (next !== null) {
      const verdict = checkAgainstLog({ next, topicId: this.topicId }, hello);
      if (verdict.kind === "lost") {
        const where = `${this.ctx.topic}/${this.partition}`;
        const message = `${where}: ${verdict.lost} records expired before the group read them (offsets ${next} to ${verdict.next - 1})`;
        this.ctx.reportError(new EdgelogClientError("RECORDS_LOST", message));
      }
      this.topicId = hello.topicId;
      if (verdict.kind !== "stale") {
        this.next = verdict.next;
        return { from: { offset: verdict.next } };
      }
      // The topic was recreated under us: its offsets and commits start over.
      this.next = null;
      this.committed = null;
    }
    this.topicId = hello.topicId;
    const start: SubscribeStart = { from: "committed", group: this.ctx.group };
    if (this.ctx.reset !== undefined) start.reset = this.ctx.reset;
    return start;
  }

  private async deliver(message: ServerMessageOf<"records">): Promise<void> {
    for (const record of message.records) {
      if (this.stopped) return;
      if (this.next !== null && record.offset < this.next) continue;
      await this.ctx.eachRecord({ ...record, topic: this.ctx.topic, partition: this.partition });
      this.next = record.offset + 1;
      this.ctx.progressed();
    }
  }
}
