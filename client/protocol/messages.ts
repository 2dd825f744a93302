/**
 * The WebSocket protocol, versions 1 and 2 (they differ only in the `ack`, SOCKET-20): one socket
 * per partition object, JSON text frames, each a message with a `type`. PROTOCOL.md states the
 * rules (SOCKET-1 to SOCKET-21, FLOW-1 to FLOW-5, GSOCKET-1 to GSOCKET-8); this module is their
 * types, shared by both sides.
 *
 * @example
 * ws.send(JSON.stringify({ type: "subscribe", id: "s1", from: "earliest" } satisfies ClientMessage));
 */
import type { ErrorCode } from "./errors.ts";
import type { AssignorName } from "./membership.ts";
import type { OffsetReset } from "./start.ts";
import type { FetchedRecord, ProducerInput, RecordInput, RecordPosition } from "./wire.ts";

/**
 * The protocol version of the server's `hello` and of a socket that sends no `hello` of its own
 * (SOCKET-3, SOCKET-4). A client's `hello` may name any of PROTOCOL_VERSIONS (compact-ack.ts); a
 * server MUST close a socket whose hello names another.
 *
 * @example
 * ws.send(JSON.stringify({ type: "hello", version: PROTOCOL_VERSION } satisfies ClientMessage));
 */
export const PROTOCOL_VERSION = 1;

/**
 * The heartbeat: a client sends exactly PING and gets exactly PONG, byte for byte (PING-1, PING-2).
 * The runtime answers it without waking a hibernating partition, so idle subscriptions cost nothing.
 *
 * @example
 * ws.send(PING); // answered PONG
 */
export const PING = '{"type":"ping"}';

/**
 * The answer to PING, exactly these bytes (PING-2).
 *
 * @example
 * if (event.data === PONG) missedPongs = 0;
 */
export const PONG = '{"type":"pong"}';

/**
 * Where a subscription starts. "committed" needs a `group`; `reset` applies when it has none.
 *
 * @example
 * const from: StartPosition = { timestamp: Date.now() - 3_600_000 }; // the first record of the last hour
 */
export type StartPosition = "earliest" | "latest" | "committed" | { offset: number } | { timestamp: number };

/**
 * Where a subscribe starts: a start position, or `"latest-per-key"`, a compacted topic's table
 * (each key's latest record from logStartOffset, then live; TABLE-2).
 *
 * @example
 * const from: SubscribeFrom = "latest-per-key";
 */
export type SubscribeFrom = StartPosition | "latest-per-key";

/**
 * A socket's authentication, on both sockets (AUTH-9, AUTH-11): the first message when auth is
 * required, and again later with a fresh token of the same `sub` (re-auth).
 *
 * @example
 * ws.send(JSON.stringify({ type: "auth", id: "a1", token } satisfies AuthMessage));
 */
export type AuthMessage = { type: "auth"; id: string; token: string };

/**
 * The server's side of a socket's authentication, on both sockets: `authenticated` answers an
 * accepted `auth` (`sub` and `expiresAt` null when the server does not check tokens, AUTH-13);
 * `reauth` asks for a fresh token SOCKET_REAUTH_LEAD_MS before the socket's expires (AUTH-12).
 *
 * @example
 * if (message.type === "reauth") ws.send(JSON.stringify({ type: "auth", id: "a2", token: await freshToken() }));
 */
export type AuthServerMessage =
  | { type: "authenticated"; id: string; sub: string | null; expiresAt: number | null }
  | { type: "reauth"; expiresAt: number };

/**
 * Client to server.
 *
 * @example
 * ws.send(JSON.stringify({ type: "consumed", offset: 42 } satisfies ClientMessage));
 */
export type ClientMessage =
  | AuthMessage
  | { type: "hello"; version: number }
  | {
      type: "subscribe";
      id: string;
      from: SubscribeFrom;
      group?: string;
      reset?: OffsetReset;
      /** The `cleanedTombstonesBelow` the client last saw of this partition (COMPACT-6). */
      cleaned?: number;
    }
  | { type: "unsubscribe"; id: string }
  | { type: "consumed"; offset: number }
  | { type: "produce"; id: string; records: RecordInput[]; producer?: ProducerInput }
  | { type: "commit"; id: string; group: string; offset: number; metadata?: string; generation?: number; memberId?: string };

/**
 * Client to a group coordinator's socket (`/v1/groups/:group/ws`): membership only.
 *
 * @example
 * ws.send(JSON.stringify({ type: "join", id: "j1", topic: "orders", assignor: "sticky" } satisfies GroupClientMessage));
 */
export type GroupClientMessage =
  | AuthMessage
  | { type: "join"; id: string; topic: string; memberId?: string; assignor?: AssignorName; sessionTimeoutMs?: number }
  | { type: "leave"; id: string };

/**
 * Every type of message a client sends on the partition socket (the auth matrix has a row each).
 *
 * @example
 * CLIENT_MESSAGE_TYPES.includes("produce"); // true
 */
export const CLIENT_MESSAGE_TYPES = [
  "auth",
  "hello",
  "subscribe",
  "unsubscribe",
  "consumed",
  "produce",
  "commit",
] as const satisfies readonly ClientMessage["type"][];

/**
 * Every type of message a client sends on the group socket.
 *
 * @example
 * GROUP_CLIENT_MESSAGE_TYPES; // ["auth", "join", "leave"]
 */
export const GROUP_CLIENT_MESSAGE_TYPES = ["auth", "join", "leave"] as const satisfies readonly GroupClientMessage["type"][];

/**
 * A group coordinator's socket to its member. `assignment` is pushed on every rebalance.
 *
 * @example
 * const message = JSON.parse(event.data) as GroupServerMessage;
 * if (message.type === "assignment") consume(message.partitions);
 */
export type GroupServerMessage =
  | AuthServerMessage
  | { type: "joined"; id: string; memberId: string; generation: number; partitions: number[] }
  | { type: "assignment"; memberId: string; generation: number; partitions: number[] }
  | { type: "left"; id: string }
  | { type: "error"; id: string | null; code: ErrorCode; message: string };

/**
 * Server to client.
 *
 * @example
 * const message = JSON.parse(event.data) as ServerMessage;
 * if (message.type === "records") for (const record of message.records) show(record.offset, record.value);
 */
export type ServerMessage =
  | AuthServerMessage
  | {
      type: "hello";
      version: number;
      topic: string;
      /** The topic's incarnation: a topic deleted and created again has a new one (PROTOCOL.md). */
      topicId: string;
      partition: number;
      logStartOffset: number;
      highWatermark: number;
      /** The versions a client's `hello` may name (SOCKET-3); absent from a server older than version 2. */
      versions?: number[];
    }
  | {
      type: "subscribed";
      id: string;
      offset: number;
      logStartOffset: number;
      highWatermark: number;
      /** Drop what you hold of this partition before applying what follows (COMPACT-6, TABLE-2). */
      reset?: true;
      /** The topic is compacted (COMPACT-1); with `cleanedTombstonesBelow`, to send back as `cleaned`. */
      compacted?: true;
      cleanedTombstonesBelow?: number;
    }
  | { type: "records"; topic: string; partition: number; records: FetchedRecord[]; highWatermark: number }
  | { type: "live"; id: string; offset: number }
  | { type: "paused"; id: string; offset: number }
  | { type: "unsubscribed"; id: string }
  /** Version 1's ack: a position per record (SOCKET-10). */
  | { type: "ack"; id: string; offsets: RecordPosition[]; duplicate?: boolean }
  /** Version 2's ack: offsets baseOffset .. baseOffset + count - 1, in order (SOCKET-20). */
  | { type: "ack"; id: string; partition: number; baseOffset: number; count: number; duplicate?: boolean }
  | { type: "committed"; id: string; group: string; offset: number }
  /** `retryAfterMs` on QUOTA_EXCEEDED only (QUOTA-5). */
  | { type: "error"; id: string | null; code: ErrorCode; message: string; retryAfterMs?: number };

/**
 * A server message of one type.
 *
 * @example
 * const committed: ServerMessageOf<"committed"> = { type: "committed", id: "c1", group: "billing", offset: 42 };
 */
export type ServerMessageOf<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;
