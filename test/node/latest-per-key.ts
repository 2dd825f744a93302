/**
 * The model a table is checked against: the latest value per key of records in offset order.
 *
 * @example
 * latestPerKey([record(0, "a", 1), record(1, "a", null), record(2, "b", 2)]); // [["b", 2]]
 */
import type { FetchedRecord, JsonValue } from "../../client/protocol/index.ts";

/**
 * The latest value per key of `records` in offset order (a tombstone deletes; keyless records
 * are no part of it), sorted by key.
 *
 * @example
 * expect(await entries(table)).toEqual(latestPerKey(log));
 */
export function latestPerKey(records: readonly FetchedRecord[]): [string, JsonValue][] {
  const view = new Map<string, JsonValue>();
  for (const record of records) {
    if (record.key === null) continue;
    if (record.value === null) view.delete(record.key);
    else view.set(record.key, record.value);
  }
  return [...view].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
