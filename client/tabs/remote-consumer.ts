/**
 * A follower's subscription partition as the leader sees it: each Consumer call becomes a message
 * to the follower's tab, and the calls that need an answer (where to start, records taken) wait
 * for it, bounded, so a follower that hangs is dropped instead of stalling the shared socket.
 *
 * @example
 * const consumer = new RemoteConsumer(channel, "tab-2", "5");
 * sharedPartition.attach(consumer);
 */

import type { LinkStart } from "../link.ts";
import type { EdgelogClientError } from "../local-errors.ts";
import { TAB_RECORDS_ACK_TIMEOUT_MS, TAB_REQUEST_TIMEOUT_MS } from "../local-limits.ts";
import type { EdgelogError, ServerMessageOf } from "../protocol/index.ts";
import type { LinkState } from "../status.ts";
import type { TabChannel } from "./channel.ts";
import type { Consumer } from "./consumer.ts";
import { toWire } from "./tab-messages.ts";

/**
 * The key of link `link` of tab `tab`, unique across tabs.
 *
 * @example
 * consumerKey("tab-2", "5"); // "tab-2/5"
 */
export function consumerKey(tab: string, link: string): string {
  return `${tab}/${link}`;
}

/**
 * A consumer in another tab.
 *
 * @example
 * new RemoteConsumer(channel, message.from, message.link);
 */
export class RemoteConsumer implements Consumer {
  readonly key: string;
  readonly tab: string;
  private readonly link: string;
  private readonly channel: TabChannel;

  constructor(channel: TabChannel, tab: string, link: string) {
    this.channel = channel;
    this.tab = tab;
    this.link = link;
    this.key = consumerKey(tab, link);
  }

  async whereToStart(hello: ServerMessageOf<"hello">): Promise<LinkStart> {
    return (await this.channel.ask(this.tab, { type: "start", link: this.link, hello }, TAB_REQUEST_TIMEOUT_MS)) as LinkStart;
  }

  async subscribed(message: ServerMessageOf<"subscribed">): Promise<void> {
    this.channel.post({ type: "subscribed", to: this.tab, link: this.link, message });
  }

  async records(message: ServerMessageOf<"records">): Promise<void> {
    await this.channel.ask(this.tab, { type: "records", link: this.link, message }, TAB_RECORDS_ACK_TIMEOUT_MS);
  }

  mirror(state: LinkState, failures: number): void {
    this.channel.post({ type: "state", to: this.tab, link: this.link, state, failures });
  }

  failed(error: EdgelogError | EdgelogClientError): void {
    this.channel.post({ type: "link-error", to: this.tab, link: this.link, error: toWire(error) });
  }

  dropped(reason: string): void {
    this.channel.post({ type: "dropped", to: this.tab, link: this.link, reason });
  }

  ended(error: EdgelogError): void {
    this.channel.post({ type: "ended", to: this.tab, link: this.link, error: { server: true, code: error.code, message: error.message } });
  }
}
