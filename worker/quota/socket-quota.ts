/**
 * The bound on sockets per principal per partition: checked when a socket authenticates (its
 * first `auth`, or a dev-mode socket's first token). A principal already holding `socketsMax`
 * authenticated sockets on the partition is refused QUOTA_EXCEEDED; the socket auth closes it
 * with 4429 (CLOSE_QUOTA_EXCEEDED), after which a client backs off before it reconnects.
 *
 * Rules: PROTOCOL.md QUOTA-7.
 *
 * @example
 * requireSocketRoom(sockets, ws, "alice", limits.socketsMax); // throws QUOTA_EXCEEDED at the bound
 */
import { EdgelogError } from "../../client/protocol/index.ts";
import type { SocketAuthState } from "../sockets/socket-auth-state.ts";

/**
 * What the check reads of an object's sockets.
 *
 * @example
 * const sockets: SocketsOfObject = this.sockets; // a SocketLayer
 */
export interface SocketsOfObject {
  all(): WebSocket[];
  authOf(ws: WebSocket): SocketAuthState;
}

/**
 * Throws QUOTA_EXCEEDED when `sub` holds `socketsMax` authenticated sockets besides `ws`.
 *
 * @example
 * requireSocketRoom(this.sockets, ws, principal.sub, quotaLimits(defaults, principal.quota).socketsMax);
 */
export function requireSocketRoom(sockets: SocketsOfObject, ws: WebSocket, sub: string, socketsMax: number): void {
  let held = 0;
  for (const other of sockets.all()) {
    if (other === ws) continue;
    const state = sockets.authOf(other);
    if (state.phase === "authenticated" && state.sub === sub) held++;
  }
  if (held < socketsMax) return;
  throw new EdgelogError(
    "QUOTA_EXCEEDED",
    `"${sub}" holds ${held} sockets on this partition, its bound (socketsMax ${socketsMax}): close one, or reconnect after a back-off (PROTOCOL.md QUOTA-7)`,
  );
}
