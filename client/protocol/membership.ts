/**
 * Consumer-group membership on the wire: the assignors, a join (HTTP body or group-socket
 * message) and the group socket's client messages, each validated with stable codes.
 * Rules: PROTOCOL.md GROUP-2, GROUP-3, GROUP-7, GSOCKET-3.
 *
 * @example
 * parseJoin({ topic: "orders", assignor: "sticky" });
 * // { topic: "orders", memberId: null, assignor: "sticky", sessionTimeoutMs: 45000 }
 */
import { objectWithKeys, wholeNumber } from "./checks.ts";
import { parseAuthMessage } from "./claims.ts";
import { EdgelogError } from "./errors.ts";
import { parseFrame } from "./frames.ts";
import { SESSION_TIMEOUT_MS_DEFAULT, SESSION_TIMEOUT_MS_MAX, SESSION_TIMEOUT_MS_MIN } from "./limits.ts";
import type { AuthMessage } from "./messages.ts";
import { memberId, messageId, topicName } from "./names.ts";

/**
 * The partition assignors a group may use.
 *
 * @example
 * ASSIGNORS.includes("sticky"); // true
 * parseJoin({ topic: "orders", assignor: "cooperative" }); // throws INVALID_REQUEST
 */
export const ASSIGNORS = ["range", "roundrobin", "sticky"] as const;

/**
 * An assignor's name.
 *
 * @example
 * const assignor: AssignorName = "roundrobin";
 */
export type AssignorName = (typeof ASSIGNORS)[number];

/**
 * The assignor of a join that names none: Kafka's RangeAssignor.
 *
 * @example
 * parseJoin({ topic: "orders" }).assignor; // "range"
 */
export const ASSIGNOR_DEFAULT: AssignorName = "range";

/**
 * A validated join: the member id is null when the server is to generate one.
 *
 * @example
 * const join: JoinInput = parseJoin({ topic: "orders", memberId: "device-7" });
 * // { topic: "orders", memberId: "device-7", assignor: "range", sessionTimeoutMs: 45000 }
 */
export interface JoinInput {
  topic: string;
  memberId: string | null;
  assignor: AssignorName;
  sessionTimeoutMs: number;
}

const JOIN_FIELDS = ["topic", "memberId", "assignor", "sessionTimeoutMs"] as const;

/** Whether a value names an assignor. */
function isAssignor(value: unknown): value is AssignorName {
  return ASSIGNORS.some((name) => name === value);
}

/**
 * Validates a join's fields (`{topic, memberId?, assignor?, sessionTimeoutMs?}`); `extra` names
 * other fields the container allows (a socket message's `type` and `id`).
 *
 * @example
 * parseJoin(await c.req.json());
 */
export function parseJoin(body: unknown, extra: readonly string[] = []): JoinInput {
  const join = objectWithKeys(body, "the join", [...JOIN_FIELDS, ...extra], "INVALID_REQUEST");
  const assignor = join.assignor ?? ASSIGNOR_DEFAULT;
  if (!isAssignor(assignor)) throw new EdgelogError("INVALID_REQUEST", `assignor must be one of ${ASSIGNORS.join(", ")}`);
  const sessionTimeoutMs =
    join.sessionTimeoutMs === undefined
      ? SESSION_TIMEOUT_MS_DEFAULT
      : wholeNumber(join.sessionTimeoutMs, "sessionTimeoutMs", SESSION_TIMEOUT_MS_MIN, SESSION_TIMEOUT_MS_MAX, "INVALID_REQUEST");
  return {
    topic: topicName(join.topic),
    memberId: join.memberId === undefined ? null : memberId(join.memberId),
    assignor,
    sessionTimeoutMs,
  };
}

/**
 * A group-socket message as the coordinator handles it.
 *
 * @example
 * const message: ReceivedGroupMessage = parseGroupClientMessage('{"type":"leave","id":"l1"}'); // { type: "leave", id: "l1" }
 */
export type ReceivedGroupMessage = AuthMessage | { type: "join"; id: string; join: JoinInput } | { type: "leave"; id: string };

/**
 * Parses one text frame from a group socket. Throws EdgelogError (INVALID_JSON, INVALID_REQUEST,
 * REQUEST_TOO_LARGE, or a field's code); `frameId` finds the id to answer with when it can.
 *
 * @example
 * parseGroupClientMessage('{"type":"join","id":"j1","topic":"orders"}');
 */
export function parseGroupClientMessage(text: string): ReceivedGroupMessage {
  const value = parseFrame(text);
  if (value.type === "auth") return parseAuthMessage(value);
  if (value.type === "join") {
    const { type: _type, id, ...fields } = value;
    return { type: "join", id: messageId(id), join: parseJoin(fields) };
  }
  if (value.type === "leave") {
    objectWithKeys(value, "leave", ["type", "id"], "INVALID_REQUEST");
    return { type: "leave", id: messageId(value.id) };
  }
  throw new EdgelogError("INVALID_REQUEST", `unknown message type "${value.type}" (auth, join, leave)`);
}
