/**
 * The package scripts a newcomer runs stay quiet and offline: `npm run build` and `npm run deploy`
 * pass wrangler the settings that drop its update banner (which asks the npm registry) and its
 * telemetry notice, shown on a machine's first run (here a fresh HOME); and `.dev.vars.example`
 * is committed (not gitignored like .dev.vars) and names the secret with an empty value, which
 * means no key.
 */
import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDevVars } from "../../tools/dev-vars.ts";
import { makeTempDir, ROOT, removeDir } from "./local-env.ts";

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir("scripts-");
});
afterAll(async () => {
  await removeDir(dir);
});

/** The environment a user's shell has: none of the quieting vars the test setup exports. */
function userEnv(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(WRANGLER_|CLOUDFLARE_|CI$)/.test(name)));
}

const scripts = async () => (JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

describe("npm run build and deploy", () => {
  it("bundle with no update banner and no telemetry notice, even on a first run", async () => {
    const { build, deploy } = await scripts();
    expect(deploy).toMatch(/^WRANGLER_SEND_METRICS=false WRANGLER_HIDE_BANNER=true wrangler deploy$/);
    // The build script as npm runs it (sh -c), writing into this test's directory and without prebuild.
    const command = `${build!.replace(/--outdir \S+/, "")} --outdir ${join(dir, "out")}`;
    const home = join(dir, "home");
    const run = spawnSync("sh", ["-c", command], {
      cwd: ROOT,
      env: {
        ...userEnv(),
        PATH: `${join(ROOT, "node_modules", ".bin")}:${process.env.PATH}`,
        HOME: home,
        XDG_CONFIG_HOME: join(home, ".config"),
      },
      encoding: "utf8",
      timeout: 120_000,
    });
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status, output).toBe(0);
    expect(output).toContain("--dry-run: exiting now.");
    expect(output).not.toMatch(/telemetry|update available|⛅/i);
    expect((await readFile(join(dir, "out", "index.js"), "utf8")).length).toBeGreaterThan(0);
  }, 150_000);
});

describe(".dev.vars.example", () => {
  it("is committed and names EDGELOG_JWT_SECRET, empty (no key)", async () => {
    const ignored = spawnSync("git", ["check-ignore", "-q", ".dev.vars.example"], { cwd: ROOT });
    expect(ignored.status).toBe(1);
    const vars = parseDevVars(await readFile(join(ROOT, ".dev.vars.example"), "utf8"));
    expect(vars).toEqual({ EDGELOG_JWT_SECRET: "" });
  });
});
