/**
 * One partition socket in the leader tab, shared by every subscription of every tab that reads
 * the partition (its consumers), so N tabs cost the partition one socket, not N.
 *
 * A socket carries one subscription, so on each connect the socket asks every consumer where it
 * starts and subscribes from the lowest of those offsets (resolve-start.ts), or with the start
 * itself when every consumer gave the same one (it is then resolved once, by the server); every consumer then
 * gets every record and skips those below its own position, which is how each subscription still
 * sees each record exactly once and in order. A consumer that attaches while the socket is
 * already subscribed makes it reconnect (a "session" ends), so the new subscription's start is
 * part of the next one; records of an ended session are ignored, and each consumer resumes from
 * its own next offset. A consumer that does not answer in time is dropped and attaches again.
 *
 * @example
 * const shared = new SharedPartition("orders", 0, { makeLink, lookups, empty: () => forget() });
 * shared.attach(consumer);
 * shared.detach(consumer.key);
 */

import type { CommitMessage, LinkFactory, LinkHandlers, PartitionLink } from "../link.ts";
import { EdgelogClientError } from "../local-errors.ts";
import { TAB_RECORDS_ACK_TIMEOUT_MS, TAB_REQUEST_TIMEOUT_MS } from "../local-limits.ts";
import type { ServerMessageOf } from "../protocol/index.ts";
import { EdgelogError } from "../protocol/index.ts";
import type { Consumer } from "./consumer.ts";
import { resolveStart, type StartLookups } from "./resolve-start.ts";

/**
 * What a shared partition needs.
 *
 * @example
 * const options: SharedPartitionOptions = { makeLink: socketLinkFactory(socketOptions), lookups, empty: () => undefined };
 */
export interface SharedPartitionOptions {
  /** Makes the real socket link. */
  makeLink: LinkFactory;
  lookups: StartLookups;
  /** The last consumer left (the socket is closed). */
  empty(): void;
}

/** States where a socket has subscribed (or is choosing where to): a new consumer needs a new session. */
const SUBSCRIBED_STATES: ReadonlySet<string> = new Set(["open", "catching-up", "live"]);

/**
 * A partition socket shared by consumers.
 *
 * @example
 * const shared = new SharedPartition("orders", 0, options);
 * shared.attach(consumer);
 */
export class SharedPartition {
  readonly topic: string;
  readonly partition: number;
  private readonly options: SharedPartitionOptions;
  private readonly consumers = new Map<string, Consumer>();
  private link: PartitionLink | null = null;
  /** Bumped per socket made: calls from an older socket's link are ignored. */
  private session = 0;
  /** The consumers the current session serves, with each one's start (null: the server resolved it). */
  private members = new Map<string, number | null>();

  constructor(topic: string, partition: number, options: SharedPartitionOptions) {
    this.topic = topic;
    this.partition = partition;
    this.options = options;
  }

  /** Adds a consumer; it is served from the next session (at once, when none is subscribed yet). */
  attach(consumer: Consumer): void {
    this.consumers.set(consumer.key, consumer);
    if (this.link === null || SUBSCRIBED_STATES.has(this.link.state)) this.open();
    else consumer.mirror(this.link.state, this.link.failures);
  }

  /** Removes a consumer; the last one out closes the socket. */
  detach(key: string): void {
    if (!this.consumers.delete(key)) return;
    this.members.delete(key);
    if (this.consumers.size > 0) return;
    this.close();
    this.options.empty();
  }

  /** Commits over the socket; rejects NETWORK when there is none. */
  commit(message: CommitMessage): Promise<ServerMessageOf<"committed">> {
    if (this.link === null) return Promise.reject(new EdgelogClientError("NETWORK", `no socket to ${this.topic}/${this.partition}`));
    return this.link.commit(message);
  }

  reconnectNow(): void {
    this.link?.reconnectNow();
  }

  checkNow(): void {
    this.link?.checkNow();
  }

  /** Closes the socket and forgets every consumer (they attach again to whichever tab leads next). */
  close(): void {
    this.session++;
    this.link?.close();
    this.link = null;
    this.members.clear();
    this.consumers.clear();
  }

  /** Starts a new session on a new socket (closing the old one). */
  private open(): void {
    const session = ++this.session;
    // After the bump: the old link's last calls (its close) belong to an ended session.
    this.link?.close();
    this.members.clear();
    this.link = this.options.makeLink(this.topic, this.partition, this.handlers(session));
    this.link.start();
    this.mirrorAll();
  }

  private handlers(session: number): LinkHandlers {
    const current = (): boolean => session === this.session;
    return {
      start: (hello) => this.start(session, hello),
      subscribed: (message) =>
        this.fanOut(session, (consumer, start) =>
          within(
            consumer.subscribed(start === null ? message : { ...message, offset: start }),
            TAB_REQUEST_TIMEOUT_MS,
            "take the subscription",
          ),
        ),
      records: (message) =>
        this.fanOut(session, (consumer) => within(consumer.records(message), TAB_RECORDS_ACK_TIMEOUT_MS, "take records")),
      changed: () => {
        if (current()) this.mirrorAll();
      },
      error: (error) => {
        if (current()) for (const consumer of this.consumers.values()) consumer.failed(error);
      },
      ended: (error) => {
        if (!current()) return;
        // Every consumer's subscription ends with it; the partition is gone (a new attach opens anew).
        for (const consumer of [...this.consumers.values()]) consumer.ended(error);
        this.close();
        this.options.empty();
      },
    };
  }

  /** On hello: every consumer's start, then the socket's (the lowest offset, or a lone consumer's own). */
  private async start(session: number, hello: ServerMessageOf<"hello">) {
    const asked = [...this.consumers.values()];
    const answers = await Promise.all(
      asked.map((consumer) =>
        within(consumer.whereToStart(hello), TAB_REQUEST_TIMEOUT_MS, "say where to start").then(
          (start) => ({ consumer, start }),
          (error: unknown) => ({ consumer, error }),
        ),
      ),
    );
    if (session !== this.session) throw new EdgelogClientError("CLOSED", "a newer socket replaced this one");
    const ready = answers.flatMap((answer) => {
      if ("error" in answer) {
        this.drop(answer.consumer, `${(answer.error as Error)?.message ?? String(answer.error)}`);
        return [];
      }
      return this.consumers.has(answer.consumer.key) ? [answer] : [];
    });
    if (ready.length === 0) throw new EdgelogClientError("CLOSED", `no subscription is left on ${this.topic}/${this.partition}`);
    // One start, or the same start for all (tables in several tabs asking latest-per-key): sent as it is.
    const first = ready[0]!;
    const text = JSON.stringify(first.start);
    if (ready.every(({ start }) => JSON.stringify(start) === text)) {
      this.members = new Map(ready.map(({ consumer }) => [consumer.key, null]));
      return first.start;
    }
    const offsets = await Promise.all(ready.map(({ start }) => resolveStart(start, hello, this.options.lookups)));
    if (session !== this.session) throw new EdgelogClientError("CLOSED", "a newer socket replaced this one");
    this.members = new Map(ready.map(({ consumer }, i) => [consumer.key, offsets[i]!]));
    return { from: { offset: Math.min(...offsets) } };
  }

  /** Hands a message to every consumer of the session, in parallel; one that fails is dropped. */
  private async fanOut(session: number, call: (consumer: Consumer, start: number | null) => Promise<void>): Promise<void> {
    if (session !== this.session) return;
    const served = [...this.members].flatMap(([key, start]) => {
      const consumer = this.consumers.get(key);
      return consumer === undefined ? [] : [{ consumer, start }];
    });
    await Promise.all(
      served.map(async ({ consumer, start }) => {
        try {
          await call(consumer, start);
        } catch (error) {
          if (error instanceof EdgelogError) consumer.failed(error);
          if (session === this.session) this.drop(consumer, (error as Error)?.message ?? String(error));
        }
      }),
    );
  }

  private drop(consumer: Consumer, reason: string): void {
    if (this.consumers.get(consumer.key) !== consumer) return;
    this.detach(consumer.key);
    consumer.dropped(reason);
  }

  private mirrorAll(): void {
    const link = this.link;
    if (link === null) return;
    for (const consumer of this.consumers.values()) consumer.mirror(link.state, link.failures);
  }
}

/**
 * `promise`, or a TIMEOUT after `ms`: a consumer that stops answering (a frozen tab, an iterator
 * nobody reads) is let go rather than holding every other consumer of the socket.
 */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EdgelogClientError("TIMEOUT", `a subscription did not ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
