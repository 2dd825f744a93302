/**
 * What `client.subscribe` takes and gives: its options (where to start, which partitions, a
 * group, a name), the record a subscriber receives, and the callback's shape. The rules behind
 * `from` and `name` are start-plan.ts's; the subscription itself is subscription.ts.
 *
 * @example
 * const options: SubscribeOptions = { from: "cached" };
 * client.subscribe("feed", options, (record: TopicRecord) => show(record.value));
 */
import type { FetchedRecord, JsonValue } from "./protocol/index.ts";
import type { SubscribeFrom } from "./start-plan.ts";

/**
 * A delivered record: the stored record and where it came from, its value typed `T` (any JSON by
 * default; a typed topic's value type, or the schema's output, otherwise).
 *
 * @example
 * client.subscribe("orders", {}, (r: TopicRecord) => console.log(r.topic, r.partition, r.offset, r.key, r.value));
 * client.subscribe<Order>("orders", {}, (r: TopicRecord<Order>) => console.log(r.value.qty));
 */
export type TopicRecord<T = JsonValue> = Omit<FetchedRecord, "value"> & { value: T; topic: string; partition: number };

/**
 * What a subscriber's callback may be: it may return a promise, awaited before the next record of its partition.
 *
 * @example
 * const onRecord: RecordCallback = async (record) => { await db.save(record); };
 * const onOrder: RecordCallback<Order> = (record) => total += record.value.qty;
 */
export type RecordCallback<T = JsonValue> = (record: TopicRecord<T>) => void | Promise<void>;

/**
 * Turns a stored record into the one delivered (a typed topic's schema, run on incoming values).
 * It throws or rejects (an EdgelogClientError: SCHEMA_VALIDATION_FAILED, SCHEMA_FAILED) for a
 * record it refuses: that record is reported to the client's `onError` and skipped, and counts as
 * delivered (the position moves past it).
 *
 * @example
 * const decode: RecordDecoder<Order> = (record) => ({ ...record, value: parseOrder(record.value) });
 */
export type RecordDecoder<T> = (record: TopicRecord) => TopicRecord<T> | Promise<TopicRecord<T>>;

/**
 * How to subscribe.
 *
 * @example
 * client.subscribe("orders", { partitions: [0, 1], from: { timestamp: Date.now() - 3_600_000 } }, show);
 * client.subscribe("orders", { group: "billing", from: "committed", reset: "earliest" }, bill);
 * client.subscribe("orders", { from: "cached" }, show); // the cached records at once, then the rest
 * client.subscribe("orders", { name: "notifier", from: "latest" }, notifyOnce); // this device's cursor
 */
export interface SubscribeOptions {
  /** Which partitions (default: all of the topic's). */
  partitions?: number[];
  /**
   * Where to start when there is no stored position (default "earliest"). "cached" (client-only)
   * replays every cached record of each partition and then resumes at the server from the cached
   * run's end; with nothing cached it is "earliest".
   */
  from?: SubscribeFrom;
  /** The consumer group: needed for `from: "committed"` and `sub.commit()`. */
  group?: string;
  /** For "committed" when the group has no commit: "latest" (default, as Kafka) or "earliest". */
  reset?: "earliest" | "latest";
  /**
   * Stores this subscription's position per partition under this name, in this database, to
   * resume there next time: a cursor of this device, shared by every tab on the database (two tabs
   * with one name share one position, which only moves forward), for work to do once per device.
   * `from` applies only where no position is stored yet.
   */
  name?: string;
}
