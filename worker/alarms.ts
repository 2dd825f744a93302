/**
 * One alarm for several timers: a Durable Object has a single alarm, which the Partition shares
 * between retention and its sockets' authentication deadlines and expiries. `atMost(due)` makes
 * the alarm fire at `due` or earlier, never later than a timer already set; the alarm handler
 * runs every timer's due work and sets the alarm for the earliest next one. Calls are chained, so
 * two that race cannot leave the later time set.
 *
 * @example
 * const alarms = new AlarmSchedule(ctx.storage);
 * void alarms.atMost(retentionDue); // not awaited: the output gate holds the answer until it is stored
 */

/**
 * Makes an object's alarm fire at `dueMs` or earlier: sets it unless one is already set no later
 * (for an object that sets its alarm itself elsewhere; AlarmSchedule below remembers it instead).
 *
 * @example
 * await alarmAtMost(ctx.storage, clock.now()); // a wake on produce: step now
 */
export async function alarmAtMost(storage: DurableObjectStorage, dueMs: number): Promise<void> {
  const current = await storage.getAlarm();
  if (current === null || current > dueMs) await storage.setAlarm(dueMs);
}

/**
 * The alarm of one object, set to the earliest time any timer needs.
 *
 * @example
 * await alarms.atMost(now + 5_000); // a socket's auth deadline
 */
export class AlarmSchedule {
  private readonly storage: DurableObjectStorage;
  /** The alarm set, as far as this life of the object knows: undefined until read. */
  private known: number | null | undefined = undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(storage: DurableObjectStorage) {
    this.storage = storage;
  }

  /** Makes the alarm fire at `dueMs` or earlier. */
  atMost(dueMs: number): Promise<void> {
    const run = this.queue.then(async () => {
      if (this.known === undefined) this.known = await this.storage.getAlarm();
      if (this.known !== null && this.known <= dueMs) return;
      await this.storage.setAlarm(dueMs);
      this.known = dueMs;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The alarm fired, or was deleted: none is set until the next `atMost`. */
  cleared(): void {
    this.known = null;
  }
}
