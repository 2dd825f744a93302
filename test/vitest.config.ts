import { resolve } from "node:path";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// Quiet and offline unless the caller says otherwise, with wrangler's debug logs and dev registry
// inside the project (.wrangler/) rather than growing under ~/.config.
process.env.WRANGLER_SEND_METRICS ??= "false";
process.env.WRANGLER_SEND_ERROR_REPORTS ??= "false";
process.env.WRANGLER_HIDE_BANNER ??= "true";
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
process.env.WRANGLER_LOG_PATH ??= resolve(".wrangler/logs");
process.env.WRANGLER_REGISTRY_PATH ??= resolve(".wrangler/registry");

export default defineConfig({
  test: {
    // Builds the example app's static assets (wrangler.toml [assets]) before any project starts.
    globalSetup: ["test/global-setup.ts"],
    projects: [
      {
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" } })],
        // Feature tests under test/worker, and unit tests beside the worker's own modules
        // (middleware, the socket layer), hono-style.
        test: { name: "worker", include: ["test/worker/**/*.test.ts", "worker/**/*.test.ts"] },
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
