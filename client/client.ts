/**
 * The edgelog client: subscriptions that replay the cache and then go live over one socket per
 * partition, an idempotent producer with a persistent outbox, group commits, and an explicit
 * status. This module wires the parts together (cache, links, subscriptions, producer, status,
 * environment); each part lives in its own module.
 *
 * @example
 * const client = createClient({ url: "https://events.example.com" });
 * client.onStatus((status) => banner.textContent = status);
 * const sub = client.subscribe("orders", { from: "earliest" }, (record) => render(record));
 * await client.produce("orders", { key: "alice", value: { item: "book" } });
 * sub.close();
 * client.close();
 */

import type { StandardSchemaV1 } from "@standard-schema/spec";
import { EdgelogAdmin } from "./admin.ts";
import type { EventCache } from "./cache/types.ts";
import { type ClientError, ClientEvents, type StorageStatus } from "./client-events.ts";
import { ClientNetwork } from "./client-network.ts";
import { type ClientOptions, clientCache, clientFetch, clientLinks, clientTables, clientTabs } from "./client-setup.ts";
import type { ConsumerOptions } from "./consumer/consumer-options.ts";
import { consumerContext } from "./consumer/consumer-setup.ts";
import { Consumer } from "./consumer/group-consumer.ts";
import { Credentials } from "./credentials.ts";
import { EnqueueOrder } from "./enqueue-order.ts";
import { browserEnvironment } from "./environment.ts";
import { HttpApi } from "./http-api.ts";
import type { JsonCompatible } from "./json-compatible.ts";
import type { LinkFactory } from "./link.ts";
import { EdgelogClientError } from "./local-errors.ts";
import { PRODUCE_LINGER_MS } from "./local-limits.ts";
import { type OutboxSnapshot, OutboxWatch } from "./outbox-watch.ts";
import { type ProduceRecord, Producer, type Queued, type QueuedRecord } from "./producer.ts";
import type { JsonValue, RecordPosition } from "./protocol/index.ts";
import { EdgelogError, groupName, offsetNumber, parseCommitMetadata, partitionNumber, topicName } from "./protocol/index.ts";
import type { ClientStatus } from "./status.ts";
import { type RecordCallback, type RecordDecoder, type SubscribeOptions, Subscription } from "./subscription.ts";
import type { SubscriptionContext, SubscriptionHandle } from "./subscription-context.ts";
import type { ClientTables } from "./table/client-tables.ts";
import type { Table } from "./table/table.ts";
import type { TabRole, Tabs } from "./tabs/tabs.ts";
import { TopicLookup } from "./topic-lookup.ts";
import { TopicSchemaCheck } from "./topic-schemas.ts";
import { type TopicOptions, TypedTopic } from "./typed-topic.ts";
import { validateSubscribe } from "./validate.ts";

export type { ClientError, ClientOptions, OutboxSnapshot, StorageStatus };

/**
 * A client of one edgelog server (made by `createClient`).
 *
 * @example
 * const client: EdgelogClient = createClient({ url: "https://events.example.com" });
 * console.log(client.status, client.storage);
 */
export class EdgelogClient {
  private readonly options: ClientOptions;
  private readonly events = new ClientEvents();
  private readonly cache: EventCache;
  private readonly http: HttpApi;
  private readonly credentials: Credentials | null;
  private readonly producer: Producer;
  private readonly outboxWatch: OutboxWatch;
  private readonly makeLink: LinkFactory | null;
  private readonly tabs: Tabs | null;
  private readonly network: ClientNetwork;
  private readonly lookup: TopicLookup;
  private readonly subscriptions = new Set<SubscriptionHandle>();
  private readonly tables: ClientTables | null;
  /** The one door to the outbox: schemas run here, records go on in call order (enqueue-order.ts). */
  private readonly order = new EnqueueOrder();
  private readonly stopWatching: () => void;
  private closed = false;

  /** A client with these options, as `createClient(options)` makes it. */
  constructor(options: ClientOptions) {
    this.options = options;
    this.credentials =
      options.auth === undefined
        ? null
        : new Credentials({
            auth: options.auth,
            report: (error) => this.events.reportError(error),
            ...(options.random ? { random: options.random } : {}),
          });
    this.cache = clientCache(options, (error) => this.events.reportError(error), this.credentials);
    this.http = new HttpApi(options.url, clientFetch(options), (reached) => this.network.reached(reached), this.credentials);
    this.tabs = clientTabs(options, this.http, this.credentials);
    this.makeLink = this.tabs?.makeLink ?? clientLinks(options, this.credentials);
    this.tables = clientTables(options, this.credentials);
    const environment = options.environment ?? browserEnvironment();
    const isClosed = (): boolean => this.closed;
    const wakeProducer = (): void => this.producer.wake();
    this.network = new ClientNetwork({ environment, events: this.events, subscriptions: this.subscriptions, isClosed, wakeProducer });
    this.stopWatching = environment.watch((event) => this.network.heard(event));
    const sleep = (ms: number): Promise<void> => this.network.sleep(ms);
    this.lookup = new TopicLookup({ cache: this.cache, http: this.http, events: this.events, sleep, random: options.random, isClosed });
    this.outboxWatch = new OutboxWatch({ cache: this.cache, reportError: (error) => this.events.reportError(error) });
    this.tabs?.onOutbox(() => void this.outboxWatch.changed());
    const schemaCheck = new TopicSchemaCheck({
      cachedTopic: (topic) => this.events.cached("reading topic metadata", () => this.cache.topic(topic), undefined),
      refresh: (topic) => this.lookup.fetchPartitionCount(topic),
    });
    this.producer = new Producer({
      checkSchemas: (topic, encoded) => schemaCheck.check(topic, encoded),
      schemaRefused: (topic, entries) => schemaCheck.refused(topic, entries),
      cache: this.cache,
      http: this.http,
      cachedPartitionCount: (topic) => this.lookup.cachedPartitionCount(topic),
      fetchPartitionCount: (topic) => this.lookup.fetchPartitionCount(topic),
      reportError: (error) => this.events.reportError(error),
      sleep,
      lingerMs: options.lingerMs ?? PRODUCE_LINGER_MS,
      outboxChanged: () => void this.outboxWatch.changed(),
      ...(options.random ? { random: options.random } : {}),
      ...(this.tabs === null ? {} : { passRunner: this.tabs.passRunner }),
    });
    this.network.recompute();
    // A previous session (a reload) may have left records in the outbox: send them now.
    this.producer.wake();
  }

  /** "connecting" | "catching-up" | "live" | "offline" | "closed" (status.ts has the rules). */
  get status(): ClientStatus {
    return this.events.status;
  }

  /** Whether the cache is storing ("ok"), full ("quota-exceeded") or broken ("failed"). */
  get storage(): StorageStatus {
    return this.events.storage;
  }

  /** This tab's part in the shared connection: "solo", "electing", "follower" or "leader" (tabs/tabs.ts). */
  get role(): TabRole {
    return this.tabs?.role ?? "solo";
  }

  /** Calls `listener` on every role change (a follower taking over leads); returns its unsubscribe. */
  onRole(listener: (role: TabRole) => void): () => void {
    return this.tabs?.onRole(listener) ?? (() => undefined);
  }

  /** Calls `listener` on every status change; returns its unsubscribe. */
  onStatus(listener: (status: ClientStatus) => void): () => void {
    return this.events.onStatus(listener);
  }

  /** Calls `listener` on every storage status change; returns its unsubscribe. */
  onStorage(listener: (storage: StorageStatus) => void): () => void {
    return this.events.onStorage(listener);
  }

  /** Calls `listener` with each background error (cache, dropped records, callbacks); returns its unsubscribe. */
  onError(listener: (error: ClientError) => void): () => void {
    return this.events.onError(listener);
  }

  /**
   * Subscribes to a topic (see SubscribeOptions); the callback is optional, the result is also an
   * async iterable. `T` types the values (unchecked: a typed topic's schema checks them).
   */
  subscribe<T extends JsonCompatible<T> = JsonValue>(
    topic: string,
    options?: SubscribeOptions | RecordCallback<T>,
    callback?: RecordCallback<T>,
  ): Subscription<T> {
    const opts = typeof options === "function" ? {} : (options ?? {});
    return this.openSubscription(topic, opts, typeof options === "function" ? options : callback);
  }

  /**
   * A materialized key -> value view of a (compacted) topic, kept in IndexedDB (table/table.ts):
   * readable offline and after a reload, live, shared by tabs. `T` types the values (unchecked).
   * Throws INVALID_USE without an IndexedDB cache or a WebSocket.
   *
   * @example
   * const prices = client.table<number>("prices");
   * prices.onChange(({ key, value }) => render(key, value));
   * console.log(await prices.get("apple"));
   */
  table<T extends JsonCompatible<T> = JsonValue>(topic: string): Table<T> {
    this.ensureOpen();
    topicName(topic);
    if (this.tables === null) throw new EdgelogClientError("INVALID_USE", 'tables live in IndexedDB: use cache: "indexeddb" (the default)');
    const context = this.subscriptionContext(this.linkFactory());
    const table = this.tables.open<T>(topic, context, (closed) => context.released(closed));
    this.subscriptions.add(table);
    return table;
  }

  /** Queues a record and resolves with its position once the server acknowledged it. */
  async produce<T extends JsonCompatible<T> = JsonValue>(topic: string, record: ProduceRecord<T>): Promise<RecordPosition> {
    return (await this.enqueue(topic, record)).delivered;
  }

  /**
   * A typed handle on one topic (typed-topic.ts): by a type argument alone, or by a Standard
   * Schema that checks every produced value at enqueue (and, by default, every incoming one).
   *
   * @example
   * const orders = client.topic<Order>("orders");
   * const checked = client.topic("orders", { schema: z.object({ id: z.string(), qty: z.number() }) });
   */
  topic<T extends JsonCompatible<T> = JsonValue>(name: string): TypedTopic<T>;
  topic<In, Out extends JsonCompatible<Out>>(name: string, options: TopicOptions<In, Out>): TypedTopic<Out, In>;
  topic(name: string, options?: TopicOptions<unknown, JsonValue>): TypedTopic<JsonValue, unknown> {
    this.ensureOpen();
    topicName(name);
    const access = {
      enqueue: (topic: string, record: ProduceRecord<unknown>, schema: StandardSchemaV1 | null) =>
        this.enqueueChecked(topic, record, schema),
      subscribe: <T>(topic: string, opts: SubscribeOptions, onRecord: RecordCallback<T> | undefined, decode?: RecordDecoder<T>) =>
        this.openSubscription(topic, opts, onRecord, decode),
    };
    return new TypedTopic(access, name, options);
  }

  /**
   * Queues a record; resolves once it is safely in the outbox, with its acknowledgement as
   * `delivered`. A bad record (INVALID_RECORD, RECORD_TOO_LARGE, ...) is refused before the cache
   * is touched, so only the outbox write itself can move `storage`.
   */
  enqueue<T extends JsonCompatible<T> = JsonValue>(topic: string, record: ProduceRecord<T>): Promise<Queued> {
    return this.enqueueChecked(topic, record, null);
  }

  /** Through the one door (EnqueueOrder): the schema's check, once, then the producer, in call order. */
  private async enqueueChecked(topic: string, record: ProduceRecord<unknown>, schema: StandardSchemaV1 | null): Promise<Queued> {
    this.ensureOpen();
    return this.order.run({ topic, record, schema }, (checked) => this.queue(topic, checked));
  }

  private async queue(topic: string, record: ProduceRecord): Promise<Queued> {
    try {
      const queued = await this.producer.enqueue(topic, record);
      this.events.setStorage("ok");
      return queued;
    } catch (error) {
      // The producer codes every failure: the record's (the protocol's codes) or the cache's.
      if (error instanceof EdgelogError || error instanceof EdgelogClientError) this.events.noteStorage(error);
      throw error;
    }
  }

  /** Sends everything queued so far; rejects (outbox intact) if the network fails. */
  flush(): Promise<void> {
    this.ensureOpen();
    return this.producer.flush();
  }

  /**
   * Admin calls (create, list, describe and delete topics; describe a group, its offsets and lag;
   * read the processors; manage connectors and HTTP sources) over this client's connection and credentials.
   *
   * @example
   * await client.admin.createTopic("orders", { partitions: 3 });
   */
  get admin(): EdgelogAdmin {
    this.ensureOpen();
    return new EdgelogAdmin(this.http);
  }

  /**
   * A consumer-group member (consumer/group-consumer.ts): `run({ eachRecord })` joins the group,
   * follows its assignments and rebalances, and commits processed offsets fenced by its
   * generation. Its sockets are its own (in a browser, never the tabs' shared connection) and it
   * uses no cache; credentials apply as on every socket.
   *
   * @example
   * const consumer = client.consumer<{ amount: number }>({ group: "billing", topic: "orders", reset: "earliest" });
   * await consumer.run({ eachRecord: async (record) => await bill(record.value.amount) });
   * await consumer.stop(); // commits, then leaves the group
   */
  consumer<T extends JsonCompatible<T> = JsonValue>(options: ConsumerOptions): Consumer<T> {
    this.ensureOpen();
    const parts = { options: this.options, credentials: this.credentials, http: this.http, events: this.events };
    return new Consumer<T>(consumerContext(parts), options);
  }

  /** The records waiting to be acknowledged, oldest first (for a "pending" UI). */
  outbox(): Promise<QueuedRecord[]> {
    this.ensureOpen();
    return this.producer.outbox();
  }

  /**
   * Calls `listener` with the outbox's snapshot after every change of it (queued, delivered or
   * refused, here or by the leader tab; outbox-watch.ts); returns its unsubscribe. No polling.
   *
   * @example
   * const off = client.onOutbox(({ count, entries }) => render(count, entries));
   */
  onOutbox(listener: (outbox: OutboxSnapshot) => void): () => void {
    return this.outboxWatch.onChange(listener);
  }

  /** The outbox's last snapshot (null before the first read), the same object until it changes. */
  get outboxSnapshot(): OutboxSnapshot | null {
    return this.outboxWatch.snapshot;
  }

  /**
   * Commits `offset` (the next offset the group will read) for a group on one partition: over
   * the partition's socket when one is open, else over HTTP.
   */
  async commit(group: string, topic: string, partition: number, offset: number, metadata?: string): Promise<void> {
    this.ensureOpen();
    groupName(group);
    topicName(topic);
    partitionNumber(partition, "partition");
    offsetNumber(offset, "offset");
    if (metadata !== undefined) parseCommitMetadata(metadata, "metadata");
    const extra = metadata === undefined ? {} : { metadata };
    const link = this.network.openLink(topic, partition);
    if (link !== undefined) {
      try {
        await link.commit({ type: "commit", group, offset, ...extra });
        return;
      } catch (error) {
        if (error instanceof EdgelogError) throw error;
        // The socket failed under the commit: HTTP below.
      }
    }
    await this.http.commit(group, { offsets: [{ topic, partition, offset, ...extra }] });
  }

  /** Closes every subscription and socket; queued records stay in the outbox for next time. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const subscription of this.subscriptions) subscription.close();
    this.subscriptions.clear();
    this.tables?.close();
    this.producer.close();
    this.outboxWatch.close();
    // After the subscriptions let go of their links: the next tab takes over the sockets.
    this.tabs?.close();
    this.stopWatching();
    this.network.close();
    this.credentials?.close();
    this.cache.close();
    this.events.close();
  }

  private openSubscription<T>(
    topic: string,
    opts: SubscribeOptions,
    onRecord: RecordCallback<T> | undefined,
    decode?: RecordDecoder<T>,
  ): Subscription<T> {
    this.ensureOpen();
    validateSubscribe(topic, opts);
    const subscription = new Subscription(this.subscriptionContext(this.linkFactory()), topic, opts, onRecord, decode);
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** The link factory, or INVALID_USE where there is no WebSocket. */
  private linkFactory(): LinkFactory {
    if (this.makeLink !== null) return this.makeLink;
    throw new EdgelogClientError("INVALID_USE", "there is no WebSocket here: pass one (e.g. the `ws` package's) as the WebSocket option");
  }

  private ensureOpen(): void {
    if (this.closed) throw new EdgelogClientError("CLOSED", "the client is closed");
  }

  private subscriptionContext(makeLink: LinkFactory): SubscriptionContext {
    return {
      cache: this.cache,
      makeLink,
      partitionCount: (topic, watch) => this.lookup.partitionCount(topic, watch),
      cached: (doing, op, fallback) => this.events.cached(doing, op, fallback),
      commit: (group, topic, partition, offset) => this.commit(group, topic, partition, offset),
      linkAdded: (link) => this.network.linkAdded(link),
      linkRemoved: (link) => this.network.linkRemoved(link),
      linkChanged: () => this.network.linkChanged(),
      released: (subscription) => {
        this.subscriptions.delete(subscription);
        // An ended subscription counts no more (it may have had no link: still resolving).
        this.network.recompute();
      },
      reportError: (error) => this.events.reportError(error),
    };
  }
}

/**
 * Makes a client. It returns at once: the cache opens in the background, and any records a
 * previous session left in the outbox are sent as soon as the server answers.
 *
 * @example
 * import WebSocket from "ws"; // Node only; browsers have their own
 * const client = createClient({ url: "http://127.0.0.1:8787", cache: "memory", WebSocket });
 */
export function createClient(options: ClientOptions): EdgelogClient {
  return new EdgelogClient(options);
}
