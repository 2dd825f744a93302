/**
 * The keys a deployment verifies tokens with, imported once with `jose` (Web Crypto): the HS256
 * secret EDGELOG_JWT_SECRET; an ES256 or RS256 public key EDGELOG_JWT_PUBLIC_KEY (SPKI PEM, or
 * one JWK as JSON); a JWKS EDGELOG_JWKS (JSON, never fetched from a URL). Any of them may be set
 * together; a token's `alg` header picks the key (`kid` among a JWKS's). A malformed one is a
 * configuration problem (the deployment fails closed), never ignored.
 *
 * Rules: PROTOCOL.md AUTH-1, AUTH-14.
 *
 * @example
 * const keys = await keySetFrom({ EDGELOG_JWT_SECRET: secret }); // a KeySet, null (no key) or a problem
 */
import { type CryptoKey, createLocalJWKSet, importJWK, importSPKI, type JSONWebKeySet, type JWK, type JWSHeaderParameters } from "jose";

/**
 * The algorithms edgelog accepts.
 *
 * @example
 * TOKEN_ALGORITHMS.includes("ES256"); // true
 */
export const TOKEN_ALGORITHMS = ["HS256", "ES256", "RS256"] as const;

/**
 * One of TOKEN_ALGORITHMS.
 *
 * @example
 * const alg: TokenAlgorithm = "RS256";
 */
export type TokenAlgorithm = (typeof TOKEN_ALGORITHMS)[number];

/**
 * The shortest HS256 secret accepted, in bytes (RFC 7518 section 3.2: a key of at least the hash's size).
 *
 * @example
 * new TextEncoder().encode(env.EDGELOG_JWT_SECRET).length >= JWT_SECRET_BYTES_MIN;
 */
export const JWT_SECRET_BYTES_MIN = 32;

/**
 * The configured keys: the algorithms they verify and the key for a token's header.
 *
 * @example
 * const { payload } = await jwtVerify(token, keys.keyFor, { algorithms: [...keys.algorithms] });
 */
export interface KeySet {
  algorithms: readonly TokenAlgorithm[];
  keyFor: (header: JWSHeaderParameters) => Promise<CryptoKey | Uint8Array>;
  /** EDGELOG_JWT_AUDIENCE and EDGELOG_JWT_ISSUER, checked when set. */
  audience: string | null;
  issuer: string | null;
}

/** A public key and its algorithm (the JWK's `alg`, or its key type; a PEM is tried as each). */
async function importPublicKey(text: string): Promise<{ alg: "ES256" | "RS256"; key: CryptoKey }> {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    const jwk = JSON.parse(trimmed) as JWK;
    const alg: string | undefined = jwk.alg ?? (jwk.kty === "EC" ? "ES256" : jwk.kty === "RSA" ? "RS256" : undefined);
    if (alg !== "ES256" && alg !== "RS256") throw new Error("the JWK is neither an ES256 (EC P-256) nor an RS256 (RSA) key");
    return { alg, key: (await importJWK(jwk, alg)) as CryptoKey };
  }
  // A PEM names no algorithm: an EC P-256 key is ES256, an RSA key RS256.
  for (const alg of ["ES256", "RS256"] as const) {
    try {
      return { alg, key: await importSPKI(trimmed, alg) };
    } catch {
      // Not a key of this algorithm; try the next.
    }
  }
  throw new Error("it is neither a JWK (JSON) nor an SPKI PEM (-----BEGIN PUBLIC KEY-----) of an EC P-256 or RSA key");
}

function jwksFrom(text: string): { keys: JSONWebKeySet; get: ReturnType<typeof createLocalJWKSet> } {
  const keys = JSON.parse(text) as JSONWebKeySet;
  if (!Array.isArray(keys?.keys) || keys.keys.length === 0) throw new Error('it must be JSON {"keys": [...]} with at least one key');
  return { keys, get: createLocalJWKSet(keys) };
}

/**
 * The key set of the vars: null when none is configured, a string saying what is wrong when one
 * is malformed (a secret shorter than JWT_SECRET_BYTES_MIN, a key that does not import).
 *
 * @example
 * await keySetFrom({}); // null
 * await keySetFrom({ EDGELOG_JWT_SECRET: "short" }); // "EDGELOG_JWT_SECRET must be at least 32 bytes ..."
 */
export async function keySetFrom(vars: {
  EDGELOG_JWT_SECRET?: string;
  EDGELOG_JWT_PUBLIC_KEY?: string;
  EDGELOG_JWKS?: string;
  EDGELOG_JWT_AUDIENCE?: string;
  EDGELOG_JWT_ISSUER?: string;
}): Promise<KeySet | string | null> {
  const { EDGELOG_JWT_SECRET: secretText, EDGELOG_JWT_PUBLIC_KEY: publicText, EDGELOG_JWKS: jwksText } = vars;
  const secret = secretText ? new TextEncoder().encode(secretText) : null;
  if (secret !== null && secret.length < JWT_SECRET_BYTES_MIN) {
    return `EDGELOG_JWT_SECRET must be at least ${JWT_SECRET_BYTES_MIN} bytes (npm run token -- --new-secret makes one)`;
  }
  let publicKey: { alg: "ES256" | "RS256"; key: CryptoKey } | null = null;
  let jwks: ReturnType<typeof jwksFrom> | null = null;
  try {
    publicKey = publicText ? await importPublicKey(publicText) : null;
  } catch (error) {
    return `EDGELOG_JWT_PUBLIC_KEY does not import: ${(error as Error).message}`;
  }
  try {
    jwks = jwksText ? jwksFrom(jwksText) : null;
  } catch (error) {
    return `EDGELOG_JWKS does not parse: ${(error as Error).message}`;
  }
  if (secret === null && publicKey === null && jwks === null) return null;
  const algorithms: TokenAlgorithm[] = [];
  if (secret !== null) algorithms.push("HS256");
  if (publicKey !== null) algorithms.push(publicKey.alg);
  if (jwks !== null) algorithms.push(...(["ES256", "RS256"] as const).filter((alg) => !algorithms.includes(alg)));
  const keyFor = async (header: JWSHeaderParameters): Promise<CryptoKey | Uint8Array> => {
    if (header.alg === "HS256" && secret !== null) return secret;
    if (publicKey !== null && header.alg === publicKey.alg && (jwks === null || header.kid === undefined)) return publicKey.key;
    if (jwks !== null) return jwks.get(header);
    throw new Error(`no configured key verifies alg ${String(header.alg)}`);
  };
  return { algorithms, keyFor, audience: vars.EDGELOG_JWT_AUDIENCE || null, issuer: vars.EDGELOG_JWT_ISSUER || null };
}
