/**
 * What the Partition object's RPC methods take and answer, apart from the class, so the routes
 * that call it import these without importing the object (no value import runs back up).
 *
 * @example
 * const request: ReadRequest = { topicId, offset: "earliest", limit: 100, maxBytes: 65_536, maxWaitMs: 0 };
 */
import type { ProducerInput } from "../../client/protocol/index.ts";

/** The header the Worker names the topic incarnation in when it forwards a socket upgrade. */
export const TOPIC_ID_HEADER = "x-edgelog-topic-id";

/** An append: records encoded but for their timestamps. */
export interface AppendRequest {
  topicId: string;
  timestamps: (number | null)[];
  tails: string[];
  producer: ProducerInput | null;
}

/** Where an append landed: records `baseOffset .. baseOffset + count - 1`. */
export interface AppendResult {
  baseOffset: number;
  count: number;
  duplicate: boolean;
}

/** A position: an offset, or the log's start or end. */
export type Position = number | "earliest" | "latest";

/** A read, with an optional long-poll. */
export interface ReadRequest {
  topicId: string;
  offset: Position;
  limit: number;
  maxBytes: number;
  maxWaitMs: number;
}
