/**
 * The client's state machines, explicit so every state and move is named and checked.
 *
 * Each partition socket ("link") moves through LinkState by the table LINK_TRANSITIONS; a move
 * the table does not allow is a bug and throws. The client's status is not stored separately but
 * derived from its links (and the network, the last HTTP exchange and whether the client was
 * closed), so it can never disagree with them; it then moves along STATUS_TRANSITIONS, whose only
 * dead end is `closed`. The rules, first match wins:
 *
 * 1. `closed`: `close()` was called. Nothing moves it again.
 * 2. `offline`: the platform says so (`navigator.onLine` false, or its `offline` event); or every
 *    link has failed since it last opened or since the network last came back (the `online` event
 *    counts failures afresh); or, with no link, the last HTTP exchange failed.
 * 3. `live`: every link said `live`; with no link, the last HTTP exchange succeeded (an error
 *    answer from the server is a successful exchange: the server was reached).
 * 4. `catching-up`: some link is open, and not every one has said `live` yet.
 * 5. `connecting`: anything else (starting, reconnecting, or the network just came back).
 *
 * "Links" are the sockets of the client's open subscriptions; a subscription still resolving its
 * partitions (the partition-count lookup) counts as one `connecting` link with the lookup's
 * failures, and a closed or ended subscription counts not at all.
 *
 * @example
 * deriveStatus({ links: [{ state: "live", failures: 0 }], online: true, http: "unknown", closed: false }); // "live"
 */

/**
 * What the application sees.
 *
 * @example
 * client.onStatus((status: ClientStatus) => (badge.dataset.status = status));
 */
export type ClientStatus = "connecting" | "catching-up" | "live" | "offline" | "closed";

/**
 * Every client status, for tests and UIs.
 *
 * @example
 * CLIENT_STATUSES.includes(client.status); // always true
 */
export const CLIENT_STATUSES: readonly ClientStatus[] = ["connecting", "catching-up", "live", "offline", "closed"];

/**
 * The moves the client status allows: every status may close, `closed` is final, and `offline`
 * is left through `connecting` or `catching-up` (a socket or request has to get through before
 * anything is `live` again).
 *
 * @example
 * STATUS_TRANSITIONS.closed; // []: a closed client stays closed
 */
export const STATUS_TRANSITIONS: Readonly<Record<ClientStatus, readonly ClientStatus[]>> = {
  // Starting: the first socket opens, a request succeeds or fails, or the browser is offline.
  connecting: ["catching-up", "live", "offline", "closed"],
  // Catching up: every partition reaches the end, a new subscription starts, or the sockets fail.
  "catching-up": ["live", "connecting", "offline", "closed"],
  // Live: a partition falls behind (paused), a new subscription starts, or the network goes.
  live: ["catching-up", "connecting", "offline", "closed"],
  // Offline: the network comes back (connecting), or a socket opens right away.
  offline: ["connecting", "catching-up", "closed"],
  closed: [],
};

/**
 * Whether the status may move from `from` to `to` (staying put is always allowed).
 *
 * @example
 * canMoveStatus("closed", "live"); // false
 */
export function canMoveStatus(from: ClientStatus, to: ClientStatus): boolean {
  return from === to || STATUS_TRANSITIONS[from].includes(to);
}

/**
 * The status after `from` when the inputs say `to`: `to`, or, where the table has no direct move
 * (offline straight to live), through `connecting` first. Never leaves `closed`.
 *
 * @example
 * statusPath("offline", "live"); // ["connecting", "live"]
 */
export function statusPath(from: ClientStatus, to: ClientStatus): ClientStatus[] {
  if (from === to || from === "closed") return [];
  if (canMoveStatus(from, to)) return [to];
  return ["connecting", to];
}

/**
 * One partition socket's state:
 * - `idle`: created, replaying the cache, not connecting yet;
 * - `connecting`: a socket is being opened;
 * - `open`: the socket is open and subscribing;
 * - `catching-up`: subscribed, stored records are arriving;
 * - `live`: the server said `live`: the socket is at the end of the log;
 * - `waiting`: the socket failed or died; a reconnect is scheduled (backoff);
 * - `closed`: for good.
 *
 * @example
 * const state: LinkState = link.state; // "live" once the partition caught up
 */
export type LinkState = "idle" | "connecting" | "open" | "catching-up" | "live" | "waiting" | "closed";

/**
 * The moves each state allows.
 *
 * @example
 * LINK_TRANSITIONS.waiting; // ["connecting", "closed"]
 */
export const LINK_TRANSITIONS: Readonly<Record<LinkState, readonly LinkState[]>> = {
  idle: ["connecting", "closed"],
  connecting: ["open", "waiting", "closed"],
  open: ["catching-up", "waiting", "closed"],
  // `paused` by flow control keeps a link catching up; `live` ends it.
  "catching-up": ["live", "waiting", "closed"],
  // The server sends `live` again after a subscriber fell behind and caught up.
  live: ["catching-up", "waiting", "closed"],
  waiting: ["connecting", "closed"],
  closed: [],
};

/**
 * Whether a link may move from `from` to `to` (staying put is always allowed).
 *
 * @example
 * canMove("waiting", "live"); // false: a link reconnects first
 */
export function canMove(from: LinkState, to: LinkState): boolean {
  return from === to || LINK_TRANSITIONS[from].includes(to);
}

/**
 * Moves a link, or throws if the table does not allow it (a bug in the client, never the
 * network's doing).
 *
 * @example
 * state = move(state, "connecting");
 */
export function move(from: LinkState, to: LinkState): LinkState {
  if (!canMove(from, to)) throw new Error(`edgelog client bug: a link cannot move from "${from}" to "${to}"`);
  return to;
}

/**
 * What the status is derived from, for one link.
 *
 * @example
 * const snapshot: LinkSnapshot = { state: "waiting", failures: 2 };
 */
export interface LinkSnapshot {
  state: LinkState;
  /** Connection attempts failed since the link last opened or the network came back (0 then). */
  failures: number;
}

/**
 * Everything the status is derived from.
 *
 * @example
 * deriveStatus({ links: [], online: true, http: "ok", closed: false } satisfies StatusInputs); // "live"
 */
export interface StatusInputs {
  /** The open subscriptions' links; a subscription resolving its partitions is one connecting link. */
  links: readonly LinkSnapshot[];
  /** The browser's `navigator.onLine` (true where there is no such thing). */
  online: boolean;
  /** The last HTTP exchange (metadata, produce, commit): what a client with no socket goes by. */
  http: "unknown" | "ok" | "failed";
  /** Whether `close()` was called. */
  closed: boolean;
}

/**
 * The client's status from its links, the network, the last HTTP exchange and whether it was
 * closed (see the module comment for the rules).
 *
 * @example
 * deriveStatus({ links: [{ state: "waiting", failures: 3 }], online: true, http: "ok", closed: false }); // "offline"
 */
export function deriveStatus(inputs: StatusInputs): ClientStatus {
  if (inputs.closed) return "closed";
  if (!inputs.online) return "offline";
  const links = inputs.links.filter((link) => link.state !== "closed");
  if (links.length === 0) {
    if (inputs.http === "ok") return "live";
    return inputs.http === "failed" ? "offline" : "connecting";
  }
  if (links.every((link) => link.state === "live")) return "live";
  const open = links.some((link) => link.state === "open" || link.state === "catching-up" || link.state === "live");
  if (open) return "catching-up";
  if (links.every((link) => link.failures > 0)) return "offline";
  return "connecting";
}
