/**
 * edgelog inside a user's own Worker, from the packed tarball: `npm install <tarball> hono jose`
 * in a fresh directory, the user's Worker and a caller Worker (test/compose, copied into the app
 * beside its node_modules, so `edgelog/worker` and `edgelog/protocol` resolve to the installed
 * package's dist/ through its exports map) bundled as wrangler would and run under Miniflare: the
 * whole composition suite (compose-suite.ts), as worker-compose.test.ts runs it from the sources.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/package-worker.test.ts
 */
import { copyFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { bundleComposed, startComposition } from "./compose-runtime.ts";
import { describeComposition } from "./compose-suite.ts";
import { ROOT } from "./local-env.ts";
import { usePackedApp } from "./packed-package.ts";

const COMPOSED = ["user-worker.ts", "caller-worker.ts"] as const;
const app = usePackedApp({ extraDependencies: ["hono", "jose"] });

/** Copies the composed Workers into the installed app, where bare imports resolve to its node_modules. */
async function copyComposed(): Promise<void> {
  for (const file of COMPOSED) await copyFile(join(ROOT, "test", "compose", file), join(app().dir, file));
}

describeComposition("edgelog/worker from the packed tarball", async (dir) => {
  await copyComposed();
  return startComposition({ dir, aliases: {}, composeDir: app().dir });
});

it("bundles the installed package's dist/, not this checkout's sources", async () => {
  await copyComposed();
  const outDir = join(app().dir, "bundle-check");
  const script = await readFile(await bundleComposed({ entry: "user-worker.ts", outDir, aliases: {}, composeDir: app().dir }), "utf8");
  expect(script).toContain("node_modules/edgelog/dist/worker.js");
  expect(script).not.toContain("worker/edgelog.ts");
});
