/**
 * A consumer: one subscription's partition as the leader's shared socket serves it, whether the
 * subscription lives in the leader's own tab (a TabLink, called directly) or in a follower (a
 * RemoteConsumer, which relays each call over the channel and waits for the answer).
 *
 * @example
 * const consumer: Consumer = link; // or new RemoteConsumer(channel, tabId, linkId)
 * const start = await consumer.whereToStart(hello);
 */

import type { LinkStart } from "../link.ts";
import type { EdgelogClientError } from "../local-errors.ts";
import type { EdgelogError, ServerMessageOf } from "../protocol/index.ts";
import type { LinkState } from "../status.ts";

/**
 * What the shared socket asks of, and tells, each subscription on it.
 *
 * @example
 * await consumer.records(message); // resolves once the subscription delivered them
 */
export interface Consumer {
  /** Unique across tabs: the tab's id and the link's. */
  readonly key: string;
  /** Where this subscription starts on the socket that said `hello` (its next offset, once it has one). */
  whereToStart(hello: ServerMessageOf<"hello">): Promise<LinkStart>;
  /** The socket subscribed; `offset` is where this consumer starts. */
  subscribed(message: ServerMessageOf<"subscribed">): Promise<void>;
  /** Records in order; resolves once handled (the shared socket then sends `consumed`). */
  records(message: ServerMessageOf<"records">): Promise<void>;
  /** The shared socket's state and failure count. */
  mirror(state: LinkState, failures: number): void;
  /** A failure worth reporting. */
  failed(error: EdgelogError | EdgelogClientError): void;
  /** The shared socket let this consumer go (it did not answer in time): it should attach again. */
  dropped(reason: string): void;
  /** The shared socket ended for good (a final close code): the subscription ends with `error`. */
  ended(error: EdgelogError): void;
}
