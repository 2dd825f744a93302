/**
 * One alarm step of a connector: every partition of its topic whose next attempt is due reads one
 * batch from its position (or the batch it is retrying) and hands it to the sink; the partitions
 * run side by side, each strictly serial (batch N+1 is read only after batch N was delivered or
 * dead-lettered), so one failing partition waits on its own backoff and the others go on. The
 * position moves only after the sink answered success or the dead-letter append was acknowledged,
 * and is then mirrored to the consumer group `connector.<name>`. The step answers when it needs
 * to run again: a partition that was caught up is due again after CONNECTOR_IDLE_BACKSTOP_MS when
 * the partition took the connector as a watcher (its next append wakes the connector, PROC-7),
 * else after CONNECTOR_IDLE_MS.
 *
 * Rules: PROTOCOL.md CONNECT-1, CONNECT-3, CONNECT-4, CONNECT-7, PROC-7.
 *
 * @example
 * const dueMs = await runConnectorStep({ env, name, config, state, nowMs });
 */
import {
  backoffDelayMs,
  CONNECTOR_BATCH_BYTES_MAX,
  type ConnectorConfig,
  connectorGroup,
  EdgelogError,
  type FetchedRecord,
} from "../../client/protocol/index.ts";
import type { Env } from "../env.ts";
import { mirrorGroupOffsets } from "../group-offsets.ts";
import { readPartition } from "../operations.ts";
import type { LogPage } from "../partition/log-pages.ts";
import { asEdgelogError } from "../result.ts";
import type { ConnectorState, PartitionPosition } from "./connector-state.ts";
import { appendDeadLetters } from "./dead-letter.ts";
import { type Batch, sinkFor } from "./sink.ts";

/**
 * The wait before reading a caught-up partition again when it did not take the connector as a
 * watcher (PARTITION_WATCHERS_MAX reached).
 *
 * @example
 * CONNECTOR_IDLE_MS; // 1_000
 */
export const CONNECTOR_IDLE_MS = 1_000;
/**
 * The wait before reading a caught-up partition again when it will wake the connector on its next
 * append (PROC-7): a backstop for a wake that was lost.
 *
 * @example
 * CONNECTOR_IDLE_BACKSTOP_MS; // 60_000
 */
export const CONNECTOR_IDLE_BACKSTOP_MS = 60_000;
/**
 * The wait after a failure that is not a delivery's (reading the topic, appending dead letters).
 *
 * @example
 * CONNECTOR_RETRY_MS; // 5_000
 */
export const CONNECTOR_RETRY_MS = 5_000;

/**
 * What a step needs.
 *
 * @example
 * const input: ConnectorStepInput = { env, name: "orders-hook", config, state, nowMs: clock.now() };
 */
export interface ConnectorStepInput {
  env: Env;
  name: string;
  config: ConnectorConfig;
  state: ConnectorState;
  nowMs: number;
}

/** A page from `offset`, or from the log's start when `offset` is no longer stored (retention, deletion). */
async function readFrom(input: ConnectorStepInput, partition: number, offset: number): Promise<{ page: LogPage; skipped: boolean }> {
  const { env, config, name } = input;
  // Caught up, the partition wakes the connector on its next append (PROC-7).
  const watch = { kind: "connector", name } as const;
  const request = { limit: config.batchRecordsMax, maxBytes: CONNECTOR_BATCH_BYTES_MAX, maxWaitMs: 0, watch };
  try {
    return { page: await readPartition(env, config.topic, partition, { ...request, offset }), skipped: false };
  } catch (error) {
    if (!(error instanceof EdgelogError) || error.code !== "OFFSET_OUT_OF_RANGE") throw error;
    return { page: await readPartition(env, config.topic, partition, { ...request, offset: "earliest" }), skipped: true };
  }
}

/** The batch to deliver now (noted as pending before its first attempt), or none and whether the partition watches for the connector. */
async function nextBatch(
  input: ConnectorStepInput,
  position: PartitionPosition,
): Promise<{ batch: Batch; more: boolean } | { batch: null; watching: boolean }> {
  const { state, name, config, nowMs } = input;
  const { partition, pending } = position;
  const from = pending?.firstOffset ?? position.nextOffset;
  const { page, skipped } = await readFrom(input, partition, from);
  let records = JSON.parse(page.recordsJson) as FetchedRecord[];
  let nextOffset = page.nextOffset;
  if (skipped) {
    state.skipped(partition, from, page.logStartOffset, nowMs);
  } else if (pending !== null) {
    records = records.filter((record) => record.offset <= pending.lastOffset);
    nextOffset = pending.nextOffset;
  }
  const first = records[0];
  const last = records[records.length - 1];
  if (first === undefined || last === undefined) {
    state.caughtUp(partition, skipped ? page.logStartOffset : nextOffset, page.highWatermark);
    return { batch: null, watching: page.watching === true };
  }
  if (skipped || pending === null)
    state.begin(partition, { firstOffset: first.offset, lastOffset: last.offset, nextOffset }, page.highWatermark);
  const deliveryId = `${name}/${partition}/${first.offset}-${last.offset}`;
  return { batch: { connector: name, topic: config.topic, partition, deliveryId, records }, more: nextOffset < page.highWatermark };
}

/** After a failed attempt: back off, or dead-letter the batch once attemptsMax attempts failed. */
async function afterFailure(input: ConnectorStepInput, position: PartitionPosition, batch: Batch, error: string): Promise<number> {
  const { state, config, nowMs } = input;
  const attempts = position.attempts + 1;
  const dueMs = nowMs + backoffDelayMs(config, attempts);
  state.failed(position.partition, error, nowMs, dueMs, true);
  if (attempts < config.attemptsMax || config.deadLetterTopic === null) return dueMs;
  return deadLetter(input, position.partition, batch, error);
}

async function deadLetter(input: ConnectorStepInput, partition: number, batch: Batch, error: string): Promise<number> {
  const { env, state, config, nowMs } = input;
  if (config.deadLetterTopic === null) return nowMs + config.backoffMaxMs;
  await appendDeadLetters(env, config.deadLetterTopic, batch, error);
  state.deadLettered(partition, batch.records.length);
  return nowMs;
}

/** One partition's share of the step; answers when it is due again. */
async function stepPartition(input: ConnectorStepInput, position: PartitionPosition): Promise<number> {
  const { state, config, nowMs } = input;
  if (position.nextAttemptMs !== null && position.nextAttemptMs > nowMs) return position.nextAttemptMs;
  try {
    const next = await nextBatch(input, position);
    if (next.batch === null) return nowMs + (next.watching ? CONNECTOR_IDLE_BACKSTOP_MS : CONNECTOR_IDLE_MS);
    const { batch, more } = next;
    // As the read left it (a skip over removed records starts the new batch's attempts at 0).
    const current = state.partition(position.partition);
    // The attempts ran out and the dead-letter append failed before: append it, do not send again.
    if (current.attempts >= config.attemptsMax && config.deadLetterTopic !== null) {
      return await deadLetter(input, position.partition, batch, current.lastError ?? `${config.attemptsMax} attempts failed`);
    }
    const outcome = await sinkFor(config, { nowMs, env: input.env }).deliver(batch);
    if (!outcome.ok) return await afterFailure(input, current, batch, outcome.error);
    state.succeeded(position.partition, batch.records.length, nowMs);
    return more ? nowMs : nowMs + CONNECTOR_IDLE_MS;
  } catch (error) {
    const failure = asEdgelogError(error, `connector ${input.name} partition ${position.partition}`);
    const dueMs = nowMs + CONNECTOR_RETRY_MS;
    state.failed(position.partition, `${failure.code}: ${failure.message}`, nowMs, dueMs, false);
    return dueMs;
  }
}

/** Mirrors every moved position to the consumer group (for group tools; the object's own position is the one that counts). */
async function mirrorPositions(input: ConnectorStepInput): Promise<void> {
  const { env, name, config, state } = input;
  const moved = state.positions().filter((p) => p.nextOffset > 0 && p.nextOffset !== p.groupOffset);
  if (moved.length === 0) return;
  const offsets = moved.map((p) => ({ topic: config.topic, partition: p.partition, offset: p.nextOffset }));
  try {
    await mirrorGroupOffsets(env, connectorGroup(name), offsets);
  } catch {
    return; // retried after the next step
  }
  for (const p of moved) state.mirrored(p.partition, p.nextOffset);
}

/**
 * Runs one step over every partition; answers the earliest time a partition is due again.
 *
 * @example
 * const dueMs = await runConnectorStep(input); // nowMs when a partition has more to deliver
 */
export async function runConnectorStep(input: ConnectorStepInput): Promise<number> {
  const dues = await Promise.all(input.state.positions().map((position) => stepPartition(input, position)));
  await mirrorPositions(input);
  return dues.length === 0 ? input.nowMs + CONNECTOR_IDLE_MS : Math.min(...dues);
}
