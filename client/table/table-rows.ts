/**
 * What a table (client.table) stores in IndexedDB: a row per key of a partition's view, in a
 * generation, and a row per partition saying which generation is the view, the next offset to
 * apply to it, how many keys it holds, and the rebuild under way, if any. The rows of a page of
 * records and the partition row that covers them are written in one transaction, so the position
 * never runs ahead of (or behind) the rows.
 *
 * @example
 * const row: StoredTableRow = { topic: "prices", partition: 0, generation: 1, key: "apple", value: 3, offset: 42 };
 */
import type { JsonValue } from "../protocol/index.ts";

/**
 * One key of a partition's view, in one generation.
 *
 * @example
 * await db.put("tableRows", { topic: "prices", partition: 0, generation: 1, key: "apple", value: 3, offset: 42 });
 */
export interface StoredTableRow {
  topic: string;
  partition: number;
  /** The generation the row belongs to (StoredTablePartition.generation, or a rebuild's). */
  generation: number;
  key: string;
  /** The key's value: never null (a tombstone deletes the row). */
  value: JsonValue;
  /** The offset of the record that set it. */
  offset: number;
}

/**
 * A generation of a partition's view: its number, the next offset to apply to it (null when
 * nothing was applied yet), how many keys it holds, and the topic incarnation it follows.
 *
 * @example
 * const view: TableGeneration = { generation: 1, next: 43, size: 2, topicId: "4f1c..." };
 */
export interface TableGeneration {
  generation: number;
  /** One past the offset of the last record applied (or the catch-up's start); null before any. */
  next: number | null;
  /** Keys the generation holds. */
  size: number;
  /** The topic incarnation (`hello.topicId`) its offsets count in. */
  topicId: string | null;
  /**
   * The server's `cleanedTombstonesBelow` when the records up to `next` were read, sent back as
   * `cleaned` on resume so the server resets only if it removed a tombstone since; absent when the
   * server sent none (not compacted, or older).
   */
  cleaned?: number;
}

/**
 * A partition of a table: the generation readers see (`view`), and the one being built when the
 * server said `reset` (`building`), swapped in whole once the catch-up is live.
 *
 * @example
 * await db.put("tablePartitions", { topic: "prices", partition: 0, view, building: null });
 */
export interface StoredTablePartition {
  topic: string;
  partition: number;
  /** The generation `get`, `entries` and `size` read. */
  view: TableGeneration;
  /** A rebuild under way (readers never see it until it is swapped in), or null. */
  building: TableGeneration | null;
}

/**
 * Which generation a writer applies to: the view, or a rebuild of this number.
 *
 * @example
 * const target: TableTarget = { kind: "building", generation: 2 };
 */
export type TableTarget = { kind: "view" } | { kind: "building"; generation: number };
