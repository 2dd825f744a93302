/**
 * `edgelog/react`: React 19 hooks on edgelog's client. An `EdgelogProvider` (with a client the app
 * made, or `options` to share one) and, below it, `useClient`, `useStatus`, `useOutbox` (from the
 * outbox-change event, no polling), `useProduce` and `useRecords` (renders from the cache at once,
 * stays live, bounded by a limit), `useTable` and `useTableValue` (a compacted topic's latest value
 * per key, from IndexedDB: client.table). Safe under StrictMode and Vite's hot reload: one client per
 * url, database and key, one subscription per topic and options, ended when the last user unmounts.
 *
 * @example
 * import { EdgelogProvider, useOutbox, useProduce, useRecords, useStatus } from "edgelog/react";
 *
 * function Chat() {
 *   const status = useStatus();
 *   const { records } = useRecords<{ text: string }>("chat", { limit: 50 });
 *   const { count } = useOutbox();
 *   const { produce } = useProduce<{ text: string }>("chat");
 *   return (
 *     <main>
 *       <p>{status}{count > 0 && ` · ${count} waiting`}</p>
 *       <ul>{records.map((r) => <li key={`${r.partition}:${r.offset}`}>{r.value.text}</li>)}</ul>
 *       <button onClick={() => void produce({ value: { text: "hello" } })}>say hello</button>
 *     </main>
 *   );
 * }
 *
 * createRoot(document.getElementById("root")!).render(
 *   <StrictMode>
 *     <EdgelogProvider options={{ url: "https://events.example.com", dbName: "chat" }}>
 *       <Chat />
 *     </EdgelogProvider>
 *   </StrictMode>,
 * );
 */

export { EdgelogProvider, type EdgelogProviderProps, useClient } from "./edgelog-provider.ts";
export { type ProduceInput, type ProduceState, useOutbox, useProduce, useStatus } from "./react-hooks.ts";
export {
  RECORDS_LIMIT_DEFAULT,
  RECORDS_LIMIT_MAX,
  RELEASE_DELAY_MS,
  RENDER_GRACE_MS,
  SHARED_CLIENTS_MAX,
  SHARED_STORES_MAX,
  TABLE_ENTRIES_LIMIT_DEFAULT,
  TABLE_HOOK_ENTRIES_MAX,
  TABLE_HOOK_WATCHES_MAX,
} from "./react-limits.ts";
export type { LiveRecord, RecordsState } from "./records-store.ts";
export { sharedClientStats } from "./shared-state.ts";
export type { TableState, TableValueState } from "./table-view-store.ts";
export { type RecordsOptions, useRecords } from "./use-records.ts";
export { type TableOptions, useTable, useTableValue } from "./use-table.ts";
