/**
 * The Durable Object socket plumbing both socket objects (Partition, Group) use, on the
 * Hibernation API:
 * - accept: the upgrade check, then `acceptWebSocket` with a versioned attachment
 *   `{v, state, auth}`; the object's per-socket state and the socket's authentication
 *   (socket-auth.ts) live in it, so they survive eviction; the 101 negotiates no compression
 *   (socket-upgrade.ts: a zlib context per socket cost ~225 KiB of workerd memory);
 * - one caching policy: a socket's attachment is read once per life of the object, then served
 *   from memory; every `save` writes through to the attachment;
 * - the ping auto-response (PING answered PONG by the runtime, without waking the object);
 * - a send and a close that tolerate a socket that closed meanwhile;
 * - the close reply, which never answers with a reserved code (1005, 1006, 1015);
 * - each socket's frames handled one after another, in arrival order;
 * - each frame's handler run under one translation of failures: an EdgelogError is answered as
 *   `{type:"error", id, code, message}`, anything else is logged and answered INTERNAL.
 *
 * Rules: PROTOCOL.md SOCKET-2, SOCKET-12, SOCKET-15, GSOCKET-2, PING-1, PING-4, CLOSE-1, CLOSE-2, QUOTA-5.
 *
 * @example
 * const sockets = new SocketLayer<{ memberId: string | null }, GroupServerMessage>(ctx, {
 *   version: 1, initial: () => ({ memberId: null }), label: "group",
 * });
 * const { socket, response } = sockets.accept();
 */
import {
  CLOSE_POLICY_VIOLATION,
  closeCodeToSend,
  EdgelogError,
  type ErrorCode,
  frameId,
  PING,
  PONG,
  SOCKET_PENDING_CHARACTERS_MAX,
  SOCKET_PENDING_FRAMES_MAX,
} from "../../client/protocol/index.ts";
import { asEdgelogError } from "../result.ts";
import type { SocketAuthState } from "./socket-auth-state.ts";
import { switchingProtocols } from "./socket-upgrade.ts";

/**
 * The answer to a refused frame, on both sockets.
 *
 * @example
 * sockets.send(ws, { type: "error", id: "c1", code: "ILLEGAL_GENERATION", message: "generation 2 is over" });
 */
export type SocketErrorMessage = { type: "error"; id: string | null; code: ErrorCode; message: string; retryAfterMs?: number };

/**
 * The `error` message for a refused frame: the error's code and message, and its `retryAfterMs`
 * when it has one (QUOTA_EXCEEDED, PROTOCOL.md QUOTA-5).
 *
 * @example
 * sockets.send(ws, socketError("p1", new EdgelogError("QUOTA_EXCEEDED", "wait", { retryAfterMs: 900 })));
 */
export function socketError(id: string | null, error: EdgelogError): SocketErrorMessage {
  const message: SocketErrorMessage = { type: "error", id, code: error.code, message: error.message };
  if (error.retryAfterMs !== null) message.retryAfterMs = error.retryAfterMs;
  return message;
}

/**
 * What a socket's attachment holds: the format's version and the object's state for the socket.
 *
 * @example
 * const attachment = ws.deserializeAttachment() as SocketAttachment<MemberSocket> | null; // { v: 1, state: { memberId } }
 */
export interface SocketAttachment<S> {
  v: number;
  state: S;
  /** The socket's authentication (absent in an attachment of another version: then refused). */
  auth?: SocketAuthState;
}

/**
 * How an object's sockets are kept.
 *
 * @example
 * const options: SocketLayerOptions<MemberSocket> = { version: GROUP_SOCKET_VERSION, initial: () => ({ memberId: null }), label: "group" };
 */
export interface SocketLayerOptions<S> {
  /** The version of the object's state format; an attachment of another version is not read. */
  version: number;
  /** The state of a socket just accepted (and of one whose attachment is of another version). */
  initial: () => S;
  /** Names the object in logs ("partition", "group"). */
  label: string;
}

/** A socket's frames received and not yet answered: the last one's promise, their count and size. */
interface PendingFrames {
  tail: Promise<void> | null;
  frames: number;
  characters: number;
}

/**
 * One object's sockets: `S` is the per-socket state in the attachment, `M` the messages it sends.
 *
 * @example
 * override async webSocketMessage(ws, frame) {
 *   await this.sockets.receive(ws, frame, (text) => handle(this, ws, text));
 * }
 */
export class SocketLayer<S, M extends { type: string }> {
  private readonly ctx: DurableObjectState;
  private readonly options: SocketLayerOptions<S>;
  /** Attachments already read in this life of the object (bounded by the object's sockets). */
  private readonly states = new Map<WebSocket, { state: S; auth: SocketAuthState }>();
  /**
   * Each socket's frames received and not yet answered, chained so they are handled in arrival
   * order (SOCKET-15) and counted so they stay bounded (SOCKET-19); an entry lives while one is.
   */
  private readonly chains = new Map<WebSocket, PendingFrames>();

  constructor(ctx: DurableObjectState, options: SocketLayerOptions<S>) {
    this.ctx = ctx;
    this.options = options;
    // Heartbeats are answered by the runtime itself: an idle object can hibernate.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  /**
   * Accepts a new socket with the initial state and its authentication; answers the 101 to
   * return and the server's end.
   */
  accept(auth: SocketAuthState): { socket: WebSocket; response: Response } {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    this.write(server, { state: this.options.initial(), auth });
    return { socket: server, response: switchingProtocols(client) };
  }

  /** Every socket the object holds (hibernated ones included). */
  all(): WebSocket[] {
    return this.ctx.getWebSockets();
  }

  /** The attachment: read the first time in this life of the object, then from memory. */
  private read(ws: WebSocket): { state: S; auth: SocketAuthState } {
    let kept = this.states.get(ws);
    if (kept === undefined) {
      const attachment = ws.deserializeAttachment() as SocketAttachment<S> | null;
      // Deploys drop every socket, so another version is not met in practice; it starts afresh,
      // and unauthenticated: a socket whose authentication cannot be read is closed (4401).
      const current = attachment?.v === this.options.version;
      kept = {
        state: current ? attachment.state : this.options.initial(),
        auth: current && attachment.auth !== undefined ? attachment.auth : { phase: "closed" },
      };
      this.states.set(ws, kept);
    }
    return kept;
  }

  private write(ws: WebSocket, kept: { state: S; auth: SocketAuthState }): void {
    ws.serializeAttachment({ v: this.options.version, ...kept } satisfies SocketAttachment<S>);
    this.states.set(ws, kept);
  }

  /** A socket's state: from its attachment the first time in this life of the object, then from memory. */
  stateOf(ws: WebSocket): S {
    return this.read(ws).state;
  }

  /** Stores a socket's state: into its attachment (at most 16 KiB) and the memory cache. */
  save(ws: WebSocket, state: S): void {
    this.write(ws, { state, auth: this.read(ws).auth });
  }

  /** A socket's authentication (socket-auth.ts), read as its state is. */
  authOf(ws: WebSocket): SocketAuthState {
    return this.read(ws).auth;
  }

  /** Stores a socket's authentication beside its state. */
  saveAuth(ws: WebSocket, auth: SocketAuthState): void {
    this.write(ws, { state: this.read(ws).state, auth });
  }

  /** Sends a message, ignoring a socket that closed meanwhile (its close event cleans up). */
  send(ws: WebSocket, message: M | SocketErrorMessage | string): void {
    try {
      ws.send(typeof message === "string" ? message : JSON.stringify(message));
    } catch {
      // The peer is gone; webSocketClose or webSocketError will forget it.
    }
  }

  /** Closes a socket with `code` (never a reserved one), ignoring one already closed. */
  close(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(closeCodeToSend(code), reason);
    } catch {
      // Already closed or never open: nothing left to close.
    }
  }

  /**
   * Runs `handle` on a text frame, after every earlier frame of the socket is handled: a handler
   * that awaits something other than storage (an RPC to another object, token verification)
   * lets the runtime deliver the socket's next frame meanwhile, and without the chain that frame
   * ran and was answered first (found by the fuzzer: a group socket's `leave` overtook its
   * `join`, which waits on the registry, and the member stayed). A binary frame is
   * INVALID_REQUEST; a thrown EdgelogError is answered as an `error` message naming the frame's
   * id; anything else is logged and INTERNAL.
   */
  async receive(ws: WebSocket, frame: string | ArrayBuffer, handle: (text: string) => Promise<void> | void): Promise<void> {
    const size = typeof frame === "string" ? frame.length : frame.byteLength;
    const pending = this.chains.get(ws) ?? { tail: null, frames: 0, characters: 0 };
    if (pending.frames + 1 > SOCKET_PENDING_FRAMES_MAX || pending.characters + size > SOCKET_PENDING_CHARACTERS_MAX) {
      // SOCKET-19: the client sends faster than it is answered; holding more would be unbounded.
      this.close(
        ws,
        CLOSE_POLICY_VIOLATION,
        `more than ${SOCKET_PENDING_FRAMES_MAX} frames or ${SOCKET_PENDING_CHARACTERS_MAX} characters waiting`,
      );
      return;
    }
    // No frame in flight (the usual case): handled at once, with no extra turn.
    const run = pending.tail === null ? this.handleFrame(ws, frame, handle) : pending.tail.then(() => this.handleFrame(ws, frame, handle));
    pending.tail = run;
    pending.frames++;
    pending.characters += size;
    this.chains.set(ws, pending);
    try {
      await run;
    } finally {
      pending.frames--;
      pending.characters -= size;
      if (pending.frames === 0) this.chains.delete(ws);
    }
  }

  /** One frame's handling under the one translation of failures (never rejects). */
  private async handleFrame(ws: WebSocket, frame: string | ArrayBuffer, handle: (text: string) => Promise<void> | void): Promise<void> {
    const text = typeof frame === "string" ? frame : null;
    try {
      if (text === null) throw new EdgelogError("INVALID_REQUEST", "frames are JSON text, not binary");
      await handle(text);
    } catch (error) {
      const failure = asEdgelogError(error, `a ${this.options.label} socket message`);
      this.send(ws, socketError(text === null ? null : frameId(text), failure));
    }
  }

  /**
   * From `webSocketClose`: forgets the socket and completes the closing handshake with the peer's
   * code. Without the reply (this compatibility date does not auto-reply to close frames), the
   * client hangs in CLOSING until its own timeout and then reports 1006.
   */
  closed(ws: WebSocket, code: number, reason: string): void {
    this.forget(ws);
    this.close(ws, code, reason);
  }

  /** From `webSocketError`: forgets the socket (the runtime has already dropped it). */
  errored(ws: WebSocket): void {
    this.forget(ws);
  }

  /** Drops a socket's cached state. */
  forget(ws: WebSocket): void {
    this.states.delete(ws);
  }
}
