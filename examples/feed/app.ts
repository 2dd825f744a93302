/**
 * The example app: an offline-first live feed on edgelog's browser client. Messages are records
 * on one topic (`?topic=`, default "feed"), keyed by author. The page shows the connection status,
 * the feed (every cached message replayed from IndexedDB at once with `from: "cached"`, then
 * caught up and live) and the outbox (messages produced, here or in another tab, that the server
 * has not acknowledged yet). Producing works
 * offline: a message waits in the outbox, survives a reload, and is sent exactly once when the
 * network is back. Tabs of the page share one connection (the client's leader tab); a service
 * worker keeps the page itself, so it also reloads without a network.
 *
 * Built by esbuild into assets/examples/feed/ (npm run build:examples) and served by the Worker's
 * static assets at /examples/feed/.
 *
 * @example
 * // npm start, then open http://127.0.0.1:8787/examples/feed/ (or follow the link on /)
 */
import { createClient, type EdgelogClient } from "../../client/index.ts";
import { FEED_PARTITIONS } from "./feed-limits.ts";
import { FeedView } from "./feed-view.ts";
import { newMessage } from "./message.ts";
import { watchOfflineShell } from "./offline-shell.ts";
import { OutboxView } from "./outbox-view.ts";
import { StatusView } from "./status-view.ts";

/** How long the page waits to create its topic before it subscribes anyway (offline: not at all). */
const TOPIC_CREATE_WAIT_MS = 2_000;
/** Where the author's name is remembered between visits. */
const AUTHOR_STORAGE_KEY = "edgelog-feed-author";

function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no #${id}`);
  return node as T;
}

/** The topic from `?topic=`, else "feed" (the client validates the name). */
function pageTopic(): string {
  return new URL(location.href).searchParams.get("topic") || "feed";
}

/**
 * Creates the topic if it is missing (answered 200 when it exists); failures are fine: offline, the
 * cache serves. Answers the server's `edgelog-auth` header: set when authentication is off.
 */
async function ensureTopic(topic: string): Promise<string | null> {
  const res = await fetch(`/v1/topics/${encodeURIComponent(topic)}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ partitions: FEED_PARTITIONS }),
    signal: AbortSignal.timeout(TOPIC_CREATE_WAIT_MS),
  }).catch(() => null);
  return res?.headers.get("edgelog-auth") ?? null;
}

/** Says loudly that the server runs without authentication (PROTOCOL.md AUTH-13). */
function showAuthBanner(mode: string | null): void {
  if (mode === null) return;
  const banner = byId("auth-banner");
  banner.textContent = `Authentication is off on this server (edgelog-auth: ${mode}): anyone who can reach it can read and write every topic.`;
  banner.hidden = false;
}

function remember(key: string, value: string | null): string {
  try {
    if (value === null) return localStorage.getItem(key) ?? "";
    localStorage.setItem(key, value);
  } catch {
    // Storage refused (a private mode): the name is just not remembered.
  }
  return value ?? "";
}

/** The compose form: each message goes to the outbox at once (online or not). */
function wireCompose(client: EdgelogClient, topic: string, status: StatusView): void {
  const form = byId<HTMLFormElement>("compose");
  const author = byId<HTMLInputElement>("author");
  const text = byId<HTMLInputElement>("text");
  author.value = remember(AUTHOR_STORAGE_KEY, null);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (text.value.trim() === "") return;
    const message = newMessage(author.value, text.value);
    remember(AUTHOR_STORAGE_KEY, author.value);
    const value = { author: message.author, text: message.text, id: message.id };
    // The record carries when it was written (CreateTime, PROTOCOL.md RECORD-4): a post queued
    // offline shows the time it was written, not the time the network came back.
    client.enqueue(topic, { key: message.author, value, timestamp: Date.now() }).then(
      (queued) => {
        text.value = "";
        queued.delivered.catch((error: Error) => status.showError(error));
      },
      (error: Error) => status.showError(error),
    );
  });
}

async function main(): Promise<void> {
  const topic = pageTopic();
  byId("topic").textContent = topic;
  const status = new StatusView(document);
  const client = createClient({ url: location.origin, dbName: "edgelog-feed" });
  const feed = new FeedView(byId("feed"), byId("feed-count"), byId("feed-empty"));
  const outbox = new OutboxView(byId("outbox"), byId("outbox-count"), byId("outbox-empty"));
  status.showStatus(client.status);
  status.showRole(client.role);
  client.onStatus((s) => status.showStatus(s));
  // Every change of the outbox, here or by the leader tab (which sends for every tab): no polling.
  client.onOutbox((snapshot) => outbox.show(snapshot));
  client.onRole((role) => status.showRole(role));
  client.onStorage((storage) => status.showStorage(storage));
  client.onError((error) => status.showError(error));
  watchOfflineShell((ready) => status.showShell(ready));
  wireCompose(client, topic, status);
  showAuthBanner(await ensureTopic(topic));
  // "cached": what this browser has shows at once (a reload offline too), then the rest from the
  // server. A feed is for each tab to show in full, so no `name` (that is a once-per-device cursor).
  client.subscribe(topic, { from: "cached" }, (record) => feed.add(record));
}

void main();
