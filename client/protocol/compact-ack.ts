/**
 * Protocol version 2's compact acknowledgement: where a produce's records landed as runs of
 * consecutive offsets (`{partition, baseOffset, count}`) instead of one `{partition, offset}` per
 * record. On the partition socket a `hello` with `version: 2` asks for it (SOCKET-20, SOCKET-21);
 * over HTTP the request header PROTOCOL_HEADER does (PRODUCE-7, PRODUCE-8). Version 1 (no hello,
 * no header) keeps the per-record answers. This module has the shapes' helpers, shared by the
 * worker (which writes ranges) and the client (which expands them where its API promises a
 * position per record).
 *
 * @example
 * expandRanges([{ partition: 0, baseOffset: 7, count: 2 }]); // [{ partition: 0, offset: 7 }, { partition: 0, offset: 8 }]
 */
import { EdgelogError } from "./errors.ts";
import type { ProducedRange, ProduceRangesResponse, ProduceResponse, RecordPosition } from "./wire.ts";

/**
 * The protocol versions this implementation speaks, oldest first; the server's `hello` lists them
 * (SOCKET-3), so a client picks the newest both speak before it sends its own `hello`.
 *
 * @example
 * PROTOCOL_VERSIONS.includes(2); // true: the compact ack
 */
export const PROTOCOL_VERSIONS = [1, 2] as const;

/**
 * The protocol version of the compact ack (SOCKET-20, PRODUCE-7).
 *
 * @example
 * ws.send(JSON.stringify({ type: "hello", version: PROTOCOL_VERSION_COMPACT_ACK }));
 */
export const PROTOCOL_VERSION_COMPACT_ACK = 2;

/**
 * The HTTP request header that asks a produce for version 2's answer, `{ranges, duplicate?}`
 * (PRODUCE-7); the answer to such a request carries it too. Absent or `1`: `{offsets, duplicate?}`.
 *
 * @example
 * await fetch(url, { method: "POST", headers: { [PROTOCOL_HEADER]: "2", "content-type": "application/json" }, body });
 */
export const PROTOCOL_HEADER = "edgelog-protocol";

/**
 * The produce answer's version a request asks for through PROTOCOL_HEADER (PRODUCE-8): absent or
 * `"1"` is 1, `"2"` is 2, anything else INVALID_REQUEST (before anything is appended).
 *
 * @example
 * produceAnswerVersion(request.headers.get(PROTOCOL_HEADER)); // 1 or 2
 */
export function produceAnswerVersion(value: string | null | undefined): 1 | 2 {
  if (value === null || value === undefined || value === "1") return 1;
  if (value === "2") return 2;
  throw new EdgelogError("INVALID_REQUEST", `${PROTOCOL_HEADER} must be 1 or 2 when present (PRODUCE-8)`);
}

/**
 * Runs in request order from each record's partition and offset: consecutive records on one
 * partition with consecutive offsets form one run (PRODUCE-7).
 *
 * @example
 * rangesOf([0, 0, 1], [7, 8, 3]); // [{ partition: 0, baseOffset: 7, count: 2 }, { partition: 1, baseOffset: 3, count: 1 }]
 */
export function rangesOf(partitions: ArrayLike<number>, offsets: ArrayLike<number>): ProducedRange[] {
  const ranges: ProducedRange[] = [];
  let run: ProducedRange | null = null;
  for (let i = 0; i < offsets.length; i++) {
    const partition = partitions[i]!;
    const offset = offsets[i]!;
    if (run !== null && run.partition === partition && run.baseOffset + run.count === offset) {
      run.count++;
    } else {
      run = { partition, baseOffset: offset, count: 1 };
      ranges.push(run);
    }
  }
  return ranges;
}

/**
 * One position per record from runs, in order: what version 1 answers, and what the client's
 * per-record promises resolve to.
 *
 * @example
 * expandRanges([{ partition: 1, baseOffset: 3, count: 1 }]); // [{ partition: 1, offset: 3 }]
 */
export function expandRanges(ranges: readonly ProducedRange[]): RecordPosition[] {
  let total = 0;
  for (const range of ranges) total += range.count;
  const positions = new Array<RecordPosition>(total);
  let i = 0;
  for (const { partition, baseOffset, count } of ranges) {
    for (let k = 0; k < count; k++) positions[i++] = { partition, offset: baseOffset + k };
  }
  return positions;
}

function isWhole(value: unknown, min: number): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= min;
}

/**
 * Checks a version 2 answer read off the wire (`ranges` of whole numbers, `count` at least 1)
 * holding `expected` records; throws INVALID_REQUEST naming what is wrong otherwise.
 *
 * @example
 * checkRanges(JSON.parse(text).ranges, 2); // the ranges, typed, or a throw
 */
export function checkRanges(ranges: unknown, expected: number): ProducedRange[] {
  if (!Array.isArray(ranges)) throw new EdgelogError("INVALID_REQUEST", "ranges must be an array");
  let total = 0;
  for (const range of ranges as unknown[]) {
    const { partition, baseOffset, count } = (range ?? {}) as Record<string, unknown>;
    if (!isWhole(partition, 0) || !isWhole(baseOffset, 0) || !isWhole(count, 1)) {
      throw new EdgelogError("INVALID_REQUEST", "each range must be {partition, baseOffset, count} of whole numbers");
    }
    total += count;
  }
  if (total !== expected) throw new EdgelogError("INVALID_REQUEST", `the ranges hold ${total} records, not ${expected}`);
  return ranges as ProducedRange[];
}

/**
 * A produce answer of either version as version 1's shape, checked to hold `expected` records:
 * `{ranges}` is expanded, `{offsets}` (an older server, or no header sent) passes as it is.
 *
 * @example
 * const { offsets } = producePositions(await response.json(), body.records.length);
 */
export function producePositions(answer: ProduceResponse | ProduceRangesResponse, expected: number): ProduceResponse {
  if (typeof answer !== "object" || answer === null) throw new EdgelogError("INVALID_REQUEST", "a produce answer must be an object");
  const offsets = "ranges" in answer ? expandRanges(checkRanges(answer.ranges, expected)) : answer.offsets;
  if (!Array.isArray(offsets) || offsets.length !== expected) {
    throw new EdgelogError("INVALID_REQUEST", `a produce of ${expected} records was answered with another count`);
  }
  return answer.duplicate === true ? { offsets, duplicate: true } : { offsets };
}
