/**
 * A table driven by a scripted link, for the table tests in Node (fake-indexeddb): the test plays
 * the server's messages (hello, subscribed, records, live) and reads what the table stored.
 *
 * @example
 * const t = scriptedTable("db");
 * const link = await t.link(0);
 * await link.hello(); // { from: "latest-per-key" }
 */
import "fake-indexeddb/auto";
import { afterEach } from "vitest";
import type { LinkHandlers, LinkStart, PartitionLink } from "../../client/link.ts";
import type { FetchedRecord, JsonValue, ServerMessageOf } from "../../client/protocol/index.ts";
import type { LinkState } from "../../client/status.ts";
import type { SubscriptionContext } from "../../client/subscription-context.ts";
import { Table } from "../../client/table/table.ts";
import type { TableChange, TableReset } from "../../client/table/table-change.ts";
import { TableEvents } from "../../client/table/table-events.ts";
import { openTableStore, type TableStore } from "../../client/table/table-store.ts";
import { WAIT_MS } from "./client-harness.ts";
import { waitFor } from "./waits.ts";

/**
 * A hello of topic "t", partition 0, with `over`.
 *
 * @example
 * hello({ highWatermark: 5 });
 */
export const hello = (over: Partial<ServerMessageOf<"hello">> = {}): ServerMessageOf<"hello"> => ({
  type: "hello",
  version: 1,
  topic: "t",
  topicId: "id-1",
  partition: 0,
  logStartOffset: 0,
  highWatermark: 100,
  ...over,
});

/**
 * A record at `offset`.
 *
 * @example
 * record(3, "apple", 4);
 */
export function record(offset: number, key: string | null, value: JsonValue): FetchedRecord {
  return { offset, timestamp: 1, key, value, headers: {} };
}

/**
 * A link whose server is the test: it records the handlers and the starts it was asked for.
 *
 * @example
 * await link.subscribed(0, true, 10);
 */
export class ScriptedLink implements PartitionLink {
  readonly topic: string;
  readonly partition: number;
  state: LinkState = "idle";
  failures = 0;
  readonly handlers: LinkHandlers;
  readonly starts: LinkStart[] = [];
  closed = false;

  constructor(topic: string, partition: number, handlers: LinkHandlers) {
    this.topic = topic;
    this.partition = partition;
    this.handlers = handlers;
  }

  start(): void {
    this.state = "connecting";
  }

  commit(): never {
    throw new Error("tables do not commit");
  }

  reconnectNow(): void {}

  checkNow(): void {}

  close(): void {
    this.closed = true;
    this.state = "closed";
  }

  /** The server says hello; answers the start the table asked for. */
  async hello(over: Partial<ServerMessageOf<"hello">> = {}): Promise<LinkStart> {
    this.state = "open";
    const start = await this.handlers.start(hello(over));
    this.starts.push(start);
    return start;
  }

  /** The server subscribed from `offset` with the log ending at `end` (its high watermark). */
  async subscribed(offset: number, reset?: boolean, end = offset, cleanedTombstonesBelow?: number): Promise<void> {
    const message: ServerMessageOf<"subscribed"> = { type: "subscribed", id: "s1", offset, logStartOffset: 0, highWatermark: end };
    const compacted = cleanedTombstonesBelow === undefined ? {} : { compacted: true as const, cleanedTombstonesBelow };
    await this.handlers.subscribed({ ...message, ...(reset === true ? { reset } : {}), ...compacted });
    this.state = "catching-up";
    this.handlers.changed();
  }

  records(records: FetchedRecord[]): Promise<void> {
    return this.handlers.records({ type: "records", topic: this.topic, partition: this.partition, records, highWatermark: 100 });
  }

  /** The catch-up is over (`live`). */
  live(): void {
    this.state = "live";
    this.handlers.changed();
  }
}

/**
 * The stores the tests opened, closed after each test.
 *
 * @example
 * stores.push(await openTableStore("db"));
 */
export const stores: TableStore[] = [];
const tables: Table<unknown>[] = [];

afterEach(() => {
  for (const table of tables.splice(0)) table.close();
  for (const store of stores.splice(0)) store.close();
});

/**
 * A table on `dbName` whose links the test plays; `links` gets each link made.
 *
 * @example
 * const { table, link } = scriptedTable("db");
 */
export function scriptedTable(dbName: string, partitions = 1) {
  const links: ScriptedLink[] = [];
  const errors: unknown[] = [];
  const store = openTableStore(dbName);
  void store.then((opened) => stores.push(opened));
  const ctx: SubscriptionContext = {
    cache: undefined as never,
    makeLink: (topic, partition, handlers) => {
      const link = new ScriptedLink(topic, partition, handlers);
      links.push(link);
      return link;
    },
    partitionCount: async () => partitions,
    cached: (_doing, op) => op(),
    commit: async () => undefined,
    linkAdded: () => undefined,
    linkRemoved: () => undefined,
    linkChanged: () => undefined,
    released: () => undefined,
    reportError: (error) => errors.push(error),
  };
  const events = new TableEvents({ channelName: "unused", BroadcastChannel: null });
  const table = new Table<JsonValue>({ ctx, store, events, released: () => undefined }, "t");
  tables.push(table as Table<unknown>);
  const changes: TableChange[] = [];
  const resets: TableReset[] = [];
  table.onChange((change) => changes.push(change));
  table.onReset((reset) => resets.push(reset));
  const link = async (index: number): Promise<ScriptedLink> => waitFor(`link ${index}`, () => links[index], WAIT_MS, 5);
  return { table, links, link, changes, resets, errors, store };
}

/**
 * Every entry of a table, as `for await` gives them.
 *
 * @example
 * expect(await entries(table)).toEqual([["a", 1]]);
 */
export async function entries(table: Table<JsonValue>): Promise<[string, JsonValue][]> {
  const out: [string, JsonValue][] = [];
  for await (const entry of table) out.push(entry);
  return out;
}
