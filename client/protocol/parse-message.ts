/**
 * Validates a client's WebSocket frame into a typed ClientMessage, with the same stable error
 * codes as HTTP (the socket answers them as `{type:"error"}` messages).
 *
 * @example
 * const message = parseClientMessage('{"type":"subscribe","id":"s1","from":"earliest"}');
 */
import { isObject, objectWithKeys, wholeNumber } from "./checks.ts";
import { parseCommitMetadata } from "./commits.ts";
import { EdgelogError } from "./errors.ts";
import { MESSAGE_ID_LENGTH_MAX, SOCKET_MESSAGE_BYTES_MAX, TIMESTAMP_MS_MAX } from "./limits.ts";
import type { ClientMessage, StartPosition } from "./messages.ts";
import { groupName } from "./names.ts";
import { type ParsedProduce, parseProduceRequest } from "./records.ts";

function messageId(value: unknown, where: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MESSAGE_ID_LENGTH_MAX) {
    throw new EdgelogError("INVALID_REQUEST", `${where} must be a string of 1 to ${MESSAGE_ID_LENGTH_MAX} characters`);
  }
  return value;
}

function startPosition(value: unknown): StartPosition {
  if (value === "earliest" || value === "latest" || value === "committed") return value;
  if (isObject(value) && "offset" in value) {
    objectWithKeys(value, "from", ["offset"], "INVALID_REQUEST");
    return { offset: wholeNumber(value.offset, "from.offset", 0, Number.MAX_SAFE_INTEGER, "INVALID_REQUEST") };
  }
  if (isObject(value) && "timestamp" in value) {
    objectWithKeys(value, "from", ["timestamp"], "INVALID_REQUEST");
    return { timestamp: wholeNumber(value.timestamp, "from.timestamp", 0, TIMESTAMP_MS_MAX, "INVALID_REQUEST") };
  }
  throw new EdgelogError("INVALID_REQUEST", 'from must be "earliest", "latest", "committed", {offset} or {timestamp}');
}

type SubscribeMessage = Extract<ClientMessage, { type: "subscribe" }>;
type CommitMessage = Extract<ClientMessage, { type: "commit" }>;

function parseSubscribe(m: Record<string, unknown>): SubscribeMessage {
  objectWithKeys(m, "subscribe", ["type", "id", "from", "group", "reset"], "INVALID_REQUEST");
  const from = startPosition(m.from);
  const group = m.group === undefined ? undefined : groupName(m.group);
  if (from === "committed" && group === undefined) {
    throw new EdgelogError("INVALID_REQUEST", 'from "committed" needs a group');
  }
  if (m.reset !== undefined && m.reset !== "earliest" && m.reset !== "latest") {
    throw new EdgelogError("INVALID_REQUEST", 'reset must be "earliest" or "latest"');
  }
  const message: SubscribeMessage = { type: "subscribe", id: messageId(m.id, "id"), from };
  if (group !== undefined) message.group = group;
  if (m.reset !== undefined) message.reset = m.reset;
  return message;
}

function parseCommitMessage(m: Record<string, unknown>): CommitMessage {
  objectWithKeys(m, "commit", ["type", "id", "group", "offset", "metadata", "generation", "memberId"], "INVALID_REQUEST");
  const message: CommitMessage = {
    type: "commit",
    id: messageId(m.id, "id"),
    group: groupName(m.group),
    offset: wholeNumber(m.offset, "offset", 0, Number.MAX_SAFE_INTEGER, "INVALID_REQUEST"),
  };
  if (m.metadata !== undefined) message.metadata = parseCommitMetadata(m.metadata, "metadata");
  if (m.generation !== undefined)
    message.generation = wholeNumber(m.generation, "generation", 0, Number.MAX_SAFE_INTEGER, "INVALID_REQUEST");
  if (m.memberId !== undefined) message.memberId = messageId(m.memberId, "memberId");
  return message;
}

/** A client message as the server handles it: a produce carries its validated, encoded records. */
export type ReceivedMessage = Exclude<ClientMessage, { type: "produce" }> | { type: "produce"; id: string; parsed: ParsedProduce };

/**
 * Parses one text frame. Throws EdgelogError (INVALID_JSON, INVALID_REQUEST, REQUEST_TOO_LARGE,
 * or a record's code) for anything that is not a valid client message.
 */
export function parseClientMessage(text: string): ReceivedMessage {
  if (text.length > SOCKET_MESSAGE_BYTES_MAX) {
    throw new EdgelogError("REQUEST_TOO_LARGE", `a message is at most ${SOCKET_MESSAGE_BYTES_MAX} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new EdgelogError("INVALID_JSON", `the message is not JSON: ${(error as Error).message}`);
  }
  if (!isObject(value) || typeof value.type !== "string") {
    throw new EdgelogError("INVALID_REQUEST", "a message is a JSON object with a string `type`");
  }
  switch (value.type) {
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
      return { type: "consumed", offset: wholeNumber(value.offset, "offset", 0, Number.MAX_SAFE_INTEGER, "INVALID_REQUEST") };
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
