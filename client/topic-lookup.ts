/**
 * A topic's partition count, as a client looks it up: the cache's (refreshed in the background),
 * else fetched from the server with backoff until known, and stored in the cache when fetched.
 * UNKNOWN_TOPIC is final: thrown (or, after the cache answered, told to `watch.gone`), never
 * retried; other failures are told to `watch.failed` and retried, each after a bounded delay.
 *
 * @example
 * const lookup = new TopicLookup({ cache, http, events, sleep, random: undefined, isClosed: () => closed });
 * const partitions = await lookup.partitionCount("orders", watch);
 */

import { reconnectDelayMs } from "./backoff.ts";
import type { EventCache, TopicInfo } from "./cache/types.ts";
import type { ClientEvents } from "./client-events.ts";
import type { HttpApi } from "./http-api.ts";
import { EdgelogError, type TopicSchemas } from "./protocol/index.ts";
import type { LookupWatch } from "./subscription-context.ts";

/**
 * What a topic lookup needs from its client.
 *
 * @example
 * const options: TopicLookupOptions = { cache, http, events, sleep: (ms) => network.sleep(ms), random: Math.random, isClosed: () => closed };
 */
export interface TopicLookupOptions {
  cache: EventCache;
  http: HttpApi;
  events: ClientEvents;
  /** Waits out a retry's delay (earlier when the network comes back). */
  sleep(ms: number): Promise<void>;
  /** Random numbers for the retries' jitter (default Math.random). */
  random: (() => number) | undefined;
  /** Whether the client closed (then the retries stop). */
  isClosed(): boolean;
}

/**
 * The partition counts of topics, from the cache or the server (see the module).
 *
 * @example
 * const lookup = new TopicLookup(options);
 * const count = await lookup.fetchPartitionCount("orders"); // from the server, then cached
 */
export class TopicLookup {
  private readonly options: TopicLookupOptions;

  constructor(options: TopicLookupOptions) {
    this.options = options;
  }

  /** The cached partition count, or undefined when the cache has none (or fails). */
  async cachedPartitionCount(topic: string): Promise<number | undefined> {
    const { cache, events } = this.options;
    return (await events.cached("reading topic metadata", () => cache.topic(topic), undefined))?.partitions;
  }

  /**
   * A topic's partition count: the cache's (refreshed in the background), else fetched with
   * backoff until known. UNKNOWN_TOPIC is final: thrown (or, after the cache answered, told to
   * `watch.gone`), never retried; other failures are told to `watch.failed` and retried.
   */
  async partitionCount(topic: string, watch: LookupWatch): Promise<number | undefined> {
    const { cache, events } = this.options;
    const info = await events.cached("reading topic metadata", () => cache.topic(topic), undefined);
    if (info !== undefined) {
      this.fetchPartitionCount(topic).catch((error: unknown) => {
        if (isUnknownTopic(error)) watch.gone(error);
      });
      return info.partitions;
    }
    // Bounded in delay (RECONNECT_DELAY_MS_MAX); attempts go on while the subscription is open.
    for (let attempt = 0; !watch.isClosed() && !this.options.isClosed(); attempt++) {
      try {
        return await this.fetchPartitionCount(topic);
      } catch (error) {
        if (isUnknownTopic(error)) throw error;
        if (error instanceof EdgelogError) events.reportError(error);
        watch.failed();
        await this.options.sleep(reconnectDelayMs(attempt, this.options.random));
      }
    }
    return undefined;
  }

  /**
   * Fetches a topic's partition count from the server and stores it in the cache, with the
   * topic's schemas (SCHEMA-8) fetched beside it: when they cannot be read (no read grant, the
   * network), the ones cached before are kept, and the server still decides (SCHEMA-6).
   */
  async fetchPartitionCount(topic: string): Promise<number> {
    const { cache, events, http } = this.options;
    const [description, schemas] = await Promise.all([http.describeTopic(topic), this.fetchSchemas(topic)]);
    const known = schemas ?? (await events.cached("reading topic metadata", () => cache.topic(topic), undefined))?.schemas;
    const info: TopicInfo = { name: topic, partitions: description.partitions.length, fetchedAt: Date.now(), topicId: description.topicId };
    if (known !== undefined) info.schemas = known;
    await events.cached("storing topic metadata", () => cache.putTopic(info), undefined, true);
    return info.partitions;
  }

  /** The latest versions of the topic's `-value` and `-key` subjects, or undefined when unreadable. */
  private async fetchSchemas(topic: string): Promise<TopicSchemas | undefined> {
    try {
      return await this.options.http.topicSchemas(topic);
    } catch {
      return undefined;
    }
  }
}

function isUnknownTopic(error: unknown): error is EdgelogError {
  return error instanceof EdgelogError && error.code === "UNKNOWN_TOPIC";
}
