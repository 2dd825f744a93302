/**
 * Tabs sharing one connection and one cache. The tabs of one origin that use the same server and
 * the same IndexedDB database elect a leader with Web Locks (election.ts). The leader owns the
 * partition sockets (hub.ts: one per partition, however many tabs read it) and sends the shared
 * outbox (outbox-relay.ts); followers get records and socket states over a BroadcastChannel
 * (tab-links.ts) and hand the leader their commits and outbox passes. When the leader closes, the
 * next tab in the lock's queue takes over: it opens the sockets, every subscription attaches to it
 * and resumes from its own next offset, so no tab's subscription loses or repeats a record.
 *
 * On by default where `navigator.locks` and `BroadcastChannel` exist (not in Node) and the cache
 * is IndexedDB; `tabs: false` turns it off.
 *
 * @example
 * const tabs = createTabs({ environment: browserTabs()!, name: "edgelog@https://x.dev", socketLinks, http });
 * const client = createClient({ url, makeLink: tabs.makeLink }); // what createClient does by itself
 * tabs.onRole((role) => console.log(role)); // "electing", then "leader" or "follower"
 */
import { newProducerId } from "../cache/sealing.ts";
import type { HttpApi } from "../http-api.ts";
import type { LinkFactory } from "../link.ts";
import { Listeners } from "../listeners.ts";
import { EdgelogClientError } from "../local-errors.ts";
import type { PassRunnerFactory } from "../outbox-sender.ts";
import { type BroadcastChannelClass, TabChannel } from "./channel.ts";
import { Election } from "./election.ts";
import { Hub } from "./hub.ts";
import type { LockManagerLike } from "./locks.ts";
import { OutboxRelay } from "./outbox-relay.ts";
import { httpLookups } from "./resolve-start.ts";
import { TabLinks } from "./tab-links.ts";
import { TAB_PROTOCOL_VERSION } from "./tab-messages.ts";

/**
 * A tab's part: "solo" (tabs do not share: off, or not a browser), "leader" (this tab holds the
 * connection), "follower" (another tab that this one has heard from holds it), or "electing"
 * (undecided: this tab has not yet been granted the leader lock nor heard a leader; so a new tab,
 * and a follower whose leader just went, until the next leader is known). A tab never says
 * follower or leader before it is so: a lone tab goes electing, then leader.
 *
 * @example
 * client.onRole((role: TabRole) => (badge.textContent = role));
 */
export type TabRole = "solo" | "electing" | "follower" | "leader";

/**
 * What sharing needs from the platform: the browser's, or fakes in tests.
 *
 * @example
 * const environment: TabsEnvironment = { locks: navigator.locks, BroadcastChannel };
 */
export interface TabsEnvironment {
  locks: LockManagerLike;
  BroadcastChannel: BroadcastChannelClass;
}

/**
 * The browser's Web Locks and BroadcastChannel, or null where either is missing, or in Node
 * (whose `navigator` is not a tab's).
 *
 * @example
 * const environment = browserTabs(); // null in Node
 */
export function browserTabs(): TabsEnvironment | null {
  const scope = globalThis as { process?: { versions?: { node?: unknown } }; navigator?: { locks?: Partial<LockManagerLike> } };
  if (typeof scope.process?.versions?.node === "string") return null;
  const locks = scope.navigator?.locks;
  if (typeof locks?.request !== "function" || typeof globalThis.BroadcastChannel !== "function") return null;
  return { locks: locks as LockManagerLike, BroadcastChannel: globalThis.BroadcastChannel };
}

/**
 * What `createTabs` needs.
 *
 * @example
 * const options: TabsOptions = { environment, name: `${dbName}@${url}`, socketLinks, http };
 */
export interface TabsOptions {
  environment: TabsEnvironment;
  /** Tabs with the same name share (the client uses the database name and the server's URL). */
  name: string;
  /** Makes real partition sockets, for when this tab leads. */
  socketLinks: LinkFactory;
  http: HttpApi;
  random?: () => number;
}

/**
 * One tab's share in the connection.
 *
 * @example
 * const tabs = createTabs(options);
 * tabs.role; // "electing" until this tab is elected or hears who leads
 * tabs.close();
 */
export interface Tabs {
  readonly id: string;
  readonly role: TabRole;
  /** Calls `listener` on every role change; returns its unsubscribe. */
  onRole(listener: (role: TabRole) => void): () => void;
  /** Links over the leader's shared sockets, for the client's subscriptions. */
  readonly makeLink: LinkFactory;
  /** Runs outbox passes in the leader tab, for the client's producer. */
  readonly passRunner: PassRunnerFactory;
  /** Calls `listener` when the shared outbox changed in a pass (run here or in the leader tab); returns its unsubscribe. */
  onOutbox(listener: () => void): () => void;
  /** Leaves: this tab's sockets close (when it leads) and the next tab takes over. */
  close(): void;
}

/**
 * Joins the tabs named `options.name`.
 *
 * @example
 * const tabs = createTabs({ environment: browserTabs()!, name: "edgelog@https://x.dev", socketLinks, http });
 */
export function createTabs(options: TabsOptions): Tabs {
  const id = newProducerId().replace(/^edgelog-/, "");
  const prefix = `edgelog/tabs/v${TAB_PROTOCOL_VERSION}/${options.name}`;
  const { locks } = options.environment;
  const channel = new TabChannel(options.environment.BroadcastChannel, prefix, id);
  const links = new TabLinks(channel, options.random);
  const roles = new Listeners<TabRole>();
  const outboxes = new Listeners<void>();
  const relay = new OutboxRelay(channel, () => outboxes.emit());
  let hub: Hub | null = null;
  let role: TabRole = "electing";
  const become = (next: TabRole): void => {
    if (role === next) return;
    role = next;
    roles.emit(role);
  };
  const election = new Election({
    locks,
    prefix,
    channel,
    events: {
      elected: () => {
        hub = new Hub({ channel, locks, prefix, makeLink: options.socketLinks, lookups: httpLookups(options.http) });
        links.leaderIs(id, hub);
        relay.leaderIs(id, true);
        become("leader");
      },
      leaderChanged: (leader) => {
        channel.failPending(null, new EdgelogClientError("NETWORK", "the tab holding the connection changed"));
        links.leaderIs(leader, null);
        relay.leaderIs(leader, false);
        become(leader === null ? "electing" : "follower");
      },
    },
  });
  channel.listen((message) => {
    election.heard(message);
    hub?.heard(message);
    links.heard(message);
    relay.heard(message);
  });
  election.start();
  return {
    id,
    get role() {
      return role;
    },
    onRole: (listener) => roles.add(listener),
    makeLink: links.makeLink,
    passRunner: relay.passRunner,
    onOutbox: (listener) => outboxes.add(listener),
    close: () => {
      hub?.close();
      election.close();
      channel.close();
      roles.clear();
      outboxes.clear();
    },
  };
}
