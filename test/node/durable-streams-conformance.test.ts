/**
 * The whole Durable Streams server conformance suite (`@durable-streams/server-conformance-tests`)
 * against edgelog's `/v1/stream/` routes: the real worker bundled and run in workerd through the
 * Miniflare API on loopback, authentication off, SQLite on disk. The suite's own CLI finds no
 * tests when installed from npm, so its `runConformanceTests` is called here. The long-poll time
 * is lowered to 2 s (EDGELOG_STREAM_LONG_POLL_MS) so the suite's waits stay short.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/durable-streams-conformance.test.ts
 */
import { join } from "node:path";
import { runConformanceTests } from "@durable-streams/server-conformance-tests";
import { afterAll, beforeAll } from "vitest";
import { bundleWorker, type LocalRuntime, makeTempDir, removeDir, startMiniflare } from "./runtime.ts";

/** The long-poll time the worker and the suite agree on. */
const LONG_POLL_MS = 2_000;

const options = { baseUrl: "http://127.0.0.1:1", longPollTimeoutMs: LONG_POLL_MS };
let runtime: LocalRuntime | null = null;
let dir: string | null = null;

beforeAll(async () => {
  dir = await makeTempDir("edgelog-ds-conformance-");
  runtime = await startMiniflare({
    scriptPath: await bundleWorker(join(dir, "bundle")),
    persistDir: join(dir, "state"),
    vars: { EDGELOG_STREAM_LONG_POLL_MS: String(LONG_POLL_MS), EDGELOG_ALLOWED_ORIGINS: "*" },
  });
  options.baseUrl = runtime.url;
});

afterAll(async () => {
  await runtime?.stop();
  if (dir !== null) await removeDir(dir);
});

runConformanceTests(options);
