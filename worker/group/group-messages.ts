/**
 * A group coordinator's socket messages: `auth` (socket-auth.ts, which also refuses what comes
 * before it), `join` and `leave`, each checked against the socket's grants (AUTH-8: `group` on
 * the socket's group, and a join `read` on its topic). A join and a ping refresh the member's
 * session; pings are answered by the runtime without waking the object, and the alarm counts
 * their time as seen. Other frames do not refresh it.
 *
 * Rules: PROTOCOL.md GSOCKET-2, GSOCKET-3, GSOCKET-5, GSOCKET-7, AUTH-8.
 *
 * @example
 * await sockets.receive(ws, frame, (text) => handleGroupSocketMessage(group, ws, text));
 */
import { EdgelogError, parseGroupClientMessage } from "../../client/protocol/index.ts";
import { requireGrant } from "../auth/access.ts";
import type { Group } from "./group.ts";

/**
 * Handles one text frame from a group socket; throws EdgelogError for a refused one (the socket
 * layer answers it as an `error` message).
 *
 * @example
 * await this.sockets.receive(ws, message, (text) => handleGroupSocketMessage(this, ws, text)); // Group.webSocketMessage
 */
export async function handleGroupSocketMessage(group: Group, ws: WebSocket, text: string): Promise<void> {
  const admitted = await group.auth.admit(ws, text, parseGroupClientMessage);
  if (admitted === null) return;
  const { message, access } = admitted;
  const { group: name, memberId } = group.sockets.stateOf(ws);
  requireGrant(access, "group", name);
  if (message.type === "join") {
    requireGrant(access, "read", message.join.topic);
    const { join } = message;
    if (memberId !== null && join.memberId !== null && join.memberId !== memberId) {
      throw new EdgelogError("INVALID_REQUEST", `this socket carries member "${memberId}": leave first to join as "${join.memberId}"`);
    }
    // `joined` first, then the other members' assignments (Group.joinSocket).
    return group.joinSocket(ws, message.id, { ...join, memberId: join.memberId ?? memberId });
  }
  if (memberId !== null) group.leave(memberId);
  group.setMember(ws, null);
  group.sockets.send(ws, { type: "left", id: message.id });
}
