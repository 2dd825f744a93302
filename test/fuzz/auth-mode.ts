/**
 * The fuzz harness's authentication mode, a parameter of every run: "off" (no tokens; the Worker
 * runs with EDGELOG_AUTH=off) or "required" (EDGELOG_AUTH=required with an HS256 secret, issue 10's
 * decision E1). With auth required the harness holds two tokens: the witness's (every grant, to
 * arrange and read the witness) and the fuzzer's (grants on the fuzzer's own names only, `fz*`),
 * and its generators may then name the witness: only the grants keep it unchanged.
 *
 * Tokens are minted here with node:crypto's HMAC (a test signer, as `npm run token` is the
 * operator's); the Worker verifies them with its own library.
 *
 * @example
 * const auth = fuzzAuth("required");
 * new Miniflare({ ...options, bindings: auth.bindings });
 * fetch(url, { headers: auth.headers("fuzz") });
 */
import { createHmac, randomBytes } from "node:crypto";

/**
 * The modes the harness runs in.
 *
 * @example
 * const mode: AuthMode = process.env.EDGELOG_FUZZ_AUTH === "required" ? "required" : "off";
 */
export type AuthMode = "off" | "required";

/**
 * Whose token a request carries: the witness's (every grant) or the fuzzer's (its own names only).
 *
 * @example
 * auth.headers("witness"); // { authorization: "Bearer eyJ..." } when auth is required, {} when off
 */
export type Principal = "witness" | "fuzz";

/**
 * One run's authentication: the Worker's bindings, and the tokens requests and sockets carry.
 *
 * @example
 * const auth: FuzzAuth = fuzzAuth("off");
 * auth.token("fuzz"); // null: no token when auth is off
 */
export interface FuzzAuth {
  mode: AuthMode;
  /** The Worker's vars for this mode (Miniflare's `bindings`). */
  bindings: Record<string, string>;
  /** The principal's token, or null when auth is off. */
  token(principal: Principal): string | null;
  /** The `Authorization` header for the principal ({} when auth is off). */
  headers(principal: Principal): Record<string, string>;
  /** The first socket frame for the principal (`{type:"auth", id, token}`), or null when auth is off. */
  authFrame(principal: Principal): string | null;
  /** Tokens that must be refused: malformed, a bad signature, expired, not yet valid, other grants. */
  badTokens: readonly string[];
}

/** How long the harness's tokens live: longer than any run (the long run re-mints per round). */
const TOKEN_TTL_S = 6 * 3_600;
/** Grants of the fuzzer's token: everything on its own names, nothing on the witness's. */
const FUZZ_SCOPE = "admin:fz* group:fz*";
/** Grants of the witness's token. */
const WITNESS_SCOPE = "admin:* group:*";

const base64url = (data: string | Buffer): string => Buffer.from(data).toString("base64url");

/**
 * An HS256 JWS compact token over `claims`, signed with `secret`.
 *
 * @example
 * const token = signHs256({ sub: "alice", exp: nowS() + 60, scope: "read:orders" }, secret);
 */
export function signHs256(claims: Record<string, unknown>, secret: string): string {
  const signingInput = `${base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${base64url(JSON.stringify(claims))}`;
  return `${signingInput}.${createHmac("sha256", secret).update(signingInput).digest("base64url")}`;
}

/** Seconds since the epoch, as JWT claims count time. */
function nowS(): number {
  return Math.floor(Date.now() / 1_000);
}

/** Tokens the Worker must refuse with 401 (or 403 for the read-only one on writes). */
function badTokensFor(secret: string): string[] {
  const now = nowS();
  const good = { sub: "fz-bad", iat: now, exp: now + TOKEN_TTL_S, scope: FUZZ_SCOPE };
  return [
    "",
    "not-a-token",
    "a.b.c",
    signHs256(good, `${secret}-other`),
    signHs256({ ...good, exp: now - 3_600 }, secret),
    signHs256({ ...good, nbf: now + 3_600 }, secret),
    signHs256({ ...good, sub: "" }, secret),
    signHs256({ ...good, scope: "read:fz*" }, secret),
    signHs256({ ...good, scope: "" }, secret),
    `${signHs256(good, secret)}x`,
  ];
}

/**
 * The harness's authentication for `mode`, with a fresh random secret when auth is required.
 *
 * @example
 * const auth = fuzzAuth("required");
 * await startMiniflare({ scriptPath, persistDir, bindings: auth.bindings });
 */
export function fuzzAuth(mode: AuthMode): FuzzAuth {
  if (mode === "off") {
    return {
      mode,
      bindings: { EDGELOG_AUTH: "off" },
      token: () => null,
      headers: () => ({}),
      authFrame: () => null,
      badTokens: [],
    };
  }
  const secret = randomBytes(32).toString("hex");
  const now = nowS();
  const tokens: Record<Principal, string> = {
    witness: signHs256({ sub: "zz-witness", iat: now, exp: now + TOKEN_TTL_S, scope: WITNESS_SCOPE }, secret),
    fuzz: signHs256({ sub: "fz-fuzzer", iat: now, exp: now + TOKEN_TTL_S, scope: FUZZ_SCOPE }, secret),
  };
  return {
    mode,
    bindings: { EDGELOG_AUTH: "required", EDGELOG_JWT_SECRET: secret },
    token: (principal) => tokens[principal],
    headers: (principal) => ({ authorization: `Bearer ${tokens[principal]}` }),
    authFrame: (principal) => JSON.stringify({ type: "auth", id: `auth-${principal}`, token: tokens[principal] }),
    badTokens: badTokensFor(secret),
  };
}
