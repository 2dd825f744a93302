/**
 * The deployment's authentication settings, read from its vars and secrets once per isolate (and
 * again only when they change): the mode (EDGELOG_AUTH), the keys that verify tokens
 * (EDGELOG_JWT_SECRET for HS256, EDGELOG_JWT_PUBLIC_KEY or EDGELOG_JWKS for ES256 and RS256), the
 * audience and issuer to check, and the allowed origins (EDGELOG_ALLOWED_ORIGINS). Anything wrong
 * with them is a `problem`: every /v1 request is then refused with AUTH_NOT_CONFIGURED (503) and
 * the problem as its message, so a deployment fails closed and says what to set. The quota vars
 * (quota/quota-config.ts) are checked here too, for the same reason.
 *
 * Rules: PROTOCOL.md AUTH-13, AUTH-14, AUTH-15, QUOTA-1.
 *
 * @example
 * const config = await authConfig(env);
 * if (config.problem !== null) return errorJson("AUTH_NOT_CONFIGURED", config.problem);
 */
import type { Env } from "../env.ts";
import { type QuotaVars, quotaDefaults } from "../quota/quota-config.ts";
import { type KeySet, keySetFrom } from "./key-set.ts";

/**
 * `required` (the default: every request needs a token), `off` (a deployment's explicit opt-out)
 * or `dev` (what `npm start` sets: off, said loudly, and tokens sent are still verified).
 *
 * @example
 * const mode: AuthMode = env.EDGELOG_AUTH === "dev" ? "dev" : "required";
 */
export type AuthMode = "required" | "off" | "dev";

/**
 * Which browser origins may call the API (CORS) and open sockets: any (`*`, only when auth is
 * off), the listed ones, or none but the page's own.
 *
 * @example
 * const origins: OriginPolicy = { any: false, list: ["https://app.example"] };
 */
export interface OriginPolicy {
  any: boolean;
  list: readonly string[];
}

/**
 * The settings as the Worker and the objects use them.
 *
 * @example
 * const config: AuthConfig = await authConfig(env);
 * if (config.mode === "dev") response.headers.set("edgelog-auth", "dev");
 */
export interface AuthConfig {
  mode: AuthMode;
  /** The keys tokens are verified with, or null when none is configured. */
  keys: KeySet | null;
  origins: OriginPolicy;
  /** What is wrong with the settings (every /v1 request is refused with it), or null. */
  problem: string | null;
}

/**
 * The vars and secrets read here (wrangler.toml [vars], `wrangler secret put`, .dev.vars, `--var`).
 *
 * @example
 * const vars: AuthVars = { EDGELOG_AUTH: "required", EDGELOG_JWT_SECRET: "..." };
 */
export interface AuthVars extends QuotaVars {
  EDGELOG_AUTH?: string;
  EDGELOG_JWT_SECRET?: string;
  EDGELOG_JWT_PUBLIC_KEY?: string;
  EDGELOG_JWKS?: string;
  EDGELOG_JWT_AUDIENCE?: string;
  EDGELOG_JWT_ISSUER?: string;
  EDGELOG_ALLOWED_ORIGINS?: string;
}

const VAR_NAMES = [
  "EDGELOG_AUTH",
  "EDGELOG_JWT_SECRET",
  "EDGELOG_JWT_PUBLIC_KEY",
  "EDGELOG_JWKS",
  "EDGELOG_JWT_AUDIENCE",
  "EDGELOG_JWT_ISSUER",
  "EDGELOG_ALLOWED_ORIGINS",
  "EDGELOG_QUOTA_EVENTS_PER_S",
  "EDGELOG_QUOTA_BYTES_PER_S",
  "EDGELOG_QUOTA_SOCKETS_MAX",
] as const;

/** Settings read, by their vars' text: an isolate sees one set, tests a few. */
const cache = new Map<string, Promise<AuthConfig>>();
const CACHE_ENTRIES_MAX = 8;

const NO_KEY =
  "authentication is required (EDGELOG_AUTH is unset or required) and no key is configured: set the secret " +
  "EDGELOG_JWT_SECRET (wrangler secret put EDGELOG_JWT_SECRET), or EDGELOG_JWT_PUBLIC_KEY or EDGELOG_JWKS; " +
  'or set EDGELOG_AUTH to "off" to run without authentication (README.md, Deploying safely)';

function parseMode(value: string | undefined): AuthMode | null {
  if (value === undefined || value === "" || value === "required") return "required";
  return value === "off" || value === "dev" ? value : null;
}

/** The allowed origins, or the problem with them. */
function parseOrigins(value: string | undefined, mode: AuthMode): OriginPolicy | string {
  const list = (value ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");
  if (list.includes("*")) {
    if (mode === "required") return 'EDGELOG_ALLOWED_ORIGINS may hold "*" only when EDGELOG_AUTH is off or dev';
    return { any: true, list: [] };
  }
  for (const origin of list) {
    let parsed: string | null = null;
    try {
      parsed = new URL(origin).origin;
    } catch {
      parsed = null;
    }
    if (parsed !== origin)
      return `EDGELOG_ALLOWED_ORIGINS holds "${origin.slice(0, 100)}", which is not an origin such as https://app.example`;
  }
  return { any: list.length === 0 && mode !== "required", list };
}

async function readConfig(vars: AuthVars): Promise<AuthConfig> {
  const mode = parseMode(vars.EDGELOG_AUTH);
  const closed = (problem: string): AuthConfig => ({ mode: mode ?? "required", keys: null, origins: { any: false, list: [] }, problem });
  if (mode === null)
    return closed(`EDGELOG_AUTH is "${String(vars.EDGELOG_AUTH).slice(0, 40)}"; it takes required (the default), off or dev`);
  // Quota vars are the deployment's settings too: a malformed one fails closed (QUOTA-1).
  const quotas = quotaDefaults(vars);
  if (typeof quotas === "string") return closed(quotas);
  const origins = parseOrigins(vars.EDGELOG_ALLOWED_ORIGINS, mode);
  if (typeof origins === "string") return closed(origins);
  if (mode === "off") return { mode, keys: null, origins, problem: null };
  const keys = await keySetFrom(vars);
  if (typeof keys === "string") return closed(keys);
  if (keys === null && mode === "required") return closed(NO_KEY);
  return { mode, keys, origins, problem: null };
}

/**
 * The settings of `env`, read once per set of values (key imports are asynchronous).
 *
 * @example
 * const { mode, keys, problem } = await authConfig(c.env);
 */
export function authConfig(env: Env | AuthVars | undefined): Promise<AuthConfig> {
  // No env at all (a bare app.request in a test) reads as no settings: required, no key, closed.
  const vars: AuthVars = env ?? {};
  const key = JSON.stringify(VAR_NAMES.map((name) => vars[name] ?? null));
  let config = cache.get(key);
  if (config === undefined) {
    if (cache.size >= CACHE_ENTRIES_MAX) cache.delete(cache.keys().next().value!);
    config = readConfig(vars);
    cache.set(key, config);
  }
  return config;
}

/**
 * Whether tokens are checked at all: always when auth is required, in dev mode when a key is
 * configured (AUTH-13); never when auth is off.
 *
 * @example
 * if (!verifiesTokens(config)) return ALLOW_ALL;
 */
export function verifiesTokens(config: AuthConfig): boolean {
  return config.mode === "required" || (config.mode === "dev" && config.keys !== null);
}
