/**
 * A test file's own runtime, started before its tests and stopped after them, with the topics it
 * needs created.
 *
 * @example
 * const runtime = useScratchRuntime("edgelog-demo-", { demo: 1 });
 * it("answers", async () => expect((await fetch(`${runtime().url}/v1/topics`)).status).toBe(200));
 */
import { afterAll, beforeAll } from "vitest";
import { edgelogApi } from "./http-api.ts";
import { type LocalRuntime, startScratchMiniflare } from "./miniflare-runtime.ts";

/**
 * Registers the hooks; answers the running runtime (inside tests only).
 *
 * @example
 * const runtime = useScratchRuntime("edgelog-held-", { held: 1 });
 */
export function useScratchRuntime(prefix: string, topics: Record<string, number>): () => LocalRuntime {
  let runtime: LocalRuntime | null = null;
  beforeAll(async () => {
    runtime = await startScratchMiniflare(prefix);
    for (const [topic, partitions] of Object.entries(topics)) await edgelogApi(runtime.url).createTopic(topic, partitions);
  });
  afterAll(async () => {
    await runtime?.stop();
  });
  return () => {
    if (runtime === null) throw new Error("the scratch runtime is not running (use it inside a test)");
    return runtime;
  };
}
