/**
 * Long-polls parked on a partition: each waits for the next append or its deadline, whichever
 * comes first. Bounded by LONG_POLL_WAITERS_MAX; past it a read answers at once, empty.
 *
 * Rules: PROTOCOL.md FETCH-4.
 *
 * @example
 * await waiters.wait(5_000); // resolves on the next append or after 5 s
 * waiters.wakeAll();         // after an append
 */
import { LONG_POLL_WAITERS_MAX } from "../../client/protocol/index.ts";

/**
 * The long-polls parked on one partition (see this module's header).
 *
 * @example
 * const appended = await this.waiters.wait(request.maxWaitMs); // false at the deadline
 * this.waiters.wakeAll(); // after each append, and on drop
 */
export class Waiters {
  private readonly parked = new Set<() => void>();

  /** How many reads are parked now. */
  get size(): number {
    return this.parked.size;
  }

  /** Resolves true on the next append, false at the deadline or when full. */
  wait(waitMs: number): Promise<boolean> {
    if (this.parked.size >= LONG_POLL_WAITERS_MAX || waitMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.parked.delete(wake);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.parked.delete(wake);
        resolve(false);
      }, waitMs);
      this.parked.add(wake);
    });
  }

  /** Wakes every parked read. */
  wakeAll(): void {
    for (const wake of [...this.parked]) wake();
  }
}
