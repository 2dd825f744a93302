/**
 * Socket authentication, for both socket objects (Partition, Group), on the socket layer's
 * attachments and the object's alarm (socket-auth-state.ts keeps the state and its due times):
 * - accept: when auth is required the socket starts `waiting` (nothing is sent) and must
 *   authenticate within SOCKET_AUTH_DEADLINE_MS; otherwise it starts `open`;
 * - its first message when waiting must be `{type: "auth", id, token}`: a valid token is answered
 *   `{type: "authenticated", id, sub, expiresAt}` (then the object's greeting, the partition's
 *   `hello`); anything else is answered `error` UNAUTHENTICATED and the socket closed with 4401;
 * - later `auth` messages re-authenticate with a fresh token of the same `sub` without touching the
 *   subscription or membership (another `sub` is FORBIDDEN; a refused one leaves the socket as it was);
 * - every other message is handed on with the socket's access, which the object checks per message;
 * - a socket becoming authenticated is first checked against its principal's socket bound
 *   (the object's `admitSocket`): over it, `error` QUOTA_EXCEEDED and a close with 4429;
 * - timers: `reauth` SOCKET_REAUTH_LEAD_MS before the token's `exp`, and `error` + 4401 at expiry
 *   unless a fresh token came; at the deadline, 4401. The object's alarm calls `fire`.
 *
 * Rules: PROTOCOL.md AUTH-9, AUTH-10, AUTH-11, AUTH-12, AUTH-13, QUOTA-7.
 *
 * @example
 * const auth = new SocketAuth(sockets, { env, clock: () => this.clock, schedule: (due) => alarms.atMost(due) });
 * const admitted = await auth.admit(ws, text, parseClientMessage);
 * if (admitted !== null) await handle(admitted.message, admitted.access);
 */
import {
  type AuthMessage,
  type AuthServerMessage,
  CLOSE_QUOTA_EXCEEDED,
  CLOSE_UNAUTHENTICATED,
  EdgelogError,
  type ErrorCode,
  frameId,
  type Principal,
  SOCKET_AUTH_DEADLINE_MS,
} from "../../client/protocol/index.ts";
import type { Access } from "../auth/access.ts";
import { authConfig, verifiesTokens } from "../auth/auth-config.ts";
import { verifyToken } from "../auth/verify-token.ts";
import type { Clock } from "../clock.ts";
import type { Env } from "../env.ts";
import { asEdgelogError } from "../result.ts";
import { accessOfState, authDueAt, authenticatedState, expiryCloseAt, type SocketAuthState } from "./socket-auth-state.ts";
import type { SocketLayer } from "./socket-layer.ts";

/**
 * What SocketAuth needs from its object.
 *
 * @example
 * const host: SocketAuthHost = { env, clock: () => this.clock, schedule: (due) => this.alarms.atMost(due) };
 */
export interface SocketAuthHost {
  env: Env;
  clock: () => Clock;
  /** Makes the object's alarm fire at `dueMs` or earlier. */
  schedule: (dueMs: number) => Promise<void>;
  /** Sent after `authenticated` to a socket that was waiting (the partition's `hello`). */
  greet?: (ws: WebSocket) => void;
  /**
   * Checked when a socket becomes authenticated (not on re-auth): throws QUOTA_EXCEEDED when its
   * principal holds its bound of sockets here; the socket is then closed with 4429 (QUOTA-7).
   */
  admitSocket?: (ws: WebSocket, principal: Principal) => void;
}

type Sockets = SocketLayer<unknown, AuthServerMessage>;

/**
 * One object's socket authentication (see this module's header).
 *
 * @example
 * const { socket, response } = sockets.accept(await auth.initial());
 */
export class SocketAuth {
  private readonly sockets: Sockets;
  private readonly host: SocketAuthHost;

  constructor(sockets: Sockets, host: SocketAuthHost) {
    this.sockets = sockets;
    this.host = host;
  }

  /** Whether a new socket must authenticate before anything else (auth required). */
  async required(): Promise<boolean> {
    return (await authConfig(this.host.env)).mode === "required";
  }

  /** The state a socket accepted now starts in; a waiting one has the alarm set for its deadline. */
  async initial(): Promise<SocketAuthState> {
    if (!(await this.required())) return { phase: "open" };
    const deadlineAt = this.host.clock().now() + SOCKET_AUTH_DEADLINE_MS;
    await this.host.schedule(deadlineAt);
    return { phase: "waiting", deadlineAt };
  }

  /**
   * Takes one text frame: answers `auth` messages and refuses what comes before authentication
   * (both handled here: answers null); any other message is answered with the socket's access.
   * `parse` throws EdgelogError for a malformed frame, which the caller's socket layer answers.
   */
  async admit<M extends { type: string }>(
    ws: WebSocket,
    text: string,
    parse: (text: string) => M,
  ): Promise<{ message: Exclude<M, AuthMessage>; access: Access } | null> {
    const state = this.sockets.authOf(ws);
    const now = this.host.clock().now();
    if (state.phase === "closed") return null;
    if (state.phase === "waiting") {
      await this.first(ws, text, parse, now);
      return null;
    }
    if (state.phase === "authenticated" && now >= expiryCloseAt(state)) {
      this.refuse(ws, null, "UNAUTHENTICATED", "the token expired (PROTOCOL.md AUTH-12)");
      return null;
    }
    const message = parse(text);
    if (message.type === "auth") {
      await this.again(ws, state, message as unknown as AuthMessage, now);
      return null;
    }
    return { message: message as Exclude<M, AuthMessage>, access: accessOfState(state) };
  }

  /** A waiting socket's first message: `auth` with a valid token, or the socket is closed. */
  private async first<M extends { type: string }>(ws: WebSocket, text: string, parse: (text: string) => M, now: number): Promise<void> {
    try {
      const message = parse(text);
      if (message.type !== "auth") {
        throw new EdgelogError("UNAUTHENTICATED", 'authenticate first: send {"type":"auth","id","token"} (PROTOCOL.md AUTH-9)');
      }
      const { keys } = await authConfig(this.host.env);
      if (keys === null) throw new EdgelogError("AUTH_NOT_CONFIGURED", "no key is configured to verify tokens");
      const auth = message as unknown as AuthMessage;
      const principal = await verifyToken(keys, auth.token, now);
      this.host.admitSocket?.(ws, principal);
      await this.authenticate(ws, auth, principal);
      this.host.greet?.(ws);
    } catch (error) {
      const failure = asEdgelogError(error, "a socket's auth message");
      this.refuse(ws, frameId(text), failure.code, failure.message);
    }
  }

  /** A later `auth`: re-authentication (same `sub`), or, with tokens unchecked, an acknowledgement. */
  private async again(ws: WebSocket, state: SocketAuthState, message: AuthMessage, now: number): Promise<void> {
    const config = await authConfig(this.host.env);
    if (!verifiesTokens(config) || config.keys === null) {
      this.sockets.send(ws, { type: "authenticated", id: message.id, sub: null, expiresAt: null });
      return;
    }
    const principal = await verifyToken(config.keys, message.token, now);
    if (state.phase === "authenticated" && principal.sub !== state.sub) {
      throw new EdgelogError(
        "FORBIDDEN",
        `this socket is authenticated as "${state.sub}"; a token of "${principal.sub}" cannot re-authenticate it (PROTOCOL.md AUTH-11)`,
      );
    }
    if (state.phase !== "authenticated") this.admitOrClose(ws, message.id, principal);
    if (this.sockets.authOf(ws).phase === "closed") return;
    await this.authenticate(ws, message, principal);
  }

  /** A socket becoming authenticated outside `first` (dev mode): over the socket bound, refused with 4429. */
  private admitOrClose(ws: WebSocket, id: string, principal: Principal): void {
    try {
      this.host.admitSocket?.(ws, principal);
    } catch (error) {
      const failure = asEdgelogError(error, "a socket's auth message");
      this.refuse(ws, id, failure.code, failure.message);
    }
  }

  private async authenticate(ws: WebSocket, message: AuthMessage, principal: Principal): Promise<void> {
    const state = authenticatedState(principal);
    this.sockets.saveAuth(ws, state);
    this.sockets.send(ws, { type: "authenticated", id: message.id, sub: principal.sub, expiresAt: principal.expiresAt });
    const due = authDueAt(state);
    if (due !== null) await this.host.schedule(due);
  }

  /**
   * Answers `error` and closes the socket: 4429 when its principal is over its socket bound
   * (QUOTA_EXCEEDED), else 4401; it handles nothing more.
   */
  private refuse(ws: WebSocket, id: string | null, code: ErrorCode, message: string): void {
    this.sockets.saveAuth(ws, { phase: "closed" });
    this.sockets.send(ws, { type: "error", id, code, message });
    if (code === "QUOTA_EXCEEDED") this.sockets.close(ws, CLOSE_QUOTA_EXCEEDED, "too many sockets");
    else this.sockets.close(ws, CLOSE_UNAUTHENTICATED, "unauthenticated");
  }

  /** From the object's alarm: deadlines, reauth notices and expiries that are due at `now`. */
  fire(now: number): void {
    for (const ws of this.sockets.all()) {
      const state = this.sockets.authOf(ws);
      const due = authDueAt(state);
      if (due === null || due > now) continue;
      if (state.phase === "waiting") {
        this.refuse(
          ws,
          null,
          "UNAUTHENTICATED",
          `no auth message within ${SOCKET_AUTH_DEADLINE_MS} ms of the upgrade (PROTOCOL.md AUTH-10)`,
        );
      } else if (state.phase === "authenticated" && !state.reauthSent && now < expiryCloseAt(state)) {
        this.sockets.saveAuth(ws, { ...state, reauthSent: true });
        this.sockets.send(ws, { type: "reauth", expiresAt: state.expiresAt });
      } else {
        this.refuse(ws, null, "UNAUTHENTICATED", "the token expired and no fresh one was sent (PROTOCOL.md AUTH-12)");
      }
    }
  }

  /** The earliest time a socket's authentication needs the alarm, or null. */
  nextDue(): number | null {
    let next: number | null = null;
    for (const ws of this.sockets.all()) {
      const due = authDueAt(this.sockets.authOf(ws));
      if (due !== null && (next === null || due < next)) next = due;
    }
    return next;
  }
}
