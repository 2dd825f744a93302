/**
 * Produce quotas of one partition: a token bucket per principal (`sub`) for events and one for
 * bytes, with debt. A batch is admitted while neither bucket is in debt (below zero), however
 * big it is; then its events and bytes are taken, which may put a bucket in debt; while in debt
 * every batch is refused with the time until the deeper debt is paid off (`retryAfterMs`). So a
 * batch larger than the burst still goes through, and the long-run rate is the bucket's rate.
 *
 * A bucket holds QUOTA_BURST_MS of its rate when full and refills at its rate. Levels are kept in
 * thousandths of an event (or byte), so refill and waits are exact integers of ms: a client that
 * waits exactly `retryAfterMs` is admitted. Buckets live in memory only (an object that restarts
 * starts them full again: at most one more burst) and at most QUOTA_BUCKETS_MAX of them: past it,
 * full buckets are forgotten first (a full bucket is the same as a fresh one), else the one
 * closest to full.
 *
 * Rules: PROTOCOL.md QUOTA-3, QUOTA-4, QUOTA-5, QUOTA-8.
 *
 * @example
 * const quotas = new QuotaBuckets();
 * quotas.admit("alice", limits, now); // throws QUOTA_EXCEEDED while in debt
 * quotas.take("alice", limits, now, { events: 500, bytes: 40_000 });
 */
import { EdgelogError, QUOTA_BUCKETS_MAX, QUOTA_BURST_MS } from "../../client/protocol/index.ts";
import { invariant } from "../result.ts";
import type { QuotaLimits } from "./quota-config.ts";

/** One principal's buckets: levels in thousandths, as of `atMs`, at the rates of its last batch. */
interface Bucket {
  eventsMilli: number;
  bytesMilli: number;
  atMs: number;
  eventsPerS: number;
  bytesPerS: number;
}

/**
 * What a batch takes from its principal's buckets.
 *
 * @example
 * const cost: QuotaCost = { events: request.tails.length, bytes: storedBytes };
 */
export interface QuotaCost {
  events: number;
  bytes: number;
}

/** A level refilled from `atMs` to `nowMs` at `perS` units a second, never above the burst. */
function refilled(levelMilli: number, perS: number, atMs: number, nowMs: number): number {
  const elapsedMs = Math.max(0, nowMs - atMs);
  return Math.min(perS * QUOTA_BURST_MS, levelMilli + elapsedMs * perS);
}

/** Ms until a level is out of debt (0 when it is not in debt), refilling at `perS`. */
function debtMs(levelMilli: number, perS: number): number {
  return levelMilli >= 0 ? 0 : Math.ceil(-levelMilli / perS);
}

/** Ms until a level is full again. */
function untilFullMs(levelMilli: number, perS: number): number {
  return Math.ceil((perS * QUOTA_BURST_MS - levelMilli) / perS);
}

/**
 * One partition's buckets (see the module header).
 *
 * @example
 * const quotas = new QuotaBuckets(); // in the Partition object, beside its log
 */
export class QuotaBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly bucketsMax: number;

  /** `bucketsMax` is QUOTA_BUCKETS_MAX but in a test of the eviction itself. */
  constructor(bucketsMax = QUOTA_BUCKETS_MAX) {
    invariant(Number.isSafeInteger(bucketsMax) && bucketsMax >= 1, "a bound on buckets");
    this.bucketsMax = bucketsMax;
  }

  /** How many principals have a bucket in memory (at most the bound). */
  get size(): number {
    return this.buckets.size;
  }

  /** Throws QUOTA_EXCEEDED with `retryAfterMs` while `sub`'s buckets are in debt at `nowMs`. */
  admit(sub: string, limits: QuotaLimits, nowMs: number): void {
    const bucket = this.buckets.get(sub);
    if (bucket === undefined) return; // a fresh bucket is full
    const eventsMilli = refilled(bucket.eventsMilli, limits.eventsPerS, bucket.atMs, nowMs);
    const bytesMilli = refilled(bucket.bytesMilli, limits.bytesPerS, bucket.atMs, nowMs);
    const waitMs = Math.max(debtMs(eventsMilli, limits.eventsPerS), debtMs(bytesMilli, limits.bytesPerS));
    if (waitMs === 0) return;
    throw new EdgelogError(
      "QUOTA_EXCEEDED",
      `"${sub}" is over its quota on this partition (${limits.eventsPerS} events/s, ${limits.bytesPerS} bytes/s): ` +
        `nothing was stored; send again in ${waitMs} ms (PROTOCOL.md QUOTA-4)`,
      { retryAfterMs: waitMs },
    );
  }

  /** Takes an admitted batch's events and bytes from `sub`'s buckets (which may go into debt). */
  take(sub: string, limits: QuotaLimits, nowMs: number, cost: QuotaCost): void {
    invariant(cost.events >= 0 && cost.bytes >= 0, "a batch costs nothing negative");
    let bucket = this.buckets.get(sub);
    if (bucket === undefined) {
      this.makeRoom(nowMs);
      const { eventsPerS, bytesPerS } = limits;
      bucket = { eventsMilli: eventsPerS * QUOTA_BURST_MS, bytesMilli: bytesPerS * QUOTA_BURST_MS, atMs: nowMs, eventsPerS, bytesPerS };
      this.buckets.set(sub, bucket);
    }
    bucket.eventsMilli = refilled(bucket.eventsMilli, limits.eventsPerS, bucket.atMs, nowMs) - cost.events * 1000;
    bucket.bytesMilli = refilled(bucket.bytesMilli, limits.bytesPerS, bucket.atMs, nowMs) - cost.bytes * 1000;
    bucket.atMs = Math.max(bucket.atMs, nowMs);
    bucket.eventsPerS = limits.eventsPerS;
    bucket.bytesPerS = limits.bytesPerS;
    invariant(this.buckets.size <= this.bucketsMax, "buckets stay within QUOTA_BUCKETS_MAX");
  }

  /** Before a new bucket, at the bound: forgets every full bucket, else the one closest to full. */
  private makeRoom(nowMs: number): void {
    if (this.buckets.size < this.bucketsMax) return;
    let closest: string | null = null;
    let closestMs = Number.MAX_SAFE_INTEGER;
    for (const [sub, bucket] of this.buckets) {
      const { eventsPerS, bytesPerS } = bucket;
      const eventsMilli = refilled(bucket.eventsMilli, eventsPerS, bucket.atMs, nowMs);
      const bytesMilli = refilled(bucket.bytesMilli, bytesPerS, bucket.atMs, nowMs);
      const fullMs = Math.max(untilFullMs(eventsMilli, eventsPerS), untilFullMs(bytesMilli, bytesPerS));
      if (fullMs <= 0) this.buckets.delete(sub);
      else if (fullMs < closestMs) {
        closest = sub;
        closestMs = fullMs;
      }
    }
    if (this.buckets.size >= this.bucketsMax && closest !== null) this.buckets.delete(closest);
  }
}
