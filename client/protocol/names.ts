/**
 * Topic and group names: Kafka's rules (ASCII letters, digits, '.', '_', '-'; at most 249
 * characters; not "." or ".."), so names move between Kafka and edgelog unchanged.
 *
 * @example
 * topicName("orders.v2"); // "orders.v2"
 * topicName("a/b");       // throws INVALID_TOPIC_NAME
 */
import { EdgelogError, type ErrorCode } from "./errors.ts";
import { GROUP_NAME_LENGTH_MAX, NAME_PATTERN, TOPIC_NAME_LENGTH_MAX } from "./limits.ts";

function checkName(value: unknown, what: string, lengthMax: number, code: ErrorCode): string {
  if (typeof value !== "string" || value.length === 0 || value.length > lengthMax) {
    throw new EdgelogError(code, `${what} must be a string of 1 to ${lengthMax} characters`);
  }
  if (!NAME_PATTERN.test(value) || value === "." || value === "..") {
    throw new EdgelogError(code, `${what} "${value}" may hold only ASCII letters, digits, '.', '_' and '-' (and is not "." or "..")`);
  }
  return value;
}

/** Returns the topic name, or throws INVALID_TOPIC_NAME. */
export function topicName(value: unknown): string {
  return checkName(value, "topic name", TOPIC_NAME_LENGTH_MAX, "INVALID_TOPIC_NAME");
}

/** Returns the group name, or throws INVALID_GROUP_NAME. */
export function groupName(value: unknown): string {
  return checkName(value, "group name", GROUP_NAME_LENGTH_MAX, "INVALID_GROUP_NAME");
}
