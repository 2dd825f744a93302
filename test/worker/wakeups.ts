/**
 * Waiting on events without polling: a test socket wakes its waits on every frame and on the
 * close, and each wait checks what it wants again, until a deadline.
 *
 * @example
 * const wakeups = new Wakeups();
 * ws.addEventListener("message", () => wakeups.wake());
 * const found = await wakeups.until(() => queue.shift(), 5_000);
 */
export class Wakeups {
  /** Waits in progress, each woken once by the next `wake`. */
  private readonly wakers = new Set<() => void>();

  /** Wakes every wait in progress. */
  wake(): void {
    for (const wake of [...this.wakers]) wake();
  }

  /**
   * Answers what `pick` finds, checking again after each wake, or undefined once `timeoutMs` has
   * passed or `stop` says to (a closed socket will bring nothing more).
   */
  async until<R>(pick: () => R | undefined, timeoutMs: number, stop: () => boolean = () => false): Promise<R | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (let turn = 0; turn < 1_000_000; turn++) {
      const found = pick();
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0 || stop()) return undefined;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.wakers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.wakers.add(wake);
      });
    }
    return undefined;
  }
}
