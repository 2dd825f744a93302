/**
 * Names and ids, each checked in one place: topic and group names (Kafka's rules: ASCII letters,
 * digits, '.', '_', '-'; at most 249 characters; not "." or "..", so names move between Kafka and
 * edgelog unchanged), group member ids (they appear in URL paths) and socket message ids.
 * Rules: PROTOCOL.md NAME-1 to NAME-4.
 *
 * @example
 * topicName("orders.v2"); // "orders.v2"
 * topicName("a/b");       // throws INVALID_TOPIC_NAME
 * memberId("device-7");   // "device-7"
 */
import { EdgelogError, type ErrorCode } from "./errors.ts";
import { GROUP_NAME_LENGTH_MAX, MEMBER_ID_LENGTH_MAX, MESSAGE_ID_LENGTH_MAX, NAME_PATTERN, TOPIC_NAME_LENGTH_MAX } from "./limits.ts";

/**
 * A member id's alphabet: the name alphabet plus ':' (generated ids are UUIDs).
 *
 * @example
 * MEMBER_ID_PATTERN.test("3f2a:device-7"); // true, though no topic or group name may hold ':'
 */
export const MEMBER_ID_PATTERN = /^[A-Za-z0-9._:-]+$/;

function checkName(value: unknown, what: string, lengthMax: number, code: ErrorCode): string {
  if (typeof value !== "string" || value.length === 0 || value.length > lengthMax) {
    throw new EdgelogError(code, `${what} must be a string of 1 to ${lengthMax} characters`);
  }
  if (!NAME_PATTERN.test(value) || value === "." || value === "..") {
    throw new EdgelogError(code, `${what} "${value}" may hold only ASCII letters, digits, '.', '_' and '-' (and is not "." or "..")`);
  }
  return value;
}

/**
 * Returns the topic name, or throws INVALID_TOPIC_NAME.
 *
 * @example
 * topicName("orders.v2"); // "orders.v2"
 * topicName(".."); // throws INVALID_TOPIC_NAME
 */
export function topicName(value: unknown): string {
  return checkName(value, "topic name", TOPIC_NAME_LENGTH_MAX, "INVALID_TOPIC_NAME");
}

/**
 * Returns the group name, or throws INVALID_GROUP_NAME.
 *
 * @example
 * groupName("billing"); // "billing"
 * groupName(""); // throws INVALID_GROUP_NAME
 */
export function groupName(value: unknown): string {
  return checkName(value, "group name", GROUP_NAME_LENGTH_MAX, "INVALID_GROUP_NAME");
}

/**
 * A consumer-group member id: 1 to MEMBER_ID_LENGTH_MAX characters of MEMBER_ID_PATTERN, or
 * INVALID_REQUEST naming `where`.
 *
 * @example
 * memberId("3f2a-device", "memberId"); // "3f2a-device"
 */
export function memberId(value: unknown, where = "memberId"): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MEMBER_ID_LENGTH_MAX || !MEMBER_ID_PATTERN.test(value)) {
    throw new EdgelogError("INVALID_REQUEST", `${where} must be 1 to ${MEMBER_ID_LENGTH_MAX} characters of [A-Za-z0-9._:-]`);
  }
  return value;
}

/**
 * A request or subscription id on a socket: any string of 1 to MESSAGE_ID_LENGTH_MAX characters,
 * or INVALID_REQUEST naming `where`.
 *
 * @example
 * messageId("s1", "id"); // "s1"
 */
export function messageId(value: unknown, where = "id"): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MESSAGE_ID_LENGTH_MAX) {
    throw new EdgelogError("INVALID_REQUEST", `${where} must be a string of 1 to ${MESSAGE_ID_LENGTH_MAX} characters`);
  }
  return value;
}
