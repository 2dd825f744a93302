/**
 * A WebSocket that keeps itself connected: it reconnects with bounded exponential backoff and
 * full jitter (backoff.ts), gives up on a socket that does not open within
 * SOCKET_OPEN_TIMEOUT_MS, and sends exactly PING every heartbeat interval; a socket that missed
 * HEARTBEAT_PONGS_MISSED_MAX pongs in a row is dead (a half-open TCP connection, a frozen tab),
 * so it is closed and replaced. A close with a final code (CLOSE_CODES_FINAL: 4400, the protocol
 * version; 4404, the topic deleted) ends it for good: the server would refuse it again, so it
 * never reconnects. A close with 4429 (too many sockets of the principal on the partition) waits
 * at least QUOTA_RECONNECT_DELAY_MS_MIN more than the backoff. It knows nothing of topics: the partition link above it speaks the protocol.
 *
 * With credentials (the `auth` option) it gets a token before each socket and sends
 * `{type: "auth", id, token}` as the socket's first message (a browser cannot set headers on a
 * WebSocket; never a token in the URL); the server answers `authenticated`, then `hello`. A
 * `reauth` notice is answered on the open socket with a fresh token (the subscription above never
 * notices); a 4401 close makes the next socket ask for a fresh token. A failing `auth` counts as a
 * failed attempt (backoff). Rules: PROTOCOL.md AUTH-9, AUTH-11, AUTH-12, AUTH-19, AUTH-20.
 *
 * The WebSocket class is injected (the browser's by default, the `ws` package in Node), and only
 * the small surface below is used.
 *
 * @example
 * const socket = new ReconnectingSocket({ url, WebSocket, heartbeatIntervalMs: 30_000 }, handlers);
 * socket.start();
 * socket.send({ type: "subscribe", id: "s1", from: "earliest" });
 */
import { quotaReconnectDelayMs, reconnectDelayMs } from "./backoff.ts";
import type { Credentials } from "./credentials.ts";
import { HEARTBEAT_PONGS_MISSED_MAX, REAUTH_ATTEMPTS_MAX, SOCKET_OPEN_TIMEOUT_MS } from "./local-limits.ts";
import {
  type AuthMessage,
  CLOSE_CODES_FINAL,
  CLOSE_QUOTA_EXCEEDED,
  CLOSE_UNAUTHENTICATED,
  type ClientMessage,
  PING,
  PONG,
  type ServerMessage,
} from "./protocol/index.ts";

/**
 * The part of a WebSocket the client uses. Handlers take `never` so that both the DOM's
 * WebSocket and the `ws` package's (whose event types differ) fit; the client's own handlers
 * only read `data`, `code` and `reason`.
 *
 * @example
 * const ws: WebSocketLike = new WebSocket("ws://127.0.0.1:8787/v1/topics/orders/partitions/0/ws");
 */
export interface WebSocketLike {
  readonly readyState: number;
  /** Sends one text frame. */
  send(data: string): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Called once the socket is open. */
  onopen: ((event: never) => void) | null;
  /** Called with each message received. */
  onmessage: ((event: never) => void) | null;
  /** Called once the socket closed, with its code and reason. */
  onclose: ((event: never) => void) | null;
  /** Called when the socket failed (a close follows). */
  onerror: ((event: never) => void) | null;
}

/**
 * A WebSocket class: `new WebSocket(url)`.
 *
 * @example
 * import { WebSocket } from "ws";
 * const Impl: WebSocketClass = WebSocket; // or the browser's globalThis.WebSocket
 */
export type WebSocketClass = new (url: string) => WebSocketLike;

/** WebSocket.OPEN. */
const OPEN = 1;

/**
 * Why a socket went down, and when it will be tried again.
 *
 * @example
 * down: (info: SocketDown) => console.log(info.retryInMs === null ? `gone for good: ${info.code}` : `retry in ${info.retryInMs} ms`)
 */
export interface SocketDown {
  /** Whether it had opened (a drop) or never did (a failed attempt). */
  opened: boolean;
  reason: string;
  /** The close code when the server closed it. */
  code: number | null;
  /** Milliseconds until the next attempt; null when the close code was final (no attempt follows). */
  retryInMs: number | null;
}

/**
 * What the socket tells its owner.
 *
 * @example
 * const handlers: SocketHandlers = { connecting() {}, open() {}, message: (m) => console.log(m.type), down: (d) => console.log(d.reason) };
 */
export interface SocketHandlers<Received = ServerMessage> {
  connecting(): void;
  open(): void;
  message(message: Received): void;
  down(info: SocketDown): void;
}

/**
 * How a ReconnectingSocket is made.
 *
 * @example
 * new ReconnectingSocket({ url, WebSocket, heartbeatIntervalMs: 30_000 }, handlers);
 */
export interface ReconnectingSocketOptions {
  url: string;
  WebSocket: WebSocketClass;
  heartbeatIntervalMs: number;
  /** For the backoff's jitter (Math.random by default). */
  random?: () => number;
  /** Where tokens come from; without, sockets send no `auth`. */
  credentials?: Credentials | null;
}

/**
 * One reconnecting WebSocket (see the module comment). Its message types default to the partition
 * socket's; the group socket's (GroupServerMessage, GroupClientMessage) fit as well.
 *
 * @example
 * const socket = new ReconnectingSocket({ url, WebSocket, heartbeatIntervalMs: 30_000 }, handlers);
 * socket.start();
 * socket.close();
 */
export class ReconnectingSocket<Received = ServerMessage, Sent = ClientMessage> {
  private readonly options: ReconnectingSocketOptions;
  private readonly handlers: SocketHandlers<Received>;
  private ws: WebSocketLike | null = null;
  private opened = false;
  private closed = false;
  /** Sessions that failed since the protocol above last succeeded: the backoff's exponent. */
  private failed = 0;
  private missedPongs = 0;
  private awaitingPong = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private openTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  /** Getting a token for the next socket. */
  private authorizing = false;
  /** The token the current socket authenticated with. */
  private token: string | null = null;
  /** The token a 4401 close refused: the next socket asks for another. */
  private refusedToken: string | null = null;
  private authCounter = 0;

  constructor(options: ReconnectingSocketOptions, handlers: SocketHandlers<Received>) {
    this.options = options;
    this.handlers = handlers;
  }

  /** Whether a socket is open now. */
  get isOpen(): boolean {
    return this.ws !== null && this.opened && this.ws.readyState === OPEN;
  }

  /** Opens the first socket. */
  start(): void {
    if (this.closed || this.ws !== null || this.retryTimer !== null || this.authorizing) return;
    this.connect();
  }

  /** Sends a message; false when no socket is open (the caller decides what that means). */
  send(message: Sent | AuthMessage): boolean {
    return this.sendText(JSON.stringify(message));
  }

  /** Skips the backoff wait (the network came back): connects at once if waiting. */
  reconnectNow(): void {
    if (this.closed || this.retryTimer === null) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  }

  /** Sends a heartbeat now (the page came back to the foreground), or reconnects if waiting. */
  checkNow(): void {
    if (this.isOpen) this.beat();
    else this.reconnectNow();
  }

  /** The protocol above succeeded on this socket (it subscribed): the backoff starts over. */
  markHealthy(): void {
    this.failed = 0;
  }

  /** Drops the current socket and reconnects after the backoff (the protocol above failed on it). */
  restart(reason: string): void {
    if (this.ws !== null) this.fail(this.ws, null, reason);
  }

  /** Closes for good. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.teardown(1000, "closed by the client");
  }

  private sendText(text: string): boolean {
    if (!this.isOpen) return false;
    try {
      this.ws?.send(text);
      return true;
    } catch {
      return false;
    }
  }

  private connect(): void {
    this.handlers.connecting();
    const credentials = this.options.credentials;
    if (credentials === null || credentials === undefined) {
      this.open(null);
      return;
    }
    this.authorizing = true;
    const refused = this.refusedToken;
    (refused === null ? credentials.token() : credentials.fresh(refused)).then(
      (token) => {
        this.authorizing = false;
        this.refusedToken = null;
        if (!this.closed) this.open(token);
      },
      (error: unknown) => {
        this.authorizing = false;
        // Reported by the credentials; a failed attempt here, retried after the backoff.
        this.lost(false, null, `no token: ${(error as Error)?.message ?? String(error)}`);
      },
    );
  }

  private open(token: string | null): void {
    let ws: WebSocketLike;
    try {
      ws = new this.options.WebSocket(this.options.url);
    } catch (error) {
      this.lost(false, null, `cannot open a socket: ${(error as Error)?.message ?? String(error)}`);
      return;
    }
    this.ws = ws;
    this.opened = false;
    this.openTimer = setTimeout(() => this.fail(ws, null, `no open within ${SOCKET_OPEN_TIMEOUT_MS} ms`), SOCKET_OPEN_TIMEOUT_MS);
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.clearOpenTimer();
      this.opened = true;
      this.missedPongs = 0;
      this.awaitingPong = false;
      this.heartbeatTimer = setInterval(() => this.beat(), this.options.heartbeatIntervalMs);
      this.token = token;
      // First, before anything the owner sends: the server answers `authenticated`, then `hello`.
      if (token !== null) this.send({ type: "auth", id: `a${++this.authCounter}`, token });
      this.handlers.open();
    };
    ws.onmessage = (event: { data: unknown }) => {
      if (this.ws === ws) this.receive(event.data);
    };
    ws.onclose = (event: { code?: number; reason?: string }) => {
      this.fail(ws, event.code ?? null, event.reason || "closed");
    };
    ws.onerror = () => {
      // A close event follows every error; the close timeout covers the rare socket that never closes.
      this.fail(ws, null, "socket error");
    };
  }

  private receive(data: unknown): void {
    if (typeof data !== "string") return;
    if (data === PONG) {
      this.awaitingPong = false;
      this.missedPongs = 0;
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return; // Not the protocol: ignored, as a server ignores nothing it can't parse silently either.
    }
    if (typeof message !== "object" || message === null || typeof (message as { type?: unknown }).type !== "string") return;
    const type = (message as { type: string }).type;
    // The socket's own business: the owner sees neither.
    if (type === "authenticated") return;
    if (type === "reauth") {
      if (this.ws !== null) void this.reauthenticate(this.ws);
      return;
    }
    this.handlers.message(message as Received);
  }

  /**
   * A `reauth` notice: a fresh token, sent as `auth` on this same socket (AUTH-11). When `auth`
   * keeps answering the token the socket has, it asks again (rate-limited by the credentials) at
   * most REAUTH_ATTEMPTS_MAX times, then leaves it to the server's 4401 close.
   */
  private async reauthenticate(ws: WebSocketLike): Promise<void> {
    const credentials = this.options.credentials;
    const stale = this.token;
    if (credentials === null || credentials === undefined || stale === null) return;
    for (let attempt = 0; attempt < REAUTH_ATTEMPTS_MAX; attempt++) {
      let token: string;
      try {
        token = await credentials.fresh(stale);
      } catch {
        // Reported by the credentials; asked again after their backoff.
        continue;
      }
      if (this.ws !== ws || this.token !== stale) return;
      if (token !== stale) {
        this.token = token;
        this.send({ type: "auth", id: `a${++this.authCounter}`, token });
        return;
      }
    }
  }

  /** A heartbeat: count a missing pong, declare the socket dead at the limit, else ping. */
  private beat(): void {
    const ws = this.ws;
    if (ws === null || !this.opened) return;
    if (this.awaitingPong) this.missedPongs++;
    if (this.missedPongs >= HEARTBEAT_PONGS_MISSED_MAX) {
      this.fail(ws, null, `${this.missedPongs} pongs missed: the connection is dead`);
      return;
    }
    this.awaitingPong = true;
    this.sendText(PING);
  }

  private fail(ws: WebSocketLike, code: number | null, reason: string): void {
    if (this.ws !== ws) return; // An old socket's late event.
    const opened = this.opened;
    this.teardown(1000, reason);
    this.lost(opened, code, reason);
  }

  private lost(opened: boolean, code: number | null, reason: string): void {
    if (this.closed) return;
    // The server refused the socket's token (AUTH-9, AUTH-10, AUTH-12): the next one asks for another.
    if (code === CLOSE_UNAUTHENTICATED) this.refusedToken = this.token;
    this.token = null;
    if (code !== null && CLOSE_CODES_FINAL.includes(code)) {
      // Final: the server will refuse this socket again (PROTOCOL.md, close codes).
      this.closed = true;
      this.handlers.down({ opened, code, reason, retryInMs: null });
      return;
    }
    // 4429: the principal holds too many sockets on the partition; come back later (QUOTA-9).
    const backoff = code === CLOSE_QUOTA_EXCEEDED ? quotaReconnectDelayMs : reconnectDelayMs;
    const retryInMs = backoff(this.failed, this.options.random);
    this.failed++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.closed) this.connect();
    }, retryInMs);
    this.handlers.down({ opened, code, reason, retryInMs });
  }

  private clearOpenTimer(): void {
    if (this.openTimer !== null) clearTimeout(this.openTimer);
    this.openTimer = null;
  }

  private teardown(code: number, reason: string): void {
    this.clearOpenTimer();
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    const ws = this.ws;
    this.ws = null;
    this.opened = false;
    if (ws === null) return;
    // No-ops rather than null: Node's `ws` throws an 'error' it has no listener for, and closing a
    // socket that is still connecting emits one.
    const ignore = (): void => undefined;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = ignore;
    try {
      ws.close(code, reason.slice(0, 120));
    } catch {
      // Closing a socket that never opened may throw in some implementations; it is gone either way.
    }
  }
}
