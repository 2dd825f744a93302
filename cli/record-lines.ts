/**
 * How `edgelog produce` reads its input: one record per line. A line is a JSON value (the
 * record's value), or with a key separator (`-K :`) `key<sep>value`, the key the text before the
 * first separator and the value the JSON after it. `--raw` takes each line (or each value part)
 * as a string instead. Empty lines are skipped. Headers given on the command line go on every
 * record. A line that is neither is INVALID_RECORD, naming its line number.
 *
 * @example
 * parseRecordLine('alice:{"qty":1}', { keySeparator: ":", raw: false, headers: {} }, 1);
 * // { key: "alice", value: { qty: 1 }, headers: {} }
 */
import { EdgelogError, type JsonValue, type RecordInput } from "../client/index.ts";

/**
 * How lines become records.
 *
 * @example
 * const format: LineFormat = { keySeparator: "\t", raw: false, headers: { source: "cli" } };
 */
export interface LineFormat {
  /** Splits the key off the value at its first occurrence; null: no key. */
  keySeparator: string | null;
  /** Values are the text itself, not JSON. */
  raw: boolean;
  headers: Readonly<Record<string, string>>;
}

function lineValue(text: string, format: LineFormat, lineNumber: number): JsonValue {
  if (format.raw) return text;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw new EdgelogError(
      "INVALID_RECORD",
      `line ${lineNumber}: the value is not JSON (--raw sends lines as strings): ${text.slice(0, 80)}`,
    );
  }
}

/**
 * The record of one input line, or null for an empty line.
 *
 * @example
 * parseRecordLine("42", { keySeparator: null, raw: false, headers: {} }, 7); // { key: null, value: 42, headers: {} }
 */
export function parseRecordLine(line: string, format: LineFormat, lineNumber: number): RecordInput | null {
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  if (text.length === 0) return null;
  const headers = { ...format.headers };
  if (format.keySeparator === null) return { key: null, value: lineValue(text, format, lineNumber), headers };
  const at = text.indexOf(format.keySeparator);
  if (at === -1) {
    throw new EdgelogError(
      "INVALID_RECORD",
      `line ${lineNumber}: no key separator ${JSON.stringify(format.keySeparator)} in: ${text.slice(0, 80)}`,
    );
  }
  const key = text.slice(0, at);
  return { key, value: lineValue(text.slice(at + format.keySeparator.length), format, lineNumber), headers };
}

/**
 * `name=value` pairs (from repeated `-H`) as a headers object; a pair without `=` is a usage error.
 *
 * @example
 * headerPairs(["source=cli", "run=7"]); // { source: "cli", run: "7" }
 */
export function headerPairs(pairs: readonly string[], fail: (message: string) => Error): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw fail(`a header is name=value, not ${JSON.stringify(pair)}`);
    headers[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return headers;
}
