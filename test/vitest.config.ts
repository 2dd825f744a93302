import { resolve } from "node:path";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { TEST_ALLOWED_ORIGIN, TEST_JWT_SECRET } from "./worker-auth/test-keys.ts";

// Quiet and offline unless the caller says otherwise, with wrangler's debug logs and dev registry
// inside the project (.wrangler/) rather than growing under ~/.config.
process.env.WRANGLER_SEND_METRICS ??= "false";
process.env.WRANGLER_SEND_ERROR_REPORTS ??= "false";
process.env.WRANGLER_HIDE_BANNER ??= "true";
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
process.env.WRANGLER_LOG_PATH ??= resolve(".wrangler/logs");
process.env.WRANGLER_REGISTRY_PATH ??= resolve(".wrangler/registry");

// The modes the workerd projects run in (PROTOCOL.md AUTH-13, AUTH-14). The secret and origin are
// the tests' own (test/worker-auth/tokens.ts mints with the same secret), never a deployment's.
const AUTH_OFF = { EDGELOG_AUTH: "off" };
const AUTH_REQUIRED = {
  EDGELOG_AUTH: "required",
  EDGELOG_JWT_SECRET: TEST_JWT_SECRET,
  EDGELOG_ALLOWED_ORIGINS: TEST_ALLOWED_ORIGIN,
};
const AUTH_UNCONFIGURED = { EDGELOG_AUTH: "required" };

export default defineConfig({
  test: {
    // Builds the example app's static assets (wrangler.toml [assets]) before any project starts.
    globalSetup: ["test/global-setup.ts"],
    projects: [
      {
        // Authentication off, explicitly (EDGELOG_AUTH=off): the API's behaviour without tokens.
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" }, miniflare: { bindings: AUTH_OFF } })],
        // Feature tests under test/worker, and unit tests beside the worker's own modules
        // (middleware, the socket layer), hono-style.
        test: { name: "worker", include: ["test/worker/**/*.test.ts", "worker/**/*.test.ts"] },
      },
      {
        // Authentication required, with an HS256 secret and an origin allow-list: the auth matrix,
        // socket auth, and the conformance cases that need tokens (test/worker-auth/tokens.ts).
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" }, miniflare: { bindings: AUTH_REQUIRED } })],
        test: { name: "worker-auth", include: ["test/worker-auth/**/*.test.ts", "test/worker/conformance.test.ts"] },
      },
      {
        // Authentication required and no key configured: a deployment that fails closed.
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" }, miniflare: { bindings: AUTH_UNCONFIGURED } })],
        test: { name: "worker-unconfigured", include: ["test/worker/conformance.test.ts"] },
      },
      {
        // Black-box tests from Node: the local runtime (Miniflare, wrangler dev) started and
        // stopped by the tests themselves (test/node/runtime.ts).
        test: {
          name: "node",
          environment: "node",
          include: ["test/node/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // End to end in real Chromium (Debian's /usr/bin/chromium through playwright-core) against
        // real `wrangler dev`: the example app, offline reloads, tabs sharing a connection.
        test: {
          name: "browser",
          environment: "node",
          include: ["test/browser/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
