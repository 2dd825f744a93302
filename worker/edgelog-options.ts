/**
 * The typed options of `createEdgelog` (edgelog.ts) and how they reach the code that reads the
 * deployment's settings: each option set becomes the var it stands for (EDGELOG_AUTH,
 * EDGELOG_JWT_SECRET, ...), laid over the Worker's own env, so an option takes precedence over
 * its var and an option left out leaves the var (or its default) in force. The settings are then
 * checked by the one reader there is (auth/auth-config.ts, quota/quota-config.ts): a bad option
 * fails closed exactly as a bad var does (every /v1 request AUTH_NOT_CONFIGURED), and auth
 * required with no key still refuses.
 *
 * A secret the Worker holds under another name is read where the options are built, with
 * `import { env } from "cloudflare:workers"` (the env at module scope).
 *
 * Rules: PROTOCOL.md AUTH-13, AUTH-14, AUTH-15, QUOTA-1.
 *
 * @example
 * const withOptions = envWithOptions({ auth: { mode: "required", jwtSecret: env.AUTH_SECRET } });
 * const env = withOptions(workerEnv); // env.EDGELOG_AUTH === "required", bindings as they were
 */
import type { AuthMode, AuthVars } from "./auth/auth-config.ts";
import type { EdgelogEnv } from "./env.ts";
import type { ProcessorDefinition } from "./processors/processor-definition.ts";

/**
 * How tokens are checked (each field stands for the var named beside it).
 *
 * @example
 * const auth: EdgelogAuthOptions = { mode: "required", jwks: { keys: [publicJwk] }, issuer: "https://id.example" };
 */
export interface EdgelogAuthOptions {
  /** EDGELOG_AUTH: `required` (the default), `off`, or `dev` (off, said loudly; sent tokens still checked). */
  mode?: AuthMode;
  /** EDGELOG_JWT_SECRET: the HS256 secret (at least 32 bytes). */
  jwtSecret?: string;
  /** EDGELOG_JWT_PUBLIC_KEY: an ES256 or RS256 public key, SPKI PEM or one JWK as JSON text. */
  jwtPublicKey?: string;
  /** EDGELOG_JWKS: a JSON Web Key Set, as JSON text or as the object (never fetched from a URL). */
  jwks?: string | { keys: readonly object[] };
  /** EDGELOG_JWT_AUDIENCE: the `aud` a token must carry, when set. */
  audience?: string;
  /** EDGELOG_JWT_ISSUER: the `iss` a token must carry, when set. */
  issuer?: string;
}

/**
 * The default quotas of one principal on one partition (EDGELOG_QUOTA_*; a token's `quota` claim
 * overrides them per principal).
 *
 * @example
 * const quotas: EdgelogQuotaOptions = { eventsPerS: 500, socketsMax: 8 };
 */
export interface EdgelogQuotaOptions {
  /** EDGELOG_QUOTA_EVENTS_PER_S */
  eventsPerS?: number;
  /** EDGELOG_QUOTA_BYTES_PER_S */
  bytesPerS?: number;
  /** EDGELOG_QUOTA_SOCKETS_MAX */
  socketsMax?: number;
}

/**
 * The admin console page served at the mount point (`GET /` of the app).
 *
 * @example
 * const page: EdgelogPageOptions = { exampleAppHref: "/examples/feed/" };
 */
export interface EdgelogPageOptions {
  /** A link in the page's header to an example app; none when left out. */
  exampleAppHref?: string;
  /**
   * Where the admin console's bundle (console.js and console.css, built into assets/console/ by
   * `npm run build:examples`) is served from; `"/console/"` when left out.
   */
  consoleAssetsHref?: string;
}

/**
 * Everything `createEdgelog` takes. Each field left out falls back to its env var, then to the
 * var's default.
 *
 * @example
 * const options: EdgelogOptions = {
 *   auth: { mode: "required", jwtSecret: env.MY_JWT_SECRET },
 *   allowedOrigins: ["https://app.example"],
 *   quotas: { eventsPerS: 1_000 },
 * };
 */
export interface EdgelogOptions {
  auth?: EdgelogAuthOptions;
  /** EDGELOG_ALLOWED_ORIGINS: the browser origins that may call the API and open sockets (`["*"]` only with auth off or dev). */
  allowedOrigins?: readonly string[];
  quotas?: EdgelogQuotaOptions;
  /** The admin console at the mount point; `false` serves none there. */
  page?: EdgelogPageOptions | false;
  /** Stream processors to run (README "Stream processors"); they need the PROCESSOR binding. */
  processors?: readonly ProcessorDefinition[];
}

/** An env to the env the routes and objects read (an isolate sees one env object). */
type Overlay = (env: EdgelogEnv) => EdgelogEnv;

/**
 * The vars the options stand for; a field left out is left out (its var stays in force).
 *
 * @example
 * optionVars({ allowedOrigins: ["https://a.example", "https://b.example"] });
 * // { EDGELOG_ALLOWED_ORIGINS: "https://a.example,https://b.example" }
 */
export function optionVars(options: EdgelogOptions): AuthVars {
  const { auth = {}, quotas = {} } = options;
  const vars: AuthVars = {};
  if (auth.mode !== undefined) vars.EDGELOG_AUTH = auth.mode;
  if (auth.jwtSecret !== undefined) vars.EDGELOG_JWT_SECRET = auth.jwtSecret;
  if (auth.jwtPublicKey !== undefined) vars.EDGELOG_JWT_PUBLIC_KEY = auth.jwtPublicKey;
  if (auth.jwks !== undefined) vars.EDGELOG_JWKS = typeof auth.jwks === "string" ? auth.jwks : JSON.stringify(auth.jwks);
  if (auth.audience !== undefined) vars.EDGELOG_JWT_AUDIENCE = auth.audience;
  if (auth.issuer !== undefined) vars.EDGELOG_JWT_ISSUER = auth.issuer;
  if (options.allowedOrigins !== undefined) vars.EDGELOG_ALLOWED_ORIGINS = options.allowedOrigins.join(",");
  if (quotas.eventsPerS !== undefined) vars.EDGELOG_QUOTA_EVENTS_PER_S = quotas.eventsPerS;
  if (quotas.bytesPerS !== undefined) vars.EDGELOG_QUOTA_BYTES_PER_S = quotas.bytesPerS;
  if (quotas.socketsMax !== undefined) vars.EDGELOG_QUOTA_SOCKETS_MAX = quotas.socketsMax;
  return vars;
}

/**
 * A function laying the options' vars over an env: the same env object back when no option
 * stands for a var, else one object per env whose own vars win and whose bindings are the env's
 * (its prototype). The Hono app and the Durable Object classes read their settings through it.
 *
 * @example
 * const overlay = envWithOptions({ auth: { mode: "off" } });
 * overlay(env).EDGELOG_AUTH; // "off", whatever env says
 * overlay(env).PARTITION === env.PARTITION; // true
 */
export function envWithOptions(options: EdgelogOptions): Overlay {
  const vars = optionVars(options);
  if (Object.keys(vars).length === 0) return (env) => env;
  const laid = new WeakMap<EdgelogEnv, EdgelogEnv>();
  return (env) => {
    // A bare app.request in a test passes no env: nothing to lay over (auth-config reads it as closed).
    if (typeof env !== "object" || env === null) return env;
    let result = laid.get(env);
    if (result === undefined) {
      result = Object.assign(Object.create(env) as EdgelogEnv, vars);
      laid.set(env, result);
    }
    return result;
  };
}
