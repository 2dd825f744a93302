/**
 * The page of react.test.ts, bundled with React's development build (test/node/page-server.ts)
 * and rendered under `<StrictMode>`: an `EdgelogProvider` with `options` (so its client is the
 * shared one), a status line (`useStatus`), a records list (`useRecords`, which a button mounts
 * and unmounts), the outbox (`useOutbox`) and a compose form (`useProduce`). It counts what the
 * test checks: the clients the provider's registry made, every WebSocket and the `subscribe`
 * frames it sent, and the calls of `client.subscribe` and `client.outbox` (the hooks never poll
 * the outbox, so the latter stays 0). Exposed as `window.reactTest`.
 *
 * @example
 * // opened as http://127.0.0.1:PORT/?server=http://127.0.0.1:8787&topic=react&db=react-page
 * window.reactTest.stats(); // { clients: { open: 1, created: 1 }, sockets: [...], subscribeCalls: 1, outboxCalls: 0 }
 */
import { type FormEvent, StrictMode, useState } from "react";
import { createRoot } from "react-dom/client";
import { EdgelogClient, type WebSocketClass } from "../../client/index.ts";
import { EdgelogProvider, sharedClientStats, useOutbox, useProduce, useRecords, useStatus } from "../../client/react/index.ts";

/** One WebSocket the page's client made. */
export interface PageSocket {
  url: string;
  subscribes: number;
  closed: boolean;
}

/** What the test reads back. */
export interface ReactPageStats {
  clients: { open: number; created: number };
  sockets: PageSocket[];
  subscribeCalls: number;
  outboxCalls: number;
}

/** A message as the page shows and sends it. */
interface Message {
  text: string;
}

const params = new URL(location.href).searchParams;
const SERVER = params.get("server") ?? "";
const TOPIC = params.get("topic") ?? "react";
const DB = params.get("db") ?? "react-page";

const sockets: PageSocket[] = [];
let subscribeCalls = 0;
let outboxCalls = 0;

class CountingWebSocket extends WebSocket {
  private readonly log: PageSocket;

  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    this.log = { url: String(url), subscribes: 0, closed: false };
    sockets.push(this.log);
    this.addEventListener("close", () => {
      this.log.closed = true;
    });
  }

  override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    if (typeof data === "string" && data.includes('"type":"subscribe"')) this.log.subscribes++;
    super.send(data);
  }
}

// Counted, not changed: how often anything subscribes, and whether anything reads the outbox by polling.
const subscribe = EdgelogClient.prototype.subscribe;
EdgelogClient.prototype.subscribe = function (this: EdgelogClient, ...args: Parameters<EdgelogClient["subscribe"]>) {
  subscribeCalls++;
  return subscribe.apply(this, args);
} as EdgelogClient["subscribe"];
const outbox = EdgelogClient.prototype.outbox;
EdgelogClient.prototype.outbox = function (this: EdgelogClient) {
  outboxCalls++;
  return outbox.call(this);
};

function Status() {
  return <p id="status">{useStatus()}</p>;
}

function Records() {
  const { records, error } = useRecords<Message>(TOPIC, { limit: 50 });
  return (
    <section>
      <ul id="records">
        {records.map((r) => (
          <li key={`${r.partition}:${r.offset}`} data-partition={r.partition} data-offset={r.offset}>
            {r.value.text}
          </li>
        ))}
      </ul>
      {error !== null && <p id="records-error">{error.code}</p>}
    </section>
  );
}

function Outbox() {
  const { count, entries } = useOutbox();
  return (
    <section>
      <span id="outbox-count">{count}</span>
      <ul id="outbox">
        {entries.map((entry) => (
          <li key={entry.id}>{(entry.value as unknown as Message).text}</li>
        ))}
      </ul>
    </section>
  );
}

function Compose() {
  const { produce, pending, error } = useProduce<Message>(TOPIC);
  const [text, setText] = useState("");
  const send = (event: FormEvent): void => {
    event.preventDefault();
    void produce({ value: { text } }).then((queued) => {
      if (queued !== null) setText("");
    });
  };
  return (
    <form id="compose" onSubmit={send}>
      <input id="text" value={text} onChange={(event) => setText(event.target.value)} />
      <button type="submit">send</button>
      <span id="pending">{pending}</span>
      <span id="produce-error">{error?.code ?? ""}</span>
    </form>
  );
}

function App() {
  const [shown, setShown] = useState(true);
  return (
    <EdgelogProvider options={{ url: SERVER, dbName: DB, WebSocket: CountingWebSocket as WebSocketClass }}>
      <Status />
      <button id="toggle-records" type="button" onClick={() => setShown((s) => !s)}>
        {shown ? "hide records" : "show records"}
      </button>
      {shown && <Records />}
      <Outbox />
      <Compose />
    </EdgelogProvider>
  );
}

const api = {
  stats: (): ReactPageStats => ({ clients: sharedClientStats(), sockets: sockets.map((s) => ({ ...s })), subscribeCalls, outboxCalls }),
};

/** What the page exposes on `window.reactTest`. */
export type ReactTestApi = typeof api;

(globalThis as unknown as { reactTest: ReactTestApi }).reactTest = api;

function render(): void {
  const root = document.createElement("div");
  document.body.append(root);
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

// The page server's script runs in <head>: the body comes after it.
if (document.body === null) document.addEventListener("DOMContentLoaded", render, { once: true });
else render();
