/**
 * A socket's authentication as its attachment keeps it (so it survives hibernation), and the
 * times it is due to act, pure:
 * - `open`: tokens are not checked (auth off, or dev mode) and none was sent: everything allowed;
 * - `waiting`: auth is required and the socket has not authenticated; closed at `deadlineAt`;
 * - `authenticated`: a verified principal (its grants as their scope text, at most
 *   SCOPE_BYTES_MAX); `reauth` is sent SOCKET_REAUTH_LEAD_MS before `expiresAt`, and the socket
 *   is closed once `expiresAt` is past by TOKEN_CLOCK_SKEW_MS_MAX;
 * - `closed`: refused and closed (4401); nothing it sends is handled, no timer remains.
 *
 * Rules: PROTOCOL.md AUTH-9, AUTH-10, AUTH-12.
 *
 * @example
 * const due = authDueAt(sockets.authOf(ws)); // the next time the object's alarm must look at it
 */
import {
  formatGrant,
  type Principal,
  parseScope,
  type QuotaClaim,
  SOCKET_REAUTH_LEAD_MS,
  TOKEN_CLOCK_SKEW_MS_MAX,
} from "../../client/protocol/index.ts";
import { type Access, OPEN_ACCESS } from "../auth/access.ts";

/**
 * One socket's authentication.
 *
 * @example
 * const state: SocketAuthState = { phase: "waiting", deadlineAt: now + SOCKET_AUTH_DEADLINE_MS };
 */
export type SocketAuthState =
  | { phase: "open" }
  | { phase: "waiting"; deadlineAt: number }
  | { phase: "authenticated"; sub: string; scope: string; quota: string | null; expiresAt: number; reauthSent: boolean }
  | { phase: "closed" };

/**
 * The `authenticated` state of a verified principal.
 *
 * @example
 * sockets.saveAuth(ws, authenticatedState(await verifyToken(keys, token, now)));
 */
export function authenticatedState(principal: Principal): SocketAuthState {
  return {
    phase: "authenticated",
    sub: principal.sub,
    scope: principal.grants.map(formatGrant).join(" "),
    quota: principal.quota === null ? null : JSON.stringify(principal.quota),
    expiresAt: principal.expiresAt,
    reauthSent: false,
  };
}

/**
 * The access a socket's state gives (its grants parsed again from their scope text).
 *
 * @example
 * requireGrant(accessOfState(sockets.authOf(ws)), "write", topic);
 */
export function accessOfState(state: SocketAuthState): Access {
  if (state.phase !== "authenticated") return OPEN_ACCESS;
  const quota = state.quota === null ? null : (JSON.parse(state.quota) as QuotaClaim);
  return { principal: { sub: state.sub, expiresAt: state.expiresAt, grants: parseScope(state.scope), quota } };
}

/**
 * When an authenticated socket is closed: its token's expiry, past the clock skew tolerated.
 *
 * @example
 * if (now >= closeAt(state)) close(ws, CLOSE_UNAUTHENTICATED, "token expired");
 */
export function expiryCloseAt(state: { expiresAt: number }): number {
  return state.expiresAt + TOKEN_CLOCK_SKEW_MS_MAX;
}

/**
 * When a socket's authentication next needs the object: its deadline, its reauth notice, its
 * expiry; null when it needs nothing.
 *
 * @example
 * authDueAt({ phase: "waiting", deadlineAt: 5_000 }); // 5000
 */
export function authDueAt(state: SocketAuthState): number | null {
  if (state.phase === "waiting") return state.deadlineAt;
  if (state.phase !== "authenticated") return null;
  return state.reauthSent ? expiryCloseAt(state) : state.expiresAt - SOCKET_REAUTH_LEAD_MS;
}
