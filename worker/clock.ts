/**
 * The time, passed in: the Partition and Group objects read it from a Clock they hold, never from
 * `Date.now()`, and hand `now` to the modules they call (members, commits, retention, producers).
 * A test sets another clock on the live object (`runInDurableObject`) and advances it, so session
 * expiry and retention are tested without sleeping.
 *
 * @example
 * const now = this.clock.now();
 * const seenAt = this.clock.at(ctx.getWebSocketAutoResponseTimestamp(ws)!.getTime());
 */

/**
 * A source of time, in ms since the Unix epoch.
 *
 * @example
 * const frozen: Clock = { now: () => 1_700_000_000_000, at: () => 1_700_000_000_000 }; // a clock that never moves
 */
export interface Clock {
  /** The time now. */
  now(): number;
  /**
   * This clock's time at the moment the runtime stamped `runtimeMs` on its own clock (the wall
   * clock), such as the last ping the runtime answered without waking the object.
   */
  at(runtimeMs: number): number;
}

/**
 * The runtime's clock, which every object uses unless a test sets another.
 *
 * @example
 * systemClock.now(); // Date.now()
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  at: (runtimeMs) => runtimeMs,
};

/**
 * An object that holds its clock where a test can replace it.
 *
 * @example
 * await runInDurableObject(stub, (instance: Clocked) => { instance.clock = manualClock; });
 */
export interface Clocked {
  clock: Clock;
}
