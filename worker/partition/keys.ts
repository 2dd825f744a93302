/**
 * A compacted partition's key index: each key's latest offset, in a WITHOUT ROWID table keyed by
 * the key's JSON text (so one upsert writes one row), written in the same transaction as the
 * batch it indexes. Compaction keeps a record only when it is its key's latest (COMPACT-4), and a
 * latest-per-key read delivers only those (TABLE-1).
 *
 * Rules: PROTOCOL.md COMPACT-2, COMPACT-3.
 *
 * @example
 * const keys = new KeyIndex(sql, meter);
 * keys.record(baseOffset, tails); // in the append's transaction
 * keys.latest('"user-1"'); // the offset of user-1's latest record
 */
import { EdgelogError } from "../../client/protocol/index.ts";
import { invariant } from "../result.ts";
import type { Meter } from "./meter.ts";

/** Rows one upsert statement writes at most (2 bound parameters a row, 100 a statement). */
const KEYS_PER_STATEMENT = 50;

/**
 * The JSON text of a stored record tail's key (`"key":K,...`), or null for a keyless record.
 * The key is a JSON string in JSON.stringify's form (RECORD-8), so its text names it exactly.
 *
 * @example
 * tailKey('"key":"a\\"b","value":1,"headers":{}}'); // '"a\\"b"'
 * tailKey('"key":null,"value":1,"headers":{}}'); // null
 */
export function tailKey(tail: string): string | null {
  return keyAt(tail, 0).key;
}

/**
 * The key of the record whose `"key":` member starts at `at` in `text`, and the index one past
 * its JSON (where `,"value":` starts).
 *
 * @example
 * keyAt('{"offset":0,"timestamp":1,"key":"k","value":null,"headers":{}}', 26); // { key: '"k"', end: 35 }
 */
export function keyAt(text: string, at: number): { key: string | null; end: number } {
  const start = at + '"key":'.length;
  invariant(text.startsWith('"key":', at), "a record's key member is where it is looked for");
  if (text.startsWith("null", start)) return { key: null, end: start + 4 };
  invariant(text[start] === '"', "a key is null or a string");
  // Bounded by the text: each turn moves at least one character.
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
  invariant(i < text.length, "a key's string ends inside its record");
  return { key: text.slice(start, i + 1), end: i + 1 };
}

/**
 * Refuses a batch for a compacted topic unless every record has a key: KEY_REQUIRED, naming the
 * first record without one (nothing of the batch is stored).
 *
 * @example
 * requireKeys(request.tails); // throws KEY_REQUIRED for '"key":null,...'
 */
export function requireKeys(tails: readonly string[]): string[] {
  const keys = new Array<string>(tails.length);
  for (let i = 0; i < tails.length; i++) {
    const key = tailKey(tails[i]!);
    if (key === null) throw keyRequired(i);
    keys[i] = key;
  }
  return keys;
}

/**
 * The KEY_REQUIRED error for the record at `index` of a request.
 *
 * @example
 * throw keyRequired(3);
 */
export function keyRequired(index: number): EdgelogError {
  return new EdgelogError(
    "KEY_REQUIRED",
    `records[${index}] has no key: the topic is compacted (cleanup.policy), which keeps the latest record of each key, so every record needs one`,
  );
}

/**
 * The key index of a compacted partition (see this module's header).
 *
 * @example
 * new KeyIndex(ctx.storage.sql, log.meter).latest('"k"'); // undefined when k was never produced
 */
export class KeyIndex {
  private readonly sql: SqlStorage;
  private readonly meter: Meter;

  constructor(sql: SqlStorage, meter: Meter) {
    this.sql = sql;
    this.meter = meter;
  }

  /**
   * Records a batch's keys (`keys[i]` of the record at `baseOffset + i`): each distinct key's
   * last offset in the batch, one row written per distinct key.
   */
  record(baseOffset: number, keys: readonly string[]): void {
    const latest = new Map<string, number>();
    for (let i = 0; i < keys.length; i++) latest.set(keys[i]!, baseOffset + i);
    const rows = [...latest];
    for (let from = 0; from < rows.length; from += KEYS_PER_STATEMENT) {
      const chunk = rows.slice(from, from + KEYS_PER_STATEMENT);
      const values = chunk.map(() => "(?, ?)").join(", ");
      this.meter.count(
        this.sql.exec(
          `INSERT INTO keys (key, latest_offset) VALUES ${values} ON CONFLICT (key) DO UPDATE SET latest_offset = excluded.latest_offset`,
          ...chunk.flat(),
        ),
      );
    }
  }

  /** The offset of `key`'s latest record, or undefined when it has none (never, or compacted away). */
  latest(key: string): number | undefined {
    const cursor = this.sql.exec<{ latest_offset: number }>("SELECT latest_offset FROM keys WHERE key = ?", key);
    const row = cursor.toArray()[0];
    this.meter.count(cursor);
    return row?.latest_offset;
  }

  /** Forgets `key` when its latest record is still the one at `offset` (a tombstone compaction removed). */
  forget(key: string, offset: number): void {
    this.meter.count(this.sql.exec("DELETE FROM keys WHERE key = ? AND latest_offset = ?", key, offset));
  }

  /** How many keys have a latest record. */
  count(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM keys").one().n;
  }
}
