/**
 * What the auth cases need from a runner (test/conformance/cases/auth*.json): the server's mode as
 * an ability (`auth-off`, `auth-required`, `auth-unconfigured`: a case or file that names none
 * needs `auth-off`, a server with authentication off or in dev mode), and two fixtures that bind
 * variables: `token` (a token minted with the server's HS256 secret, or a badly signed or expired
 * one, with a `quota` claim when the args give one) and `allowed-origin` (an origin the server's EDGELOG_ALLOWED_ORIGINS lists). A runner that
 * does not know the secret or the list cannot arrange them, and skips those cases.
 *
 * @example
 * const fixtures = authFixtures({ secret: env.EDGELOG_JWT_SECRET, allowedOrigin: "https://app.example" });
 * await fixtures.token({ name: "reader", sub: "alice", scope: "read:*" }); // { reader: "eyJ..." }
 */
import { SignJWT } from "jose";
import type { Json } from "./types.ts";

/**
 * The abilities that name a server's authentication mode.
 *
 * @example
 * AUTH_MODE_NEEDS.includes("auth-required"); // true
 */
export const AUTH_MODE_NEEDS = ["auth-off", "auth-required", "auth-unconfigured"] as const;

/**
 * A case's or file's needs with the mode made explicit (`auth-off` when none is named).
 *
 * @example
 * withAuthNeed(["declared-length"]); // ["declared-length", "auth-off"]
 */
export function withAuthNeed(needs: readonly string[]): string[] {
  return needs.some((need) => (AUTH_MODE_NEEDS as readonly string[]).includes(need)) ? [...needs] : [...needs, "auth-off"];
}

/**
 * Mints an HS256 token for a test: `ttlS` seconds from `nowS` (negative: already expired),
 * `badSignature` signs with another secret.
 *
 * @example
 * await mintTestToken(secret, { sub: "alice", scope: "read:*", ttlS: 60 });
 */
export async function mintTestToken(
  secret: string,
  options: { sub: string; scope?: string; ttlS?: number; badSignature?: boolean; nowS?: number; quota?: Record<string, Json> },
): Promise<string> {
  const nowS = options.nowS ?? Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {};
  if (options.scope !== undefined) claims.scope = options.scope;
  if (options.quota !== undefined) claims.quota = options.quota;
  const key = new TextEncoder().encode(options.badSignature ? `${secret}-but-not-the-one` : secret);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(options.sub)
    .setIssuedAt(nowS - 1)
    .setExpirationTime(nowS + (options.ttlS ?? 300))
    .sign(key);
}

/**
 * The fixtures, for a runner that knows the server's secret and allowed origin.
 *
 * @example
 * const { token } = authFixtures({ secret, allowedOrigin: null }); // allowed-origin is then not offered
 */
export function authFixtures(known: { secret: string | null; allowedOrigin: string | null }) {
  const fixtures: Record<string, (args: Record<string, Json>) => Promise<Record<string, Json>>> = {};
  if (known.secret !== null) {
    const secret = known.secret;
    fixtures.token = async (args) => {
      const token = await mintTestToken(secret, {
        sub: String(args.sub ?? "conformance"),
        ...(typeof args.scope === "string" ? { scope: args.scope } : {}),
        ...(typeof args.ttlS === "number" ? { ttlS: args.ttlS } : {}),
        badSignature: args.signature === "bad",
        ...(isJsonObject(args.quota) ? { quota: args.quota } : {}),
      });
      return { [String(args.name ?? "token")]: token };
    };
  }
  if (known.allowedOrigin !== null) {
    const origin = known.allowedOrigin;
    fixtures["allowed-origin"] = async () => ({ allowedOrigin: origin });
  }
  return fixtures;
}

function isJsonObject(value: Json | undefined): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The mode a server runs in, from its answer to `GET /v1/topics` without a token.
 *
 * @example
 * authModeOf(401, {}); // "auth-required"
 */
export function authModeOf(status: number, headers: Record<string, string>): (typeof AUTH_MODE_NEEDS)[number] | null {
  if (status === 503) return "auth-unconfigured";
  if (status === 401) return "auth-required";
  return status === 200 && headers["edgelog-auth"] !== undefined ? "auth-off" : null;
}
