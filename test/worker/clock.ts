/**
 * A clock a test moves by hand, set on a live Partition or Group object (the object reads time
 * only from its `clock`), so session expiry and retention are tested by advancing time, never by
 * sleeping. The test and the objects share one isolate, so the test keeps the clock and moves it.
 *
 * The clock starts a day ahead of the wall clock: an alarm the object sets on it is then due in
 * the runtime's future and never fires by itself during a test; `runDurableObjectAlarm` fires it.
 *
 * @example
 * const clock = await useClock(groupStub(group));
 * clock.advance(1_200);
 * await runDurableObjectAlarm(groupStub(group)); // sessions of 1 s are over
 */
import { runInDurableObject } from "cloudflare:test";
import type { Clock } from "../../worker/clock.ts";
import type { Group } from "../../worker/group/group.ts";
import type { Partition } from "../../worker/partition/partition.ts";

/** How far ahead of the wall clock a test clock starts. */
export const TEST_CLOCK_AHEAD_MS = 24 * 3_600_000;
/** Readings remembered (for `at`); the oldest go first. */
const MARKS_MAX = 1_000;

export class ManualClock implements Clock {
  /** Each reading the clock was set to, with the wall time it was set at, oldest first. */
  private readonly marks: { wallMs: number; clockMs: number }[] = [];

  constructor(startMs = Date.now() + TEST_CLOCK_AHEAD_MS) {
    this.set(startMs);
  }

  now(): number {
    return this.marks[this.marks.length - 1]!.clockMs;
  }

  /**
   * The reading in effect when the runtime's wall clock showed `runtimeMs` (a ping's timestamp):
   * the last one set at or before it. Wall clocks tick in whole ms, so a reading set in the same
   * ms as a ping counts as set before it.
   */
  at(runtimeMs: number): number {
    for (let i = this.marks.length - 1; i >= 0; i--) {
      const mark = this.marks[i]!;
      if (mark.wallMs <= runtimeMs) return mark.clockMs;
    }
    return this.marks[0]!.clockMs;
  }

  /** Sets the reading. */
  set(clockMs: number): void {
    if (this.marks.length >= MARKS_MAX) this.marks.shift();
    this.marks.push({ wallMs: Date.now(), clockMs });
  }

  /** Moves the reading forward by `ms`. */
  advance(ms: number): void {
    this.set(this.now() + ms);
  }
}

/** Sets `clock` (a new ManualClock unless given) on the live object behind `stub`, and answers it. */
export async function useClock<O extends Partition | Group>(stub: DurableObjectStub<O>, clock = new ManualClock()): Promise<ManualClock> {
  await runInDurableObject(stub, (instance: O) => {
    instance.clock = clock;
  });
  return clock;
}
