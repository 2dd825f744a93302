/**
 * A token's claims as edgelog reads them, once its signature and times are verified (the worker
 * does that with Web Crypto): `sub` the principal, `exp` when it ends, `scope` its grants, and an
 * optional `quota` object (quota.ts: `{eventsPerS?, bytesPerS?, socketsMax?}`). Other claims are ignored. Pure, so a client can read the
 * expiry of its own token to refresh it in time. Also the `Authorization: Bearer` header's parse.
 * Rules: PROTOCOL.md AUTH-1, AUTH-2, QUOTA-2.
 *
 * @example
 * const principal = principalFromClaims({ sub: "alice", exp: 1_900_000_000, scope: "read:orders" });
 * principal.expiresAt; // 1_900_000_000_000 (ms)
 */
import { PRINCIPAL_LENGTH_MAX, QUOTA_CLAIM_BYTES_MAX, TOKEN_BYTES_MAX } from "./auth-limits.ts";
import { isObject, objectWithKeys, utf8Length } from "./checks.ts";
import { EdgelogError } from "./errors.ts";
import { type Grant, parseScope } from "./grants.ts";
import type { AuthMessage } from "./messages.ts";
import { messageId } from "./names.ts";
import { parseQuotaClaim, type QuotaClaim } from "./quota.ts";

/**
 * Who a verified token speaks for, and what it allows until when.
 *
 * @example
 * const principal: Principal = { sub: "alice", expiresAt: Date.now() + 3_600_000, grants: parseScope("read:*"), quota: null };
 */
export interface Principal {
  /** The `sub` claim: 1 to PRINCIPAL_LENGTH_MAX characters. */
  sub: string;
  /** The `exp` claim, in ms since the epoch. */
  expiresAt: number;
  /** The `scope` claim's grants (none when it is absent). */
  grants: Grant[];
  /** The `quota` claim (at most QUOTA_CLAIM_BYTES_MAX bytes of JSON; QUOTA-2), or null. */
  quota: QuotaClaim | null;
}

function refuse(message: string): never {
  throw new EdgelogError("UNAUTHENTICATED", `${message} (PROTOCOL.md AUTH-2)`);
}

/**
 * The principal of a verified token's claims; throws UNAUTHENTICATED when `sub`, `exp`, `scope`
 * or `quota` is not as AUTH-2 says.
 *
 * @example
 * principalFromClaims({ sub: "svc-billing", exp: 1_900_000_000, scope: "group:billing read:orders" }).grants.length; // 2
 * principalFromClaims({ exp: 1_900_000_000 }); // throws UNAUTHENTICATED: no sub
 */
export function principalFromClaims(claims: Record<string, unknown>): Principal {
  const { sub, exp, scope, quota } = claims;
  if (typeof sub !== "string" || sub.length < 1 || sub.length > PRINCIPAL_LENGTH_MAX) {
    refuse(`the token's sub must be a string of 1 to ${PRINCIPAL_LENGTH_MAX} characters`);
  }
  if (typeof exp !== "number" || !Number.isSafeInteger(exp) || exp < 0) refuse("the token's exp must be a whole number of seconds");
  if (scope !== undefined && typeof scope !== "string") refuse("the token's scope must be a string of grants separated by spaces");
  if (quota !== undefined && !isObject(quota)) refuse("the token's quota must be an object");
  if (quota !== undefined && utf8Length(JSON.stringify(quota)) > QUOTA_CLAIM_BYTES_MAX) {
    refuse(`the token's quota must be at most ${QUOTA_CLAIM_BYTES_MAX} bytes of JSON`);
  }
  return { sub, expiresAt: exp * 1000, grants: parseScope(scope ?? ""), quota: quota === undefined ? null : parseQuotaClaim(quota) };
}

/**
 * The token of an `Authorization` header: null when there is none; throws UNAUTHENTICATED when
 * it is not `Bearer <token>` or the token is longer than TOKEN_BYTES_MAX.
 *
 * @example
 * bearerToken("Bearer eyJhbGciOi..."); // "eyJhbGciOi..."
 * bearerToken(undefined); // null
 * bearerToken("Basic dXNlcg=="); // throws UNAUTHENTICATED
 */
export function bearerToken(header: string | null | undefined): string | null {
  if (header === null || header === undefined) return null;
  const match = /^Bearer +([^ ]+) *$/i.exec(header);
  if (match === null) throw new EdgelogError("UNAUTHENTICATED", "the Authorization header must be `Bearer <token>` (PROTOCOL.md AUTH-1)");
  const token = match[1]!;
  checkTokenSize(token);
  return token;
}

/**
 * Refuses a token longer than TOKEN_BYTES_MAX (UNAUTHENTICATED), before anything parses it.
 *
 * @example
 * checkTokenSize(message.token); // a socket's auth message
 */
export function checkTokenSize(token: string): void {
  if (token.length > TOKEN_BYTES_MAX) {
    throw new EdgelogError("UNAUTHENTICATED", `a token is at most ${TOKEN_BYTES_MAX} bytes (PROTOCOL.md AUTH-2)`);
  }
}

/**
 * Parses an `auth` message (either socket): `{type: "auth", id, token}`, the token a string (its
 * size checked as checkTokenSize does). Throws INVALID_REQUEST for another shape.
 *
 * @example
 * parseAuthMessage({ type: "auth", id: "a1", token: "eyJ..." }); // { type: "auth", id: "a1", token: "eyJ..." }
 */
export function parseAuthMessage(value: Record<string, unknown>): AuthMessage {
  objectWithKeys(value, "auth", ["type", "id", "token"], "INVALID_REQUEST");
  const id = messageId(value.id, "id");
  if (typeof value.token !== "string" || value.token === "") {
    throw new EdgelogError("INVALID_REQUEST", "auth.token must be a non-empty string (PROTOCOL.md AUTH-9)");
  }
  checkTokenSize(value.token);
  return { type: "auth", id, token: value.token };
}
