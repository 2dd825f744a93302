/**
 * The feed's service worker: the offline shell. It keeps the page (index.html) and its script
 * (app.js) in a cache when it installs, and then serves them network first (so a deploy shows up
 * at the next load), falling back to the cached copy when the network fails or takes longer than
 * SHELL_NETWORK_WAIT_MS. Only the page's own folder goes through it: the API (/v1/...) and the
 * WebSockets never do, so nothing the server says is ever served stale.
 *
 * Typed with small local interfaces: the service worker's own types (lib "WebWorker") cannot share
 * a program with the page's DOM types.
 *
 * @example
 * navigator.serviceWorker.register("./sw.js", { scope: "./" });
 */
import { SHELL_NETWORK_WAIT_MS } from "./feed-limits.ts";

interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}

interface FetchEventLike extends ExtendableEventLike {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}

interface ServiceWorkerScope {
  readonly registration: { readonly scope: string };
  readonly clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: "install" | "activate", listener: (event: ExtendableEventLike) => void): void;
  addEventListener(type: "fetch", listener: (event: FetchEventLike) => void): void;
}

const worker = globalThis as unknown as ServiceWorkerScope;

/** The shell's caches are named with this (other apps of the origin keep theirs). */
const CACHE_PREFIX = "edgelog-feed-shell-";
/** One cache for the shell; bump the version to drop what an older worker kept. */
const CACHE_NAME = `${CACHE_PREFIX}v1`;
/** The shell, relative to the worker's scope (the page's folder). */
const SHELL_PATHS = ["./", "./app.js"];

/** The cache key of a request: its URL without the query (the page is the same for any ?topic=). */
function shellKey(request: Request): string {
  const url = new URL(request.url);
  url.search = "";
  url.hash = "";
  return url.href;
}

async function cached(request: Request): Promise<Response | undefined> {
  const cache = await caches.open(CACHE_NAME);
  return cache.match(shellKey(request));
}

/** The network's answer (kept for next time), or the cached copy when the network fails or is slow. */
async function networkFirst(request: Request): Promise<Response> {
  const fromNetwork = fetch(request).then(async (response) => {
    if (response.ok) await (await caches.open(CACHE_NAME)).put(shellKey(request), response.clone());
    return response;
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<"slow">((resolve) => (timer = setTimeout(() => resolve("slow"), SHELL_NETWORK_WAIT_MS)));
  try {
    const first = await Promise.race([fromNetwork, slow]);
    if (first !== "slow") return first;
    return (await cached(request)) ?? (await fromNetwork);
  } catch (error) {
    const copy = await cached(request);
    if (copy !== undefined) return copy;
    throw error;
  } finally {
    clearTimeout(timer);
    fromNetwork.catch(() => undefined);
  }
}

worker.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE_NAME);
      await cache.addAll(SHELL_PATHS.map((path) => new URL(path, worker.registration.scope).href));
      await worker.skipWaiting();
    })(),
  );
});

worker.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith(CACHE_PREFIX) && name !== CACHE_NAME) await caches.delete(name);
      // Control the page that registered the worker now, not from its next load.
      await worker.clients.claim();
    })(),
  );
});

worker.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || !request.url.startsWith(worker.registration.scope)) return;
  event.respondWith(networkFirst(request));
});
