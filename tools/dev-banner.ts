/**
 * The terminal banner `npm start` prints before wrangler starts: local development runs with
 * authentication off (the start script passes --var EDGELOG_AUTH:dev), said loudly, with what a
 * token sent is checked against (PROTOCOL.md AUTH-13).
 *
 * @example
 * // npm start  ->  a boxed warning on stderr, then wrangler's output
 */
import { localVar } from "./dev-vars.ts";

const hasSecret = localVar("EDGELOG_JWT_SECRET") !== null;
const lines = [
  "edgelog: DEVELOPMENT MODE. Authentication is OFF (EDGELOG_AUTH=dev).",
  "Anyone who can reach this server can read, write and delete every topic.",
  hasSecret
    ? "Tokens you send are verified with EDGELOG_JWT_SECRET from .dev.vars (npm run token -- --sub you --scope 'admin:*')."
    : "No EDGELOG_JWT_SECRET in .dev.vars: tokens you send are not checked (README: Deploying safely).",
  "A deployment requires tokens: wrangler deploy without a key refuses every /v1 request (AUTH_NOT_CONFIGURED).",
];
const width = Math.max(...lines.map((line) => line.length));
const rule = `+${"-".repeat(width + 2)}+`;
process.stderr.write(`${[rule, ...lines.map((line) => `| ${line.padEnd(width)} |`), rule].join("\n")}\n`);
