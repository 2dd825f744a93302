/**
 * Checks a subscription's arguments when `subscribe` is called, so a mistake throws at once (with
 * the protocol's codes) instead of failing later on a socket.
 *
 * @example
 * validateSubscribe("orders", { from: "committed", group: "billing" }); // fine
 * validateSubscribe("orders", { from: "committed" }); // throws INVALID_REQUEST: needs a group
 */
import { EdgelogClientError } from "./local-errors.ts";
import { SUBSCRIPTION_NAME_LENGTH_MAX } from "./local-limits.ts";
import type { StartPosition } from "./protocol/index.ts";
import { EdgelogError, groupName, TIMESTAMP_MS_MAX, TOPIC_PARTITIONS_MAX, topicName } from "./protocol/index.ts";
import type { SubscribeOptions } from "./subscription.ts";

function whole(value: unknown, max: number): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= max;
}

function validFrom(from: StartPosition): boolean {
  if (from === "earliest" || from === "latest" || from === "committed") return true;
  if (typeof from !== "object" || from === null) return false;
  if ("offset" in from) return whole(from.offset, Number.MAX_SAFE_INTEGER);
  if ("timestamp" in from) return whole(from.timestamp, TIMESTAMP_MS_MAX);
  return false;
}

/**
 * Throws EdgelogError (INVALID_TOPIC_NAME, INVALID_GROUP_NAME, INVALID_PARTITIONS,
 * INVALID_REQUEST) or EdgelogClientError (INVALID_USE) for bad subscribe arguments.
 *
 * @example
 * validateSubscribe("orders", { partitions: [0, 2] });
 */
export function validateSubscribe(topic: string, options: SubscribeOptions): void {
  topicName(topic);
  if (options.group !== undefined) groupName(options.group);
  const { partitions } = options;
  if (partitions !== undefined) {
    const valid = Array.isArray(partitions) && partitions.length > 0 && partitions.every((p) => whole(p, TOPIC_PARTITIONS_MAX - 1));
    if (!valid || new Set(partitions).size !== partitions.length) {
      throw new EdgelogError("INVALID_PARTITIONS", `partitions must be distinct whole numbers from 0 to ${TOPIC_PARTITIONS_MAX - 1}`);
    }
  }
  const from = options.from ?? "earliest";
  if (!validFrom(from))
    throw new EdgelogError("INVALID_REQUEST", 'from must be "earliest", "latest", "committed", {offset} or {timestamp}');
  if (from === "committed" && options.group === undefined) throw new EdgelogError("INVALID_REQUEST", 'from "committed" needs a group');
  if (options.reset !== undefined && options.reset !== "earliest" && options.reset !== "latest") {
    throw new EdgelogError("INVALID_REQUEST", 'reset must be "earliest" or "latest"');
  }
  const { name } = options;
  if (name !== undefined && (typeof name !== "string" || name.length === 0 || name.length > SUBSCRIPTION_NAME_LENGTH_MAX)) {
    throw new EdgelogClientError("INVALID_USE", `name must be a string of 1 to ${SUBSCRIPTION_NAME_LENGTH_MAX} characters`);
  }
}
