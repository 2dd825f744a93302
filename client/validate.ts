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
import { EdgelogError, parseStart, partitionNumber, topicName } from "./protocol/index.ts";
import type { SubscribeOptions } from "./subscription.ts";

/**
 * Throws EdgelogError (INVALID_TOPIC_NAME, INVALID_GROUP_NAME, INVALID_PARTITIONS,
 * INVALID_REQUEST) or EdgelogClientError (INVALID_USE) for bad subscribe arguments. The start
 * (from, group, reset) is checked by the protocol's own rule, as the server checks `subscribe`;
 * the client-only "cached" is checked as the "earliest" it stands for on the wire.
 *
 * @example
 * validateSubscribe("orders", { partitions: [0, 2] });
 */
export function validateSubscribe(topic: string, options: SubscribeOptions): void {
  topicName(topic);
  const from = options.from === "cached" ? "earliest" : (options.from ?? "earliest");
  parseStart({ from, group: options.group, reset: options.reset });
  const { partitions } = options;
  if (partitions !== undefined) {
    if (!Array.isArray(partitions) || partitions.length === 0) {
      throw new EdgelogError("INVALID_PARTITIONS", "partitions must be a non-empty array of partition numbers");
    }
    partitions.forEach((partition, i) => {
      partitionNumber(partition, `partitions[${i}]`);
    });
    if (new Set(partitions).size !== partitions.length) throw new EdgelogError("INVALID_PARTITIONS", "partitions must be distinct");
  }
  const { name } = options;
  if (name !== undefined && (typeof name !== "string" || name.length === 0 || name.length > SUBSCRIPTION_NAME_LENGTH_MAX)) {
    throw new EdgelogClientError("INVALID_USE", `name must be a string of 1 to ${SUBSCRIPTION_NAME_LENGTH_MAX} characters`);
  }
}
