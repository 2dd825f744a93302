/**
 * The configuration `npm start` runs wrangler dev with: `wrangler.toml` as it is, plus a local R2
 * bucket bound as `ARCHIVE`, so an archive connector (README "Connectors: the webhook sink", the
 * archive sink) can be tried locally. `wrangler.toml` leaves that binding out on purpose (a real
 * deploy needs the bucket on your account); under wrangler dev the bucket is Miniflare's, kept in
 * the state directory with everything else. The file is written beside `wrangler.toml` (so its
 * relative paths, `.dev.vars` and `.wrangler/` resolve the same) as `wrangler.dev.toml`, which
 * git ignores; a `wrangler.toml` that binds ARCHIVE itself is used as it is.
 *
 * @example
 * const text = devConfigText(readFileSync("wrangler.toml", "utf8")); // ... [[r2_buckets]] binding = "ARCHIVE" ...
 */
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The generated file's name, beside wrangler.toml. */
export const DEV_CONFIG_FILE = "wrangler.dev.toml";

/** The local bucket's name (Miniflare's, under the state directory). */
export const DEV_ARCHIVE_BUCKET = "edgelog-archive-local";

/** True when the configuration already binds something named ARCHIVE. */
function bindsArchive(config: string): boolean {
  return /^\s*binding\s*=\s*"ARCHIVE"\s*$/m.test(config);
}

/**
 * `config` with the local ARCHIVE bucket appended, or as it is when it binds ARCHIVE already.
 *
 * @example
 * devConfigText('name = "edgelog"\n').includes('binding = "ARCHIVE"'); // true
 */
export function devConfigText(config: string): string {
  const header = `# Written by npm start (tools/dev-config.ts) from wrangler.toml: edit that file, not this one.\n`;
  if (bindsArchive(config)) return header + config;
  const archive = `\n# npm start only: a local R2 bucket for archive connectors (wrangler.toml leaves it out).\n[[r2_buckets]]\nbinding = "ARCHIVE"\nbucket_name = "${DEV_ARCHIVE_BUCKET}"\n`;
  return `${header}${config.endsWith("\n") ? config : `${config}\n`}${archive}`;
}

/**
 * Writes the dev configuration beside `wrangler.toml` in `root` (through a temporary file, so a
 * concurrent start never reads half of it) and answers its path.
 *
 * @example
 * const path = writeDevConfig(process.cwd(), readFileSync("wrangler.toml", "utf8")); // ".../wrangler.dev.toml"
 */
export function writeDevConfig(root: string, config: string): string {
  const path = join(root, DEV_CONFIG_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, devConfigText(config));
  renameSync(temporary, path);
  return path;
}
