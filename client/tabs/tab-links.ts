/**
 * A tab's links: the LinkFactory its subscriptions use when tabs share connections, and the
 * follower's end of the relay. Each link attaches to the leader's hub: directly when this tab
 * leads, by an `attach` message when another does, or, with no leader known yet, as soon as one
 * is. Messages from the leader (where to start, records, state) are routed to their link; those
 * that expect an answer are answered once the subscription handled them. Messages from any tab
 * but the current leader are ignored: a leader that went away has nothing more to say.
 *
 * @example
 * const links = new TabLinks(channel);
 * createClient({ url, makeLink: links.makeLink });
 * links.leaderIs(leaderId, null); // a follower of leaderId
 */

import type { CommitMessage, LinkFactory } from "../link.ts";
import { EdgelogClientError } from "../local-errors.ts";
import { TAB_REQUEST_TIMEOUT_MS } from "../local-limits.ts";
import { EdgelogError, type ServerMessageOf } from "../protocol/index.ts";
import type { TabChannel } from "./channel.ts";
import type { Hub } from "./hub.ts";
import { type LinkHost, TabLink } from "./tab-link.ts";
import { fromWire, type TabMessage } from "./tab-messages.ts";

/**
 * The links of one tab.
 *
 * @example
 * const links = new TabLinks(channel, Math.random);
 * const link = links.makeLink("orders", 0, handlers);
 */
export class TabLinks implements LinkHost {
  /** Makes a link for a subscription's partition. */
  readonly makeLink: LinkFactory;
  private readonly channel: TabChannel;
  private readonly links = new Map<string, TabLink>();
  private nextId = 0;
  private leader: string | null = null;
  private hub: Hub | null = null;

  constructor(channel: TabChannel, random?: () => number) {
    this.channel = channel;
    this.makeLink = (topic, partition, handlers) => {
      const link = new TabLink(topic, partition, channel.self, String(++this.nextId), handlers, this, random);
      this.links.set(link.id, link);
      return link;
    };
  }

  /** The leader changed: `hub` when this tab now leads, else the leader's id (null: unknown). */
  leaderIs(leader: string | null, hub: Hub | null): void {
    this.leader = leader;
    this.hub = hub;
    for (const link of this.links.values()) {
      if (!link.active) continue;
      link.leaderChanged();
      this.attach(link);
    }
  }

  attach(link: TabLink): void {
    if (this.hub !== null) this.hub.attach(link, link.topic, link.partition);
    else if (this.leader !== null)
      this.channel.post({ type: "attach", to: this.leader, link: link.id, topic: link.topic, partition: link.partition });
    // With no leader known, `leaderIs` attaches it once one is.
  }

  detach(link: TabLink): void {
    this.links.delete(link.id);
    if (this.hub !== null) this.hub.detach(link.key);
    else if (this.leader !== null) this.channel.post({ type: "detach", to: this.leader, link: link.id });
  }

  async commit(link: TabLink, message: CommitMessage): Promise<ServerMessageOf<"committed">> {
    if (this.hub !== null) return this.hub.commit(link.key, message);
    if (this.leader === null) throw new EdgelogClientError("NETWORK", "no tab holds the connection right now");
    const request = { type: "commit" as const, link: link.id, message };
    return (await this.channel.ask(this.leader, request, TAB_REQUEST_TIMEOUT_MS)) as ServerMessageOf<"committed">;
  }

  nudge(link: TabLink, what: "reconnect" | "check"): void {
    if (this.hub !== null) this.hub.nudge(link.key, what);
    else if (this.leader !== null) this.channel.post({ type: "nudge", to: this.leader, link: link.id, what });
  }

  /** Handles what the leader tells this tab's links (other messages are ignored). */
  heard(message: TabMessage): void {
    if (this.hub !== null || message.from !== this.leader || !("link" in message)) return;
    const link = this.links.get(message.link);
    switch (message.type) {
      case "start":
        this.answer(message, link, (l) => l.whereToStart(message.hello));
        return;
      case "records":
        this.answer(message, link, async (l) => {
          await l.records(message.message);
          return true;
        });
        return;
      case "subscribed":
        void link?.subscribed(message.message).catch(() => undefined);
        return;
      case "state":
        // In turn, so the status follows what the subscription has delivered.
        void link?.inTurn(async () => link.mirror(message.state, message.failures));
        return;
      case "link-error":
        link?.failed(fromWire(message.error));
        return;
      case "dropped":
        link?.dropped(message.reason);
        return;
      case "ended":
        link?.ended(new EdgelogError(message.error.code, message.error.message));
        return;
      default:
        return;
    }
  }

  /** Answers a leader's request once the link handled it (a closed link answers CLOSED). */
  private answer(message: TabMessage & { rid: number }, link: TabLink | undefined, work: (link: TabLink) => Promise<unknown>): void {
    const outcome =
      link === undefined || !link.active ? Promise.reject(new EdgelogClientError("CLOSED", "the subscription closed")) : work(link);
    outcome.then(
      (value) => this.channel.answer(message.from, message.rid, { value }),
      (error: unknown) => this.channel.answer(message.from, message.rid, { error }),
    );
  }
}
