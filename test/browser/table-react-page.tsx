/**
 * The page of table-react.test.ts, bundled with React's development build (test/node/page-server.ts)
 * and rendered under `<StrictMode>` (every effect mounts, unmounts and mounts again): an
 * `EdgelogProvider` with `options`, a list of a table's entries and its size (`useTable`), and one
 * key's value (`useTableValue`), both from one `client.table`. Exposed as `window.tableReactTest`.
 *
 * @example
 * // opened as http://127.0.0.1:PORT/?server=http://127.0.0.1:8787&topic=prices&db=table-react&key=apple
 * window.tableReactTest.stats(); // { clients: { open: 1, created: 1 }, tableCalls: 1 }
 */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { EdgelogClient } from "../../client/index.ts";
import { EdgelogProvider, sharedClientStats, useTable, useTableValue } from "../../client/react/index.ts";

const params = new URL(location.href).searchParams;
const SERVER = params.get("server") ?? "";
const TOPIC = params.get("topic") ?? "prices";
const DB = params.get("db") ?? "table-react";
const KEY = params.get("key") ?? "apple";

let tableCalls = 0;
const table = EdgelogClient.prototype.table;
EdgelogClient.prototype.table = function counted(this: EdgelogClient, topic: string) {
  tableCalls++;
  return table.call(this, topic);
} as typeof table;

function Prices() {
  const { entries, size, loading } = useTable<number>(TOPIC, { limit: 10 });
  return (
    <section>
      <p id="size">{loading ? "loading" : String(size)}</p>
      <ul id="entries">
        {entries.map(([key, value]) => (
          <li key={key}>{`${key}=${value}`}</li>
        ))}
      </ul>
    </section>
  );
}

function Price() {
  const { value, loading } = useTableValue<number>(TOPIC, KEY);
  return <p id="value">{loading ? "loading" : value === undefined ? "none" : String(value)}</p>;
}

const api = {
  stats: () => ({ clients: sharedClientStats(), tableCalls }),
};

/** What the page exposes on `window.tableReactTest`. */
export type TableReactTestApi = typeof api;

(globalThis as unknown as { tableReactTest: TableReactTestApi }).tableReactTest = api;

function render(): void {
  const root = document.createElement("div");
  document.body.append(root);
  createRoot(root).render(
    <StrictMode>
      <EdgelogProvider options={{ url: SERVER, dbName: DB }}>
        <Prices />
        <Price />
      </EdgelogProvider>
    </StrictMode>,
  );
}

// The page server's script runs in <head>: the body comes after it.
if (document.body === null) document.addEventListener("DOMContentLoaded", render, { once: true });
else render();
