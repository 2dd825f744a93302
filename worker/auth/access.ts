/**
 * What a request or a socket may do: the principal of its verified token and its grants, or
 * everything when tokens are not checked (auth off, or dev mode without a token). The one place
 * that turns "does this token allow action X on name Y" (grants.ts) into FORBIDDEN.
 *
 * Rules: PROTOCOL.md AUTH-4, AUTH-5, AUTH-13.
 *
 * @example
 * requireGrant(access, "write", "orders"); // throws FORBIDDEN unless the token allows it
 */
import { allows, allowsAny, bearerToken, EdgelogError, type GrantAction, type Principal } from "../../client/protocol/index.ts";
import type { ProducePrincipal } from "../partition/partition-api.ts";
import { type AuthConfig, verifiesTokens } from "./auth-config.ts";
import { verifyToken } from "./verify-token.ts";

/**
 * A caller's access: `principal` null means nothing is checked (everything is allowed).
 *
 * @example
 * const access: Access = { principal: await verifyToken(keys, token, now) };
 */
export interface Access {
  principal: Principal | null;
}

/**
 * Who produces, as the partition's append takes it (for per-principal quotas), or null.
 *
 * @example
 * await produce(c.env, c.var.topic, parsed, null, producePrincipal(c.var.access));
 */
export function producePrincipal(access: Access): ProducePrincipal | null {
  const { principal } = access;
  return principal === null ? null : { sub: principal.sub, quota: principal.quota };
}

/**
 * The access of a caller whose token is not checked.
 *
 * @example
 * c.set("access", OPEN_ACCESS); // auth off
 */
export const OPEN_ACCESS: Access = Object.freeze({ principal: null });

/**
 * Whether `access` allows `action` on the topic or group `name`.
 *
 * @example
 * topics.filter((meta) => can(access, "read", meta.name)); // GET /v1/topics lists what the token can read
 */
export function can(access: Access, action: GrantAction, name: string): boolean {
  return access.principal === null || allows(access.principal.grants, action, name);
}

const OBJECT: Record<GrantAction, string> = { read: "topic", write: "topic", admin: "topic", group: "group" };

/**
 * Throws FORBIDDEN unless `access` allows `action` on `name` (AUTH-5: whether or not it exists).
 *
 * @example
 * requireGrant(c.var.access, "admin", c.var.topic); // before the topic is looked up
 */
export function requireGrant(access: Access, action: GrantAction, name: string): void {
  if (can(access, action, name)) return;
  const { sub } = access.principal!;
  throw new EdgelogError("FORBIDDEN", `the token of "${sub}" does not grant ${action} on ${OBJECT[action]} "${name}" (PROTOCOL.md AUTH-4)`);
}

/**
 * Throws FORBIDDEN unless `access` allows `action` on some name (listing topics needs a read grant).
 *
 * @example
 * requireAnyGrant(c.var.access, "read"); // GET /v1/topics
 */
export function requireAnyGrant(access: Access, action: GrantAction): void {
  if (access.principal === null || allowsAny(access.principal.grants, action)) return;
  throw new EdgelogError("FORBIDDEN", `the token of "${access.principal.sub}" grants ${action} on no topic (PROTOCOL.md AUTH-4)`);
}

/**
 * The token an `Authorization` header carries, read only where tokens are checked: with auth off
 * (or dev mode without a key) the header is not read at all, whatever its form; in dev mode a
 * header of another scheme than `Bearer` is no token sent; otherwise a header that is not
 * `Bearer <token>` is UNAUTHENTICATED (AUTH-1). Found by the fuzzer: `Authorization: Basic ...`
 * was 401 with auth off.
 *
 * @example
 * const access = await accessOf(config, requestToken(config, c.req.header("authorization")), Date.now());
 */
export function requestToken(config: AuthConfig, header: string | undefined): string | null {
  if (!verifiesTokens(config) || config.keys === null || header === undefined) return null;
  if (config.mode === "dev" && !/^bearer(?: |$)/i.test(header)) return null;
  return bearerToken(header);
}

/**
 * The access a token (or none) gives under `config` at `nowMs`: open when tokens are not checked
 * or none is sent in dev mode; else the verified principal (UNAUTHENTICATED when the token is
 * missing where one is required, or invalid).
 *
 * @example
 * const access = await accessOf(config, requestToken(config, c.req.header("authorization")), Date.now());
 */
export async function accessOf(config: AuthConfig, token: string | null, nowMs: number): Promise<Access> {
  if (!verifiesTokens(config) || config.keys === null) return OPEN_ACCESS;
  if (token === null) {
    if (config.mode === "dev") return OPEN_ACCESS;
    throw new EdgelogError("UNAUTHENTICATED", "this deployment requires a token: send Authorization: Bearer <token> (PROTOCOL.md AUTH-1)");
  }
  return { principal: await verifyToken(config.keys, token, nowMs) };
}
