/**
 * What a table tells its listeners: a key's change (`value` null when it was deleted,
 * `previous` null when it was not there), or a partition's view replaced whole (`reset`: the
 * server compacted past the table's position, or the table was built for the first time; read
 * the table again).
 *
 * @example
 * table.onChange(({ key, value, previous, offset }) => console.log(key, previous, "->", value, "at", offset));
 */
import type { JsonValue } from "../protocol/index.ts";

/**
 * One key's change in a table's view, in the order the partition's records applied.
 *
 * @example
 * const change: TableChange = { key: "apple", value: 4, previous: 3, offset: 43, partition: 0 };
 */
export interface TableChange<T = JsonValue> {
  key: string;
  /** The new value; null when the key was deleted (a tombstone). */
  value: T | null;
  /** The value before; null when the key was not in the view. */
  previous: T | null;
  /** The offset of the record that made the change. */
  offset: number;
  partition: number;
}

/**
 * A partition's view replaced whole by a rebuild (no per-key changes are told for it).
 *
 * @example
 * table.onReset(({ partition, size }) => console.log(`partition ${partition} rebuilt: ${size} keys`));
 */
export interface TableReset {
  partition: number;
  /** Keys the partition's new view holds. */
  size: number;
}
