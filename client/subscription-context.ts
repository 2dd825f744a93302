/**
 * What a subscription (subscription.ts) and its client share: the context the client hands each
 * subscription, the handle the client keeps of it, the watch over its partition-count lookup,
 * and the state the subscription keeps per partition.
 *
 * @example
 * const context: SubscriptionContext = client.subscriptionContext(makeLink);
 * const sub = new Subscription(context, "orders", { from: "earliest" }, (record) => show(record));
 */

import type { EventCache } from "./cache/types.ts";
import type { LinkFactory, PartitionLink } from "./link.ts";
import type { EdgelogClientError } from "./local-errors.ts";
import type { EdgelogError } from "./protocol/index.ts";
import type { Subscription } from "./subscription.ts";

/**
 * What a subscription needs from its client.
 *
 * @example
 * new Subscription(context, "orders", { from: "earliest" }, (record) => show(record));
 */
export interface SubscriptionContext {
  cache: EventCache;
  makeLink: LinkFactory;
  /**
   * The topic's partition count: cached, else fetched (retrying network failures, each told to
   * `watch.failed`); undefined if `watch.isClosed` first. Rejects UNKNOWN_TOPIC when the server
   * says there is no such topic; when the cached count answered, that news comes to `watch.gone`.
   */
  partitionCount(topic: string, watch: LookupWatch): Promise<number | undefined>;
  /** Runs a cache call; a failure is reported and `fallback` answered (the cache is best effort here). */
  cached<T>(doing: string, op: () => Promise<T>, fallback: T): Promise<T>;
  commit(group: string, topic: string, partition: number, offset: number): Promise<void>;
  linkAdded(link: PartitionLink): void;
  linkRemoved(link: PartitionLink): void;
  linkChanged(): void;
  /** The subscription closed: the client forgets it. */
  released(subscription: SubscriptionHandle): void;
  reportError(error: EdgelogError | EdgelogClientError): void;
}

/**
 * What a client keeps of each of its subscriptions, whatever their value type.
 *
 * @example
 * const subscriptions = new Set<SubscriptionHandle>([client.subscribe<Order>("orders")]);
 */
export type SubscriptionHandle = Pick<Subscription<unknown>, "close" | "networkBack" | "resolvingLink">;

/**
 * How a subscription follows its partition-count lookup.
 *
 * @example
 * const watch: LookupWatch = { isClosed: () => closed, failed: () => failures++, gone: (error) => end(error) };
 */
export interface LookupWatch {
  isClosed(): boolean;
  /** A lookup failed for the network; it is retried. */
  failed(): void;
  /** The server says the topic does not exist (after the cache answered the count). */
  gone(error: EdgelogError): void;
}

/**
 * What a subscription keeps of one partition.
 *
 * @example
 * const state: PartitionState = { partition: 0, next: null, topicId: null, logStartOffset: undefined, link: null };
 */
export interface PartitionState {
  partition: number;
  /** The next offset to deliver; null until known (the server resolves `from`). */
  next: number | null;
  /** The topic incarnation `next` counts in (the position's, the replayed run's, then the hello's). */
  topicId: string | null;
  logStartOffset: number | undefined;
  link: PartitionLink | null;
}
