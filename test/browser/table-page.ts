/**
 * The page script of table.test.ts, bundled and run in Chromium (test/node/page-server.ts): a
 * client with the browser's own fetch, WebSocket, IndexedDB and tabs, and one `client.table`,
 * whose view, changes, resets and errors the test reads back as plain data. Exposed as
 * `window.tableTest`.
 *
 * @example
 * // in the page, driven by playwright:
 * await window.tableTest.open("http://127.0.0.1:40123", "shop", "prices");
 * await window.tableTest.whenLive();
 * await window.tableTest.snapshot(); // { entries, size, live, changes, resets, errors, role }
 */
import {
  createClient,
  type EdgelogClient,
  errorCode,
  type JsonValue,
  type Table,
  type TableChange,
  type TableReset,
} from "../../client/index.ts";

/** What the test reads back. */
export interface TablePageState {
  entries: [string, JsonValue][];
  size: number;
  live: boolean;
  changes: TableChange[];
  resets: TableReset[];
  errors: string[];
  role: string;
}

let client: EdgelogClient | null = null;
let table: Table | null = null;
const changes: TableChange[] = [];
const resets: TableReset[] = [];
const errors: string[] = [];

function opened(): Table {
  if (table === null) throw new Error("open first");
  return table;
}

const api = {
  /** A client on `url` with database `dbName`, and its table of `topic`. */
  async open(url: string, dbName: string, topic: string): Promise<void> {
    client = createClient({ url, dbName });
    client.onError((error) => errors.push(`${errorCode(error)}: ${error.message}`));
    table = client.table(topic);
    table.onChange((change) => changes.push(change));
    table.onReset((reset) => resets.push(reset));
  },
  /** Resolves once every partition is live and shows its rebuilt view. */
  async whenLive(): Promise<void> {
    await opened().whenLive();
  },
  /** The view as IndexedDB holds it, and what the table told. */
  async snapshot(): Promise<TablePageState> {
    const current = opened();
    const entries: [string, JsonValue][] = [];
    for await (const entry of current) entries.push(entry);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return {
      entries,
      size: await current.size(),
      live: current.live,
      changes: [...changes],
      resets: [...resets],
      errors: [...errors],
      role: client?.role ?? "none",
    };
  },
  /** One key's value (undefined crosses as undefined). */
  async get(key: string): Promise<JsonValue | undefined> {
    return opened().get(key);
  },
  /** Closes the client (the table stays in IndexedDB). */
  close(): void {
    client?.close();
    client = null;
    table = null;
  },
};

/**
 * The page's API, as the test calls it.
 *
 * @example
 * await callPage<TableTestApi, "open">(page, "tableTest", "open", url, "shop", "prices");
 */
export type TableTestApi = typeof api;

(globalThis as unknown as { tableTest: TableTestApi }).tableTest = api;
