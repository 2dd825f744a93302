/**
 * Verifies a token with `jose` (Web Crypto, no hand-written crypto): its signature with the
 * configured keys, `exp` (required), `nbf` and `iat` against `now` within
 * TOKEN_CLOCK_SKEW_MS_MAX, `aud` and `iss` when the deployment names them; then reads its
 * principal (claims.ts). Every failure is UNAUTHENTICATED with a message that says which check
 * failed, never which key exists.
 *
 * Rules: PROTOCOL.md AUTH-1, AUTH-2, AUTH-6.
 *
 * @example
 * const principal = await verifyToken(config.keys, token, clock.now());
 */
import { errors, jwtVerify } from "jose";
import { checkTokenSize, EdgelogError, type Principal, principalFromClaims, TOKEN_CLOCK_SKEW_MS_MAX } from "../../client/protocol/index.ts";
import type { KeySet } from "./key-set.ts";

/** What a jose failure tells the caller (its own messages may name internals). */
function reason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "the token expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf") return "the token is not valid yet (nbf)";
    if (error.claim === "aud") return "the token is for another audience (aud)";
    if (error.claim === "iss") return "the token is from another issuer (iss)";
    return `the token's ${error.claim} claim is invalid`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return "the token's signature does not verify";
  if (error instanceof errors.JOSEAlgNotAllowed) return "the token's alg is not one this deployment verifies";
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return "no configured key matches the token's kid and alg";
  }
  return "the token is malformed (a JWS compact JWT: header.payload.signature)";
}

/**
 * The principal of a valid token; throws UNAUTHENTICATED otherwise.
 *
 * @example
 * await verifyToken(keys, "eyJ...", Date.now()); // { sub: "alice", expiresAt, grants, quota }
 * await verifyToken(keys, expired, Date.now()); // throws UNAUTHENTICATED "the token expired"
 */
export async function verifyToken(keys: KeySet, token: string, nowMs: number): Promise<Principal> {
  checkTokenSize(token);
  let claims: Record<string, unknown>;
  try {
    const verified = await jwtVerify(token, keys.keyFor, {
      algorithms: [...keys.algorithms],
      requiredClaims: ["sub", "exp"],
      clockTolerance: TOKEN_CLOCK_SKEW_MS_MAX / 1000,
      currentDate: new Date(nowMs),
      ...(keys.audience === null ? {} : { audience: keys.audience }),
      ...(keys.issuer === null ? {} : { issuer: keys.issuer }),
    });
    claims = verified.payload as Record<string, unknown>;
  } catch (error) {
    throw new EdgelogError("UNAUTHENTICATED", `${reason(error)} (PROTOCOL.md AUTH-6)`);
  }
  const issuedAt = claims.iat;
  if (typeof issuedAt === "number" && issuedAt * 1000 > nowMs + TOKEN_CLOCK_SKEW_MS_MAX) {
    throw new EdgelogError("UNAUTHENTICATED", "the token is issued in the future (iat) (PROTOCOL.md AUTH-6)");
  }
  return principalFromClaims(claims);
}
