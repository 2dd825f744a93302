/**
 * Validates topic creation: the partition count and the topic config, with defaults filled in so
 * two requests can be compared ("same settings" answers 200, "other settings" 409).
 * Rules: PROTOCOL.md TOPIC-1, TOPIC-2.
 *
 * @example
 * parseCreateTopic({ partitions: 3 });
 * // { partitions: 3, config: { "retention.ms": -1, "message.timestamp.type": "CreateTime" } }
 */
import { objectWithKeys, wholeNumber } from "./checks.ts";
import { EdgelogError } from "./errors.ts";
import { TOPIC_PARTITIONS_MAX } from "./limits.ts";
import type { TopicConfig } from "./wire.ts";

/**
 * A config with every setting present.
 *
 * @example
 * const config: FullTopicConfig = parseTopicConfig({ "retention.ms": 86_400_000 });
 * // { "retention.ms": 86400000, "message.timestamp.type": "CreateTime" }
 */
export type FullTopicConfig = Required<TopicConfig>;

/**
 * Defaults: keep records forever (offline apps replay from the start), producer's timestamps.
 *
 * @example
 * parseTopicConfig(undefined); // a copy: { "retention.ms": -1, "message.timestamp.type": "CreateTime" }
 */
export const TOPIC_CONFIG_DEFAULT: FullTopicConfig = {
  "retention.ms": -1,
  "message.timestamp.type": "CreateTime",
};

/** The longest retention that can be named: about 285,000 years, safely an exact integer. */
const RETENTION_MS_MAX = 2 ** 53 - 1;

/**
 * Validates a topic config and fills in defaults.
 *
 * @example
 * parseTopicConfig({ "retention.ms": 86_400_000 });
 */
export function parseTopicConfig(input: unknown): FullTopicConfig {
  if (input === undefined) return { ...TOPIC_CONFIG_DEFAULT };
  const config = objectWithKeys(input, "config", Object.keys(TOPIC_CONFIG_DEFAULT), "INVALID_CONFIG");
  const full = { ...TOPIC_CONFIG_DEFAULT };
  const retention = config["retention.ms"];
  if (retention !== undefined) {
    full["retention.ms"] = retention === -1 ? -1 : wholeNumber(retention, 'config["retention.ms"]', 1, RETENTION_MS_MAX, "INVALID_CONFIG");
  }
  const type = config["message.timestamp.type"];
  if (type !== undefined) {
    if (type !== "CreateTime" && type !== "LogAppendTime") {
      throw new EdgelogError("INVALID_CONFIG", 'config["message.timestamp.type"] must be "CreateTime" or "LogAppendTime"');
    }
    full["message.timestamp.type"] = type;
  }
  return full;
}

/**
 * Validates a `PUT /v1/topics/:topic` body.
 *
 * @example
 * parseCreateTopic({ partitions: 6, config: { "message.timestamp.type": "LogAppendTime" } });
 */
export function parseCreateTopic(body: unknown): { partitions: number; config: FullTopicConfig } {
  const request = objectWithKeys(body, "the body", ["partitions", "config"], "INVALID_REQUEST");
  const partitions = wholeNumber(request.partitions, "partitions", 1, TOPIC_PARTITIONS_MAX, "INVALID_PARTITIONS");
  return { partitions, config: parseTopicConfig(request.config) };
}

/**
 * Whether two full configs are the same settings.
 *
 * @example
 * sameConfig(parseTopicConfig({}), TOPIC_CONFIG_DEFAULT); // true: a repeated create (same partitions) answers 200
 */
export function sameConfig(a: FullTopicConfig, b: FullTopicConfig): boolean {
  return a["retention.ms"] === b["retention.ms"] && a["message.timestamp.type"] === b["message.timestamp.type"];
}
