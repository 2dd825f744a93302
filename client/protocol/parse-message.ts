/**
 * Validates a client's WebSocket frame into a typed ClientMessage, with the same stable error
 * codes as HTTP (the socket answers them as `{type:"error"}` messages).
 * Rules: PROTOCOL.md SOCKET-2, SOCKET-4 to SOCKET-13, AUTH-9.
 *
 * @example
 * const message = parseClientMessage('{"type":"subscribe","id":"s1","from":"earliest"}');
 */
import { objectWithKeys, offsetNumber, wholeNumber } from "./checks.ts";
import { parseAuthMessage } from "./claims.ts";
import { parseCommitMember, parseCommitMetadata } from "./commits.ts";
import { EdgelogError } from "./errors.ts";
import { parseFrame } from "./frames.ts";
import type { ClientMessage } from "./messages.ts";
import { groupName, messageId } from "./names.ts";
import { scanProduceFrame } from "./produce-scan.ts";
import { type ParsedProduce, parseProduceRequest } from "./records.ts";
import { parseStart } from "./start.ts";

type SubscribeMessage = Extract<ClientMessage, { type: "subscribe" }>;
type CommitMessage = Extract<ClientMessage, { type: "commit" }>;

function parseSubscribe(m: Record<string, unknown>): SubscribeMessage {
  objectWithKeys(m, "subscribe", ["type", "id", "from", "group", "reset", "cleaned"], "INVALID_REQUEST");
  const id = messageId(m.id, "id");
  // A table's subscribe (TABLE-2) starts at logStartOffset as "earliest" does, filtered.
  const table = m.from === "latest-per-key";
  const start = parseStart({ from: table ? "earliest" : m.from, group: m.group, reset: m.reset, cleaned: m.cleaned });
  return { type: "subscribe", id, ...start, ...(table ? { from: "latest-per-key" as const } : {}) };
}

function parseCommitMessage(m: Record<string, unknown>): CommitMessage {
  objectWithKeys(m, "commit", ["type", "id", "group", "offset", "metadata", "generation", "memberId"], "INVALID_REQUEST");
  const message: CommitMessage = {
    type: "commit",
    id: messageId(m.id, "id"),
    group: groupName(m.group),
    offset: offsetNumber(m.offset, "offset"),
  };
  if (m.metadata !== undefined) message.metadata = parseCommitMetadata(m.metadata, "metadata");
  const member = parseCommitMember(m.memberId, m.generation);
  if (member !== null) {
    message.memberId = member.memberId;
    message.generation = member.generation;
  }
  return message;
}

/**
 * A client message as the server handles it: a produce carries its validated, encoded records.
 *
 * @example
 * const message: ReceivedMessage = parseClientMessage('{"type":"produce","id":"p1","records":[{"value":1}]}');
 * if (message.type === "produce") message.parsed.records; // as parseProduceRequest encodes them
 */
export type ReceivedMessage = Exclude<ClientMessage, { type: "produce" }> | { type: "produce"; id: string; parsed: ParsedProduce };

/**
 * Parses one text frame. Throws EdgelogError (INVALID_JSON, INVALID_REQUEST, REQUEST_TOO_LARGE,
 * or a record's code) for anything that is not a valid client message.
 *
 * @example
 * parseClientMessage('{"type":"consumed","offset":42}'); // { type: "consumed", offset: 42 }
 * parseClientMessage('{"type":"nope"}'); // throws INVALID_REQUEST
 */
export function parseClientMessage(text: string): ReceivedMessage {
  // A produce frame in the usual shape is validated and encoded in one scan of its text
  // (RECORD-8); any other frame, and any produce the scan does not take, is parsed in full below.
  const produce = scanProduceFrame(text);
  if (produce !== null) return { type: "produce", id: produce.id, parsed: produce.parsed };
  const value = parseFrame(text);
  switch (value.type) {
    case "auth":
      return parseAuthMessage(value);
    case "hello":
      objectWithKeys(value, "hello", ["type", "version"], "INVALID_REQUEST");
      return { type: "hello", version: wholeNumber(value.version, "version", 0, 1_000_000, "INVALID_REQUEST") };
    case "subscribe":
      return parseSubscribe(value);
    case "unsubscribe":
      objectWithKeys(value, "unsubscribe", ["type", "id"], "INVALID_REQUEST");
      return { type: "unsubscribe", id: messageId(value.id, "id") };
    case "consumed":
      objectWithKeys(value, "consumed", ["type", "offset"], "INVALID_REQUEST");
      return { type: "consumed", offset: offsetNumber(value.offset, "offset") };
    case "produce": {
      const id = messageId(value.id, "id");
      const { type: _type, id: _id, ...body } = value;
      // The same validation and encoding as an HTTP produce body.
      return { type: "produce", id, parsed: parseProduceRequest(body) };
    }
    case "commit":
      return parseCommitMessage(value);
    default:
      throw new EdgelogError("INVALID_REQUEST", `unknown message type "${value.type}"`);
  }
}
