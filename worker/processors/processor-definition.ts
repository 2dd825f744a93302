/**
 * A stream processor as the app declares it: TypeScript deployed with the Worker, reading one
 * topic and writing another, through operators (filter, map, re-key) and optionally a windowed
 * aggregate (count and sum by key over tumbling windows) whose results go to a compacted topic.
 * Registered with `createEdgelog({ processors: [...] })`; run by the Processor object
 * (processor-object.ts), one per processor and input partition.
 *
 * Every function here MUST be deterministic (the same record in, the same records out): a
 * replay after a crash recomputes a step and relies on it producing the same output (PROC-3).
 *
 * @example
 * const views = defineProcessor({
 *   name: "page-views-per-minute",
 *   input: "page-views",
 *   output: "page-view-counts",
 *   operators: [filter((r) => r.key !== null), rekey((r) => String((r.value as { page: string }).page))],
 *   window: { sizeMs: 60_000 },
 * });
 */
import type { FetchedRecord, JsonValue } from "../../client/protocol/index.ts";
import { EdgelogError, groupName, topicName } from "../../client/protocol/index.ts";

/**
 * A record flowing through a processor: the input record, its key, value and headers possibly
 * changed by the operators before.
 *
 * @example
 * const record: StreamRecord = { offset: 7, timestamp: 1_700_000_000_000, key: "a", value: 1, headers: {} };
 */
export type StreamRecord = FetchedRecord;

/**
 * One operator: a record in, the record out (maybe changed) or null to drop it.
 *
 * @example
 * const drop: Operator = () => null;
 */
export type Operator = (record: StreamRecord) => StreamRecord | null;

/**
 * Tumbling windows: count (and sum, when `sum` is given) per key over windows of `sizeMs`,
 * aligned on the epoch, by record timestamp. A window is kept open until the stream time (the
 * highest timestamp seen) passes its end by `graceMs`; a record for a closed window is dropped
 * and counted as late.
 *
 * @example
 * const window: TumblingWindow = { sizeMs: 60_000, graceMs: 5_000, sum: (r) => Number(r.value) };
 */
export interface TumblingWindow {
  sizeMs: number;
  /** How long past its end a window still takes records (default 0). */
  graceMs?: number;
  /** The number each record adds to its window's sum (default: sum stays 0). */
  sum?: (record: StreamRecord) => number;
}

/**
 * What `defineProcessor` takes.
 *
 * @example
 * const definition: ProcessorDefinition = { name: "errors", input: "logs", output: "errors", operators: [filter(isError)] };
 */
export interface ProcessorDefinition {
  /** A name as a group name (NAME-3): its consumer group is `processor.<name>`. */
  name: string;
  input: string;
  output: string;
  operators?: readonly Operator[];
  /** When set, the output is the windows' aggregates, keyed `<key>@<windowStartMs>` (a compacted topic). */
  window?: TumblingWindow;
  /** Input records read per alarm step (default and most: PROCESSOR_BATCH_RECORDS_MAX). */
  batchRecords?: number;
}

/**
 * Input records one alarm step reads at most (also a produce request's size, well under its limit).
 *
 * @example
 * PROCESSOR_BATCH_RECORDS_MAX; // 200
 */
export const PROCESSOR_BATCH_RECORDS_MAX = 200;
/**
 * Open windows one processor partition keeps at most; past it the oldest is closed early.
 *
 * @example
 * PROCESSOR_WINDOWS_OPEN_MAX; // 10_000
 */
export const PROCESSOR_WINDOWS_OPEN_MAX = 10_000;
/**
 * A processor name's most characters, so its producer id `processor.<name>.<partition>` fits NAME-4.
 *
 * @example
 * PROCESSOR_NAME_LENGTH_MAX; // 100
 */
export const PROCESSOR_NAME_LENGTH_MAX = 100;
/**
 * Processors one Worker registers at most.
 *
 * @example
 * PROCESSORS_MAX; // 64
 */
export const PROCESSORS_MAX = 64;
/**
 * The shortest window.
 *
 * @example
 * PROCESSOR_WINDOW_MS_MIN; // 1_000
 */
export const PROCESSOR_WINDOW_MS_MIN = 1_000;

/**
 * Checks a definition and fills its defaults; a bad one throws INVALID_CONFIG at start-up.
 *
 * @example
 * const errors = defineProcessor({ name: "errors", input: "logs", output: "errors", operators: [filter(isError)] });
 */
export function defineProcessor(
  definition: ProcessorDefinition,
): Required<Omit<ProcessorDefinition, "window">> & Pick<ProcessorDefinition, "window"> {
  groupName(definition.name);
  if (definition.name.length > PROCESSOR_NAME_LENGTH_MAX) {
    throw new EdgelogError(
      "INVALID_CONFIG",
      `a processor name has at most ${PROCESSOR_NAME_LENGTH_MAX} characters (its producer id, NAME-4)`,
    );
  }
  topicName(definition.input);
  topicName(definition.output);
  if (definition.input === definition.output)
    throw new EdgelogError("INVALID_CONFIG", `processor ${definition.name} reads and writes one topic`);
  const batchRecords = definition.batchRecords ?? PROCESSOR_BATCH_RECORDS_MAX;
  if (!Number.isInteger(batchRecords) || batchRecords < 1 || batchRecords > PROCESSOR_BATCH_RECORDS_MAX) {
    throw new EdgelogError("INVALID_CONFIG", `processor ${definition.name}: batchRecords must be 1 to ${PROCESSOR_BATCH_RECORDS_MAX}`);
  }
  const window = definition.window;
  if (window !== undefined) {
    const graceMs = window.graceMs ?? 0;
    if (!Number.isInteger(window.sizeMs) || window.sizeMs < PROCESSOR_WINDOW_MS_MIN || !Number.isInteger(graceMs) || graceMs < 0) {
      throw new EdgelogError(
        "INVALID_CONFIG",
        `processor ${definition.name}: window.sizeMs must be an integer >= ${PROCESSOR_WINDOW_MS_MIN}, graceMs >= 0`,
      );
    }
  }
  return { ...definition, operators: definition.operators ?? [], batchRecords };
}

/**
 * Keeps the records `keep` says yes to.
 *
 * @example
 * filter((r) => (r.value as { level: string }).level === "error");
 */
export function filter(keep: (record: StreamRecord) => boolean): Operator {
  return (record) => (keep(record) ? record : null);
}

/**
 * Replaces each record's value.
 *
 * @example
 * map((r) => ({ total: (r.value as { price: number; qty: number }).price * 2 }));
 */
export function map(value: (record: StreamRecord) => JsonValue): Operator {
  return (record) => ({ ...record, value: value(record) });
}

/**
 * Replaces each record's key (and so its output partition and, after a window, its group).
 *
 * @example
 * rekey((r) => (r.value as { userId: string }).userId);
 */
export function rekey(key: (record: StreamRecord) => string | null): Operator {
  return (record) => ({ ...record, key: key(record) });
}

/**
 * Runs the operators over one record, in order; null when one dropped it.
 *
 * @example
 * applyOperators([filter((r) => r.key !== null)], record); // the record, or null
 */
export function applyOperators(operators: readonly Operator[], record: StreamRecord): StreamRecord | null {
  let current: StreamRecord | null = record;
  for (const operator of operators) {
    if (current === null) return null;
    current = operator(current);
  }
  return current;
}
