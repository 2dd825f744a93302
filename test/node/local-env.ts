/**
 * Where tests and the bench run edgelog from: the repository root, the environment that keeps
 * wrangler and Miniflare quiet and offline, wrangler.toml's compatibility settings, and
 * temporary directories.
 *
 * @example
 * const dir = await makeTempDir("edgelog-demo-");
 * spawn("wrangler", ["dev"], { cwd: ROOT, env: { ...process.env, ...QUIET_ENV } });
 * await removeDir(dir);
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository's root directory (absolute, no trailing slash).
 *
 * @example
 * join(ROOT, "wrangler.toml");
 */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");

/** Environment that keeps wrangler and Miniflare quiet and offline (tools/quiet-env.ts, shared with npm start). */
export { QUIET_ENV } from "../../tools/quiet-env.ts";

/**
 * The `compatibility_date` from wrangler.toml, so Miniflare runs the same runtime behaviour as
 * `wrangler dev` and the deployed worker.
 *
 * @example
 * new Miniflare({ compatibilityDate: await compatibilityDate(), ... });
 */
export async function compatibilityDate(): Promise<string> {
  const toml = await readFile(join(ROOT, "wrangler.toml"), "utf8");
  const match = /^compatibility_date\s*=\s*"(\d{4}-\d{2}-\d{2})"/m.exec(toml);
  if (!match?.[1]) throw new Error("wrangler.toml has no compatibility_date");
  return match[1];
}

/**
 * The `compatibility_flags` from wrangler.toml (same reason as compatibilityDate).
 *
 * @example
 * new Miniflare({ compatibilityFlags: await compatibilityFlags(), ... });
 */
export async function compatibilityFlags(): Promise<string[]> {
  const toml = await readFile(join(ROOT, "wrangler.toml"), "utf8");
  const match = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml);
  return [...(match?.[1] ?? "").matchAll(/"([a-z0-9_]+)"/g)].map((m) => m[1]!);
}

/**
 * Makes a fresh directory under the OS temp dir; remove it with `removeDir`.
 *
 * @example
 * const dir = await makeTempDir("edgelog-restart-"); // "/tmp/edgelog-restart-AbC123"
 */
export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/**
 * Removes a directory tree; a missing directory is fine.
 *
 * @example
 * afterAll(() => removeDir(dir));
 */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
