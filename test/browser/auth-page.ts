/**
 * The page script of auth.test.ts, bundled and run in Chromium (test/node/page-server.ts): a
 * client whose `auth` is a function (it asks the test for a token through `edgelogToken`, which
 * playwright exposes), over the browser's own fetch and WebSocket (wrapped to log each socket's
 * frames and close code), with the default cache (IndexedDB) and tabs. Exposed as `window.authTest`.
 *
 * @example
 * // in the page, driven by playwright:
 * window.authTest.start("http://127.0.0.1:40123", "orders");
 * await window.authTest.produce([1, 2, 3]);
 * window.authTest.state(); // { records, sockets, status, errors, role }
 */
import { createClient, type EdgelogClient, errorCode, type WebSocketClass } from "../../client/index.ts";

/** One socket the page's client made. */
export interface PageSocket {
  url: string;
  /** The frames it sent: each one's type, and the token of an `auth`. */
  sent: { type: string; token?: string }[];
  closeCode: number | null;
}

/** What the test reads back. */
export interface AuthPageState {
  records: { partition: number; offset: number; value: unknown }[];
  sockets: PageSocket[];
  status: string;
  role: string;
  errors: string[];
}

const sockets: PageSocket[] = [];
const records: AuthPageState["records"] = [];
const errors: string[] = [];
let client: EdgelogClient | null = null;

class LoggedWebSocket extends WebSocket {
  constructor(url: string) {
    super(url);
    const socket: PageSocket = { url, sent: [], closeCode: null };
    sockets.push(socket);
    this.addEventListener("close", (event) => {
      socket.closeCode = event.code;
    });
    const send = this.send.bind(this);
    this.send = (data: string | ArrayBufferLike | Blob | ArrayBufferView) => {
      if (typeof data === "string" && data.startsWith("{")) {
        const frame = JSON.parse(data) as { type: string; token?: string };
        socket.sent.push(frame.type === "auth" ? { type: frame.type, token: frame.token ?? "" } : { type: frame.type });
      }
      send(data);
    };
  }
}

const api = {
  start(url: string, topic: string): void {
    const scope = globalThis as unknown as { edgelogToken: () => Promise<string> };
    client = createClient({ url, WebSocket: LoggedWebSocket as WebSocketClass, auth: () => scope.edgelogToken() });
    client.onError((error) => errors.push(`${errorCode(error)}: ${error.message}`));
    client.subscribe(topic, { from: "earliest" }, (record) => {
      records.push({ partition: record.partition, offset: record.offset, value: record.value });
    });
  },
  async produce(topic: string, values: unknown[]): Promise<{ partition: number; offset: number }[]> {
    if (client === null) throw new Error("start first");
    const made = client;
    return Promise.all(values.map((value) => made.produce(topic, { key: "k", value: value as number })));
  },
  state(): AuthPageState {
    return {
      records: [...records],
      sockets: sockets.map((s) => ({ ...s, sent: [...s.sent] })),
      status: client?.status ?? "",
      role: client?.role ?? "",
      errors: [...errors],
    };
  },
};

/** The page's API, as the test calls it. */
export type AuthTestApi = typeof api;

(globalThis as unknown as { authTest: AuthTestApi }).authTest = api;
