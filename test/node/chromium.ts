/**
 * How edgelog launches a real browser, shared by the browser tests and the bench: Debian's
 * Chromium (apt-get install chromium, never a downloaded build) with flags for a headless,
 * sandbox-less (CI runs as root), offline run.
 *
 * @example
 * await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
 */

/** Debian's Chromium. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/**
 * Chromium's flags: headless, no sandbox, nothing that phones home, and every host name but
 * 127.0.0.1 and localhost unresolvable, so a run can never reach the network.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
];
