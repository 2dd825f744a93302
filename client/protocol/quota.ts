/**
 * A token's `quota` claim, exactly: `{eventsPerS?, bytesPerS?, socketsMax?}`, each a whole number
 * from 1 to its maximum (quota-limits.ts), no other member; the claim overrides the deployment's
 * defaults for that principal. Also `Retry-After` from a refusal's wait. Pure: the worker checks
 * claims with it, a client may read its own.
 * Rules: PROTOCOL.md AUTH-2, QUOTA-2, QUOTA-5.
 *
 * @example
 * parseQuotaClaim({ eventsPerS: 100 }); // { eventsPerS: 100 }
 * retryAfterSeconds(1_200); // 2
 */
import { isObject } from "./checks.ts";
import { EdgelogError } from "./errors.ts";
import { QUOTA_BYTES_PER_S_MAX, QUOTA_EVENTS_PER_S_MAX, QUOTA_SOCKETS_MAX } from "./quota-limits.ts";

/**
 * A principal's own quota, from its token: what it names replaces the deployment's default.
 *
 * @example
 * const claim: QuotaClaim = { eventsPerS: 100, socketsMax: 2 };
 */
export interface QuotaClaim {
  /** Events per second on one partition, 1 to QUOTA_EVENTS_PER_S_MAX. */
  eventsPerS?: number;
  /** Bytes (as stored) per second on one partition, 1 to QUOTA_BYTES_PER_S_MAX. */
  bytesPerS?: number;
  /** Sockets authenticated at once on one partition, 1 to QUOTA_SOCKETS_MAX. */
  socketsMax?: number;
}

/**
 * Each member of the claim with its maximum.
 *
 * @example
 * QUOTA_CLAIM_MAX.eventsPerS; // QUOTA_EVENTS_PER_S_MAX
 */
export const QUOTA_CLAIM_MAX: Readonly<Record<keyof QuotaClaim, number>> = Object.freeze({
  eventsPerS: QUOTA_EVENTS_PER_S_MAX,
  bytesPerS: QUOTA_BYTES_PER_S_MAX,
  socketsMax: QUOTA_SOCKETS_MAX,
});

/**
 * The claim of a verified token; throws UNAUTHENTICATED when it is not an object of known members,
 * each a whole number from 1 to its maximum (a typo must not fall back to the generous default).
 *
 * @example
 * parseQuotaClaim({ eventsPerS: 5, bytesPerS: 1_000 }); // { eventsPerS: 5, bytesPerS: 1000 }
 * parseQuotaClaim({ eventsPerSec: 5 }); // throws UNAUTHENTICATED: unknown member
 */
export function parseQuotaClaim(value: unknown): QuotaClaim {
  if (!isObject(value)) throw refuse("the token's quota must be an object");
  const claim: QuotaClaim = {};
  for (const [name, member] of Object.entries(value)) {
    if (!(name in QUOTA_CLAIM_MAX)) {
      throw refuse(`the token's quota has an unknown member "${name.slice(0, 40)}" (allowed: eventsPerS, bytesPerS, socketsMax)`);
    }
    const max = QUOTA_CLAIM_MAX[name as keyof QuotaClaim];
    if (typeof member !== "number" || !Number.isInteger(member) || member < 1 || member > max) {
      throw refuse(`the token's quota.${name} must be a whole number from 1 to ${max}`);
    }
    claim[name as keyof QuotaClaim] = member;
  }
  return claim;
}

function refuse(message: string): EdgelogError {
  return new EdgelogError("UNAUTHENTICATED", `${message} (PROTOCOL.md AUTH-2, QUOTA-2)`);
}

/**
 * `Retry-After` for a wait of `retryAfterMs`: whole seconds, rounded up, at least 1.
 *
 * @example
 * retryAfterSeconds(1); // 1
 * retryAfterSeconds(2_000); // 2
 * retryAfterSeconds(2_001); // 3
 */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}
