/**
 * Type-level tests of typed topics, checked by `tsc --noEmit -p test/node` (never run): each
 * `@ts-expect-error` line must be an error, or tsc fails with "Unused '@ts-expect-error'
 * directive". They prove that a wrong value type is refused by produce, that a subscriber cannot
 * read a field its type lacks, that value types JSON cannot carry (a Date, a Map, a function or a
 * bigint inside the value) are refused, and that a schema's input types produce and its output
 * types subscribers. The lines without the directive prove that what should compile does,
 * untyped code included.
 *
 * @example
 * // npx tsc --noEmit -p test/node
 */
import * as v from "valibot";
import { z } from "zod";
import {
  createClient,
  type JsonValue,
  type ProduceRecord,
  type RecordCallback,
  type Subscription,
  type TopicRecord,
  type TypedTopic,
} from "../../client/index.ts";

interface Order {
  id: string;
  qty: number;
  note?: string;
  lines: { sku: string; prices: readonly number[] }[];
}

/** Never called: only type-checked. */
export async function typedTopicTypes(): Promise<void> {
  const client = createClient({ url: "http://127.0.0.1:9", cache: "memory" });
  const order: Order = { id: "o-1", qty: 1, lines: [{ sku: "b", prices: [1] }] };

  // A typed handle by a type argument.
  const orders: TypedTopic<Order> = client.topic<Order>("orders");
  await orders.produce({ key: "a", value: order });
  // @ts-expect-error -- qty must be a number
  await orders.produce({ value: { ...order, qty: "1" } });
  // @ts-expect-error -- id is missing
  await orders.produce({ value: { qty: 1, lines: [] } });
  const sub: Subscription<Order> = orders.subscribe({ from: "earliest" }, (record) => {
    const qty: number = record.value.qty;
    // @ts-expect-error -- an Order has no `price`
    void record.value.price;
    // @ts-expect-error -- id is a string, not a number
    const id: number = record.value.id;
    void qty;
    void id;
  });
  for await (const record of sub) {
    const sku: string | undefined = record.value.lines[0]?.sku;
    // @ts-expect-error -- the iterator's records are typed too
    void record.value.total;
    void sku;
  }

  // The plain calls, typed.
  await client.produce<Order>("orders", { value: order });
  // @ts-expect-error -- a wrong value type on client.produce<T>
  await client.produce<Order>("orders", { value: { id: 1 } });
  const plain = client.subscribe<Order>("orders", {}, (record: TopicRecord<Order>) => void record.value.id);
  const typedCallback: RecordCallback<Order> = (record) => void record.value.qty;
  client.subscribe("orders", {}, typedCallback);
  void plain;

  // Value types JSON cannot carry.
  // @ts-expect-error -- a Date is not JSON (it would come back a string)
  client.topic<{ at: Date }>("orders");
  // @ts-expect-error -- nor a Map
  client.topic<{ seen: Map<string, number> }>("orders");
  // @ts-expect-error -- nor a function inside the value
  client.topic<{ run: () => void }>("orders");
  // @ts-expect-error -- nor a bigint inside the value
  await client.produce("orders", { value: { n: 1n } });
  // @ts-expect-error -- nor a required property that may be undefined (JSON drops it)
  client.topic<{ a: string | undefined }>("orders");
  // @ts-expect-error -- nor undefined as the whole value
  await client.produce("orders", { value: undefined });

  // Untyped code compiles unchanged: values are JsonValue.
  const untyped = client.subscribe("orders", { from: "earliest" }, (record) => {
    const value: JsonValue = record.value;
    void value;
  });
  const anyRecord: ProduceRecord = { key: "k", value: { free: ["form", 1, null] } };
  await client.produce("orders", anyRecord);
  await client.enqueue("orders", { value: 1 });
  const defaulted: TypedTopic = client.topic("orders");
  await defaulted.produce({ value: [1, "two", { three: null }] });
  void untyped;

  // A schema: produce takes its input, subscribers get its output.
  const zodTopic = client.topic("orders", { schema: z.object({ id: z.string(), qty: z.number().default(1) }) });
  await zodTopic.produce({ value: { id: "o-1" } }); // qty has a default: optional on input
  // @ts-expect-error -- id must be a string
  await zodTopic.produce({ value: { id: 1 } });
  zodTopic.subscribe((record) => {
    const qty: number = record.value.qty; // required on output
    void qty;
  });
  const valibotTopic = client.topic("orders", {
    schema: v.object({
      length: v.pipe(
        v.string(),
        v.transform((s) => s.length),
      ),
    }),
    incoming: "trust",
  });
  await valibotTopic.produce({ value: { length: "abc" } });
  // @ts-expect-error -- the input is a string (the output a number)
  await valibotTopic.produce({ value: { length: 3 } });
  valibotTopic.subscribe((record) => {
    const length: number = record.value.length;
    // @ts-expect-error -- the output is a number, not a string
    const text: string = record.value.length;
    void length;
    void text;
  });
  // @ts-expect-error -- a schema whose output is not JSON (a Date)
  client.topic("orders", { schema: z.object({ at: z.date() }) });
  // @ts-expect-error -- incoming is "validate" or "trust"
  client.topic("orders", { schema: z.string(), incoming: "maybe" });

  // A consumer's records carry the type argument too.
  await client.consumer<Order>({ group: "billing", topic: "orders" }).run({
    eachRecord: (record) => {
      const qty: number = record.value.qty;
      // @ts-expect-error -- an Order has no `price`
      void record.value.price;
      void qty;
    },
  });
  // @ts-expect-error -- a Date is not JSON, for a consumer as for a topic
  client.consumer<{ at: Date }>({ group: "billing", topic: "orders" });
  client.close();
}
