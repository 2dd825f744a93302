/**
 * Helpers for black-box tests that run edgelog in the local runtime from Node: bundle the worker,
 * start it under the Miniflare API or under `wrangler dev` (as `npm start` does), find free
 * ports, wait with bounds, and talk to the HTTP API.
 *
 * Everything binds 127.0.0.1, every wait has a deadline, and every process started here is
 * tracked, so a test's `afterAll` (and, as a last resort, Node's `exit`) can end it.
 *
 * @example
 * const dir = await makeTempDir("edgelog-demo-");
 * const runtime = await startMiniflare({ scriptPath: await bundleWorker(dir), persistDir: `${dir}/do` });
 * const api = edgelogApi(runtime.url);
 * await api.createTopic("demo", 2);
 * await runtime.stop();
 * await removeDir(dir);
 */
export * from "./http-api.ts";
export * from "./local-env.ts";
export * from "./miniflare-runtime.ts";
export * from "./waits.ts";
export * from "./wrangler-runtime.ts";
