/**
 * Runs once before every vitest project: builds the example app into assets/ (npm run
 * build:examples), because the Worker's static assets must exist before anything loads
 * wrangler.toml (the workerd pool refuses a missing assets directory; `wrangler dev` serves what is
 * there). Built once here, and never while tests run, so no test's `wrangler dev` sees its assets
 * change under it.
 *
 * @example
 * // test/vitest.config.ts: test: { globalSetup: ["test/global-setup.ts"] }
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Builds the example app's assets (vitest calls this once). */
export default function setup(): void {
  execFileSync("npm", ["run", "--silent", "build:examples"], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"], timeout: 120_000 });
}
