/**
 * A partition socket's state as its attachment holds it (subscribers.ts re-exports these): the
 * subscription's position, the socket's flow window, and its subscribe count. It survives the
 * object being evicted from memory, so every field is plain JSON and bounded.
 *
 * Rules: PROTOCOL.md SOCKET-5 to SOCKET-9, SOCKET-17, FLOW-2 to FLOW-7, TABLE-2, COMPACT-6.
 *
 * @example
 * const state: SocketState = initialSocketState(); // { sub: null, window: [], subscribes: 0 }
 */

/**
 * One subscription's position.
 *
 * @example
 * const sub: Subscription = { id: "s1", next: 42, live: false, paused: false }; // as subscribe starts one
 */
export interface Subscription {
  id: string;
  next: number;
  /** A table's catch-up (TABLE-2): only each key's latest record, until the subscription is live. */
  table?: true;
  /** The cleanedTombstonesBelow this subscription has seen (compacted topics, COMPACT-6). */
  cleaned?: number;
  /** Whether `live` was sent since the subscriber last fell behind. */
  live: boolean;
  /** Whether `paused` was sent and nothing pushed since (one `paused` per stop). */
  paused: boolean;
}

/**
 * A pushed message not yet consumed: one past its last record's offset, and its frame's bytes.
 *
 * @example
 * const entry: WindowEntry = [500, 36_912]; // offsets up to 499, a 36,912-byte frame
 */
export type WindowEntry = [endOffset: number, bytes: number];

/**
 * A socket's state in its attachment (at most 16 KiB; the window is bounded to stay far below).
 *
 * @example
 * subscribers.stateOf(ws).sub?.next; // the next offset this socket's subscription is pushed
 */
export interface SocketState {
  sub: Subscription | null;
  /** The socket's unconsumed messages, of this subscription and earlier ones (see the header). */
  window: WindowEntry[];
  /** Subscriptions started on this socket (at most SOCKET_SUBSCRIBES_MAX). */
  subscribes: number;
  /** The protocol version the client's `hello` chose (SOCKET-4, SOCKET-20); absent: version 1. */
  protocol?: number;
}

/**
 * The state of a socket just accepted.
 *
 * @example
 * new SocketLayer(ctx, { version: PARTITION_SOCKET_VERSION, initial: initialSocketState, label: "partition" });
 */
export function initialSocketState(): SocketState {
  return { sub: null, window: [], subscribes: 0 };
}
