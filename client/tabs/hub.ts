/**
 * The leader tab's hub: the shared partition sockets (one per partition any tab reads), the
 * consumers on them (this tab's links, called directly, and followers' links, over the channel),
 * and the followers' requests (attach, detach, commit, nudge). It watches each follower's own
 * lock, so the consumers of a tab that closed or crashed are let go at once.
 *
 * @example
 * const hub = new Hub({ channel, locks, prefix, makeLink: socketLinks, lookups });
 * channel.listen((message) => hub.heard(message));
 * hub.attach(link, "orders", 0);
 */

import type { CommitMessage, LinkFactory } from "../link.ts";
import { EdgelogClientError } from "../local-errors.ts";
import type { ServerMessageOf } from "../protocol/index.ts";
import type { TabChannel } from "./channel.ts";
import type { Consumer } from "./consumer.ts";
import { tabLockName } from "./election.ts";
import { type LockManagerLike, watchLock } from "./locks.ts";
import { consumerKey, RemoteConsumer } from "./remote-consumer.ts";
import type { StartLookups } from "./resolve-start.ts";
import { SharedPartition } from "./shared-partition.ts";
import type { TabMessage } from "./tab-messages.ts";

/**
 * What a hub needs.
 *
 * @example
 * const options: HubOptions = { channel, locks: navigator.locks, prefix, makeLink, lookups };
 */
export interface HubOptions {
  channel: TabChannel;
  locks: LockManagerLike;
  prefix: string;
  /** Makes real partition sockets. */
  makeLink: LinkFactory;
  lookups: StartLookups;
}

/**
 * The leader's shared sockets and their consumers.
 *
 * @example
 * const hub = new Hub(options);
 * hub.attach(consumer, "orders", 0);
 */
export class Hub {
  private readonly options: HubOptions;
  private readonly partitions = new Map<string, SharedPartition>();
  /** Each consumer's partition key. */
  private readonly placed = new Map<string, string>();
  private readonly remotes = new Map<string, RemoteConsumer>();
  /** Followers whose lock is watched: stops watching. */
  private readonly watched = new Map<string, () => void>();
  private closed = false;

  constructor(options: HubOptions) {
    this.options = options;
  }

  /** Puts a consumer on its partition's shared socket (opening one if needed). */
  attach(consumer: Consumer, topic: string, partition: number): void {
    if (this.closed) return;
    this.detach(consumer.key);
    const key = `${topic}/${partition}`;
    let shared = this.partitions.get(key);
    if (shared === undefined) {
      shared = new SharedPartition(topic, partition, {
        makeLink: this.options.makeLink,
        lookups: this.options.lookups,
        empty: () => this.partitions.delete(key),
      });
      this.partitions.set(key, shared);
    }
    this.placed.set(consumer.key, key);
    shared.attach(consumer);
  }

  /** Takes a consumer off its socket (the last one closes it). */
  detach(consumerKey: string): void {
    const key = this.placed.get(consumerKey);
    this.placed.delete(consumerKey);
    this.remotes.delete(consumerKey);
    if (key !== undefined) this.partitions.get(key)?.detach(consumerKey);
  }

  /** Commits over a consumer's partition socket. */
  commit(consumerKey: string, message: CommitMessage): Promise<ServerMessageOf<"committed">> {
    const shared = this.sharedOf(consumerKey);
    if (shared === undefined) return Promise.reject(new EdgelogClientError("NETWORK", "the subscription has no socket in the leader tab"));
    return shared.commit(message);
  }

  /** Skips a socket's backoff, or checks it with a heartbeat. */
  nudge(consumerKey: string, what: "reconnect" | "check"): void {
    const shared = this.sharedOf(consumerKey);
    if (what === "reconnect") shared?.reconnectNow();
    else shared?.checkNow();
  }

  /** Handles a follower's message (others are ignored). */
  heard(message: TabMessage): void {
    if (this.closed) return;
    const { channel } = this.options;
    switch (message.type) {
      case "attach": {
        const consumer = new RemoteConsumer(channel, message.from, message.link);
        this.watch(message.from);
        this.attach(consumer, message.topic, message.partition);
        this.remotes.set(consumer.key, consumer);
        return;
      }
      case "detach":
        this.detach(consumerKey(message.from, message.link));
        return;
      case "nudge":
        this.nudge(consumerKey(message.from, message.link), message.what);
        return;
      case "commit":
        this.commit(consumerKey(message.from, message.link), message.message).then(
          (value) => channel.answer(message.from, message.rid, { value }),
          (error: unknown) => channel.answer(message.from, message.rid, { error }),
        );
        return;
      default:
        return;
    }
  }

  /** Closes every shared socket (the next leader opens its own) and stops watching. */
  close(): void {
    this.closed = true;
    for (const shared of this.partitions.values()) shared.close();
    this.partitions.clear();
    this.placed.clear();
    this.remotes.clear();
    for (const stop of this.watched.values()) stop();
    this.watched.clear();
  }

  private sharedOf(consumerKey: string): SharedPartition | undefined {
    const key = this.placed.get(consumerKey);
    return key === undefined ? undefined : this.partitions.get(key);
  }

  /** Watches a follower's lock: when it is free, the tab is gone, and so are its consumers. */
  private watch(tab: string): void {
    if (this.watched.has(tab)) return;
    const { locks, prefix, channel } = this.options;
    this.watched.set(
      tab,
      watchLock(locks, tabLockName(prefix, tab), () => {
        this.watched.delete(tab);
        for (const consumer of [...this.remotes.values()]) if (consumer.tab === tab) this.detach(consumer.key);
        channel.failPending(tab, new EdgelogClientError("NETWORK", `tab ${tab} closed`));
      }),
    );
  }
}
