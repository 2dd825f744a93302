/**
 * A partition link: one reconnecting socket to one partition, speaking protocol v1 for one
 * subscription. On every (re)connect it waits for `hello`, asks its owner where to start (the
 * next offset not yet delivered), subscribes, hands each `records` message to the owner in order
 * and then sends `consumed` (flow control), and tracks its LinkState (status.ts). It also carries
 * requests that expect an answer by id (`commit`).
 *
 * A close with a final code (4404: the topic was deleted; 4400: the server refused the protocol
 * version) ends the link for good: it moves to `closed` and tells its owner `ended` with the
 * error the server sent just before closing (its `error` message with id null), or UNKNOWN_TOPIC
 * / INVALID_REQUEST when none came. An `error` with id null is news about the socket, not the
 * subscription: it is held until the socket shows what it meant (a final close ends the link with
 * it; any other close, or the next message, reports it), so it is never reported twice.
 *
 * Links are made by a `LinkFactory`: this one opens a socket per link; tabs/ uses the same seam so
 * that only the leader tab owns real sockets and every tab's subscriptions get relayed links.
 *
 * @example
 * const link = socketLinkFactory(options)("orders", 0, handlers);
 * link.start();
 */

import type { Credentials } from "./credentials.ts";
import { socketUrl } from "./http-api.ts";
import { EdgelogClientError } from "./local-errors.ts";
import { SOCKET_REQUEST_TIMEOUT_MS, SOCKET_REQUESTS_PENDING_MAX } from "./local-limits.ts";
import type { ClientMessage, ServerMessage, ServerMessageOf, SubscribeStart } from "./protocol/index.ts";
import { CLOSE_TOPIC_DELETED, EdgelogError, PROTOCOL_VERSION, partitionPath } from "./protocol/index.ts";
import { ReconnectingSocket, type SocketDown, type WebSocketClass } from "./reconnecting-socket.ts";
import { type LinkState, move } from "./status.ts";

/**
 * Where a link subscribes: the protocol's starts, and a table's `from: "latest-per-key"` (each
 * key's latest record, then live; TABLE-2) and `cleaned` (COMPACT-6). Written before the
 * protocol's SubscribeFrom named them; the same shape as the subscribe message's fields.
 *
 * @example
 * const start: LinkStart = { from: "latest-per-key" };
 */
export type LinkStart = (SubscribeStart | { from: "latest-per-key" }) & {
  /** The `cleanedTombstonesBelow` the table last saw (branch compact's COMPACT-6); only to a server that sent one. */
  cleaned?: number;
};

/**
 * What a link asks of, and tells, its owner (a subscription).
 *
 * @example
 * const handlers: LinkHandlers = { start: async () => ({ from: "earliest" }), subscribed: async () => {}, records: async (m) => show(m.records), changed: () => {}, error: console.warn, ended: stop };
 */
export interface LinkHandlers {
  /** The server said hello: where should the subscription start? */
  start(hello: ServerMessageOf<"hello">): Promise<LinkStart>;
  /** The server resolved the start offset. */
  subscribed(message: ServerMessageOf<"subscribed">): Promise<void>;
  /** Records, in order; `consumed` is sent once this resolves. */
  records(message: ServerMessageOf<"records">): Promise<void>;
  /** The link's state or failure count changed. */
  changed(): void;
  /** A failure worth reporting (the link keeps going). */
  error(error: EdgelogError | EdgelogClientError): void;
  /** The link ended for good (a final close code): it is `closed` and will not reconnect. */
  ended(error: EdgelogError): void;
}

/**
 * A commit over the link's socket.
 *
 * @example
 * await link.commit({ type: "commit", group: "billing", offset: 42 });
 */
export type CommitMessage = Omit<Extract<ClientMessage, { type: "commit" }>, "id">;

/**
 * One partition's connection, as a subscription uses it.
 *
 * @example
 * const link = makeLink("orders", 0, handlers);
 * link.start();
 * await link.commit({ type: "commit", group: "billing", offset: 10 });
 */
export interface PartitionLink {
  readonly topic: string;
  readonly partition: number;
  readonly state: LinkState;
  /** Connection attempts failed since the link last opened. */
  readonly failures: number;
  /** Starts connecting (after the subscription replayed the cache). */
  start(): void;
  /** Commits over the socket; rejects NETWORK when it is not open, TIMEOUT without an answer. */
  commit(message: CommitMessage): Promise<ServerMessageOf<"committed">>;
  /** The network came back: skip the backoff wait, and count failures afresh. */
  reconnectNow(): void;
  /** The page came back: check the socket with a heartbeat now. */
  checkNow(): void;
  /** Closes the socket for good: no reconnect, no more handler calls. */
  close(): void;
}

/**
 * Makes a link for a partition.
 *
 * @example
 * const relayed: LinkFactory = (topic, partition, handlers) => leaderRelay.open(topic, partition, handlers);
 * createClient({ url, makeLink: relayed });
 */
export type LinkFactory = (topic: string, partition: number, handlers: LinkHandlers) => PartitionLink;

/**
 * What socket links need.
 *
 * @example
 * socketLinkFactory({ url: "http://127.0.0.1:8787", WebSocket, heartbeatIntervalMs: 30_000 });
 */
export interface SocketLinkOptions {
  url: string;
  WebSocket: WebSocketClass;
  heartbeatIntervalMs: number;
  /** For the backoff's jitter (Math.random by default). */
  random?: () => number;
  /** @internal The client's credentials: each socket authenticates with its first message (ReconnectingSocket). */
  credentials?: Credentials | null;
}

interface Pending {
  resolve(message: ServerMessageOf<"committed">): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

class SocketLink implements PartitionLink {
  readonly topic: string;
  readonly partition: number;
  state: LinkState = "idle";
  failures = 0;
  private readonly handlers: LinkHandlers;
  private readonly socket: ReconnectingSocket;
  /** Messages are handled one at a time, in arrival order, across async cache work. */
  private chain: Promise<void> = Promise.resolve();
  /** Bumped per socket session, so work queued for an old socket never touches a new one. */
  private session = 0;
  private subscriptionId = "";
  /** An `error` with id null on this session, held until the socket shows what it meant. */
  private held: EdgelogError | null = null;
  private requestCounter = 0;
  private readonly pending = new Map<string, Pending>();

  constructor(topic: string, partition: number, options: SocketLinkOptions, handlers: LinkHandlers) {
    this.topic = topic;
    this.partition = partition;
    this.handlers = handlers;
    const url = socketUrl(options.url, `${partitionPath(topic, partition)}/ws`);
    const socketOptions = {
      url,
      WebSocket: options.WebSocket,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      credentials: options.credentials ?? null,
    };
    this.socket = new ReconnectingSocket(options.random ? { ...socketOptions, random: options.random } : socketOptions, {
      connecting: () => this.to("connecting"),
      open: () => {
        this.session++;
        this.failures = 0;
        this.held = null;
        this.to("open");
      },
      message: (message) => this.receive(message),
      down: (info) => this.down(info),
    });
  }

  start(): void {
    if (this.state === "idle") this.socket.start();
  }

  commit(message: CommitMessage): Promise<ServerMessageOf<"committed">> {
    if (this.pending.size >= SOCKET_REQUESTS_PENDING_MAX) {
      return Promise.reject(new EdgelogClientError("NETWORK", `${SOCKET_REQUESTS_PENDING_MAX} requests already wait on this socket`));
    }
    const id = `c${++this.requestCounter}`;
    return new Promise((resolve, reject) => {
      if (!this.socket.send({ ...message, id })) {
        reject(new EdgelogClientError("NETWORK", `the socket of ${this.topic}/${this.partition} is not open`));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new EdgelogClientError("TIMEOUT", `no answer to a commit within ${SOCKET_REQUEST_TIMEOUT_MS} ms`));
      }, SOCKET_REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
    });
  }

  reconnectNow(): void {
    if (this.state === "closed") return;
    if (this.failures > 0) {
      this.failures = 0;
      this.handlers.changed();
    }
    this.socket.reconnectNow();
  }

  checkNow(): void {
    this.socket.checkNow();
  }

  close(): void {
    if (this.state === "closed") return;
    this.socket.close();
    this.rejectPending(new EdgelogClientError("CLOSED", "the subscription was closed"));
    this.to("closed");
  }

  private to(state: LinkState): void {
    if (this.state === "closed" || this.state === state) return;
    this.state = move(this.state, state);
    this.handlers.changed();
  }

  private down(info: SocketDown): void {
    const held = this.held;
    this.held = null;
    if (info.retryInMs === null) {
      this.rejectPending(new EdgelogClientError("CLOSED", `the socket of ${this.topic}/${this.partition} closed for good: ${info.reason}`));
      this.to("closed");
      const error = held ?? this.finalError(info.code);
      // In turn, with the session kept: the records that came before the close are delivered first.
      this.chain = this.chain.then(() => this.handlers.ended(error)).catch(() => undefined);
      return;
    }
    this.session++;
    if (held !== null) this.handlers.error(held);
    this.failures++;
    this.rejectPending(new EdgelogClientError("NETWORK", `the socket of ${this.topic}/${this.partition} went down: ${info.reason}`));
    this.to("waiting");
    this.handlers.changed();
  }

  /** What a final close means when the server sent no `error` before it. */
  private finalError(code: number | null): EdgelogError {
    if (code === CLOSE_TOPIC_DELETED) return new EdgelogError("UNKNOWN_TOPIC", `topic "${this.topic}" was deleted`);
    return new EdgelogError("INVALID_REQUEST", `the server does not speak protocol version ${PROTOCOL_VERSION} (close ${code})`);
  }

  private rejectPending(error: Error): void {
    for (const [id, request] of this.pending) {
      clearTimeout(request.timer);
      this.pending.delete(id);
      request.reject(error);
    }
  }

  private receive(message: ServerMessage): void {
    if (message.type === "error" && message.id === null) {
      // Held: a final close may follow at once (the topic deleted), and then the link ends with it.
      if (this.held !== null) this.handlers.error(this.held);
      this.held = new EdgelogError(message.code, message.message);
      return;
    }
    if (this.held !== null) {
      // The socket carried on after it: it was news worth reporting, not the end.
      this.handlers.error(this.held);
      this.held = null;
    }
    // Answers to requests need no ordering with records; everything else is handled in turn.
    if (message.type === "committed") {
      this.answer(message.id, message);
      return;
    }
    if (message.type === "error" && message.id !== null && this.pending.has(message.id)) {
      this.answer(message.id, new EdgelogError(message.code, message.message));
      return;
    }
    const session = this.session;
    this.chain = this.chain
      .then(() => (session === this.session ? this.handle(message, session) : undefined))
      .catch((error: unknown) => {
        this.handlers.error(
          error instanceof EdgelogError || error instanceof EdgelogClientError
            ? error
            : new EdgelogClientError("CACHE_FAILED", `handling a message failed: ${(error as Error)?.message ?? String(error)}`, {
                cause: error,
              }),
        );
      });
  }

  private answer(id: string, outcome: ServerMessageOf<"committed"> | EdgelogError): void {
    const request = this.pending.get(id);
    if (request === undefined) return;
    clearTimeout(request.timer);
    this.pending.delete(id);
    if (outcome instanceof EdgelogError) request.reject(outcome);
    else request.resolve(outcome);
  }

  private async handle(message: ServerMessage, session: number): Promise<void> {
    switch (message.type) {
      case "hello": {
        let start: LinkStart;
        try {
          start = await this.handlers.start(message);
        } catch (error) {
          this.socket.restart("the subscription could not start");
          throw error;
        }
        if (session !== this.session) return;
        this.subscriptionId = `s${session}`;
        // A cast only for "latest-per-key", which the protocol's StartPosition does not name yet (LinkStart).
        this.socket.send({ type: "subscribe", id: this.subscriptionId, ...start } as ClientMessage);
        return;
      }
      case "subscribed":
        if (message.id !== this.subscriptionId) return;
        await this.handlers.subscribed(message);
        if (session !== this.session) return;
        this.socket.markHealthy();
        this.to("catching-up");
        return;
      case "records": {
        await this.handlers.records(message);
        const last = message.records[message.records.length - 1];
        if (last !== undefined && session === this.session) this.socket.send({ type: "consumed", offset: last.offset + 1 });
        return;
      }
      case "live":
        if (message.id === this.subscriptionId && session === this.session && this.state === "catching-up") this.to("live");
        return;
      case "paused":
        // Flow control: the `consumed` sent after each handled message resumes the server.
        if (message.id === this.subscriptionId && this.state === "live") this.to("catching-up");
        return;
      case "error":
        return this.failed(message);
      default:
        return;
    }
  }

  /** An error about the subscription itself: report it and start over on a new socket. */
  private failed(message: ServerMessageOf<"error">): void {
    const error = new EdgelogError(message.code, message.message);
    this.handlers.error(error);
    if (message.id === this.subscriptionId) this.socket.restart(`the server refused: ${message.code}`);
  }
}

/**
 * Links over real WebSockets, one per partition.
 *
 * @example
 * const makeLink = socketLinkFactory({ url, WebSocket, heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS });
 */
export function socketLinkFactory(options: SocketLinkOptions): LinkFactory {
  return (topic, partition, handlers) => new SocketLink(topic, partition, options, handlers);
}
