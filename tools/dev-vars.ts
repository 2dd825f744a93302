/**
 * The settings the local tools read: a var from the environment, else from `.dev.vars` (the file
 * `wrangler dev` and `npm start` read secrets from; never committed), and a fresh HS256 secret.
 *
 * @example
 * const secret = localVar("EDGELOG_JWT_SECRET"); // the environment's, else .dev.vars', else null
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The repository root: tools run from it (npm run). */
const DEV_VARS_PATH = join(process.cwd(), ".dev.vars");

/**
 * The vars of a `.dev.vars` text: `NAME=value` lines, values optionally in double or single quotes.
 *
 * @example
 * parseDevVars('EDGELOG_JWT_SECRET="abc"\n# a comment'); // { EDGELOG_JWT_SECRET: "abc" }
 */
export function parseDevVars(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match === null) continue;
    const raw = match[2]!;
    const quoted = /^(["'])(.*)\1$/.exec(raw);
    vars[match[1]!] = quoted ? quoted[2]! : raw;
  }
  return vars;
}

/**
 * A var from the environment, else from .dev.vars, else null.
 *
 * @example
 * localVar("EDGELOG_JWT_AUDIENCE"); // null when neither sets it
 */
export function localVar(name: string): string | null {
  const fromEnv = process.env[name];
  if (fromEnv) return fromEnv;
  if (!existsSync(DEV_VARS_PATH)) return null;
  return parseDevVars(readFileSync(DEV_VARS_PATH, "utf8"))[name] || null;
}

/**
 * A fresh HS256 secret: 32 random bytes as 64 hex digits.
 *
 * @example
 * newSecret().length; // 64
 */
export function newSecret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex");
}
