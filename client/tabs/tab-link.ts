/**
 * The partition link a subscription gets when tabs share connections. It owns no socket: it is a
 * consumer of the leader's shared socket for its partition, called directly when this tab leads,
 * or over the channel when another tab does (tab-links.ts routes those calls). It outlives
 * leaders: when the leader changes, it attaches to the new one and its subscription resumes from
 * its own next offset, so a takeover loses and repeats nothing.
 *
 * Its LinkState mirrors the shared socket's, moving only along LINK_TRANSITIONS (through the
 * states between, when the socket jumped); without a leader, or after being dropped, it waits.
 * Every call into the subscription runs in turn on one chain, as a socket link's messages do, so
 * the records of an old session and the start of a new one can never interleave.
 *
 * @example
 * const link = new TabLink("orders", 0, "tab-1", "7", handlers, host);
 * link.start(); // attaches to the leader's socket
 */
import { reconnectDelayMs } from "../backoff.ts";
import type { CommitMessage, LinkHandlers, LinkStart, PartitionLink } from "../link.ts";
import type { EdgelogClientError } from "../local-errors.ts";
import type { EdgelogError, ServerMessageOf } from "../protocol/index.ts";
import { LINK_TRANSITIONS, type LinkState, move } from "../status.ts";
import type { Consumer } from "./consumer.ts";
import { consumerKey } from "./remote-consumer.ts";

/**
 * Where a tab link attaches, commits and nudges (tab-links.ts).
 *
 * @example
 * const host: LinkHost = { attach, detach, commit, nudge };
 */
export interface LinkHost {
  attach(link: TabLink): void;
  detach(link: TabLink): void;
  commit(link: TabLink, message: CommitMessage): Promise<ServerMessageOf<"committed">>;
  nudge(link: TabLink, what: "reconnect" | "check"): void;
}

/**
 * The shortest way from one link state to another along LINK_TRANSITIONS (empty when equal or
 * unreachable), so a mirrored link never makes a move its state machine forbids.
 *
 * @example
 * linkPath("live", "connecting"); // ["waiting", "connecting"]
 */
export function linkPath(from: LinkState, to: LinkState): LinkState[] {
  const before = new Map<LinkState, LinkState>();
  const queue: LinkState[] = [from];
  for (let i = 0; i < queue.length; i++) {
    const state = queue[i]!;
    if (state === to) break;
    for (const next of LINK_TRANSITIONS[state]) {
      if (next === from || before.has(next)) continue;
      before.set(next, state);
      queue.push(next);
    }
  }
  const path: LinkState[] = [];
  for (let state = to; state !== from && before.has(state); state = before.get(state)!) path.unshift(state);
  return path;
}

/**
 * A subscription's partition link over the leader's shared socket.
 *
 * @example
 * const link = new TabLink(topic, partition, tabId, linkId, handlers, host);
 */
export class TabLink implements PartitionLink, Consumer {
  readonly topic: string;
  readonly partition: number;
  /** The link's id within its tab. */
  readonly id: string;
  readonly key: string;
  state: LinkState = "idle";
  failures = 0;
  private readonly handlers: LinkHandlers;
  private readonly host: LinkHost;
  private readonly random: (() => number) | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(topic: string, partition: number, tab: string, id: string, handlers: LinkHandlers, host: LinkHost, random?: () => number) {
    this.topic = topic;
    this.partition = partition;
    this.id = id;
    this.key = consumerKey(tab, id);
    this.handlers = handlers;
    this.host = host;
    this.random = random;
  }

  /** Started and not closed: it belongs on a socket. */
  get active(): boolean {
    return this.state !== "idle" && this.state !== "closed";
  }

  start(): void {
    if (this.state !== "idle") return;
    this.walk("connecting");
    this.host.attach(this);
  }

  commit(message: CommitMessage): Promise<ServerMessageOf<"committed">> {
    return this.host.commit(this, message);
  }

  reconnectNow(): void {
    if (this.failures > 0 && this.active) {
      // The network is back: failures count afresh, here at once and in the leader's mirror soon.
      this.failures = 0;
      this.handlers.changed();
    }
    if (this.retryTimer !== null) this.reattachNow();
    else this.host.nudge(this, "reconnect");
  }

  checkNow(): void {
    this.host.nudge(this, "check");
  }

  close(): void {
    if (this.state === "closed") return;
    this.clearRetry();
    this.host.detach(this);
    this.walk("closed");
  }

  whereToStart(hello: ServerMessageOf<"hello">): Promise<LinkStart> {
    return this.inTurn(() => this.handlers.start(hello));
  }

  subscribed(message: ServerMessageOf<"subscribed">): Promise<void> {
    return this.inTurn(() => this.handlers.subscribed(message));
  }

  records(message: ServerMessageOf<"records">): Promise<void> {
    return this.inTurn(() => this.handlers.records(message));
  }

  mirror(state: LinkState, failures: number): void {
    // Only the subscription closes its link; a socket closing is the shared partition's business.
    if (!this.active || this.retryTimer !== null || state === "closed") return;
    this.failures = failures;
    // A new socket starts idle: for this link that is connecting again.
    this.walk(state === "idle" ? "connecting" : state);
  }

  failed(error: EdgelogError | EdgelogClientError): void {
    this.handlers.error(error);
  }

  dropped(_reason: string): void {
    if (!this.active) return;
    this.failures++;
    this.walk("waiting");
    this.clearRetry();
    this.retryTimer = setTimeout(() => this.reattachNow(), reconnectDelayMs(this.failures - 1, this.random));
  }

  /** The shared socket closed for good: this link closes (leaving the socket) and its subscription ends. */
  ended(error: EdgelogError): void {
    if (!this.active) return;
    void this.inTurn(async () => {
      if (!this.active) return;
      this.close();
      this.handlers.ended(error);
    });
  }

  /** The leader changed (or went): wait, then attach to the new one (the host decides when). */
  leaderChanged(): void {
    if (!this.active) return;
    this.clearRetry();
    this.walk("waiting");
  }

  /** Runs a call into the subscription after every earlier one. */
  inTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.chain.then(work);
    this.chain = result.catch(() => undefined);
    return result;
  }

  private reattachNow(): void {
    this.clearRetry();
    if (!this.active) return;
    this.walk("connecting");
    this.host.attach(this);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** Moves to `to` through the states between; tells the subscription once. */
  private walk(to: LinkState): void {
    if (this.state === to || this.state === "closed") return;
    for (const state of linkPath(this.state, to)) this.state = move(this.state, state);
    this.handlers.changed();
  }
}
