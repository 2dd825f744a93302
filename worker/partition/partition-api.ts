/**
 * What the Partition object's RPC methods take and answer, apart from the class, so the routes
 * that call it import these without importing the object (no value import runs back up).
 *
 * @example
 * const request: ReadRequest = { topicId, offset: "earliest", limit: 100, maxBytes: 65_536, maxWaitMs: 0 };
 */
import type { ProducerInput, QuotaClaim } from "../../client/protocol/index.ts";
import type { Watch } from "./watchers.ts";

/**
 * The header the Worker names the topic incarnation in when it forwards a socket upgrade.
 *
 * @example
 * headers.set(TOPIC_ID_HEADER, meta.topicId);
 * await partitionStub(env, meta.topicId, partition).fetch(c.req.url, { headers });
 */
export const TOPIC_ID_HEADER = "x-edgelog-topic-id";

/**
 * An append: records encoded but for their timestamps.
 *
 * @example
 * const request: AppendRequest = { topicId, timestamps: [null], tails: [encodeRecord({ value: 1 }, "records[0]").tail], producer: null };
 */
export interface AppendRequest {
  topicId: string;
  timestamps: (number | null)[];
  tails: string[];
  producer: ProducerInput | null;
  /** Who produces (for per-principal quotas), or null when tokens are not checked. */
  principal?: ProducePrincipal | null;
  /** Already admitted by `admitProduce` (a request spanning partitions): charged, never refused. */
  admitted?: boolean;
}

/**
 * The principal of a produce, over HTTP (the request's token) and the socket (the socket's):
 * its `sub` and its token's `quota` claim (QUOTA-2), which overrides the deployment's defaults.
 *
 * @example
 * const principal: ProducePrincipal = { sub: "alice", quota: { eventsPerS: 100 } };
 */
export interface ProducePrincipal {
  sub: string;
  quota: QuotaClaim | null;
}

/**
 * Where an append landed: records `baseOffset .. baseOffset + count - 1`.
 *
 * @example
 * const { baseOffset, count, duplicate }: AppendResult = unwrap(await stub.append(request));
 */
export interface AppendResult {
  baseOffset: number;
  count: number;
  duplicate: boolean;
}

/**
 * A position: an offset, or the log's start or end.
 *
 * @example
 * const offset: Position = offsetParam(c.req.query("offset")); // 42, "earliest" or "latest"
 */
export type Position = number | "earliest" | "latest";

/**
 * A read, with an optional long-poll.
 *
 * @example
 * await stub.read({ topicId, offset: 42, limit: 500, maxBytes: 1_048_576, maxWaitMs: 5_000 } satisfies ReadRequest);
 */
export interface ReadRequest {
  topicId: string;
  offset: Position;
  limit: number;
  maxBytes: number;
  maxWaitMs: number;
  /** A latest-per-key read (TABLE-2): only each key's latest record, of a compacted topic. */
  from?: "latest-per-key";
  /** The `cleanedTombstonesBelow` the reader last saw (COMPACT-6); absent: none. */
  cleaned?: number;
  /**
   * Wake on produce (PROC-7): when the answer has no records at the end of the log, register this
   * processor partition or connector to be woken by the next append; the page says `watching`.
   */
  watch?: Watch;
}
