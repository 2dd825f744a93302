/**
 * One alarm step of a processor partition: read a bounded batch of the input from the stored
 * position, run the operators (and the window), append the output to each output partition as
 * an idempotent producer whose id is the processor partition's and whose sequence continues from
 * the stored one, and only then store the new position, sequences and windows together. A crash
 * anywhere before that store replays the step: it reads the same records, computes the same
 * output with the same sequences, and each append it repeats is recognised as a retry and
 * appends nothing (PRODUCER-3), so the output holds each record once (PROC-3).
 *
 * Rules: PROTOCOL.md PROC-2, PROC-3, PROC-4.
 *
 * @example
 * const { more } = await runStep({ env, definition, partition: 0, state, nowMs, transaction });
 */
import type { FetchedRecord, RecordInput } from "../../client/protocol/index.ts";
import { parseProduceRequest, partitionForKey } from "../../client/protocol/index.ts";
import type { Env } from "../env.ts";
import { mirrorGroupOffsets } from "../group-offsets.ts";
import { readPartition } from "../operations.ts";
import { produce } from "../produce.ts";
import { invariant } from "../result.ts";
import { getTopic } from "../topics.ts";
import { applyOperators, PROCESSOR_BATCH_RECORDS_MAX, type ProcessorDefinition, type StreamRecord } from "./processor-definition.ts";
import type { ProcessorState, StepChanges, StepSnapshot } from "./processor-state.ts";
import { aggregateWindows, type WindowTotals } from "./windows.ts";

/** The most bytes of input one step reads. */
const STEP_READ_BYTES_MAX = 1_048_576;

/**
 * What a step needs.
 *
 * @example
 * const step: StepInput = { env, definition, partition: 0, state, nowMs: clock.now(), transaction: (body) => ctx.storage.transactionSync(body) };
 */
export interface StepInput {
  env: Env;
  definition: ProcessorDefinition;
  partition: number;
  state: ProcessorState;
  nowMs: number;
  transaction: (body: () => void) => void;
}

/**
 * The idempotent producer id of a processor partition (NAME-4: at most 128 characters).
 *
 * @example
 * processorProducerId("views", 2); // "processor.views.2"
 */
export function processorProducerId(name: string, partition: number): string {
  return `processor.${name}.${partition}`;
}

/**
 * The consumer group a processor commits its input positions under (PROC-4).
 *
 * @example
 * processorGroup("views"); // "processor.views"
 */
export function processorGroup(name: string): string {
  return `processor.${name}`;
}

/** The output records of a batch, and what the windows did. */
function transform(definition: ProcessorDefinition, records: readonly FetchedRecord[], snapshot: StepSnapshot) {
  const { streamTimeMs } = snapshot;
  const kept: StreamRecord[] = [];
  for (const record of records) {
    const out = applyOperators(definition.operators ?? [], record);
    if (out !== null) kept.push(out);
  }
  if (definition.window === undefined) {
    const output: RecordInput[] = kept.map(({ key, value, headers, timestamp }) => ({ key, value, headers, timestamp }));
    return { output, touched: [] as WindowTotals[], closed: [] as WindowTotals[], late: 0, streamTimeMs };
  }
  const step = aggregateWindows(definition.window, snapshot.windows, streamTimeMs, kept);
  return { output: step.emitted, touched: step.touched, closed: step.closed, late: step.late, streamTimeMs: step.streamTimeMs };
}

/** Appends `output` to the output topic, per partition, as the processor partition's producer. */
async function appendOutput(input: StepInput, snapshot: StepSnapshot, output: readonly RecordInput[]): Promise<Map<number, number>> {
  const { env, definition, partition } = input;
  const meta = await getTopic(env, definition.output);
  const producerId = processorProducerId(definition.name, partition);
  const shares = new Map<number, RecordInput[]>();
  for (const record of output) {
    const target = record.key == null ? partitionForKey(producerId, meta.partitions) : partitionForKey(record.key, meta.partitions);
    const share = shares.get(target);
    if (share) share.push(record);
    else shares.set(target, [record]);
  }
  const sequences = new Map<number, number>();
  for (const target of [...shares.keys()].sort((a, b) => a - b)) {
    const records = shares.get(target) ?? [];
    const sequence = snapshot.sequences.get(target) ?? 0;
    const parsed = parseProduceRequest({ records, producer: { id: producerId, epoch: 0, sequence } });
    // A replayed step repeats this request exactly: the partition answers it as a retry (PRODUCER-3).
    await produce(env, definition.output, parsed, target, null);
    sequences.set(target, sequence + records.length);
  }
  return sequences;
}

/**
 * What a step did: `more` says the input had more records than it read, `watching` that it found
 * the input caught up and is registered to be woken by its next append (PROC-7).
 *
 * @example
 * const outcome: StepOutcome = { more: false, read: 0, watching: true };
 */
export interface StepOutcome {
  more: boolean;
  read: number;
  watching: boolean;
}

/**
 * The name of a processor partition's object, as `idFromName` takes it.
 *
 * @example
 * processorObjectName("views", 2); // "views/2"
 */
export function processorObjectName(name: string, partition: number): string {
  return `${name}/${partition}`;
}

/**
 * Runs one step (see StepOutcome).
 *
 * @example
 * const { more, read, watching } = await runStep(input);
 */
export async function runStep(input: StepInput): Promise<StepOutcome> {
  const { env, definition, partition, state } = input;
  const snapshot = state.snapshot();
  const { inputOffset } = snapshot;
  const batchRecords = definition.batchRecords ?? PROCESSOR_BATCH_RECORDS_MAX;
  const page = await readPartition(env, definition.input, partition, {
    offset: inputOffset,
    limit: batchRecords,
    maxBytes: STEP_READ_BYTES_MAX,
    maxWaitMs: 0,
    // Caught up, the input partition wakes this object on its next append (PROC-7).
    watch: { kind: "processor", name: processorObjectName(definition.name, partition) },
  });
  const records = JSON.parse(page.recordsJson) as FetchedRecord[];
  invariant(records.length <= batchRecords, "a step reads at most batchRecords");
  const result = transform(definition, records, snapshot);
  const sequences = result.output.length === 0 ? new Map<number, number>() : await appendOutput(input, snapshot, result.output);
  const changes: StepChanges = {
    fromOffset: inputOffset,
    nextOffset: Math.max(inputOffset, page.nextOffset),
    highWatermark: page.highWatermark,
    recordsIn: records.length,
    recordsOut: result.output.length,
    late: result.late,
    sequences,
    touched: result.touched,
    closed: result.closed,
    streamTimeMs: result.streamTimeMs,
    nowMs: input.nowMs,
  };
  state.commitStep(changes, input.transaction);
  if (records.length > 0) {
    // For group tools (lag, describe): the processor's own position is the one above (PROC-4).
    await mirrorGroupOffsets(env, processorGroup(definition.name), [
      { topic: definition.input, partition, offset: changes.nextOffset },
    ]).catch(() => undefined);
  }
  return { more: changes.nextOffset < page.highWatermark, read: records.length, watching: page.watching === true };
}
