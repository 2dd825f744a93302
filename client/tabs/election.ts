/**
 * Leader election between the tabs of one origin, with Web Locks. Each tab first takes a lock of
 * its own (held for its whole life, so others can watch it), then queues for the leader lock. The
 * browser grants that lock to one tab at a time: the leader. When the leader closes or crashes,
 * the browser frees its locks and grants the leader lock to the next tab in the queue, which
 * announces itself. Followers learn the leader from that announcement (or by asking, when they
 * start) and watch its own lock, so they hear at once when it goes.
 *
 * States, explicit (ELECTION_TRANSITIONS): `starting` (waiting for its own lock), `follower`
 * (queued for the leader lock), `leader` (holding it), `closed`.
 *
 * @example
 * const election = new Election({ locks, prefix, channel, events: { elected, leaderChanged } });
 * election.start();
 * channel.listen((message) => election.heard(message));
 */
import type { TabChannel } from "./channel.ts";
import { type HeldLock, holdLock, type LockManagerLike, watchLock } from "./locks.ts";
import type { TabMessage } from "./tab-messages.ts";

/**
 * An election's state.
 *
 * @example
 * if (election.state === "leader") openSockets();
 */
export type ElectionState = "starting" | "follower" | "leader" | "closed";

/**
 * The moves each election state allows.
 *
 * @example
 * ELECTION_TRANSITIONS.follower; // ["leader", "closed"]
 */
export const ELECTION_TRANSITIONS: Readonly<Record<ElectionState, readonly ElectionState[]>> = {
  starting: ["follower", "closed"],
  follower: ["leader", "closed"],
  // A leader stays one until its tab closes the client (or goes away with its locks).
  leader: ["closed"],
  closed: [],
};

/**
 * What an election tells the tab.
 *
 * @example
 * const events: ElectionEvents = { elected: () => hub.open(), leaderChanged: (id) => links.reattach(id) };
 */
export interface ElectionEvents {
  /** This tab is now the leader. */
  elected(): void;
  /** Another tab leads now (its id), or the leader went and no new one is known yet (null). */
  leaderChanged(leader: string | null): void;
}

/**
 * What an election needs.
 *
 * @example
 * new Election({ locks: navigator.locks, prefix: "edgelog/tabs/v1/app", channel, events });
 */
export interface ElectionOptions {
  locks: LockManagerLike;
  /** Lock names start with this (it names the app's database and server). */
  prefix: string;
  channel: TabChannel;
  events: ElectionEvents;
}

/**
 * The name of tab `id`'s own lock.
 *
 * @example
 * tabLockName("edgelog/tabs/v1/app", "t1"); // "edgelog/tabs/v1/app/tab/t1"
 */
export function tabLockName(prefix: string, id: string): string {
  return `${prefix}/tab/${id}`;
}

/**
 * One tab's part in the election.
 *
 * @example
 * const election = new Election(options);
 * election.start();
 * election.leader; // the leading tab's id, once known
 */
export class Election {
  state: ElectionState = "starting";
  /** The leading tab's id (this tab's own when it leads), or null while unknown. */
  leader: string | null = null;
  private readonly options: ElectionOptions;
  private readonly own: HeldLock;
  private leaderLock: HeldLock | null = null;
  private stopWatching: (() => void) | null = null;

  constructor(options: ElectionOptions) {
    this.options = options;
    this.own = holdLock(options.locks, tabLockName(options.prefix, options.channel.self));
  }

  /** Takes the tab's own lock, asks who leads, and queues for the leader lock. */
  start(): void {
    void this.own.granted.then(() => {
      if (this.state !== "starting") return;
      // Only now may other tabs learn this tab's id: watching its lock means something from here on.
      this.move("follower");
      this.options.channel.post({ type: "query" });
      this.leaderLock = holdLock(this.options.locks, `${this.options.prefix}/leader`);
      void this.leaderLock.granted.then(() => this.elected());
    });
  }

  /** Handles election messages (others are ignored). */
  heard(message: TabMessage): void {
    if (message.type === "query" && this.state === "leader") this.options.channel.post({ type: "leader" });
    // Not while starting: the leader would watch this tab's lock before this tab holds it (and so
    // take it for gone). A starting tab asks once it holds its lock, and the leader answers.
    if (message.type === "leader" && this.state === "follower") this.adopt(message.from);
  }

  /** Leaves: lets both locks go (the next tab in the queue leads), stops watching. */
  close(): void {
    if (this.state === "closed") return;
    this.move("closed");
    this.stopWatching?.();
    this.leaderLock?.release();
    this.own.release();
  }

  private move(to: ElectionState): void {
    if (!ELECTION_TRANSITIONS[this.state].includes(to)) {
      throw new Error(`edgelog client bug: an election cannot move from "${this.state}" to "${to}"`);
    }
    this.state = to;
  }

  private elected(): void {
    if (this.state !== "follower") return;
    this.move("leader");
    this.stopWatching?.();
    this.stopWatching = null;
    this.leader = this.options.channel.self;
    this.options.channel.post({ type: "leader" });
    this.options.events.elected();
  }

  private adopt(leader: string): void {
    if (leader === this.leader) return;
    this.stopWatching?.();
    this.leader = leader;
    this.stopWatching = watchLock(this.options.locks, tabLockName(this.options.prefix, leader), () => this.gone(leader));
    this.options.events.leaderChanged(leader);
  }

  private gone(leader: string): void {
    if (this.leader !== leader || this.state === "leader" || this.state === "closed") return;
    this.leader = null;
    this.stopWatching = null;
    this.options.events.leaderChanged(null);
    // A new leader may have announced itself before this tab saw the old one go: ask again.
    this.options.channel.post({ type: "query" });
  }
}
