/**
 * What an append weighs: its characters (the group commit's queue bound) and its stored bytes
 * (what a principal's quota is charged).
 *
 * Rules: PROTOCOL.md PRODUCE-3, RECORD-5, QUOTA-3.
 *
 * @example
 * storedBytes(request.tails); // the bytes the batch costs its principal's quota
 */
import { RECORD_TIMESTAMP_BYTES_MAX, utf8Length } from "../../client/protocol/index.ts";
import type { AppendRequest } from "./partition-api.ts";

/**
 * A request's size in characters, as the group commit's queue bounds it.
 *
 * @example
 * new GroupCommit({ apply, size: requestCharacters });
 */
export function requestCharacters(request: AppendRequest): number {
  let characters = 0;
  for (const tail of request.tails) characters += tail.length;
  return characters;
}

/**
 * A batch's bytes as stored, as PRODUCE-3 and RECORD-5 count them (each record's timestamp at its widest).
 *
 * @example
 * quotas.take(sub, limits, now, { events: tails.length, bytes: storedBytes(tails) });
 */
export function storedBytes(tails: readonly string[]): number {
  let bytes = tails.length * RECORD_TIMESTAMP_BYTES_MAX;
  for (const tail of tails) bytes += utf8Length(tail);
  return bytes;
}
