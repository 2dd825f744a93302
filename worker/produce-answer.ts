/**
 * The HTTP answer to a produce, in the version the request asks for with the `edgelog-protocol`
 * header (PRODUCE-7, PRODUCE-8): version 1 (no header) `{offsets: [{partition, offset}], duplicate?}`,
 * one position per record; version 2 `{ranges: [{partition, baseOffset, count}], duplicate?}`, one
 * run per partition's batch, with the header echoed. Both are written as text, exactly what
 * JSON.stringify writes for them, without building an object per record (a 1,000-record answer
 * stringified by Hono cost 8% of the worker's CPU).
 *
 * @example
 * const version = produceAnswerVersion(c.req.header(PROTOCOL_HEADER)); // checked before anything is appended
 * return produceAnswer(c, await produce(c.env, topic, parsed, partition, principal), version);
 */
import type { Context } from "hono";
import { PROTOCOL_HEADER } from "../client/protocol/index.ts";
import type { AppEnv } from "./env.ts";
import type { Produced } from "./produce.ts";

/**
 * Version 1's body: `{"offsets":[{"partition":P,"offset":O},...]}`, `"duplicate":true` added on a
 * recognised retry.
 *
 * @example
 * offsetsAnswerText({ ranges: [{ partition: 0, baseOffset: 7, count: 2 }], duplicate: false });
 * // '{"offsets":[{"partition":0,"offset":7},{"partition":0,"offset":8}]}'
 */
export function offsetsAnswerText(produced: Produced): string {
  let offsets = "";
  for (const { partition, baseOffset, count } of produced.ranges) {
    const head = `{"partition":${partition},"offset":`;
    for (let k = 0; k < count; k++) offsets += `${offsets.length === 0 ? "" : ","}${head}${baseOffset + k}}`;
  }
  return `{"offsets":[${offsets}]${produced.duplicate ? ',"duplicate":true' : ""}}`;
}

/**
 * Version 2's body: `{"ranges":[{"partition":P,"baseOffset":B,"count":C},...]}`, `"duplicate":true`
 * added on a recognised retry.
 *
 * @example
 * rangesAnswerText({ ranges: [{ partition: 0, baseOffset: 7, count: 2 }], duplicate: true });
 * // '{"ranges":[{"partition":0,"baseOffset":7,"count":2}],"duplicate":true}'
 */
export function rangesAnswerText(produced: Produced): string {
  let ranges = "";
  for (const { partition, baseOffset, count } of produced.ranges) {
    ranges += `${ranges.length === 0 ? "" : ","}{"partition":${partition},"baseOffset":${baseOffset},"count":${count}}`;
  }
  return `{"ranges":[${ranges}]${produced.duplicate ? ',"duplicate":true' : ""}}`;
}

/**
 * The 200 answer of `version` (as c.json would send it: `Content-Type: application/json`).
 *
 * @example
 * return produceAnswer(c, produced, 2); // {"ranges":[...]} with edgelog-protocol: 2
 */
export function produceAnswer<E extends AppEnv, P extends string>(c: Context<E, P>, produced: Produced, version: 1 | 2): Response {
  if (version === 1) return c.body(offsetsAnswerText(produced), 200, { "content-type": "application/json" });
  return c.body(rangesAnswerText(produced), 200, { "content-type": "application/json", [PROTOCOL_HEADER]: "2" });
}
