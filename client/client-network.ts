/**
 * What a client knows of the network, and the status it derives from that (status.ts has the
 * rules): its open partition links, whether the platform says it is online, how its last HTTP
 * request went, and the subscriptions still resolving their partitions. The environment's events
 * move it: the network back reconnects every link at once and wakes whoever sleeps out a backoff
 * (the outbox, a partition-count lookup); a page coming back checks the links.
 *
 * @example
 * const network = new ClientNetwork({ environment, events, subscriptions, isClosed: () => closed, wakeProducer });
 * const stop = environment.watch((event) => network.heard(event));
 * await network.sleep(1000); // or less, when the network comes back
 */

import type { ClientEvents } from "./client-events.ts";
import type { ClientEnvironment, EnvironmentEvent } from "./environment.ts";
import type { PartitionLink } from "./link.ts";
import { type ClientStatus, deriveStatus, type LinkSnapshot } from "./status.ts";
import type { SubscriptionHandle } from "./subscription-context.ts";

/**
 * What a client's network state needs from its client.
 *
 * @example
 * const options: ClientNetworkOptions = { environment, events, subscriptions, isClosed: () => closed, wakeProducer: () => producer.wake() };
 */
export interface ClientNetworkOptions {
  environment: ClientEnvironment;
  events: ClientEvents;
  /** The client's subscriptions (the client adds and forgets them). */
  subscriptions: ReadonlySet<SubscriptionHandle>;
  /** Whether the client closed (then nothing moves the status any more). */
  isClosed(): boolean;
  /** Tells the producer the network is back, so the outbox need not wait for its backoff. */
  wakeProducer(): void;
}

/**
 * The client's links, online state and last HTTP outcome, and the status made of them.
 *
 * @example
 * const network = new ClientNetwork(options);
 * network.linkAdded(link); // the status now counts it
 */
export class ClientNetwork {
  private readonly options: ClientNetworkOptions;
  private readonly links = new Set<PartitionLink>();
  private readonly sleepers = new Set<() => void>();
  private online: boolean;
  private lastHttp: "unknown" | "ok" | "failed" = "unknown";

  constructor(options: ClientNetworkOptions) {
    this.options = options;
    this.online = options.environment.isOnline();
  }

  /** A subscription's link exists: the status counts it. */
  linkAdded(link: PartitionLink): void {
    this.links.add(link);
    this.recompute();
  }

  /** A subscription's link closed: the status counts it no more. */
  linkRemoved(link: PartitionLink): void {
    this.links.delete(link);
    this.recompute();
  }

  /** A link changed state (or a lookup failed): the status again, and the outbox woken when a socket opened. */
  linkChanged(): void {
    const open = (status: ClientStatus): boolean => status === "live" || status === "catching-up";
    const wasOpen = open(this.options.events.status);
    this.recompute();
    // A socket opened: the network is back, so the outbox need not wait for its backoff.
    if (!wasOpen && open(this.options.events.status)) this.options.wakeProducer();
  }

  /** An open link of this partition (its socket can carry a commit), if there is one. */
  openLink(topic: string, partition: number): PartitionLink | undefined {
    return [...this.links].find((l) => l.topic === topic && l.partition === partition && ["open", "catching-up", "live"].includes(l.state));
  }

  /** Resolves after `ms`, or earlier when the network comes back or the client closes. */
  sleep(ms: number): Promise<void> {
    if (this.options.isClosed()) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  /** An environment event: online, offline, or the page visible again. */
  heard(event: EnvironmentEvent): void {
    if (this.options.isClosed()) return;
    // Only the network events move `online`; a page coming back asks the platform again.
    this.online = event === "online" ? true : event === "offline" ? false : this.options.environment.isOnline();
    if (event === "online") {
      // The network is back: what failed before counts afresh, so the status is `connecting` at once.
      if (this.lastHttp === "failed") this.lastHttp = "unknown";
      for (const subscription of this.options.subscriptions) subscription.networkBack();
    }
    if (event !== "offline") {
      for (const link of [...this.links]) {
        if (event === "online") link.reconnectNow();
        else link.checkNow();
      }
      for (const wake of [...this.sleepers]) wake();
      this.options.wakeProducer();
    }
    this.recompute();
  }

  /** An HTTP request reached the server, or failed to. */
  reached(reached: boolean): void {
    this.lastHttp = reached ? "ok" : "failed";
    this.recompute();
  }

  /** Derives the status from the links, the lookups under way, `online` and the last HTTP outcome. */
  recompute(): void {
    if (this.options.isClosed()) return;
    const links: LinkSnapshot[] = [...this.links].map((link) => ({ state: link.state, failures: link.failures }));
    for (const subscription of this.options.subscriptions) {
      const resolving = subscription.resolvingLink();
      if (resolving !== null) links.push(resolving);
    }
    this.options.events.setStatus(deriveStatus({ links, online: this.online, http: this.lastHttp, closed: false }));
  }

  /** The client closed: every sleeper wakes. */
  close(): void {
    for (const wake of this.sleepers) wake();
  }
}
