/**
 * The deployment's default quotas, from its vars: EDGELOG_QUOTA_EVENTS_PER_S,
 * EDGELOG_QUOTA_BYTES_PER_S and EDGELOG_QUOTA_SOCKETS_MAX (each a whole number from 1 to its
 * maximum, as text or a TOML number; unset, the generous default of quota-limits.ts), and the
 * limits of one principal: its token's `quota` claim where it names one, else the defaults.
 * A malformed var is a problem: the deployment then refuses every /v1 request with
 * AUTH_NOT_CONFIGURED (auth-config.ts), so it fails closed and says what to fix.
 *
 * Rules: PROTOCOL.md QUOTA-1, QUOTA-2.
 *
 * @example
 * const defaults = quotaDefaults(env); // { eventsPerS: 10_000, bytesPerS: 8_388_608, socketsMax: 100 } unless set
 * const limits = quotaLimits(defaults, principal.quota);
 */
import {
  QUOTA_BYTES_PER_S_DEFAULT,
  QUOTA_BYTES_PER_S_MAX,
  QUOTA_EVENTS_PER_S_DEFAULT,
  QUOTA_EVENTS_PER_S_MAX,
  QUOTA_SOCKETS_DEFAULT,
  QUOTA_SOCKETS_MAX,
  type QuotaClaim,
} from "../../client/protocol/index.ts";

/**
 * The vars read here (wrangler.toml [vars], `--var`, a test's bindings).
 *
 * @example
 * const vars: QuotaVars = { EDGELOG_QUOTA_EVENTS_PER_S: "500" };
 */
export interface QuotaVars {
  EDGELOG_QUOTA_EVENTS_PER_S?: string | number;
  EDGELOG_QUOTA_BYTES_PER_S?: string | number;
  EDGELOG_QUOTA_SOCKETS_MAX?: string | number;
}

/**
 * One principal's limits on one partition (or the deployment's defaults).
 *
 * @example
 * const limits: QuotaLimits = { eventsPerS: 100, bytesPerS: 65_536, socketsMax: 4 };
 */
export interface QuotaLimits {
  eventsPerS: number;
  bytesPerS: number;
  socketsMax: number;
}

const VARS: readonly { name: keyof QuotaVars; field: keyof QuotaLimits; fallback: number; max: number }[] = [
  { name: "EDGELOG_QUOTA_EVENTS_PER_S", field: "eventsPerS", fallback: QUOTA_EVENTS_PER_S_DEFAULT, max: QUOTA_EVENTS_PER_S_MAX },
  { name: "EDGELOG_QUOTA_BYTES_PER_S", field: "bytesPerS", fallback: QUOTA_BYTES_PER_S_DEFAULT, max: QUOTA_BYTES_PER_S_MAX },
  { name: "EDGELOG_QUOTA_SOCKETS_MAX", field: "socketsMax", fallback: QUOTA_SOCKETS_DEFAULT, max: QUOTA_SOCKETS_MAX },
];

/**
 * The defaults `vars` set, or the problem with them (a text naming the var and what it takes).
 *
 * @example
 * quotaDefaults({ EDGELOG_QUOTA_SOCKETS_MAX: "4" }); // { eventsPerS: 10_000, bytesPerS: 8_388_608, socketsMax: 4 }
 * quotaDefaults({ EDGELOG_QUOTA_EVENTS_PER_S: "lots" }); // "EDGELOG_QUOTA_EVENTS_PER_S is ..."
 */
export function quotaDefaults(vars: QuotaVars): QuotaLimits | string {
  const limits: QuotaLimits = {
    eventsPerS: QUOTA_EVENTS_PER_S_DEFAULT,
    bytesPerS: QUOTA_BYTES_PER_S_DEFAULT,
    socketsMax: QUOTA_SOCKETS_DEFAULT,
  };
  for (const { name, field, fallback, max } of VARS) {
    const raw = vars[name];
    if (raw === undefined || raw === "") {
      limits[field] = fallback;
      continue;
    }
    const value = typeof raw === "number" ? raw : /^[0-9]{1,16}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < 1 || value > max) {
      return `${name} is "${String(raw).slice(0, 40)}"; it takes a whole number from 1 to ${max} (README.md, Deploying safely: Quotas)`;
    }
    limits[field] = value;
  }
  return limits;
}

/**
 * A principal's limits: what its `quota` claim names, else the defaults.
 *
 * @example
 * quotaLimits(defaults, { eventsPerS: 5 }).eventsPerS; // 5
 * quotaLimits(defaults, null); // the defaults
 */
export function quotaLimits(defaults: QuotaLimits, claim: QuotaClaim | null): QuotaLimits {
  if (claim === null) return defaults;
  return {
    eventsPerS: claim.eventsPerS ?? defaults.eventsPerS,
    bytesPerS: claim.bytesPerS ?? defaults.bytesPerS,
    socketsMax: claim.socketsMax ?? defaults.socketsMax,
  };
}
