/**
 * The client's state machines, explicit so every state and move is named and checked.
 *
 * Each partition socket ("link") moves through LinkState by the table LINK_TRANSITIONS; a move
 * the table does not allow is a bug and throws. The client's status is not stored separately but
 * derived from its links (and the network and the last HTTP exchange), so it can never disagree
 * with them:
 *
 * - `connecting`: starting, nothing has failed yet;
 * - `offline`: the browser says so, or no socket can connect (every link has failed since it last
 *   opened), or, with no sockets at all, the last HTTP request failed;
 * - `catching-up`: some socket is open, and not every partition has said `live` yet;
 * - `live`: every partition said `live` (with no sockets: the last HTTP request succeeded).
 *
 * @example
 * deriveStatus({ links: [{ state: "live", failures: 0 }], online: true, http: "unknown" }); // "live"
 */

/**
 * What the application sees.
 *
 * @example
 * client.onStatus((status: ClientStatus) => (badge.dataset.status = status));
 */
export type ClientStatus = "connecting" | "catching-up" | "live" | "offline";

/**
 * Every client status, for tests and UIs.
 *
 * @example
 * CLIENT_STATUSES.includes(client.status); // always true
 */
export const CLIENT_STATUSES: readonly ClientStatus[] = ["connecting", "catching-up", "live", "offline"];

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
  /** Connection attempts failed since the link last opened (0 once it opens). */
  failures: number;
}

/**
 * Everything the status is derived from.
 *
 * @example
 * deriveStatus({ links: [], online: true, http: "ok" } satisfies StatusInputs); // "live"
 */
export interface StatusInputs {
  links: readonly LinkSnapshot[];
  /** The browser's `navigator.onLine` (true where there is no such thing). */
  online: boolean;
  /** The last HTTP exchange (metadata, produce, commit): what a client with no socket goes by. */
  http: "unknown" | "ok" | "failed";
}

/**
 * The client's status from its links, the network and the last HTTP exchange (see the module
 * comment for the rules).
 *
 * @example
 * deriveStatus({ links: [{ state: "waiting", failures: 3 }], online: true, http: "ok" }); // "offline"
 */
export function deriveStatus(inputs: StatusInputs): ClientStatus {
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
