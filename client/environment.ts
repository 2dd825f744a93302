/**
 * What the client hears from its surroundings: the browser going online or offline, and the
 * page becoming visible again (mobile browsers freeze background tabs and their sockets die
 * quietly, so coming back to the foreground is the moment to check them). Where there is no such
 * thing (Node, a worker without `document`) nothing is heard and the client relies on its
 * heartbeats and backoff alone.
 *
 * @example
 * const env = browserEnvironment();
 * const stop = env.watch((event) => { if (event === "online") reconnectNow(); });
 */

/**
 * An event the client reacts to.
 *
 * @example
 * env.watch((event: EnvironmentEvent) => console.log(event)); // "online", "offline", "visible"
 */
export type EnvironmentEvent = "online" | "offline" | "visible";

/**
 * The client's view of its surroundings; inject one in tests to simulate the network.
 *
 * @example
 * const quiet: ClientEnvironment = { watch: () => () => undefined, isOnline: () => true };
 * createClient({ url, environment: quiet });
 */
export interface ClientEnvironment {
  /** Calls `on` for each event until the returned function is called. */
  watch(on: (event: EnvironmentEvent) => void): () => void;
  /** Whether the platform believes it is online (`navigator.onLine`; true when unknown). */
  isOnline(): boolean;
}

interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

function eventTarget(value: unknown): EventTargetLike | null {
  const target = value as Partial<EventTargetLike> | null | undefined;
  return typeof target?.addEventListener === "function" && typeof target.removeEventListener === "function"
    ? (target as EventTargetLike)
    : null;
}

/**
 * The environment from the globals: `online`/`offline` on the global object and
 * `visibilitychange` on `document`, each only when present.
 *
 * @example
 * createClient({ url, environment: browserEnvironment() }); // the default
 */
export function browserEnvironment(): ClientEnvironment {
  const scope = eventTarget(globalThis);
  const doc = (globalThis as { document?: { visibilityState?: string } }).document;
  const docTarget = eventTarget(doc);
  const nav = (globalThis as { navigator?: { onLine?: unknown } }).navigator;
  return {
    watch(on) {
      const online = (): void => on("online");
      const offline = (): void => on("offline");
      const visibility = (): void => {
        if (doc?.visibilityState === "visible") on("visible");
      };
      scope?.addEventListener("online", online);
      scope?.addEventListener("offline", offline);
      docTarget?.addEventListener("visibilitychange", visibility);
      return () => {
        scope?.removeEventListener("online", online);
        scope?.removeEventListener("offline", offline);
        docTarget?.removeEventListener("visibilitychange", visibility);
      };
    },
    isOnline: () => (typeof nav?.onLine === "boolean" ? nav.onLine : true),
  };
}
