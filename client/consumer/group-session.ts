/**
 * A consumer's group socket (`/v1/groups/:group/ws`, PROTOCOL.md section 18): it joins on every
 * (re)connect (as the member it already is, once the server named it), hands each `joined` and
 * `assignment` to its owner as a target assignment, and leaves on request. Pings go every third of
 * the session timeout at most (a socket member is heard from at each ping, GSOCKET-7); a missed
 * pong, a drop or a 4408 close (the session expired) reconnects with the client's backoff
 * (ReconnectingSocket), and each of them means the server removed the member (GSOCKET-6), which
 * the owner hears as `lost`. A join the server refuses for good (the topic does not exist, the
 * group consumes another topic, the grant is missing) ends the session.
 *
 * @example
 * const session = new GroupSession(options, { assigned: adopt, lost: dropAll, ended: fail, error: report });
 * session.start();
 * await session.leave(timers, LEAVE_WAIT_MS_MAX);
 */
import type { Credentials } from "../credentials.ts";
import { socketUrl } from "../http-api.ts";
import type { EdgelogClientError } from "../local-errors.ts";
import { HEARTBEAT_INTERVAL_MS_MAX, HEARTBEAT_INTERVAL_MS_MIN } from "../local-limits.ts";
import {
  EdgelogError,
  type ErrorCode,
  type GroupClientMessage,
  type GroupServerMessage,
  groupPath,
  type JoinInput,
} from "../protocol/index.ts";
import { ReconnectingSocket, type SocketDown, type WebSocketClass } from "../reconnecting-socket.ts";
import { SESSION_PINGS_MIN } from "./consumer-limits.ts";
import type { ConsumerTimers } from "./consumer-options.ts";

/**
 * A join's refusals that no retry can change: the session ends with them.
 *
 * @example
 * JOIN_CODES_FINAL.includes("UNKNOWN_TOPIC"); // true: the consumer ends with it
 */
export const JOIN_CODES_FINAL: readonly ErrorCode[] = [
  "UNKNOWN_TOPIC",
  "INCONSISTENT_GROUP",
  "GROUP_MAX_SIZE_REACHED",
  "FORBIDDEN",
  "INVALID_REQUEST",
  "INVALID_TOPIC_NAME",
  "INVALID_GROUP_NAME",
];

/**
 * A member's partitions in a generation, as `joined` or `assignment` names them.
 *
 * @example
 * const target: GroupTarget = { memberId: "m-1", generation: 4, partitions: [0, 1] };
 */
export interface GroupTarget {
  memberId: string;
  generation: number;
  partitions: number[];
}

/**
 * What the session tells its owner.
 *
 * @example
 * const handlers: GroupSessionHandlers = { assigned: (t) => adopt(t), lost: () => dropAll(), ended: (e) => fail(e), error: console.warn };
 */
export interface GroupSessionHandlers {
  /** A `joined` or an `assignment`: the member's partitions in a generation. */
  assigned(target: GroupTarget): void;
  /** The socket carrying the member went down: the server removed it (GSOCKET-6, GSOCKET-7). */
  lost(reason: string): void;
  /** A join refused for good (JOIN_CODES_FINAL): the session is over. */
  ended(error: EdgelogError): void;
  /** A failure worth reporting (the session goes on). */
  error(error: EdgelogError | EdgelogClientError): void;
}

/**
 * How a session is made.
 *
 * @example
 * const options: GroupSessionOptions = { url, group: "billing", join: parseJoin({ topic: "orders" }), WebSocket, heartbeatIntervalMs: 30_000, credentials: null };
 */
export interface GroupSessionOptions {
  url: string;
  group: string;
  join: JoinInput;
  WebSocket: WebSocketClass;
  /** The client's ping interval; the session pings at least every third of its session timeout. */
  heartbeatIntervalMs: number;
  credentials: Credentials | null;
  random?: () => number;
}

/**
 * The ping interval of a group socket: the client's, at most a third of the session timeout,
 * within HEARTBEAT_INTERVAL_MS_MIN and _MAX.
 *
 * @example
 * groupPingMs(30_000, 45_000); // 15000
 */
export function groupPingMs(heartbeatIntervalMs: number, sessionTimeoutMs: number): number {
  const wanted = Math.min(heartbeatIntervalMs, Math.floor(sessionTimeoutMs / SESSION_PINGS_MIN));
  return Math.min(Math.max(wanted, HEARTBEAT_INTERVAL_MS_MIN), HEARTBEAT_INTERVAL_MS_MAX);
}

/**
 * One member's group socket (see the module comment).
 *
 * @example
 * const session = new GroupSession(options, handlers);
 * session.start();
 * session.rejoin(); // after ILLEGAL_GENERATION: the server answers the current generation
 */
export class GroupSession {
  private readonly options: GroupSessionOptions;
  private readonly handlers: GroupSessionHandlers;
  private readonly socket: ReconnectingSocket<GroupServerMessage, GroupClientMessage>;
  /** The member's id: the option's, then the server's from the first `joined`. */
  private memberId: string | null;
  /** The id of the join waiting for its answer, if any (one at a time). */
  private joinId: string | null = null;
  /** Whether this socket carries the member (a `joined` came on it). */
  private carries = false;
  private leaving: { id: string; done: () => void } | null = null;
  private counter = 0;
  private closed = false;

  constructor(options: GroupSessionOptions, handlers: GroupSessionHandlers) {
    this.options = options;
    this.handlers = handlers;
    this.memberId = options.join.memberId;
    const url = socketUrl(options.url, `${groupPath(options.group)}/ws`);
    const heartbeatIntervalMs = groupPingMs(options.heartbeatIntervalMs, options.join.sessionTimeoutMs);
    const socketOptions = { url, WebSocket: options.WebSocket, heartbeatIntervalMs, credentials: options.credentials };
    this.socket = new ReconnectingSocket<GroupServerMessage, GroupClientMessage>(
      options.random ? { ...socketOptions, random: options.random } : socketOptions,
      {
        connecting: () => undefined,
        open: () => this.rejoin(),
        message: (message) => this.receive(message),
        down: (info) => this.down(info),
      },
    );
  }

  /** Connects and joins. */
  start(): void {
    this.socket.start();
  }

  /** Joins again on the open socket (as the same member), unless a join already waits. */
  rejoin(): void {
    if (this.closed || this.leaving !== null || this.joinId !== null) return;
    const { topic, assignor, sessionTimeoutMs } = this.options.join;
    const id = `j${++this.counter}`;
    const member = this.memberId === null ? {} : { memberId: this.memberId };
    if (this.socket.send({ type: "join", id, topic, assignor, sessionTimeoutMs, ...member })) this.joinId = id;
  }

  /**
   * Leaves the group (GSOCKET-5) and closes the socket: resolves on `left`, or after `waitMs`
   * (the close removes the member too, GSOCKET-6).
   */
  async leave(timers: ConsumerTimers, waitMs: number): Promise<void> {
    if (this.closed) return;
    const id = `l${++this.counter}`;
    await new Promise<void>((resolve) => {
      const timer = timers.setTimeout(() => done(), waitMs);
      const done = (): void => {
        timers.clearTimeout(timer);
        this.leaving = null;
        resolve();
      };
      this.leaving = { id, done };
      if (!this.carries || !this.socket.send({ type: "leave", id })) done();
    });
    this.close();
  }

  /** Closes the socket (the server removes the member it carried). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.leaving?.done();
    this.socket.close();
  }

  private receive(message: GroupServerMessage): void {
    switch (message.type) {
      case "joined":
        if (message.id !== this.joinId) return;
        this.joinId = null;
        this.memberId = message.memberId;
        this.carries = true;
        this.socket.markHealthy();
        this.handlers.assigned({ memberId: message.memberId, generation: message.generation, partitions: message.partitions });
        return;
      case "assignment":
        if (message.memberId !== this.memberId) return;
        this.handlers.assigned({ memberId: message.memberId, generation: message.generation, partitions: message.partitions });
        return;
      case "left":
        if (message.id === this.leaving?.id) this.leaving.done();
        return;
      case "error":
        this.refused(message);
        return;
      default:
        return;
    }
  }

  private refused(message: Extract<GroupServerMessage, { type: "error" }>): void {
    const error = new EdgelogError(message.code, message.message);
    if (message.id !== null && message.id === this.leaving?.id) {
      this.leaving.done();
      return;
    }
    if (message.id === null || message.id !== this.joinId) {
      this.handlers.error(error);
      return;
    }
    this.joinId = null;
    if (JOIN_CODES_FINAL.includes(error.code)) {
      this.close();
      this.handlers.ended(error);
      return;
    }
    this.handlers.error(error);
    this.socket.restart(`the join was refused: ${error.code}`);
  }

  private down(info: SocketDown): void {
    this.joinId = null;
    const carried = this.carries;
    this.carries = false;
    this.leaving?.done();
    if (info.retryInMs === null) {
      this.closed = true;
      this.handlers.ended(new EdgelogError("INVALID_REQUEST", `the group socket closed for good (close ${info.code}): ${info.reason}`));
      return;
    }
    if (carried) this.handlers.lost(info.reason);
  }
}
