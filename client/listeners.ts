/**
 * A tiny typed listener set: `add` returns its own unsubscribe, a listener that throws cannot
 * stop the others (it is reported to `onListenerError`, never rethrown into the client's
 * internals), and the set is bounded so a forgotten unsubscribe shows up as an error.
 *
 * @example
 * const changes = new Listeners<string>();
 * const off = changes.add((value) => console.log(value));
 * changes.emit("live");
 * off();
 */
import { EdgelogClientError } from "./local-errors.ts";
import { LISTENERS_MAX } from "./local-limits.ts";

/**
 * A set of listeners for one kind of event.
 *
 * @example
 * const statuses = new Listeners<string>();
 * const off = statuses.add(console.log);
 * statuses.emit("live");
 * off();
 */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();
  private readonly onListenerError: (error: unknown) => void;

  /**
   * `onListenerError` receives what a listener throws; by default it goes where the platform
   * reports an event listener's exception (`reportError` in browsers, the console elsewhere).
   */
  constructor(onListenerError?: (error: unknown) => void) {
    this.onListenerError = onListenerError ?? reportListenerError;
  }

  /** Adds a listener; returns a function that removes it (calling it twice is fine). */
  add(listener: (value: T) => void): () => void {
    if (this.set.size >= LISTENERS_MAX) {
      throw new EdgelogClientError("INVALID_USE", `at most ${LISTENERS_MAX} listeners per event; unsubscribe the ones you no longer need`);
    }
    // Wrapped so the same function added twice is two listeners, each removed by its own handle.
    const entry = (value: T): void => listener(value);
    this.set.add(entry);
    return () => {
      this.set.delete(entry);
    };
  }

  /** Calls every listener with `value`. */
  emit(value: T): void {
    for (const listener of [...this.set]) {
      try {
        listener(value);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  /** How many listeners there are. */
  get size(): number {
    return this.set.size;
  }

  /** Removes every listener (on close). */
  clear(): void {
    this.set.clear();
  }
}

function reportListenerError(error: unknown): void {
  const report = (globalThis as { reportError?: (error: unknown) => void }).reportError;
  if (typeof report === "function") report(error);
  else console.error("edgelog: a listener threw", error);
}
