/**
 * The bounds of a group consumer (client.consumer): how often it auto-commits, how long it waits
 * for a record in flight when a partition is taken away or the consumer stops, and how long a
 * `leave` may take. Each is a named constant, never Infinity.
 *
 * @example
 * client.consumer({ group: "billing", topic: "orders", autoCommitIntervalMs: AUTO_COMMIT_INTERVAL_MS });
 */

/**
 * How often processed offsets are committed by default (Kafka's auto.commit.interval.ms): at most
 * this long after a record was processed, its next offset is committed. It bounds what a
 * rebalance others cause can make the group process twice (PROTOCOL.md GROUP-12).
 *
 * @example
 * client.consumer({ group, topic, autoCommitIntervalMs: AUTO_COMMIT_INTERVAL_MS }); // the default
 */
export const AUTO_COMMIT_INTERVAL_MS = 5_000;

/**
 * The shortest auto-commit interval a consumer takes (a commit is a request: never a tight loop).
 *
 * @example
 * client.consumer({ group, topic, autoCommitIntervalMs: 10 }); // throws INVALID_USE
 */
export const AUTO_COMMIT_INTERVAL_MS_MIN = 100;

/**
 * The longest auto-commit interval a consumer takes.
 *
 * @example
 * client.consumer({ group, topic, autoCommitIntervalMs: AUTO_COMMIT_INTERVAL_MS_MAX });
 */
export const AUTO_COMMIT_INTERVAL_MS_MAX = 300_000;

/**
 * How long a rebalance or `stop()` waits for the `eachRecord` call in flight on a partition that is
 * taken away before it commits and goes on without it (a record still running then is not
 * committed: the next owner processes it again).
 *
 * @example
 * await consumer.stop(); // waits at most REVOKE_WAIT_MS_MAX for the records in flight
 */
export const REVOKE_WAIT_MS_MAX = 30_000;

/**
 * How long `stop()` waits for the server's `left` before it closes the group socket anyway (the
 * close removes the member too, PROTOCOL.md GSOCKET-6).
 *
 * @example
 * await consumer.stop(); // resolves within REVOKE_WAIT_MS_MAX + LEAVE_WAIT_MS_MAX plus a commit
 */
export const LEAVE_WAIT_MS_MAX = 10_000;

/**
 * The fraction of the session timeout between two pings on the group socket (Kafka keeps its
 * heartbeat interval at most a third of session.timeout.ms), so two pings can be late before the
 * session expires.
 *
 * @example
 * const pingMs = Math.floor(sessionTimeoutMs / SESSION_PINGS_MIN); // 15 s for the 45 s default
 */
export const SESSION_PINGS_MIN = 3;
