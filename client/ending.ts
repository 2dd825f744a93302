/**
 * How something that can end with an error tells it: once, to every listener, the error kept for
 * whoever asks later, and a listener added after the end still hearing it (in a microtask), so no
 * one misses an end that came before they listened. A subscription ends this way (D11 in
 * PROTOCOL.md: its topic is gone, or the server refused the protocol).
 *
 * @example
 * const ending = new Ending<EdgelogError>();
 * const off = ending.onEnd((error) => console.warn(error.code));
 * ending.end(new EdgelogError("UNKNOWN_TOPIC", "topic \"orders\" was deleted")); // true: the first end
 */
import { Listeners } from "./listeners.ts";

/**
 * One end, with its listeners.
 *
 * @example
 * const ending = new Ending<Error>();
 * if (ending.end(error)) cleanUp();
 */
export class Ending<E> {
  private readonly listeners = new Listeners<E>();
  private ended: { error: E } | null = null;

  /** The error it ended with, or null while it has not. */
  get error(): E | null {
    return this.ended === null ? null : this.ended.error;
  }

  /** Calls `listener` once with the error; returns its unsubscribe. After the end: in a microtask. */
  onEnd(listener: (error: E) => void): () => void {
    const ended = this.ended;
    if (ended === null) return this.listeners.add(listener);
    const late = new Listeners<E>();
    const off = late.add(listener);
    queueMicrotask(() => late.emit(ended.error));
    return off;
  }

  /** Ends with `error` and tells every listener; false (and nothing told) when it had ended. */
  end(error: E): boolean {
    if (this.ended !== null) return false;
    this.ended = { error };
    this.listeners.emit(error);
    this.listeners.clear();
    return true;
  }

  /** Forgets the listeners without ending (the owner closed). */
  clear(): void {
    this.listeners.clear();
  }
}
