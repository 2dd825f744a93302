/**
 * `npm run token`: mints an HS256 token with the deployment's secret EDGELOG_JWT_SECRET (from the
 * environment, else .dev.vars), for operators and tests. It prints the token alone on stdout, so
 * `TOKEN=$(npm run --silent token -- ...)` captures it. The claims are PROTOCOL.md AUTH-2's, checked
 * with the same rules the server applies before anything is signed.
 *
 *   npm run token -- --sub alice --scope 'read:orders write:orders' --ttl 3600
 *   npm run token -- --sub ops --scope 'admin:* group:*' --aud edgelog --iss https://auth.example
 *   npm run token -- --new-secret     (prints a fresh secret for wrangler secret put or .dev.vars)
 *
 * @example
 * // npm run --silent token -- --sub alice --scope 'read:*'   ->   eyJhbGciOiJIUzI1NiIs...
 */
import { parseArgs } from "node:util";
import { mintToken, TOKEN_TTL_S_DEFAULT } from "../cli/mint-token.ts";
import { EdgelogError } from "../client/protocol/index.ts";
import { localVar, newSecret } from "./dev-vars.ts";

const USAGE = `usage: npm run token -- --sub <principal> [--scope '<grants>'] [--ttl <seconds>] [--aud <a>] [--iss <i>] [--quota '<json>']
       npm run token -- --new-secret
grants: read:<pattern> write:<pattern> admin:<pattern> group:<pattern>, a pattern a name or a prefix ending in * (PROTOCOL.md AUTH-3)`;

function fail(message: string): never {
  process.stderr.write(`npm run token: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function options() {
  try {
    return parseArgs({
      options: {
        sub: { type: "string" },
        scope: { type: "string", default: "" },
        ttl: { type: "string", default: String(TOKEN_TTL_S_DEFAULT) },
        aud: { type: "string" },
        iss: { type: "string" },
        quota: { type: "string" },
        "new-secret": { type: "boolean", default: false },
      },
    }).values;
  } catch (error) {
    return fail((error as Error).message);
  }
}

async function main(): Promise<void> {
  const args = options();
  if (args["new-secret"]) {
    process.stdout.write(`${newSecret()}\n`);
    return;
  }
  if (!args.sub) fail("--sub is required");
  const secret = localVar("EDGELOG_JWT_SECRET");
  if (secret === null) fail("no EDGELOG_JWT_SECRET in the environment or .dev.vars (npm run token -- --new-secret makes one)");
  let token: string;
  try {
    token = await mintToken({
      secret,
      sub: args.sub,
      scope: args.scope ?? "",
      ttlS: Number(args.ttl),
      nowS: Math.floor(Date.now() / 1000),
      aud: args.aud ?? localVar("EDGELOG_JWT_AUDIENCE"),
      iss: args.iss ?? localVar("EDGELOG_JWT_ISSUER"),
      ...(args.quota === undefined ? {} : { quota: args.quota }),
    });
  } catch (error) {
    fail(error instanceof EdgelogError ? error.message : String(error));
  }
  process.stdout.write(`${token}\n`);
}

await main();
