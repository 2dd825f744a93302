/**
 * Where several subscriptions sharing one partition socket start, as one offset each. A socket
 * carries one subscription, so the leader subscribes it from the lowest offset any of them needs
 * and each skips what lies below its own start. Symbolic starts are resolved the way the
 * partition object resolves them (worker/partition/subscribers.ts): "earliest" and "latest" from
 * the socket's `hello`, a timestamp and a group's committed offset over HTTP, an offset clamped to
 * the log. A single subscription needs none of this: its start is sent as it is. Every start a
 * consumer answers is already the wire's (the subscription resolves the client-only
 * `from: "cached"` itself, with start-plan.ts's `wireStart`), so nothing here knows of "cached".
 *
 * @example
 * const offset = await resolveStart({ from: "latest" }, hello, lookups); // hello.highWatermark
 */

import type { HttpApi } from "../http-api.ts";
import type { LinkStart } from "../link.ts";
import { committedStart, type ServerMessageOf } from "../protocol/index.ts";

/**
 * The HTTP lookups a symbolic start may need.
 *
 * @example
 * const lookups: StartLookups = httpLookups(http);
 */
export interface StartLookups {
  /** The first offset at or after `timestamp` (the high watermark when there is none). */
  offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<number>;
  /** The group's committed offset on the partition, or null when it has none. */
  committedOffset(group: string, topic: string, partition: number): Promise<number | null>;
}

/**
 * The lookups over the client's HTTP API.
 *
 * @example
 * const lookups = httpLookups(new HttpApi(url, fetch, () => undefined));
 */
export function httpLookups(http: HttpApi): StartLookups {
  return {
    offsetForTimestamp: async (topic, partition, timestamp) => (await http.offsetForTimestamp(topic, partition, timestamp)).offset,
    committedOffset: async (group, topic, partition) => {
      const answer = await http.groupOffsets(group, topic);
      return answer.partitions.find((p) => p.partition === partition)?.committedOffset ?? null;
    },
  };
}

/**
 * The offset `start` means on the partition that said `hello`.
 *
 * @example
 * await resolveStart({ from: "committed", group: "billing", reset: "earliest" }, hello, lookups);
 */
export async function resolveStart(start: LinkStart, hello: ServerMessageOf<"hello">, lookups: StartLookups): Promise<number> {
  const { logStartOffset: low, highWatermark: high } = hello;
  const clamp = (offset: number): number => Math.min(Math.max(offset, low), high);
  const { from } = start;
  // A table's latest-per-key catch-up begins at the log's start; with another subscription on the
  // socket it becomes an ordinary read from there, which applied in order gives the same table.
  if (from === "earliest" || from === "latest-per-key") return low;
  if (from === "latest") return high;
  if (from === "committed") {
    const committed = await lookups.committedOffset(start.group ?? "", hello.topic, hello.partition);
    return committedStart(committed, hello, start.reset);
  }
  if ("offset" in from) return clamp(from.offset);
  return clamp(await lookups.offsetForTimestamp(hello.topic, hello.partition, from.timestamp));
}
