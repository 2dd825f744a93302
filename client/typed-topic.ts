/**
 * A typed topic: a handle on one topic whose values have one type, made by `client.topic`. Typed
 * by a type argument alone (`client.topic<Order>("orders")`: types only, nothing checked at run
 * time) or by a Standard Schema (`client.topic("orders", { schema })`: zod, valibot, arktype, ...).
 *
 * With a schema, `produce` and `enqueue` take the schema's input type and validate the value at
 * enqueue, before anything is queued or sent, offline too: a bad value rejects at once with
 * SCHEMA_VALIDATION_FAILED (a SchemaValidationError naming the first failing path), and the
 * schema's output (defaults filled, transforms applied) is what is queued. Subscribers get the
 * schema's output type. By default (`incoming: "validate"`) each incoming value is run through the
 * schema too, because anyone with write access (another app, an older version, the HTTP API) can
 * produce to the topic: a value it refuses is never delivered and never silently dropped, it is
 * reported to `client.onError` as SCHEMA_VALIDATION_FAILED with its topic, partition and offset,
 * and counts as delivered (the subscription moves past it, as after CALLBACK_FAILED). A schema
 * whose output is not a valid input again (a transform that changes the type) must say
 * `incoming: "trust"`: values are then delivered as stored, typed as the output.
 *
 * @example
 * const orders = client.topic("orders", { schema: z.object({ id: z.string(), qty: z.number().int().default(1) }) });
 * await orders.produce({ key: "alice", value: { id: "o-1" } }); // queued as { id: "o-1", qty: 1 }
 * orders.subscribe({ from: "earliest" }, (record) => console.log(record.value.qty)); // a number
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { EdgelogClientError } from "./local-errors.ts";
import type { ProduceRecord, Queued } from "./producer.ts";
import type { JsonValue, RecordPosition } from "./protocol/index.ts";
import { checkValue, isStandardSchema } from "./schema-check.ts";
import type { RecordCallback, RecordDecoder, SubscribeOptions, TopicRecord } from "./subscribe-options.ts";
import type { Subscription } from "./subscription.ts";

/**
 * How `client.topic` types a topic by a schema.
 *
 * @example
 * const options: TopicOptions<{ id: string }, { id: string }> = { schema: z.object({ id: z.string() }) };
 * client.topic("orders", { schema: v.object({ id: v.string() }), incoming: "trust" });
 */
export interface TopicOptions<In, Out> {
  /** Any Standard Schema v1 (zod, valibot, arktype, ...); its output must be JSON (a type error otherwise). */
  schema: StandardSchemaV1<In, Out>;
  /**
   * Whether subscriptions run incoming values through the schema: "validate" (default; a refused
   * value is reported and skipped) or "trust" (delivered as stored).
   */
  incoming?: "validate" | "trust";
}

/**
 * What a typed topic needs from its client (the client's own enqueue and subscribe).
 *
 * @example
 * const access: TopicAccess = { enqueue: (topic, record, schema) => ..., subscribe: (topic, options, callback, decode) => ... };
 */
export interface TopicAccess {
  enqueue(topic: string, record: ProduceRecord<unknown>, schema: StandardSchemaV1 | null): Promise<Queued>;
  subscribe<T>(
    topic: string,
    options: SubscribeOptions,
    callback: RecordCallback<T> | undefined,
    decode?: RecordDecoder<T>,
  ): Subscription<T>;
}

/**
 * One topic with typed values: `T` what subscribers get, `In` what `produce` takes (they differ
 * only when a schema transforms). Made by `client.topic`.
 *
 * @example
 * const orders: TypedTopic<Order> = client.topic<Order>("orders");
 * await orders.produce({ key: "alice", value: { id: "o-1", qty: 2 } });
 * for await (const record of orders.subscribe({ from: "earliest" })) total += record.value.qty;
 */
export class TypedTopic<T = JsonValue, In = T> {
  /** The topic's name. */
  readonly name: string;
  /** The schema values are checked with, or null (types only). */
  readonly schema: StandardSchemaV1<In, T> | null;
  private readonly access: TopicAccess;
  private readonly decode: RecordDecoder<T> | undefined;

  /** @internal The client makes it (`client.topic`). */
  constructor(access: TopicAccess, name: string, options: Partial<TopicOptions<In, T>> = {}) {
    const { schema, incoming = "validate" } = options;
    if (schema !== undefined && !isStandardSchema(schema)) {
      throw new EdgelogClientError(
        "INVALID_USE",
        "schema must be a Standard Schema v1 (zod, valibot, arktype, ...): it has no `~standard.validate`",
      );
    }
    if (incoming !== "validate" && incoming !== "trust")
      throw new EdgelogClientError("INVALID_USE", 'incoming must be "validate" or "trust"');
    this.access = access;
    this.name = name;
    this.schema = schema ?? null;
    this.decode = schema === undefined || incoming === "trust" ? undefined : schemaDecoder(schema);
  }

  /** Validates (with a schema), queues and resolves with the record's position once the server acknowledged it. */
  async produce(record: ProduceRecord<In>): Promise<RecordPosition> {
    return (await this.enqueue(record)).delivered;
  }

  /**
   * Validates (with a schema) and queues; resolves once the record is in the outbox, with its
   * acknowledgement as `delivered`. A refused value rejects SCHEMA_VALIDATION_FAILED, queueing nothing.
   */
  enqueue(record: ProduceRecord<In>): Promise<Queued> {
    return this.access.enqueue(this.name, record, this.schema as StandardSchemaV1 | null);
  }

  /** Subscribes to the topic (as `client.subscribe`), with values typed `T` (and checked, with a schema: see the module). */
  subscribe(options?: SubscribeOptions | RecordCallback<T>, callback?: RecordCallback<T>): Subscription<T> {
    const opts = typeof options === "function" ? {} : (options ?? {});
    const onRecord = typeof options === "function" ? options : callback;
    return this.access.subscribe(this.name, opts, onRecord, this.decode);
  }
}

/** Runs each incoming value through `schema`; the delivered record carries its output. */
function schemaDecoder<T>(schema: StandardSchemaV1<unknown, T>): RecordDecoder<T> {
  return (record: TopicRecord) => {
    const where = { topic: record.topic, partition: record.partition, offset: record.offset };
    const output = checkValue(schema, record.value, where);
    if (!(output instanceof Promise)) return { ...record, value: output };
    return output.then((value) => ({ ...record, value }));
  };
}
