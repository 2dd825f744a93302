/**
 * Token verification (worker/auth: key-set.ts, verify-token.ts) and the grant rule
 * (client/protocol/grants.ts, claims.ts), in workerd's Web Crypto: HS256 with a secret, ES256 and
 * RS256 with an SPKI PEM or a JWK, a JWKS picked by kid; exp, nbf and iat with the clock skew;
 * aud and iss; the bounds of a token and its claims (PROTOCOL.md AUTH-1 to AUTH-6).
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project worker test/worker/auth-tokens.test.ts
 */
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import {
  allows,
  EdgelogError,
  parseScope,
  principalFromClaims,
  TOKEN_BYTES_MAX,
  TOKEN_CLOCK_SKEW_MS_MAX,
} from "../../client/protocol/index.ts";
import { type KeySet, keySetFrom } from "../../worker/auth/key-set.ts";
import { verifyToken } from "../../worker/auth/verify-token.ts";

const NOW_MS = 1_900_000_000_000;
const SECRET = "a-secret-of-the-token-tests-32-bytes";

async function sign(key: CryptoKey | Uint8Array, alg: string, claims: Record<string, unknown>, header: Record<string, string> = {}) {
  return new SignJWT(claims).setProtectedHeader({ alg, ...header }).sign(key);
}

async function keys(vars: Parameters<typeof keySetFrom>[0]): Promise<KeySet> {
  const set = await keySetFrom(vars);
  if (set === null || typeof set === "string") throw new Error(`no key set: ${set}`);
  return set;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EdgelogError);
    expect((error as EdgelogError).code).toBe("UNAUTHENTICATED");
    return (error as EdgelogError).message;
  }
  throw new Error("verified, not refused");
}

const exp = NOW_MS / 1000 + 60;
const secretKey = new TextEncoder().encode(SECRET);

describe("verifyToken", () => {
  it("verifies HS256 with the secret; refuses another secret, alg none and a token past TOKEN_BYTES_MAX", async () => {
    const set = await keys({ EDGELOG_JWT_SECRET: SECRET });
    const principal = await verifyToken(set, await sign(secretKey, "HS256", { sub: "alice", exp, scope: "read:*" }), NOW_MS);
    expect(principal).toEqual({ sub: "alice", expiresAt: exp * 1000, grants: [{ action: "read", pattern: "*" }], quota: null });
    const other = new TextEncoder().encode(`${SECRET}!`);
    expect(await refusal(verifyToken(set, await sign(other, "HS256", { sub: "a", exp }), NOW_MS))).toMatch(/signature/);
    const none = `${btoa('{"alg":"none"}').replace(/=+$/, "")}.${btoa(JSON.stringify({ sub: "a", exp })).replace(/=+$/, "")}.`;
    await refusal(verifyToken(set, none, NOW_MS));
    await refusal(verifyToken(set, "a".repeat(TOKEN_BYTES_MAX + 1), NOW_MS));
  });

  it("honours exp, nbf and iat within TOKEN_CLOCK_SKEW_MS_MAX, and requires sub and exp", async () => {
    const set = await keys({ EDGELOG_JWT_SECRET: SECRET });
    const skewS = TOKEN_CLOCK_SKEW_MS_MAX / 1000;
    const at = (claims: Record<string, unknown>) => sign(secretKey, "HS256", claims).then((token) => verifyToken(set, token, NOW_MS));
    await at({ sub: "a", exp: NOW_MS / 1000 - skewS + 1 });
    expect(await refusal(at({ sub: "a", exp: NOW_MS / 1000 - skewS - 1 }))).toMatch(/expired/);
    await at({ sub: "a", exp, nbf: NOW_MS / 1000 + skewS - 1 });
    expect(await refusal(at({ sub: "a", exp, nbf: NOW_MS / 1000 + skewS + 1 }))).toMatch(/nbf/);
    expect(await refusal(at({ sub: "a", exp, iat: NOW_MS / 1000 + skewS + 1 }))).toMatch(/iat/);
    await refusal(at({ exp }));
    await refusal(at({ sub: "a" }));
  });

  it("checks aud and iss when the deployment names them", async () => {
    const set = await keys({ EDGELOG_JWT_SECRET: SECRET, EDGELOG_JWT_AUDIENCE: "edgelog", EDGELOG_JWT_ISSUER: "https://auth.example" });
    const at = (claims: Record<string, unknown>) =>
      sign(secretKey, "HS256", { sub: "a", exp, ...claims }).then((t) => verifyToken(set, t, NOW_MS));
    await at({ aud: ["other", "edgelog"], iss: "https://auth.example" });
    expect(await refusal(at({ aud: "other", iss: "https://auth.example" }))).toMatch(/audience/);
    expect(await refusal(at({ aud: "edgelog", iss: "https://evil.example" }))).toMatch(/issuer/);
    await refusal(at({ iss: "https://auth.example" }));
  });

  it("verifies ES256 and RS256 with a public key as SPKI PEM or JWK, and refuses HS256 then", async () => {
    for (const alg of ["ES256", "RS256"] as const) {
      const pair = await generateKeyPair(alg, { extractable: true });
      for (const text of [await exportSPKI(pair.publicKey), JSON.stringify(await exportJWK(pair.publicKey))]) {
        const set = await keys({ EDGELOG_JWT_PUBLIC_KEY: text });
        expect(set.algorithms).toEqual([alg]);
        expect((await verifyToken(set, await sign(pair.privateKey, alg, { sub: "svc", exp }), NOW_MS)).sub).toBe("svc");
        expect(await refusal(verifyToken(set, await sign(secretKey, "HS256", { sub: "a", exp }), NOW_MS))).toMatch(/alg/);
      }
    }
  });

  it("picks a JWKS key by kid, and refuses a kid it does not have", async () => {
    const one = await generateKeyPair("ES256", { extractable: true });
    const two = await generateKeyPair("RS256", { extractable: true });
    const jwks = {
      keys: [
        { ...(await exportJWK(one.publicKey)), kid: "one", alg: "ES256" },
        { ...(await exportJWK(two.publicKey)), kid: "two", alg: "RS256" },
      ],
    };
    const set = await keys({ EDGELOG_JWKS: JSON.stringify(jwks) });
    expect((await verifyToken(set, await sign(two.privateKey, "RS256", { sub: "b", exp }, { kid: "two" }), NOW_MS)).sub).toBe("b");
    expect((await verifyToken(set, await sign(one.privateKey, "ES256", { sub: "a", exp }, { kid: "one" }), NOW_MS)).sub).toBe("a");
    expect(await refusal(verifyToken(set, await sign(one.privateKey, "ES256", { sub: "a", exp }, { kid: "three" }), NOW_MS))).toMatch(
      /kid/,
    );
  });

  it("names what is wrong with a setting instead of ignoring it", async () => {
    expect(await keySetFrom({})).toBeNull();
    expect(await keySetFrom({ EDGELOG_JWT_SECRET: "short" })).toMatch(/at least 32 bytes/);
    expect(await keySetFrom({ EDGELOG_JWT_PUBLIC_KEY: "not a key" })).toMatch(/EDGELOG_JWT_PUBLIC_KEY/);
    expect(await keySetFrom({ EDGELOG_JWKS: '{"keys":[]}' })).toMatch(/EDGELOG_JWKS/);
  });
});

describe("grants and claims", () => {
  it("parses grants and applies the rule: exact names, prefixes, admin implying read and write only", () => {
    const grants = parseScope("read:orders.* write:orders.eu admin:audit group:billing-*");
    expect(allows(grants, "read", "orders.us")).toBe(true);
    expect(allows(grants, "read", "orders")).toBe(false);
    expect(allows(grants, "write", "orders.eu")).toBe(true);
    expect(allows(grants, "write", "orders.us")).toBe(false);
    expect([allows(grants, "read", "audit"), allows(grants, "write", "audit"), allows(grants, "group", "audit")]).toEqual([
      true,
      true,
      false,
    ]);
    expect(allows(grants, "group", "billing-eu")).toBe(true);
    expect(allows(parseScope("read:*"), "read", "anything")).toBe(true);
    expect(parseScope("")).toEqual([]);
  });

  it("refuses malformed grants and claims out of bounds (the token is then invalid)", () => {
    for (const scope of ["read:", "delete:x", "read:a*b", "read:a/b", "read:..", "read:x  read:y", "read:x ".repeat(65).trim()]) {
      expect(() => parseScope(scope), scope).toThrow(EdgelogError);
    }
    expect(() => principalFromClaims({ sub: "s".repeat(129), exp })).toThrow(/sub/);
    expect(() => principalFromClaims({ sub: "a", exp, scope: 3 })).toThrow(/scope/);
    expect(() => principalFromClaims({ sub: "a", exp, quota: { note: "x".repeat(1_100) } })).toThrow(/quota/);
    expect(principalFromClaims({ sub: "a", exp, quota: { eventsPerS: 10 } }).quota).toEqual({ eventsPerS: 10 });
  });
});
