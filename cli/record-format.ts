/**
 * How `edgelog consume` prints a record: a kcat-like format string (`-f`), or JSON lines (`-J`).
 * In a format, `%k` is the key (empty when none), `%s` the value as JSON, `%p` the partition,
 * `%o` the offset, `%T` the timestamp (ms), `%h` the headers as `name=value` joined by commas,
 * `%t` the topic, `%%` a percent sign; `\n`, `\t`, `\r` and `\\` are escapes. Anything else after
 * `%` is a usage error, found when the format is compiled, before anything is read.
 *
 * @example
 * const line = compileFormat("%p:%o %k=%s\\n");
 * line({ topic: "orders", partition: 0, offset: 7, timestamp: 1, key: "a", value: 1, headers: {} }); // "0:7 a=1\n"
 */
import type { FetchedRecord } from "../client/index.ts";
import { UsageError } from "./failure.ts";

/**
 * A record with where it came from.
 *
 * @example
 * const record: PrintedRecord = { topic: "orders", partition: 0, ...fetched };
 */
export type PrintedRecord = FetchedRecord & { topic: string; partition: number };

type Piece = string | ((record: PrintedRecord) => string);

const FIELDS: Record<string, (record: PrintedRecord) => string> = {
  k: (r) => r.key ?? "",
  s: (r) => JSON.stringify(r.value),
  p: (r) => String(r.partition),
  o: (r) => String(r.offset),
  T: (r) => String(r.timestamp),
  t: (r) => r.topic,
  h: (r) =>
    Object.entries(r.headers)
      .map(([name, value]) => `${name}=${value}`)
      .join(","),
};

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\" };

/**
 * The printer of a format string, as this module's header says.
 *
 * @example
 * compileFormat("%s\\n")({ topic: "t", partition: 0, offset: 0, timestamp: 0, key: null, value: { a: 1 }, headers: {} }); // '{"a":1}\n'
 */
export function compileFormat(format: string): (record: PrintedRecord) => string {
  const pieces: Piece[] = [];
  let text = "";
  for (let i = 0; i < format.length; i++) {
    const char = format[i] as string;
    const next = format[i + 1];
    if (char === "%" || char === "\\") {
      if (next === undefined) throw new UsageError(`the format ends with a lone ${char}`);
      i += 1;
      if (char === "\\") {
        text += ESCAPES[next] ?? `\\${next}`;
      } else if (next === "%") {
        text += "%";
      } else {
        const field = FIELDS[next];
        if (field === undefined) throw new UsageError(`%${next} is no format field (%k %s %p %o %T %h %t %%)`);
        if (text !== "") pieces.push(text);
        text = "";
        pieces.push(field);
      }
    } else {
      text += char;
    }
  }
  if (text !== "") pieces.push(text);
  return (record) => pieces.map((piece) => (typeof piece === "string" ? piece : piece(record))).join("");
}

/**
 * A record as one JSON line (`-J`): topic, partition, offset, timestamp, key, value, headers.
 *
 * @example
 * jsonLine(record); // '{"topic":"orders","partition":0,"offset":7,...}\n'
 */
export function jsonLine(record: PrintedRecord): string {
  const { topic, partition, offset, timestamp, key, value, headers } = record;
  return `${JSON.stringify({ topic, partition, offset, timestamp, key, value, headers })}\n`;
}
