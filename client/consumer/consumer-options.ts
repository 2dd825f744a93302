/**
 * What `client.consumer` takes and what its consumer tells: the options (group, topic, member id,
 * session timeout, assignor, where a partition without a commit starts, auto-commit, timers), the
 * handlers of `run()`, and the assignment changes. `resolveConsumerOptions` checks them when the
 * consumer is made, with the protocol's own rules (the server checks a join the same way), so a
 * mistake throws at once.
 *
 * @example
 * const options: ConsumerOptions = { group: "billing", topic: "orders", reset: "earliest" };
 * const consumer = client.consumer(options);
 */

import type { JsonCompatible } from "../json-compatible.ts";
import { EdgelogClientError } from "../local-errors.ts";
import type { JsonValue } from "../protocol/index.ts";
import { type AssignorName, groupName, type JoinInput, type OffsetReset, parseJoin } from "../protocol/index.ts";
import type { TopicRecord } from "../subscribe-options.ts";
import { AUTO_COMMIT_INTERVAL_MS, AUTO_COMMIT_INTERVAL_MS_MAX, AUTO_COMMIT_INTERVAL_MS_MIN } from "./consumer-limits.ts";

/**
 * Where a consumer's timers come from (the global ones by default): a test passes its own and
 * fires them by hand, so it never sleeps for an auto-commit.
 *
 * @example
 * const timers: ConsumerTimers = { setTimeout: (run, ms) => globalThis.setTimeout(run, ms), clearTimeout: (h) => globalThis.clearTimeout(h as number) };
 */
export interface ConsumerTimers {
  /** Runs `callback` once after `ms`; answers a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a timer `setTimeout` answered. */
  clearTimeout(handle: unknown): void;
}

/**
 * How a consumer is made (`client.consumer(options)`). Only `group` and `topic` are required.
 *
 * @example
 * client.consumer({ group: "billing", topic: "orders", memberId: "billing-eu-1", assignor: "sticky", reset: "earliest" });
 */
export interface ConsumerOptions {
  /** The consumer group (PROTOCOL.md NAME-1). */
  group: string;
  /** The one topic the group consumes (GROUP-6). */
  topic: string;
  /**
   * This member's id (NAME-2): bring your own (a device id, a pod name) to be the same member
   * after a restart; absent, the server makes one on the first join. Rejoins keep the id.
   */
  memberId?: string;
  /** The session timeout, 1,000 to 300,000 ms (default 45,000, GROUP-2); pings go every third of it. */
  sessionTimeoutMs?: number;
  /** "range" (default), "roundrobin" or "sticky" (GROUP-7); every member of a group names the same. */
  assignor?: AssignorName;
  /** Where a partition starts when the group never committed there: "latest" (default, as Kafka) or "earliest". */
  reset?: OffsetReset;
  /** Commit processed offsets by itself (default true): every `autoCommitIntervalMs`, and on revoke and stop. */
  autoCommit?: boolean;
  /** The auto-commit interval (default AUTO_COMMIT_INTERVAL_MS, from AUTO_COMMIT_INTERVAL_MS_MIN to _MAX). */
  autoCommitIntervalMs?: number;
  /** The timers for auto-commit and the bounded waits (default: the global ones). */
  timers?: ConsumerTimers;
}

/**
 * The partitions a member owns in a generation, as the consumer follows them.
 *
 * @example
 * const { memberId, generation, partitions }: ConsumerAssignment = consumer.assignment;
 */
export interface ConsumerAssignment {
  /** The member's id (null until the first join answered). */
  memberId: string | null;
  /** The group generation of this assignment (0 before the first join). */
  generation: number;
  /** The partitions records are delivered from now, ascending. */
  partitions: readonly number[];
}

/**
 * A change `onAssign` hears: the partitions that start, and the generation that gave them.
 *
 * @example
 * const onAssign = ({ partitions, generation }: AssignmentChange) => console.log(`generation ${generation}: now own`, partitions);
 */
export interface AssignmentChange {
  memberId: string;
  generation: number;
  partitions: number[];
}

/**
 * Why partitions stop: `stop` (the consumer stopped; their progress was committed first, the
 * generation still valid), `rebalance` (the group moved to a new generation that gives them to
 * another member; the old generation is over, so progress since the last commit could not be
 * committed and the next owner processes it again, PROTOCOL.md GROUP-12) or `lost` (the group
 * socket dropped, the session expired or the member was removed: nothing could be committed).
 *
 * @example
 * const reason: RevokeReason = "rebalance";
 */
export type RevokeReason = "stop" | "rebalance" | "lost";

/**
 * A change `onRevoke` hears: the partitions that stopped, in the generation that owned them, and why.
 *
 * @example
 * const onRevoke = ({ partitions, reason }: RevokeChange) => console.log(reason, partitions);
 */
export interface RevokeChange extends AssignmentChange {
  reason: RevokeReason;
}

/**
 * What `consumer.run` takes. `eachRecord` is awaited per record, in offset order per partition
 * (partitions run side by side); once it returned (or threw: reported to the client's `onError`
 * as CALLBACK_FAILED, and the record counts as processed) its record's next offset is progress
 * to commit. `onRevoke` runs after the revoked partitions stopped (no record of theirs runs any
 * more) and their progress was committed where it still could be (see RevokeReason); `onAssign`
 * runs before the new partitions' first record.
 *
 * @example
 * await consumer.run({
 *   eachRecord: async (record) => await bill(record.value),
 *   onAssign: ({ partitions }) => console.log("now own", partitions),
 *   onRevoke: ({ partitions }) => console.log("gave up", partitions),
 * });
 */
export interface RunHandlers<T extends JsonCompatible<T> = JsonValue> {
  /** Processes one record; awaited before the partition's next record starts. */
  eachRecord(record: TopicRecord<T>): void | Promise<void>;
  /** Hears the partitions this member starts, before their first record. */
  onAssign?(change: AssignmentChange): void | Promise<void>;
  /** Hears the partitions this member stopped, after their last record finished. */
  onRevoke?(change: RevokeChange): void | Promise<void>;
}

/**
 * A consumer's options once checked, with every default filled in.
 *
 * @example
 * const settings: ConsumerSettings = resolveConsumerOptions({ group: "billing", topic: "orders" });
 * settings.join.sessionTimeoutMs; // 45000
 */
export interface ConsumerSettings {
  group: string;
  join: JoinInput;
  reset: OffsetReset | undefined;
  autoCommitIntervalMs: number | null;
  timers: ConsumerTimers;
}

/** The global timers. */
const GLOBAL_TIMERS: ConsumerTimers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Checks a consumer's options: the group name (INVALID_GROUP_NAME), the join's fields as the
 * server checks them (INVALID_TOPIC_NAME, INVALID_REQUEST), and the client's own (INVALID_USE).
 *
 * @example
 * resolveConsumerOptions({ group: "billing", topic: "orders", sessionTimeoutMs: 10 }); // throws INVALID_REQUEST
 */
export function resolveConsumerOptions(options: ConsumerOptions): ConsumerSettings {
  const group = groupName(options.group);
  const join = parseJoin({
    topic: options.topic,
    ...(options.memberId === undefined ? {} : { memberId: options.memberId }),
    ...(options.assignor === undefined ? {} : { assignor: options.assignor }),
    ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
  });
  const { reset } = options;
  if (reset !== undefined && reset !== "earliest" && reset !== "latest") {
    throw new EdgelogClientError("INVALID_USE", 'reset must be "earliest" or "latest"');
  }
  const intervalMs = options.autoCommitIntervalMs ?? AUTO_COMMIT_INTERVAL_MS;
  if (!Number.isInteger(intervalMs) || intervalMs < AUTO_COMMIT_INTERVAL_MS_MIN || intervalMs > AUTO_COMMIT_INTERVAL_MS_MAX) {
    throw new EdgelogClientError(
      "INVALID_USE",
      `autoCommitIntervalMs must be a whole number from ${AUTO_COMMIT_INTERVAL_MS_MIN} to ${AUTO_COMMIT_INTERVAL_MS_MAX}`,
    );
  }
  return {
    group,
    join,
    reset,
    autoCommitIntervalMs: options.autoCommit === false ? null : intervalMs,
    timers: options.timers ?? GLOBAL_TIMERS,
  };
}
