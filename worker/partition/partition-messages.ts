/**
 * Handles one frame on a partition socket: auth (socket-auth.ts, which also refuses what comes
 * before it), hello (the version, kept in the attachment), subscribe / unsubscribe / consumed
 * (subscribers.ts), produce (the same append and idempotence as HTTP, answered with an `ack` of
 * the socket's version) and commit (fenced by the group's generation when it carries one). Each message is checked against the socket's grants
 * (AUTH-8): subscribe needs read (and group, from a group's committed offset), produce write,
 * commit group and read. Failures throw; the socket layer answers
 * `{type:"error", id, code, message}` with the HTTP codes; the socket stays open.
 *
 * Rules: PROTOCOL.md SOCKET-2, SOCKET-4, SOCKET-10 to SOCKET-12, SOCKET-15, SOCKET-20, SOCKET-21,
 * AUTH-8.
 *
 * @example
 * await sockets.receive(ws, frame, (text) => handlePartitionSocketMessage(host, env, ws, text));
 */
import {
  CLOSE_UNSUPPORTED_VERSION,
  EdgelogError,
  PROTOCOL_VERSION,
  PROTOCOL_VERSION_COMPACT_ACK,
  PROTOCOL_VERSIONS,
  parseClientMessage,
  type ReceivedMessage,
  type ServerMessage,
} from "../../client/protocol/index.ts";
import { type Access, producePrincipal, requireGrant } from "../auth/access.ts";
import type { Env } from "../env.ts";
import { groupStub } from "../object-names.ts";
import { unwrap } from "../result.ts";
import type { SocketAuth } from "../sockets/socket-auth.ts";
import type { SocketLayer } from "../sockets/socket-layer.ts";
import type { CommitInput } from "./group-commits.ts";
import type { PartitionLog } from "./log.ts";
import type { AppendRequest, AppendResult } from "./partition-api.ts";
import type { SocketState, Subscribers } from "./subscribers.ts";

/**
 * What the handler needs from the Partition object (which implements it).
 *
 * @example
 * await handlePartitionSocketMessage(this, this.env, ws, text); // in Partition: the object is its own host
 */
export interface SocketHost {
  log: PartitionLog;
  sockets: SocketLayer<SocketState, ServerMessage>;
  subscribers: Subscribers;
  auth: SocketAuth;
  appendGrouped(request: AppendRequest): Promise<AppendResult>;
  commitNow(topicId: string, commit: CommitInput): null;
}

type Handled = Exclude<ReceivedMessage, { type: "auth" }>;

async function handle(host: SocketHost, env: Env, ws: WebSocket, message: Handled, access: Access): Promise<void> {
  const { log, subscribers } = host;
  const identity = log.identity;
  if (identity === null) throw new EdgelogError("UNKNOWN_TOPIC", "the topic does not exist (it may have been deleted)");
  switch (message.type) {
    case "hello":
      return hello(host, ws, message.version);
    case "subscribe":
      requireGrant(access, "read", identity.topic);
      if (message.from === "committed" && message.group !== undefined) requireGrant(access, "group", message.group);
      return subscribers.subscribe(ws, message);
    case "unsubscribe":
      return subscribers.unsubscribe(ws, message.id);
    case "consumed":
      return subscribers.consumed(ws, message.offset);
    case "produce": {
      requireGrant(access, "write", identity.topic);
      const { records, producer } = message.parsed;
      const timestamps = new Array<number | null>(records.length);
      const tails = new Array<string>(records.length);
      for (let i = 0; i < records.length; i++) {
        const record = records[i]!;
        if (record.partition !== null && record.partition !== identity.partition) {
          throw new EdgelogError(
            "INVALID_REQUEST",
            `records[${i}].partition is ${record.partition}; this socket is partition ${identity.partition}`,
          );
        }
        timestamps[i] = record.timestamp;
        tails[i] = record.tail;
      }
      const principal = producePrincipal(access);
      const version = subscribers.stateOf(ws).protocol ?? PROTOCOL_VERSION;
      const appended = await host.appendGrouped({ topicId: identity.topicId, timestamps, tails, producer, principal });
      return subscribers.send(ws, ackMessage(message.id, identity.partition, appended, version));
    }
    case "commit": {
      requireGrant(access, "group", message.group);
      requireGrant(access, "read", identity.topic);
      // The parser let through both fields or neither (parseCommitMember).
      const { memberId, generation } = message;
      const member = memberId !== undefined && generation !== undefined ? { memberId, generation } : null;
      // One call to the coordinator, for a standalone commit too (refused while the group has members).
      const coordinator = groupStub(env, message.group);
      const { topicId, unnoted } = unwrap(await coordinator.vet(message.group, member, [identity.topic]));
      // As over HTTP: a member commits only on the topic its group consumes.
      if (member !== null && topicId !== identity.topicId) {
        throw new EdgelogError("INCONSISTENT_GROUP", `group "${message.group}" consumes another topic than this partition's`);
      }
      const commit = {
        group: message.group,
        offset: message.offset,
        metadata: message.metadata ?? null,
        generation: member?.generation ?? null,
      };
      host.commitNow(identity.topicId, commit);
      // Listed once committed (GROUP-14), with one more call the first time only.
      if (unnoted.length > 0) await coordinator.note(message.group, unnoted);
      return subscribers.send(ws, { type: "committed", id: message.id, group: message.group, offset: message.offset });
    }
  }
}

/**
 * A client's `hello` (SOCKET-4): a version of PROTOCOL_VERSIONS is kept in the socket's attachment
 * (so it outlives hibernation) and answered by nothing; another is refused and the socket closed
 * with 4400. The attachment is written only when the version changes.
 */
function hello(host: SocketHost, ws: WebSocket, version: number): void {
  if (!(PROTOCOL_VERSIONS as readonly number[]).includes(version)) {
    const error = new EdgelogError("INVALID_REQUEST", `this server speaks protocol versions ${PROTOCOL_VERSIONS.join(" and ")}`);
    host.subscribers.send(ws, errorMessage(null, error));
    host.sockets.close(ws, CLOSE_UNSUPPORTED_VERSION, "unsupported protocol version");
    return;
  }
  const state = host.subscribers.stateOf(ws);
  if ((state.protocol ?? PROTOCOL_VERSION) === version) return;
  if (version === PROTOCOL_VERSION) delete state.protocol;
  else state.protocol = version;
  host.sockets.save(ws, state);
}

/**
 * The `ack` for an append, written as text: exactly what JSON.stringify writes for the message.
 * Version 1 (SOCKET-10): `{type: "ack", id, offsets: [{partition, offset}, ...], duplicate?: true}`,
 * without an object per record; version 2 (SOCKET-20): `{type: "ack", id, partition, baseOffset,
 * count, duplicate?: true}`, the same size for any batch.
 *
 * @example
 * ackMessage("p1", 0, { baseOffset: 7, count: 2, duplicate: false });
 * // '{"type":"ack","id":"p1","offsets":[{"partition":0,"offset":7},{"partition":0,"offset":8}]}'
 * ackMessage("p1", 0, { baseOffset: 7, count: 2, duplicate: false }, 2);
 * // '{"type":"ack","id":"p1","partition":0,"baseOffset":7,"count":2}'
 */
export function ackMessage(id: string, partition: number, appended: AppendResult, version: number = PROTOCOL_VERSION): string {
  const duplicate = appended.duplicate ? ',"duplicate":true' : "";
  if (version === PROTOCOL_VERSION_COMPACT_ACK) {
    return `{"type":"ack","id":${JSON.stringify(id)},"partition":${partition},"baseOffset":${appended.baseOffset},"count":${appended.count}${duplicate}}`;
  }
  let offsets = "";
  for (let k = 0; k < appended.count; k++) {
    offsets += `${k === 0 ? "" : ","}{"partition":${partition},"offset":${appended.baseOffset + k}}`;
  }
  return `{"type":"ack","id":${JSON.stringify(id)},"offsets":[${offsets}]${duplicate}}`;
}

function errorMessage(id: string | null, error: EdgelogError): ServerMessage {
  return { type: "error", id, code: error.code, message: error.message };
}

/**
 * Handles one text frame; throws EdgelogError for a refused one (the socket layer answers it as
 * an `error` message and turns anything else into INTERNAL).
 *
 * @example
 * await this.sockets.receive(ws, message, (text) => handlePartitionSocketMessage(this, this.env, ws, text));
 */
export async function handlePartitionSocketMessage(host: SocketHost, env: Env, ws: WebSocket, text: string): Promise<void> {
  const admitted = await host.auth.admit(ws, text, parseClientMessage);
  if (admitted !== null) await handle(host, env, ws, admitted.message, admitted.access);
}
