/**
 * Handles one frame on a partition socket: hello (version check), subscribe / unsubscribe /
 * consumed (subscribers.ts), produce (the same append and idempotence as HTTP, answered with an
 * `ack`) and commit (fenced by the group's generation when it carries one). Failures answer
 * `{type:"error", id, code, message}` with the HTTP codes; the socket stays open.
 *
 * @example
 * handlePartitionSocketMessage(host, env, ws, '{"type":"subscribe","id":"s","from":"earliest"}');
 */
import {
  CLOSE_UNSUPPORTED_VERSION,
  EdgelogError,
  frameId,
  PROTOCOL_VERSION,
  parseClientMessage,
  type ReceivedMessage,
  type ServerMessage,
} from "../../client/protocol/index.ts";
import type { Env } from "../env.ts";
import { unwrap } from "../result.ts";
import { commitOffset } from "./group-commits.ts";
import type { PartitionLog } from "./log.ts";
import type { AppendRequest, AppendResult } from "./partition.ts";
import type { Subscribers } from "./subscribers.ts";

/** What the handler needs from the Partition object. */
export interface SocketHost {
  log: PartitionLog;
  subscribers: Subscribers;
  appendNow(request: AppendRequest): AppendResult;
}

async function handle(host: SocketHost, env: Env, ws: WebSocket, message: ReceivedMessage): Promise<void> {
  const { log, subscribers } = host;
  const identity = log.identity;
  if (identity === null) throw new EdgelogError("UNKNOWN_TOPIC", "the topic does not exist (it may have been deleted)");
  switch (message.type) {
    case "hello":
      if (message.version !== PROTOCOL_VERSION) {
        subscribers.send(
          ws,
          errorMessage(null, new EdgelogError("INVALID_REQUEST", `this server speaks protocol version ${PROTOCOL_VERSION}`)),
        );
        ws.close(CLOSE_UNSUPPORTED_VERSION, "unsupported protocol version");
      }
      return;
    case "subscribe":
      return subscribers.subscribe(ws, message);
    case "unsubscribe":
      return subscribers.unsubscribe(ws, message.id);
    case "consumed":
      return subscribers.consumed(ws, message.offset);
    case "produce": {
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
      const appended = host.appendNow({ topicId: identity.topicId, timestamps, tails, producer });
      return subscribers.send(ws, ackMessage(message.id, identity.partition, appended));
    }
    case "commit": {
      let generation: number | null = null;
      // The parser let through both fields or neither (parseCommitMember).
      if (message.generation !== undefined && message.memberId !== undefined) {
        const group = env.GROUP.get(env.GROUP.idFromName(message.group));
        const { topicId } = unwrap(await group.validate(message.memberId, message.generation));
        // As over HTTP: a member commits only on the topic its group consumes.
        if (topicId !== identity.topicId) {
          throw new EdgelogError("INCONSISTENT_GROUP", `group "${message.group}" consumes another topic than this partition's`);
        }
        generation = message.generation;
      }
      const commit = { group: message.group, offset: message.offset, metadata: message.metadata ?? null, generation };
      commitOffset(log.sql, log, commit, Date.now());
      return subscribers.send(ws, { type: "committed", id: message.id, group: message.group, offset: message.offset });
    }
  }
}

/**
 * The `ack` for an append, written as text: exactly what JSON.stringify writes for
 * `{type: "ack", id, offsets: [{partition, offset}, ...], duplicate?: true}`, without an object
 * per record (a batch of 1,000 records would otherwise build and walk 1,000 of them).
 *
 * @example
 * ackMessage("p1", 0, { baseOffset: 7, count: 2, duplicate: false });
 * // '{"type":"ack","id":"p1","offsets":[{"partition":0,"offset":7},{"partition":0,"offset":8}]}'
 */
export function ackMessage(id: string, partition: number, appended: AppendResult): string {
  let offsets = "";
  for (let k = 0; k < appended.count; k++) {
    offsets += `${k === 0 ? "" : ","}{"partition":${partition},"offset":${appended.baseOffset + k}}`;
  }
  const duplicate = appended.duplicate ? ',"duplicate":true' : "";
  return `{"type":"ack","id":${JSON.stringify(id)},"offsets":[${offsets}]${duplicate}}`;
}

function errorMessage(id: string | null, error: EdgelogError): ServerMessage {
  return { type: "error", id, code: error.code, message: error.message };
}

/** Handles one frame; never throws (an unexpected failure is logged and answered INTERNAL). */
export async function handlePartitionSocketMessage(host: SocketHost, env: Env, ws: WebSocket, frame: string | ArrayBuffer): Promise<void> {
  const text = typeof frame === "string" ? frame : null;
  try {
    if (text === null) throw new EdgelogError("INVALID_REQUEST", "frames are JSON text, not binary");
    await handle(host, env, ws, parseClientMessage(text));
  } catch (error) {
    const failure = error instanceof EdgelogError ? error : new EdgelogError("INTERNAL", "the message failed; it has been logged");
    if (!(error instanceof EdgelogError)) console.error("edgelog: partition socket message failed", error);
    host.subscribers.send(ws, errorMessage(text === null ? null : frameId(text), failure));
  }
}
