/**
 * The chaos test's runtime process: edgelog in workerd through the Miniflare API, on a given port
 * and state directory, in a Node process of its own (so `kill -9` of its process group ends Node
 * and workerd at once, with no chance to flush or close anything). Prints `ready <url>` when it
 * answers and then runs until killed. Bundled by runtime-process.ts and started with node.
 *
 *   node serve.mjs --script <worker bundle> --persist <dir> --port <port>
 *
 * @example
 * // spawn("node", [serveBundle, "--script", script, "--persist", dir, "--port", "40123"], { detached: true })
 */
import { parseArgs } from "node:util";
import { startMiniflare } from "../node/miniflare-runtime.ts";

const { values } = parseArgs({ options: { script: { type: "string" }, persist: { type: "string" }, port: { type: "string" } } });
if (values.script === undefined || values.persist === undefined || values.port === undefined) {
  throw new Error("serve: --script, --persist and --port are required");
}
const runtime = await startMiniflare({
  scriptPath: values.script,
  persistDir: values.persist,
  port: Number(values.port),
  vars: { EDGELOG_AUTH: "off" },
});
process.stdout.write(`ready ${runtime.url}\n`);
// Runs until killed (the chaos test's whole point); a polite stop disposes of workerd.
process.once("SIGTERM", () => {
  void runtime.stop().then(() => process.exit(0));
});
setInterval(() => undefined, 60_000);
