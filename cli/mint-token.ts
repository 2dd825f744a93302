/**
 * Mints an HS256 token for edgelog's authentication (PROTOCOL.md AUTH-2): the claims `sub`,
 * `scope`, `exp`, `iat` and, when given, `aud`, `iss` and `quota`, checked with the rules the
 * server applies before anything is signed. Shared by `edgelog token` and `npm run token`
 * (tools/token.ts). Needs `jose` (an optional peer dependency of the package), loaded only here.
 *
 * @example
 * const token = await mintToken({ secret, sub: "alice", scope: "read:orders", ttlS: 3600, nowS: Math.floor(Date.now() / 1000) });
 */
import { EdgelogError, parseScope, principalFromClaims } from "../client/protocol/index.ts";

/**
 * The longest lifetime a minted token may have: 30 days (short-lived tokens are the point).
 *
 * @example
 * if (ttlS > TOKEN_TTL_S_MAX) throw new Error("too long");
 */
export const TOKEN_TTL_S_MAX = 30 * 24 * 3_600;

/**
 * A minted token's lifetime when none is asked for: one hour.
 *
 * @example
 * mintToken({ secret, sub: "ops", scope: "admin:*", ttlS: TOKEN_TTL_S_DEFAULT, nowS });
 */
export const TOKEN_TTL_S_DEFAULT = 3_600;

/**
 * What a token is minted from.
 *
 * @example
 * const request: MintRequest = { secret: "64 hex digits", sub: "ops", scope: "admin:* group:*", ttlS: 600, nowS: 1764680000 };
 */
export interface MintRequest {
  secret: string;
  sub: string;
  scope: string;
  ttlS: number;
  /** Now, in seconds since the epoch (the clock passed in). */
  nowS: number;
  aud?: string | null;
  iss?: string | null;
  /** The `quota` claim as JSON text (QUOTA-1). */
  quota?: string;
}

/**
 * The signed token; a bad claim throws the server's EdgelogError (INVALID_REQUEST or the like).
 *
 * @example
 * const token = await mintToken({ secret, sub: "alice", scope: "read:*", ttlS: 60, nowS });
 */
export async function mintToken(request: MintRequest): Promise<string> {
  const { secret, sub, scope, ttlS, nowS } = request;
  if (!Number.isSafeInteger(ttlS) || ttlS < 1 || ttlS > TOKEN_TTL_S_MAX) {
    throw new EdgelogError("INVALID_PARAMETER", `--ttl is a whole number of seconds from 1 to ${TOKEN_TTL_S_MAX}`);
  }
  const claims: Record<string, unknown> = { sub, exp: nowS + ttlS, iat: nowS };
  if (scope) claims.scope = scope;
  if (request.quota !== undefined) claims.quota = JSON.parse(request.quota) as unknown;
  if (request.aud) claims.aud = request.aud;
  if (request.iss) claims.iss = request.iss;
  parseScope(scope);
  principalFromClaims(claims);
  const { SignJWT } = await import("jose").catch(() => {
    throw new Error("minting a token needs the jose package (an optional peer of edgelog): npm install jose@6");
  });
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(secret));
}
