/**
 * The page script of schema.test.ts, bundled and run in Chromium (test/node/page-server.ts): a
 * client with the default cache (IndexedDB, its own database) and tabs off, over the browser's
 * own fetch and WebSocket. It produces, enqueues and flushes on the test's call, answering each
 * record's outcome (its offset, "queued", or the code it was refused with), and says whether the
 * cached topic holds its schemas yet. Exposed as `window.schemaTest`.
 *
 * @example
 * // in the page, driven by playwright:
 * window.schemaTest.start("http://127.0.0.1:40123", "schema-page");
 * await window.schemaTest.produce("orders", { item: "pen", qty: "2" }); // "SCHEMA_VIOLATION"
 */

import { openCache } from "../../client/cache/open.ts";
import { createClient, type EdgelogClient, errorCode } from "../../client/index.ts";

let client: EdgelogClient | null = null;
let dbName = "";

function started(): EdgelogClient {
  if (client === null) throw new Error("start first");
  return client;
}

const api = {
  start(url: string, name: string): void {
    dbName = name;
    client = createClient({ url, dbName, tabs: false });
  },
  /** A record produced: its offset once acknowledged, or the code it was refused with. */
  async produce(topic: string, value: unknown): Promise<number | string> {
    try {
      return (await started().produce(topic, { value: value as number })).offset;
    } catch (error) {
      return String(errorCode(error));
    }
  },
  /** A record queued (offline): "queued", or the code it was refused with at once. */
  async enqueue(topic: string, value: unknown): Promise<string> {
    try {
      await started().enqueue(topic, { value: value as number });
      return "queued";
    } catch (error) {
      return String(errorCode(error));
    }
  },
  async flush(): Promise<number> {
    await started().flush();
    return (await started().outbox()).length;
  },
  async outboxValues(): Promise<unknown[]> {
    return (await started().outbox()).map((r) => r.value);
  },
  /** Whether the cached topic holds a `-value` schema yet (the client's lookup stored it). */
  async schemaCached(topic: string): Promise<boolean> {
    const cache = await openCache({ cache: "indexeddb", dbName });
    const info = await cache.topic(topic);
    cache.close();
    return info?.schemas?.value != null;
  },
};

/** The page's API, as the test calls it. */
export type SchemaTestApi = typeof api;

(globalThis as unknown as { schemaTest: SchemaTestApi }).schemaTest = api;
