/**
 * The one door every produced record passes before the outbox (client.enqueue, typed topics, and
 * so every tab: a follower's records are validated in the tab that produced them, then written to
 * the shared outbox, which the leader only sends): the record's value is run through its topic's
 * schema, if any, once, and the schema's output is what is queued. Records reach the producer in
 * call order even when a schema answers asynchronously: a record whose schema answered waits for
 * the records called before it. A refused value rejects as soon as its schema answers, queues
 * nothing and holds nobody up. With no schema and nothing waiting, a record goes straight through
 * (the path of an untyped client is unchanged).
 *
 * @example
 * const order = new EnqueueOrder();
 * const queued = await order.run({ topic: "orders", record, schema }, (checked) => producer.enqueue("orders", checked));
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { EdgelogClientError } from "./local-errors.ts";
import { SCHEMA_PENDING_RECORDS_MAX } from "./local-limits.ts";
import type { ProduceRecord } from "./producer.ts";
import { checkValue } from "./schema-check.ts";

/**
 * A record to queue and the schema its value must pass (null: none).
 *
 * @example
 * const entry: OrderedRecord = { topic: "orders", record: { key: "a", value: { qty: 1 } }, schema: null };
 */
export interface OrderedRecord {
  topic: string;
  record: ProduceRecord<unknown>;
  schema: StandardSchemaV1 | null;
}

/**
 * Checks records against their schemas and hands them on in call order (see the module).
 *
 * @example
 * const order = new EnqueueOrder();
 * void order.run(first, queue); // an async schema: waits for its answer
 * void order.run(second, queue); // no schema: still queued after `first`
 */
export class EnqueueOrder {
  /** Resolves once every record called so far was handed on or refused. */
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  /** Checks `entry`, then calls `queue` with the record to queue, after the records called before it. */
  run<R>(entry: OrderedRecord, queue: (record: ProduceRecord) => Promise<R>): Promise<R> {
    if (this.waiting >= SCHEMA_PENDING_RECORDS_MAX) {
      throw new EdgelogClientError("OUTBOX_FULL", `${SCHEMA_PENDING_RECORDS_MAX} records wait for their schema's answer`);
    }
    const checked = checkRecord(entry);
    if (this.waiting === 0 && !(checked instanceof Promise)) return queue(checked);
    this.waiting++;
    const before = this.tail;
    let handedOn = (): void => undefined;
    this.tail = new Promise<void>((resolve) => {
      handedOn = resolve;
    });
    const done = (): void => {
      this.waiting--;
      handedOn();
    };
    return Promise.resolve(checked).then(
      async (record) => {
        await before;
        done();
        return queue(record);
      },
      (error: unknown) => {
        // Refused: the caller hears it now; the turn is given up once the records before it went.
        void before.then(done);
        throw error;
      },
    );
  }
}

/**
 * The record to queue: `entry.record` itself without a schema, else with the schema's output as
 * its value (synchronously when the schema answered so). Throws (or rejects)
 * SCHEMA_VALIDATION_FAILED or SCHEMA_FAILED. A record that is not an object is left to the
 * producer's own check (INVALID_RECORD).
 *
 * @example
 * const record = await checkRecord({ topic: "orders", record: { value: { qty: "1" } }, schema: coercing });
 */
export function checkRecord(entry: OrderedRecord): ProduceRecord | Promise<ProduceRecord> {
  const { record, schema, topic } = entry;
  if (schema === null || typeof record !== "object" || record === null) return record as ProduceRecord;
  const output = checkValue(schema, record.value, { topic });
  if (!(output instanceof Promise)) return { ...record, value: output } as ProduceRecord;
  return output.then((value) => ({ ...record, value }) as ProduceRecord);
}
