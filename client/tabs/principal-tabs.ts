/**
 * Tabs that share by principal. With the `auth` option, tabs share one connection (and one
 * IndexedDB database: its cache and its outbox) only with the tabs whose token has the same
 * `sub`: the tab group's name and the database's name carry it (`principalName`). So the leader
 * sends every tab's subscriptions and outbox with its own credential, and that is always the same
 * principal's; a tab of another `sub` is in another group, elects its own leader and uses its own
 * connection and outbox, and never has its records sent under someone else's token.
 * Rules: PROTOCOL.md AUTH-22.
 *
 * The `sub` is known once the first token came (at once for a token given as a string); until
 * then the tab is `electing`, its links wait `idle`, and outbox passes wait.
 *
 * @example
 * const tabs = principalTabs(credentials.principal(), (sub) => createTabs({ ...options, name: principalName(name, sub) }));
 * const link = tabs.makeLink("orders", 0, handlers); // attaches once the tab group is known
 */
import type { CommitMessage, LinkFactory, LinkHandlers, PartitionLink } from "../link.ts";
import { Listeners } from "../listeners.ts";
import { EdgelogClientError } from "../local-errors.ts";
import type { PassRunnerFactory } from "../outbox-sender.ts";
import type { ServerMessageOf } from "../protocol/index.ts";
import type { LinkState } from "../status.ts";
import type { TabRole, Tabs } from "./tabs.ts";

/**
 * A name (a database's, a tab group's) for one principal: `name` itself without one.
 *
 * @example
 * principalName("edgelog", "alice"); // "edgelog~sub=alice"
 * principalName("edgelog", null); // "edgelog"
 */
export function principalName(name: string, sub: string | null): string {
  return sub === null ? name : `${name}~sub=${sub}`;
}

/** A link made before the tab group is known: it becomes the group's link once it is. */
class PendingLink implements PartitionLink {
  readonly topic: string;
  readonly partition: number;
  private inner: PartitionLink | null = null;
  private started = false;
  private closed = false;

  constructor(topic: string, partition: number, handlers: LinkHandlers, ready: Promise<Tabs | null>) {
    this.topic = topic;
    this.partition = partition;
    void ready.then((tabs) => {
      if (this.closed || tabs === null) return;
      this.inner = tabs.makeLink(topic, partition, handlers);
      if (this.started) this.inner.start();
      handlers.changed();
    });
  }

  get state(): LinkState {
    return this.inner?.state ?? (this.closed ? "closed" : this.started ? "connecting" : "idle");
  }

  get failures(): number {
    return this.inner?.failures ?? 0;
  }

  start(): void {
    this.started = true;
    this.inner?.start();
  }

  commit(message: CommitMessage): Promise<ServerMessageOf<"committed">> {
    if (this.inner === null) return Promise.reject(new EdgelogClientError("NETWORK", "no connection yet: waiting for the first token"));
    return this.inner.commit(message);
  }

  reconnectNow(): void {
    this.inner?.reconnectNow();
  }

  checkNow(): void {
    this.inner?.checkNow();
  }

  close(): void {
    this.closed = true;
    this.inner?.close();
  }
}

/**
 * The tab's share, once `principal` (the first token's `sub`) says which group it joins; `make`
 * joins it. Everything before that waits (see the module comment).
 *
 * @example
 * const tabs = principalTabs(firstSub, (sub) => createTabs({ environment, name: principalName(name, sub), socketLinks, http }));
 */
export function principalTabs(principal: Promise<string | null>, make: (sub: string | null) => Tabs): Tabs {
  let inner: Tabs | null = null;
  let closed = false;
  const roles = new Listeners<TabRole>();
  const outboxes = new Listeners<void>();
  const ready: Promise<Tabs | null> = principal.then((sub) => {
    if (closed) return null;
    inner = make(sub);
    inner.onRole((role) => roles.emit(role));
    inner.onOutbox(() => outboxes.emit());
    if (inner.role !== "electing") roles.emit(inner.role);
    return inner;
  });
  const makeLink: LinkFactory = (topic, partition, handlers) => new PendingLink(topic, partition, handlers, ready);
  const passRunner: PassRunnerFactory = (sender) => {
    const runner = ready.then((tabs) => tabs?.passRunner(sender) ?? null);
    return async () => {
      const run = await runner;
      if (run === null) return { removed: 0, failure: new EdgelogClientError("CLOSED", "the client is closed"), fenced: null };
      return run();
    };
  };
  return {
    get id() {
      return inner?.id ?? "";
    },
    get role() {
      return inner?.role ?? "electing";
    },
    onRole: (listener) => roles.add(listener),
    makeLink,
    passRunner,
    onOutbox: (listener) => outboxes.add(listener),
    close: () => {
      closed = true;
      inner?.close();
      roles.clear();
      outboxes.clear();
    },
  };
}
