/**
 * The page script of consumer.test.ts, bundled and run in Chromium (test/node/page-server.ts): a
 * client with the browser's own fetch, WebSocket and IndexedDB (and tabs, as an app has them) whose
 * consumer joins a group as one member; the test runs the group's other member in Node. It logs
 * what the member processed, its assignments and revokes, and the client's errors; `cachedRuns`
 * reads the tabs' IndexedDB cache, which a consumer must leave alone. Exposed as `window.consumerTest`.
 *
 * @example
 * // in the page, driven by playwright:
 * await window.consumerTest.start("http://127.0.0.1:40123", "mixed-g", "shared", "a-browser");
 * window.consumerTest.state(); // { memberId, generation, partitions, processed, revoked, errors, role }
 */
import { type Consumer, createClient, type EdgelogClient, errorCode, openIndexedDbCache, type RevokeChange } from "../../client/index.ts";

/** What the test reads back. */
export interface ConsumerPageState {
  memberId: string | null;
  generation: number;
  partitions: number[];
  processed: { partition: number; offset: number }[];
  revoked: RevokeChange[];
  errors: string[];
  role: string;
}

const processed: ConsumerPageState["processed"] = [];
const revoked: RevokeChange[] = [];
const errors: string[] = [];
let client: EdgelogClient | null = null;
let consumer: Consumer | null = null;

function running(): Consumer {
  if (consumer === null) throw new Error("start first");
  return consumer;
}

const api = {
  async start(url: string, group: string, topic: string, memberId: string): Promise<void> {
    client = createClient({ url });
    client.onError((error) => errors.push(`${errorCode(error)}: ${error.message}`));
    // Auto-commit is off: the test commits when it wants the position to move.
    consumer = client.consumer({ group, topic, memberId, reset: "earliest", autoCommit: false });
    await consumer.run({
      eachRecord: async (record) => {
        processed.push({ partition: record.partition, offset: record.offset });
      },
      onRevoke: (change) => {
        revoked.push(change);
      },
    });
  },
  commit(): Promise<void> {
    return running().commit();
  },
  stop(): Promise<void> {
    return running().stop();
  },
  /** The cached runs of `topic`'s partitions in the tabs' database (null where nothing is cached). */
  async cachedRuns(topic: string, partitions: number): Promise<(number | null)[]> {
    const cache = await openIndexedDbCache();
    try {
      const runs = await Promise.all(Array.from({ length: partitions }, (_, p) => cache.run(topic, p)));
      return runs.map((run) => (run === undefined ? null : run.high));
    } finally {
      cache.close();
    }
  },
  state(): ConsumerPageState {
    const { memberId, generation, partitions } = running().assignment;
    return {
      memberId,
      generation,
      partitions: [...partitions],
      processed: [...processed],
      revoked: [...revoked],
      errors: [...errors],
      role: client?.role ?? "",
    };
  },
};

/** The page's API, as the test calls it. */
export type ConsumerTestApi = typeof api;

(globalThis as unknown as { consumerTest: ConsumerTestApi }).consumerTest = api;
