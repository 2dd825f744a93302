/**
 * The limits of authentication: a token's size and claims, the clock skew tolerated, and the
 * socket's deadlines. Named with the unit and then the qualifier (TIGER_STYLE), as limits.ts.
 * Rules: PROTOCOL.md LIMIT-1, AUTH-2, AUTH-10, AUTH-12.
 *
 * @example
 * if (token.length > TOKEN_BYTES_MAX) throw new Error("too long");
 */

/**
 * Longest token, in bytes of its compact form (three base64url parts): a longer one is refused
 * before it is parsed (UNAUTHENTICATED).
 *
 * @example
 * verifyToken(config, "e".repeat(TOKEN_BYTES_MAX + 1), now); // throws UNAUTHENTICATED
 */
export const TOKEN_BYTES_MAX = 8_192;

/**
 * Longest principal: the `sub` claim is 1 to this many characters.
 *
 * @example
 * principalFromClaims({ sub: "a".repeat(129), exp }); // throws UNAUTHENTICATED
 */
export const PRINCIPAL_LENGTH_MAX = 128;

/**
 * Longest `scope` claim, in characters (a socket keeps its grants in its 16 KiB attachment).
 *
 * @example
 * parseScope("read:a ".repeat(1_000)); // throws UNAUTHENTICATED
 */
export const SCOPE_BYTES_MAX = 4_096;

/**
 * Most grants in one `scope` claim.
 *
 * @example
 * parseScope(Array.from({ length: 65 }, (_, i) => `read:t${i}`).join(" ")); // throws UNAUTHENTICATED
 */
export const SCOPE_GRANTS_MAX = 64;

/**
 * Longest `quota` claim, as the bytes of its JSON text (its members: quota.ts, PROTOCOL.md QUOTA-2).
 *
 * @example
 * principalFromClaims({ sub: "a", exp, quota: { note: "x".repeat(2_000) } }); // throws UNAUTHENTICATED
 */
export const QUOTA_CLAIM_BYTES_MAX = 1_024;

/**
 * The clock skew tolerated when `exp`, `nbf` and `iat` are checked: a token is still valid this
 * long after its `exp`, and already valid this long before its `nbf`.
 *
 * @example
 * jwtVerify(token, key, { clockTolerance: TOKEN_CLOCK_SKEW_MS_MAX / 1000 });
 */
export const TOKEN_CLOCK_SKEW_MS_MAX = 30_000;

/**
 * How long after the upgrade a socket must authenticate (its first message, `auth`) when auth is
 * required; then it is closed with 4401.
 *
 * @example
 * auth.accept(ws, now); // the socket is closed at now + SOCKET_AUTH_DEADLINE_MS unless it authenticates
 */
export const SOCKET_AUTH_DEADLINE_MS = 5_000;

/**
 * How long before a socket's token expires the server sends `{type: "reauth", expiresAt}`.
 *
 * @example
 * const reauthAt = principal.expiresAt - SOCKET_REAUTH_LEAD_MS;
 */
export const SOCKET_REAUTH_LEAD_MS = 60_000;
