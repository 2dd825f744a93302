/**
 * Where `edgelog consume -o` starts each partition: `beginning` (its log start), `end` (its high
 * watermark: only new records), `N` (offset N, kept within the log), `-N` (N records before the
 * end) or `@T` (the first record at or after T, ms since the epoch, by the offsets lookup).
 *
 * @example
 * const start = parseStart("-10");
 * await startOffset(client.admin, "orders", { partition: 0, logStartOffset: 0, highWatermark: 50 }, start); // 40
 */
import type { EdgelogAdmin } from "../client/index.ts";
import { UsageError } from "./failure.ts";

/**
 * A parsed `-o` value.
 *
 * @example
 * const start: StartSpec = { kind: "fromEnd", count: 10 };
 */
export type StartSpec =
  | { kind: "beginning" }
  | { kind: "end" }
  | { kind: "offset"; offset: number }
  | { kind: "fromEnd"; count: number }
  | { kind: "timestamp"; timestamp: number };

/**
 * `-o`'s value as a StartSpec; anything else is a usage error.
 *
 * @example
 * parseStart("@1764680000000"); // { kind: "timestamp", timestamp: 1764680000000 }
 */
export function parseStart(text: string): StartSpec {
  if (text === "beginning") return { kind: "beginning" };
  if (text === "end") return { kind: "end" };
  const match = /^(-|@)?(\d{1,16})$/.exec(text);
  const value = match === null ? Number.NaN : Number(match[2]);
  if (match === null || !Number.isSafeInteger(value)) {
    throw new UsageError(`-o is beginning, end, N, -N or @timestamp, not ${JSON.stringify(text)}`);
  }
  if (match[1] === "-") return { kind: "fromEnd", count: value };
  if (match[1] === "@") return { kind: "timestamp", timestamp: value };
  return { kind: "offset", offset: value };
}

/**
 * The offset a partition starts at for `spec`, given its bounds.
 *
 * @example
 * await startOffset(admin, "orders", { partition: 1, logStartOffset: 5, highWatermark: 9 }, { kind: "beginning" }); // 5
 */
export async function startOffset(
  admin: EdgelogAdmin,
  topic: string,
  bounds: { partition: number; logStartOffset: number; highWatermark: number },
  spec: StartSpec,
): Promise<number> {
  const { logStartOffset, highWatermark } = bounds;
  const within = (offset: number) => Math.min(Math.max(offset, logStartOffset), highWatermark);
  switch (spec.kind) {
    case "beginning":
      return logStartOffset;
    case "end":
      return highWatermark;
    case "offset":
      return within(spec.offset);
    case "fromEnd":
      return within(highWatermark - spec.count);
    case "timestamp":
      return (await admin.offsetForTimestamp(topic, bounds.partition, spec.timestamp)).offset;
  }
}
