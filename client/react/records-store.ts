/**
 * What `useRecords` renders: one subscription (from "cached" by default, so the records this
 * device has show at once, offline too, then the rest live) and the newest `limit` records it
 * delivered, in delivery order (each partition in offset order). The state is frozen and replaced
 * at most once per microtask however many records arrive (a cache replay delivers many at once),
 * so it is the same object between changes, as `useSyncExternalStore` needs. Stores are shared by
 * client, topic and options (shared-refs.ts), so every component showing the same records shares
 * one subscription, and StrictMode's remount keeps it.
 *
 * @example
 * const store = new RecordsStore({ client, topic: "chat", options: { from: "cached" }, limit: 100 });
 * const off = store.listen(() => render(store.state.records));
 * store.close();
 */

import type { EdgelogClient } from "../client.ts";
import type { ClientError } from "../client-events.ts";
import { Listeners } from "../listeners.ts";
import { EdgelogClientError } from "../local-errors.ts";
import type { JsonValue } from "../protocol/index.ts";
import { EdgelogError } from "../protocol/index.ts";
import type { SubscribeOptions, TopicRecord } from "../subscribe-options.ts";
import type { Subscription } from "../subscription.ts";

/**
 * A delivered record whose value has the type `T` (the records hook's type parameter).
 *
 * @example
 * const record: LiveRecord<{ text: string }> = records[0]!;
 * console.log(record.partition, record.offset, record.value.text);
 */
export type LiveRecord<T = JsonValue> = Omit<TopicRecord, "value"> & { readonly value: T };

/**
 * What a records hook renders: the newest records, and the error the subscription ended with.
 *
 * @example
 * const { records, error }: RecordsState<string> = useRecords<string>("chat");
 */
export interface RecordsState<T = JsonValue> {
  /** The newest records (at most the hook's limit), oldest first. */
  readonly records: readonly LiveRecord<T>[];
  /** Why the subscription ended (UNKNOWN_TOPIC, a closed client), or null while it runs. */
  readonly error: ClientError | null;
}

/**
 * What a store subscribes to.
 *
 * @example
 * const spec: RecordsSpec = { client, topic: "chat", options: { from: "cached" }, limit: 100 };
 */
export interface RecordsSpec {
  client: EdgelogClient;
  topic: string;
  options: SubscribeOptions;
  limit: number;
}

/**
 * One subscription's newest records, for React.
 *
 * @example
 * const store = new RecordsStore(spec);
 * useSyncExternalStore((onChange) => store.listen(onChange), () => store.state);
 */
export class RecordsStore {
  readonly spec: RecordsSpec;
  private readonly listeners = new Listeners<void>();
  private readonly subscription: Subscription | null = null;
  /** Delivered since the last state, with older ones; trimmed to `limit` at most every `limit` records. */
  private buffer: TopicRecord[] = [];
  private current: RecordsState = Object.freeze({ records: Object.freeze([]), error: null });
  /** Whether records came since the last state. */
  private added = false;
  private error: ClientError | null = null;
  private scheduled = false;
  private closed = false;

  constructor(spec: RecordsSpec) {
    this.spec = spec;
    try {
      this.subscription = spec.client.subscribe(spec.topic, spec.options, (record) => this.add(record));
      this.subscription.onError((error) => this.end(error));
    } catch (error) {
      this.end(
        error instanceof EdgelogError || error instanceof EdgelogClientError ? error : new EdgelogClientError("INVALID_USE", String(error)),
      );
    }
  }

  /** The records and error now: the same object until they change. */
  get state(): RecordsState {
    return this.current;
  }

  /** Calls `onChange` after each change of `state`; returns its unsubscribe. */
  listen(onChange: () => void): () => void {
    return this.listeners.add(onChange);
  }

  /** A new store for the same records (this one was closed under a component that still wants it). */
  renewed(): RecordsStore {
    return new RecordsStore(this.spec);
  }

  /** Ends the subscription and the listeners. */
  close(): void {
    this.closed = true;
    this.subscription?.close();
    this.listeners.clear();
    this.buffer = [];
  }

  private add(record: TopicRecord): void {
    if (this.closed) return;
    this.buffer.push(record);
    this.added = true;
    // Amortised: the buffer never holds more than twice the limit.
    if (this.buffer.length >= 2 * this.spec.limit) this.buffer.splice(0, this.buffer.length - this.spec.limit);
    this.schedule();
  }

  private end(error: ClientError): void {
    this.error = error;
    this.schedule();
  }

  /** One new state per microtask, however many records came in it. */
  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      if (this.closed) return;
      if (this.buffer.length > this.spec.limit) this.buffer.splice(0, this.buffer.length - this.spec.limit);
      const records = this.added ? Object.freeze(this.buffer.slice()) : this.current.records;
      this.added = false;
      this.current = Object.freeze({ records, error: this.error });
      this.listeners.emit();
    });
  }
}
