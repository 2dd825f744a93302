/**
 * What the client reads from its own token: `sub` and `exp`, from the payload of a JWS compact
 * JWT, decoded without verifying anything (the server verifies; the client only needs to know
 * when to ask for a fresh token, and whose it is). It uses the web platform's `atob` and
 * `TextDecoder`, so it lives beside the client rather than in the protocol folder.
 * Rules: PROTOCOL.md AUTH-2, AUTH-17.
 *
 * @example
 * const { sub, expiresAt } = tokenClaims(token); // "alice", 1_900_000_000_000 (ms), or nulls
 */
import { PRINCIPAL_LENGTH_MAX, TOKEN_BYTES_MAX } from "./protocol/index.ts";

/**
 * The `auth` option: a token, or a function (sync or async) that answers a fresh one each call.
 *
 * @example
 * const auth: AuthOption = async () => (await fetch("/session/edgelog-token")).text();
 * createClient({ url, auth });
 */
export type AuthOption = string | (() => string | Promise<string>);

/**
 * A token's claims as the client reads them: null when the token does not say (an opaque token,
 * a payload that is not JSON, a claim of the wrong type).
 *
 * @example
 * const claims: TokenClaims = { sub: "alice", expiresAt: 1_900_000_000_000 };
 */
export interface TokenClaims {
  /** The `sub` claim (1 to PRINCIPAL_LENGTH_MAX characters). */
  sub: string | null;
  /** The `exp` claim in ms since the epoch. */
  expiresAt: number | null;
}

function base64UrlText(part: string): string | null {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return null;
  const base64 = part
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(part.length / 4) * 4, "=");
  try {
    const binary = atob(base64);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * `sub` and `exp` of a token's payload, unverified (see the module comment).
 *
 * @example
 * tokenClaims("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MTl9.sig"); // { sub: "alice", expiresAt: 19000 }
 * tokenClaims("opaque"); // { sub: null, expiresAt: null }
 */
export function tokenClaims(token: string): TokenClaims {
  const none: TokenClaims = { sub: null, expiresAt: null };
  const parts = token.length <= TOKEN_BYTES_MAX ? token.split(".") : [];
  const text = parts.length === 3 ? base64UrlText(parts[1]!) : null;
  if (text === null) return none;
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return none;
  }
  if (typeof payload !== "object" || payload === null) return none;
  const { sub, exp } = payload as { sub?: unknown; exp?: unknown };
  return {
    sub: typeof sub === "string" && sub.length >= 1 && sub.length <= PRINCIPAL_LENGTH_MAX ? sub : null,
    expiresAt: typeof exp === "number" && Number.isSafeInteger(exp) && exp >= 0 ? exp * 1000 : null,
  };
}
