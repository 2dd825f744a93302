/**
 * A group coordinator's socket messages: `join` and `leave`. Any message from a member counts
 * as a heartbeat; pings are answered by the runtime without waking the object, and the alarm
 * counts their time as seen.
 *
 * @example
 * await handleGroupSocketMessage(group, ws, '{"type":"join","id":"j1","topic":"orders"}');
 */
import { EdgelogError, frameId, parseGroupClientMessage } from "../../client/protocol/index.ts";
import type { Group } from "./group.ts";

/** Handles one frame from a group socket, answering errors as `{type:"error"}` messages. */
export async function handleGroupSocketMessage(group: Group, ws: WebSocket, frame: string | ArrayBuffer): Promise<void> {
  const text = typeof frame === "string" ? frame : null;
  try {
    if (text === null) throw new EdgelogError("INVALID_REQUEST", "frames are JSON text, not binary");
    const message = parseGroupClientMessage(text);
    const memberId = group.socketMember(ws);
    if (message.type === "join") {
      const { join } = message;
      if (memberId !== null && join.memberId !== null && join.memberId !== memberId) {
        throw new EdgelogError("INVALID_REQUEST", "a socket carries one member");
      }
      const assignment = await group.join({ ...join, memberId: join.memberId ?? memberId }, ws);
      if (!assignment.ok) throw new EdgelogError(assignment.error.code, assignment.error.message);
      group.send(ws, { type: "joined", id: message.id, ...assignment.value });
      return;
    }
    if (memberId !== null) group.leave(memberId);
    ws.serializeAttachment({ memberId: null });
    group.send(ws, { type: "left", id: message.id });
  } catch (error) {
    const failure = error instanceof EdgelogError ? error : new EdgelogError("INTERNAL", "the message failed");
    if (!(error instanceof EdgelogError)) console.error("edgelog: group socket message failed", error);
    group.send(ws, { type: "error", id: text === null ? null : frameId(text), code: failure.code, message: failure.message });
  }
}
