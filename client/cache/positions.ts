/**
 * How a named subscription's stored position moves, as a pure rule both caches apply inside
 * their write: a name is this database's cursor, shared by its tabs, so a tab that is behind must
 * never move it back. Within one incarnation of the topic the larger offset stays; a position of
 * another known incarnation (the topic was deleted and created again) is replaced; an unknown
 * incarnation (schema version 2's rows, or a subscription before its first hello) counts as the
 * same one.
 *
 * @example
 * mergePosition({ next: 10, topicId: "a" }, { next: 4, topicId: "a" }); // { next: 10, topicId: "a" }
 * mergePosition({ next: 10, topicId: "a" }, { next: 4, topicId: "b" }); // { next: 4, topicId: "b" }
 */
import type { NamedPosition } from "./types.ts";

/**
 * The position to store when `incoming` is written over `stored`.
 *
 * @example
 * const row = mergePosition(await store.get(key), { next, topicId });
 */
export function mergePosition(stored: NamedPosition | undefined, incoming: NamedPosition): NamedPosition {
  if (stored === undefined) return { next: incoming.next, topicId: incoming.topicId };
  if (stored.topicId !== null && incoming.topicId !== null && stored.topicId !== incoming.topicId) {
    return { next: incoming.next, topicId: incoming.topicId };
  }
  return { next: Math.max(stored.next, incoming.next), topicId: incoming.topicId ?? stored.topicId };
}
