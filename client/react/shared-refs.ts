/**
 * Values shared by key and counted by holder: the clients an `EdgelogProvider` makes from
 * `options`, and the records stores behind `useRecords`. A render may make a value (`get`) without
 * holding it, because React may throw a render away: such a value is closed when no effect held
 * it within RENDER_GRACE_MS (effects run a task or more after their render). A value let go is
 * closed only when it is still unheld past a macrotask (RELEASE_DELAY_MS), so StrictMode's
 * unmount and mount again, or a hot reload's remount, keep the one value rather than closing it
 * and making another.
 *
 * @example
 * const refs = new SharedRefs<EdgelogClient>({ what: "clients", sizeMax: 32, dispose: (c) => c.close() });
 * const client = refs.get(key, () => createClient(options)); // in render
 * const held = refs.hold(key, () => createClient(options)); // in an effect
 * refs.release(key, held); // its cleanup: closed a macrotask later unless held again
 */
import { EdgelogClientError } from "../local-errors.ts";
import { RELEASE_DELAY_MS, RENDER_GRACE_MS } from "./react-limits.ts";

/**
 * How a set of shared values behaves.
 *
 * @example
 * const options: SharedRefsOptions<Store> = { what: "records stores", sizeMax: 256, dispose: (s) => s.close() };
 */
export interface SharedRefsOptions<V> {
  /** What the values are, for the error past `sizeMax`. */
  what: string;
  /** Values held or waiting at once; one more throws INVALID_USE. */
  sizeMax: number;
  /** Ends a value nobody holds any more. */
  dispose(value: V): void;
  /** Whether a value can still serve (a client closed by the app cannot): one that cannot is replaced. */
  usable?(value: V): boolean;
  /** Runs `run` after `ms`, answering its cancel (default: a timer): a clock for tests. */
  later?(run: () => void, ms: number): () => void;
}

interface Entry<V> {
  value: V;
  holds: number;
  cancel: (() => void) | null;
}

/**
 * Shared values by key, each disposed once nobody holds it.
 *
 * @example
 * const refs = new SharedRefs<number>({ what: "numbers", sizeMax: 2, dispose: () => undefined });
 * refs.release("a", refs.hold("a", () => 1));
 */
export class SharedRefs<V> {
  private readonly options: SharedRefsOptions<V>;
  private readonly entries = new Map<string, Entry<V>>();
  private made = 0;

  constructor(options: SharedRefsOptions<V>) {
    this.options = options;
  }

  /** The value under `key`, made if there is none; not held, so disposed after RENDER_GRACE_MS unless someone holds it. */
  get(key: string, make: () => V): V {
    const found = this.usable(key);
    if (found !== undefined) return found.value;
    const entry = this.add(key, make);
    this.disposeLater(key, entry, RENDER_GRACE_MS);
    return entry.value;
  }

  /** Holds the value under `key` (made if there is none) until `release`. */
  hold(key: string, make: () => V): V {
    const entry = this.usable(key) ?? this.add(key, make);
    entry.cancel?.();
    entry.cancel = null;
    entry.holds++;
    return entry.value;
  }

  /** Lets go of `value` under `key`: when nobody holds it past a macrotask, it is disposed. */
  release(key: string, value: V): void {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.value !== value || entry.holds === 0) return;
    entry.holds--;
    if (entry.holds === 0) this.disposeLater(key, entry, RELEASE_DELAY_MS);
  }

  /** How many values are shared now, and how many were made in all. */
  stats(): { open: number; created: number } {
    return { open: this.entries.size, created: this.made };
  }

  private usable(key: string): Entry<V> | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined || this.options.usable?.(entry.value) !== false) return entry;
    // Ended elsewhere (a client the app closed): forgotten, and made again.
    entry.cancel?.();
    this.entries.delete(key);
    return undefined;
  }

  private add(key: string, make: () => V): Entry<V> {
    if (this.entries.size >= this.options.sizeMax) {
      throw new EdgelogClientError("INVALID_USE", `at most ${this.options.sizeMax} ${this.options.what} are shared at once`);
    }
    const entry: Entry<V> = { value: make(), holds: 0, cancel: null };
    this.made++;
    this.entries.set(key, entry);
    return entry;
  }

  private disposeLater(key: string, entry: Entry<V>, ms: number): void {
    entry.cancel?.();
    entry.cancel = (this.options.later ?? timer)(() => {
      entry.cancel = null;
      if (entry.holds > 0 || this.entries.get(key) !== entry) return;
      this.entries.delete(key);
      this.options.dispose(entry.value);
    }, ms);
  }
}

function timer(run: () => void, ms: number): () => void {
  const id = setTimeout(run, ms);
  return () => clearTimeout(id);
}
