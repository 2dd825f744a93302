/**
 * Environment that keeps wrangler and Miniflare quiet and offline: no telemetry, no error
 * reports, no update check, no fetch of `request.cf` data. `npm start` (start.ts) and the tests'
 * runtimes (test/node/local-env.ts re-exports it) both pass it to wrangler.
 *
 * @example
 * spawn("wrangler", ["dev"], { env: { ...process.env, ...QUIET_ENV } });
 */
export const QUIET_ENV: Readonly<Record<string, string>> = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};
