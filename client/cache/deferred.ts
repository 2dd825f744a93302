/**
 * A cache that is still opening: `createClient` returns at once, while IndexedDB opens in the
 * background, so every call waits for the real cache first. Opening never fails here: the client
 * hands in a promise that falls back to a memory cache (and reports why) when IndexedDB cannot
 * be opened.
 *
 * @example
 * const cache = deferCache(openCache({ cache: "indexeddb" }).catch(() => createMemoryCache()), "indexeddb");
 * await cache.outboxCount(); // waits for the database to open
 */
import type { EventCache } from "./types.ts";

/**
 * An EventCache that forwards each call to `ready` once it resolves. `kind` is what was asked
 * for; after a fallback the real cache's kind can be read from `await ready`.
 *
 * @example
 * const cache = deferCache(Promise.resolve(createMemoryCache()), "memory");
 */
export function deferCache(ready: Promise<EventCache>, kind: EventCache["kind"]): EventCache {
  let resolved: EventCache | null = null;
  let closed = false;
  void ready.then((cache) => {
    resolved = cache;
    if (closed) cache.close();
  });
  const via = async <T>(call: (cache: EventCache) => Promise<T>): Promise<T> => call(resolved ?? (await ready));
  return {
    kind,
    putRecords: (topic, partition, records, options) => via((c) => c.putRecords(topic, partition, records, options)),
    readRecords: (topic, partition, from, limit, topicId) => via((c) => c.readRecords(topic, partition, from, limit, topicId)),
    run: (topic, partition) => via((c) => c.run(topic, partition)),
    runs: (topic) => via((c) => c.runs(topic)),
    dropRecords: (topic, partition) => via((c) => c.dropRecords(topic, partition)),
    dropStale: (topic, partition, topicId) => via((c) => c.dropStale(topic, partition, topicId)),
    topic: (name) => via((c) => c.topic(name)),
    putTopic: (info) => via((c) => c.putTopic(info)),
    position: (subscription, topic, partition) => via((c) => c.position(subscription, topic, partition)),
    putPosition: (subscription, topic, partition, position) => via((c) => c.putPosition(subscription, topic, partition, position)),
    producer: () => via((c) => c.producer()),
    outboxAdd: (entry, limit) => via((c) => c.outboxAdd(entry, limit)),
    outboxList: (limit) => via((c) => c.outboxList(limit)),
    outboxCount: () => via((c) => c.outboxCount()),
    outboxResolve: (partitions) => via((c) => c.outboxResolve(partitions)),
    outboxSeal: (ids, topic, partition) => via((c) => c.outboxSeal(ids, topic, partition)),
    outboxRemove: (ids) => via((c) => c.outboxRemove(ids)),
    outboxDiscard: (ids, topic, partition, batch) => via((c) => c.outboxDiscard(ids, topic, partition, batch)),
    outboxUnseal: (ids, topic, partition, batch) => via((c) => c.outboxUnseal(ids, topic, partition, batch)),
    close: () => {
      closed = true;
      resolved?.close();
    },
  };
}
