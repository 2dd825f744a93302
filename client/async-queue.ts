/**
 * A bounded queue with an async iterator: what `for await (const record of sub)` reads. `push`
 * waits while the queue is full, so a slow loop slows delivery, which delays the `consumed`
 * messages, which pauses the server: the log stays the buffer, not the page's memory.
 *
 * @example
 * const queue = new AsyncQueue<number>(2);
 * void queue.push(1);
 * for await (const n of queue) console.log(n);
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly itemsMax: number;
  private readonly items: T[] = [];
  /** A reader waiting for an item (there is at most one: `next` calls are awaited in turn). */
  private readers: ((result: IteratorResult<T>) => void)[] = [];
  /** Pushers waiting for space. */
  private writers: (() => void)[] = [];
  private closed = false;
  /** Set by `fail`: what reads throw once the held items are read. */
  private failure: { error: Error } | null = null;
  private readonly onReturn: () => void;

  /** `itemsMax` bounds the items held; `onReturn` runs when a `for await` loop is left early. */
  constructor(itemsMax: number, onReturn: () => void = () => undefined) {
    this.itemsMax = Math.max(1, itemsMax);
    this.onReturn = onReturn;
  }

  /** Adds an item, waiting while the queue is full; dropped if the queue is closed. */
  async push(item: T): Promise<void> {
    while (!this.closed && this.items.length >= this.itemsMax) {
      await new Promise<void>((resolve) => this.writers.push(resolve));
    }
    if (this.closed) return;
    const reader = this.readers.shift();
    if (reader !== undefined) reader({ value: item, done: false });
    else this.items.push(item);
  }

  /** Ends iteration once the held items are read; wakes everyone waiting. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const writer of this.writers.splice(0)) writer();
    if (this.items.length === 0) for (const reader of this.readers.splice(0)) reader(this.ended());
  }

  /** Ends iteration with `error`: reads throw it once the held items are read (every read after, too). */
  fail(error: Error): void {
    if (this.closed) return;
    this.failure = { error };
    this.close();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) {
      const item = this.items.shift() as T;
      this.writers.shift()?.();
      return Promise.resolve({ value: item, done: false });
    }
    if (this.closed) return this.failure === null ? Promise.resolve(this.ended()) : Promise.reject(this.failure.error);
    return new Promise((resolve, reject) =>
      this.readers.push((result) => {
        if (result.done && this.failure !== null) reject(this.failure.error);
        else resolve(result);
      }),
    );
  }

  private ended(): IteratorResult<T> {
    return { value: undefined, done: true };
  }

  /** Leaving a `for await` loop early closes what feeds the queue. */
  async return(): Promise<IteratorResult<T>> {
    this.close();
    this.items.length = 0;
    this.onReturn();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
