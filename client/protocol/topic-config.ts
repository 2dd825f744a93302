/**
 * Validates topic creation: the partition count and the topic config, with defaults filled in so
 * two requests can be compared ("same settings" answers 200, "other settings" 409). A topic's
 * config is fixed at creation (TOPIC-1: another config is 409); a config stored by an older
 * version, without the later keys, reads with their defaults (`withConfigDefaults`).
 * Rules: PROTOCOL.md TOPIC-1, TOPIC-2, COMPACT-1.
 *
 * @example
 * parseCreateTopic({ partitions: 3 });
 * // { partitions: 3, config: { "retention.ms": -1, "message.timestamp.type": "CreateTime", "retention.bytes": -1, ... } }
 */
import { objectWithKeys, wholeNumber } from "./checks.ts";
import { EdgelogError } from "./errors.ts";
import { RETENTION_BYTES_MAX, TOPIC_PARTITIONS_MAX } from "./limits.ts";
import type { CleanupPolicy, TopicConfig } from "./wire.ts";

/**
 * A config with every setting present.
 *
 * @example
 * const config: FullTopicConfig = parseTopicConfig({ "retention.ms": 86_400_000 });
 * config["cleanup.policy"]; // "delete"
 */
export type FullTopicConfig = Required<TopicConfig>;

/**
 * Defaults: keep records forever (offline apps replay from the start), producer's timestamps,
 * no size bound, no compaction; the compaction settings at Kafka's defaults.
 *
 * @example
 * parseTopicConfig(undefined); // a copy of TOPIC_CONFIG_DEFAULT
 */
export const TOPIC_CONFIG_DEFAULT: FullTopicConfig = {
  "retention.ms": -1,
  "message.timestamp.type": "CreateTime",
  "retention.bytes": -1,
  "cleanup.policy": "delete",
  "min.compaction.lag.ms": 0,
  "delete.retention.ms": 86_400_000,
  "min.cleanable.dirty.ratio": 0.5,
};

/** The longest duration that can be named: about 285,000 years, safely an exact integer. */
const DURATION_MS_MAX = 2 ** 53 - 1;

/** The cleanup policies Kafka names, in Kafka's spelling. */
const CLEANUP_POLICIES: readonly CleanupPolicy[] = ["delete", "compact", "compact,delete"];

/**
 * Validates a topic config and fills in defaults.
 *
 * @example
 * parseTopicConfig({ "retention.ms": 86_400_000, "cleanup.policy": "compact" });
 */
export function parseTopicConfig(input: unknown): FullTopicConfig {
  if (input === undefined) return { ...TOPIC_CONFIG_DEFAULT };
  const config = objectWithKeys(input, "config", Object.keys(TOPIC_CONFIG_DEFAULT), "INVALID_CONFIG");
  const full = { ...TOPIC_CONFIG_DEFAULT };
  const retention = config["retention.ms"];
  if (retention !== undefined) full["retention.ms"] = orNone(retention, "retention.ms", DURATION_MS_MAX);
  const retentionBytes = config["retention.bytes"];
  if (retentionBytes !== undefined) full["retention.bytes"] = orNone(retentionBytes, "retention.bytes", RETENTION_BYTES_MAX);
  const type = config["message.timestamp.type"];
  if (type !== undefined) {
    if (type !== "CreateTime" && type !== "LogAppendTime") {
      throw new EdgelogError("INVALID_CONFIG", 'config["message.timestamp.type"] must be "CreateTime" or "LogAppendTime"');
    }
    full["message.timestamp.type"] = type;
  }
  const policy = config["cleanup.policy"];
  if (policy !== undefined) {
    if (!CLEANUP_POLICIES.includes(policy as CleanupPolicy)) {
      throw new EdgelogError("INVALID_CONFIG", 'config["cleanup.policy"] must be "delete", "compact" or "compact,delete"');
    }
    full["cleanup.policy"] = policy as CleanupPolicy;
  }
  for (const name of ["min.compaction.lag.ms", "delete.retention.ms"] as const) {
    const value = config[name];
    if (value !== undefined) full[name] = wholeNumber(value, `config["${name}"]`, 0, DURATION_MS_MAX, "INVALID_CONFIG");
  }
  const ratio = config["min.cleanable.dirty.ratio"];
  if (ratio !== undefined) {
    if (typeof ratio !== "number" || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
      throw new EdgelogError("INVALID_CONFIG", 'config["min.cleanable.dirty.ratio"] must be a number from 0 to 1');
    }
    full["min.cleanable.dirty.ratio"] = ratio;
  }
  return full;
}

/** -1 (no bound), or a whole number from 1 to `max`; else INVALID_CONFIG. */
function orNone(value: unknown, name: string, max: number): number {
  return value === -1 ? -1 : wholeNumber(value, `config["${name}"]`, 1, max, "INVALID_CONFIG");
}

/**
 * A stored config with the defaults of the keys added after it was written (an older topic).
 *
 * @example
 * withConfigDefaults({ "retention.ms": -1, "message.timestamp.type": "CreateTime" })["cleanup.policy"]; // "delete"
 */
export function withConfigDefaults(stored: TopicConfig): FullTopicConfig {
  return { ...TOPIC_CONFIG_DEFAULT, ...stored };
}

/**
 * Whether a config's cleanup policy compacts (`"compact"` or `"compact,delete"`).
 *
 * @example
 * isCompacted(parseTopicConfig({ "cleanup.policy": "compact,delete" })); // true
 */
export function isCompacted(config: FullTopicConfig): boolean {
  return config["cleanup.policy"] !== "delete";
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
  const keys = Object.keys(TOPIC_CONFIG_DEFAULT) as (keyof FullTopicConfig)[];
  return keys.every((key) => a[key] === b[key]);
}
