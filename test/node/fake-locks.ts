/**
 * An in-process Web Locks stand-in for the client's tab tests in Node (which has BroadcastChannel
 * but no `navigator.locks`): exclusive locks granted in request order, released when the
 * callback's promise settles, and withdrawn by an AbortSignal while still queued, as the spec
 * says. Several clients in one process then behave as tabs of one browser.
 *
 * @example
 * const locks = new FakeLocks();
 * createClient({ url, dbName: "app", WebSocket, tabs: { locks, BroadcastChannel } });
 */
import type { LockManagerLike } from "../../client/index.ts";

interface Waiter {
  grant(): void;
}

/**
 * Exclusive named locks, one process wide.
 *
 * @example
 * await new FakeLocks().request("x", {}, async () => work());
 */
export class FakeLocks implements LockManagerLike {
  private readonly held = new Set<string>();
  private readonly queues = new Map<string, Waiter[]>();

  request(name: string, options: { signal?: AbortSignal }, callback: (lock: unknown) => unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const signal = options.signal;
      if (signal?.aborted) {
        reject(new DOMException("the request was aborted", "AbortError"));
        return;
      }
      const queue = this.queues.get(name) ?? [];
      this.queues.set(name, queue);
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          void (async () => {
            try {
              resolve(await callback({ name }));
            } catch (error) {
              reject(error);
            } finally {
              this.held.delete(name);
              this.pump(name);
            }
          })();
        },
      };
      const onAbort = (): void => {
        const at = queue.indexOf(waiter);
        if (at < 0) return;
        queue.splice(at, 1);
        reject(new DOMException("the request was aborted", "AbortError"));
      };
      signal?.addEventListener("abort", onAbort);
      queue.push(waiter);
      this.pump(name);
    });
  }

  /** Whether lock `name` is held now. */
  isHeld(name: string): boolean {
    return this.held.has(name);
  }

  private pump(name: string): void {
    if (this.held.has(name)) return;
    const next = this.queues.get(name)?.shift();
    if (next === undefined) return;
    this.held.add(name);
    next.grant();
  }
}
