/**
 * npm run build:package: builds the npm package into dist/ from tsdown.config.ts through tsdown's
 * API (its CLI prints a deprecation notice on Node 20 that the API does not). Plain JavaScript,
 * so it runs before anything is built. `--out-dir DIR` builds elsewhere (the packed-tarball test
 * builds into its own directory, never touching dist/).
 *
 * @example
 * // node tools/build-package.mjs
 * // node tools/build-package.mjs --out-dir /tmp/stage/dist
 */
import { build } from "tsdown";

const at = process.argv.indexOf("--out-dir");
const outDir = at === -1 ? undefined : process.argv[at + 1];
if (at !== -1 && !outDir) throw new Error("--out-dir needs a directory");
await build({ logLevel: "warn", ...(outDir === undefined ? {} : { outDir }) });
