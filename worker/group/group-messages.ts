/**
 * A group coordinator's socket messages: `join` and `leave`. Any message from a member counts
 * as a heartbeat; pings are answered by the runtime without waking the object, and the alarm
 * counts their time as seen.
 *
 * @example
 * await handleGroupSocketMessage(group, ws, '{"type":"join","id":"j1","topic":"orders"}', parseJoin);
 */
import { EdgelogError, isObject } from "../../client/protocol/index.ts";
import type { Group } from "./group.ts";
import type { JoinInput } from "./parse.ts";
import { memberIdParam } from "./parse.ts";

function requestId(value: unknown): string {
  try {
    return memberIdParam(value);
  } catch {
    throw new EdgelogError("INVALID_REQUEST", "id must be 1 to 64 characters of [A-Za-z0-9._:-]");
  }
}

/** Handles one frame from a group socket, answering errors as `{type:"error"}` messages. */
export async function handleGroupSocketMessage(
  group: Group,
  ws: WebSocket,
  frame: string | ArrayBuffer,
  parseJoin: (body: unknown, extra: readonly string[]) => JoinInput,
): Promise<void> {
  let id: string | null = null;
  try {
    if (typeof frame !== "string") throw new EdgelogError("INVALID_REQUEST", "frames are JSON text");
    let value: unknown;
    try {
      value = JSON.parse(frame);
    } catch {
      throw new EdgelogError("INVALID_JSON", "the message is not JSON");
    }
    if (!isObject(value)) throw new EdgelogError("INVALID_REQUEST", "a message is a JSON object with a string `type`");
    id = requestId(value.id);
    const memberId = group.socketMember(ws);
    if (value.type === "join") {
      const { type: _type, id: _id, ...body } = value;
      const input = parseJoin(body, []);
      if (memberId !== null && input.memberId !== null && input.memberId !== memberId) {
        throw new EdgelogError("INVALID_REQUEST", "a socket carries one member");
      }
      const assignment = await group.join({ ...input, memberId: input.memberId ?? memberId }, ws);
      if (!assignment.ok) throw new EdgelogError(assignment.error.code, assignment.error.message);
      group.send(ws, { type: "joined", id, ...assignment.value });
      return;
    }
    if (value.type === "leave") {
      if (memberId !== null) group.leave(memberId);
      ws.serializeAttachment({ memberId: null });
      group.send(ws, { type: "left", id });
      return;
    }
    throw new EdgelogError("INVALID_REQUEST", `unknown message type "${String(value.type)}" (join, leave)`);
  } catch (error) {
    const failure = error instanceof EdgelogError ? error : new EdgelogError("INTERNAL", "the message failed");
    if (!(error instanceof EdgelogError)) console.error("edgelog: group socket message failed", error);
    group.send(ws, { type: "error", id, code: failure.code, message: failure.message });
  }
}
