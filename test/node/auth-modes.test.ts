/**
 * The modes from outside (PROTOCOL.md AUTH-13, AUTH-14), against the real local runtimes:
 * - the worker as `npm run build` bundles it (`wrangler deploy --dry-run`), run in Miniflare with a
 *   production config (no EDGELOG_AUTH, no key) refuses every /v1 request with
 *   AUTH_NOT_CONFIGURED, and with a secret set verifies tokens `npm run token` mints;
 * - `wrangler dev` as `npm start` runs it (`--var EDGELOG_AUTH:dev`, here with a test secret):
 *   open without a token and saying so, a token sent still verified and its grants enforced, the
 *   page's banner and security headers, the example app's headers from examples/_headers;
 * - the start script's dev var and its terminal banner.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/auth-modes.test.ts
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, QUIET_ENV, ROOT, removeDir, startMiniflare, startWrangler, type WranglerRuntime } from "./runtime.ts";

const run = promisify(execFile);
const SECRET = "node-test-secret-0123456789abcdef0123";

/** `npm run --silent token -- ...args` with the test secret in the environment: the token it prints. */
async function npmToken(...args: string[]): Promise<string> {
  const { stdout } = await run("npm", ["run", "--silent", "token", "--", ...args], {
    cwd: ROOT,
    env: { ...process.env, EDGELOG_JWT_SECRET: SECRET },
    timeout: 60_000,
  });
  return stdout.trim();
}

let dir = "";
beforeAll(async () => {
  dir = await makeTempDir("edgelog-auth-modes-");
});
afterAll(async () => {
  await removeDir(dir);
});

describe("the built worker with a production config", () => {
  it("fails closed without a key, and verifies npm run token's tokens with one", async () => {
    await run(join(ROOT, "node_modules", ".bin", "wrangler"), ["deploy", "--dry-run", "--outdir", join(dir, "dist")], {
      cwd: ROOT,
      env: { ...process.env, ...QUIET_ENV, WRANGLER_LOG_PATH: join(dir, "logs") },
      timeout: 120_000,
    });
    const scriptPath = join(dir, "dist", "index.js");
    const closed = await startMiniflare({ scriptPath, persistDir: join(dir, "closed"), auth: "unset" });
    try {
      for (const path of ["/v1/topics", "/v1/topics/orders/partitions/0/records", "/v1/groups/billing"]) {
        const res = await fetch(`${closed.url}${path}`);
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect([path, res.status, body.error.code]).toEqual([path, 503, "AUTH_NOT_CONFIGURED"]);
        expect(body.error.message).toContain("wrangler secret put EDGELOG_JWT_SECRET");
      }
    } finally {
      await closed.stop();
    }
    const keyed = await startMiniflare({ scriptPath, persistDir: join(dir, "keyed"), auth: "unset", vars: { EDGELOG_JWT_SECRET: SECRET } });
    try {
      expect((await fetch(`${keyed.url}/v1/topics`)).status).toBe(401);
      const token = await npmToken("--sub", "ops", "--scope", "admin:*", "--ttl", "600");
      const created = await fetch(`${keyed.url}/v1/topics/orders`, {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: '{"partitions":1}',
      });
      expect(created.status).toBe(201);
      const reader = await npmToken("--sub", "alice", "--scope", "read:orders");
      const produce = await fetch(`${keyed.url}/v1/topics/orders/records`, {
        method: "POST",
        headers: { authorization: `Bearer ${reader}` },
        body: '{"records":[{"value":1}]}',
      });
      expect(produce.status).toBe(403);
    } finally {
      await keyed.stop();
    }
  });
});

describe("npm start's dev mode", () => {
  let dev: WranglerRuntime | null = null;
  beforeAll(async () => {
    dev = await startWrangler({ persistDir: join(dir, "dev-state"), vars: { EDGELOG_AUTH: "dev", EDGELOG_JWT_SECRET: SECRET } });
  });
  afterAll(async () => {
    await dev?.stop();
  });

  it("is open without a token and says so; a token sent is verified and its grants hold", async () => {
    const url = dev!.url;
    const open = await fetch(`${url}/v1/topics/dev-topic`, { method: "PUT", body: '{"partitions":1}' });
    expect([open.status, open.headers.get("edgelog-auth")]).toEqual([201, "dev"]);
    const forged = await fetch(`${url}/v1/topics`, { headers: { authorization: "Bearer a.b.c" } });
    expect([forged.status, forged.headers.get("www-authenticate")]).toEqual([401, 'Bearer realm="edgelog"']);
    const reader = await npmToken("--sub", "alice", "--scope", "read:dev-*");
    const list = await fetch(`${url}/v1/topics`, { headers: { authorization: `Bearer ${reader}` } });
    expect(((await list.json()) as { topics: { name: string }[] }).topics.map((t) => t.name)).toEqual(["dev-topic"]);
    const produce = await fetch(`${url}/v1/topics/dev-topic/records`, {
      method: "POST",
      headers: { authorization: `Bearer ${reader}` },
      body: '{"records":[{"value":1}]}',
    });
    expect(produce.status).toBe(403);
  });

  it("serves the admin console with its banner and security headers, and the example app with _headers'", async () => {
    const page = await fetch(`${dev!.url}/`);
    const html = await page.text();
    expect(html).toContain('id="auth-banner"');
    expect(html).toContain('data-auth="dev"');
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    // The console's script and style are same-origin files: nothing inline is allowed.
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.headers.get("content-security-policy")).not.toContain("unsafe-inline");
    for (const path of ["/console/console.js", "/console/console.css"]) {
      expect(html).toContain(path);
      const asset = await fetch(`${dev!.url}${path}`);
      expect([path, asset.status, (await asset.text()).length > 1000, asset.headers.get("x-content-type-options")]).toEqual([
        path,
        200,
        true,
        "nosniff",
      ]);
    }
    expect([page.headers.get("x-content-type-options"), page.headers.get("referrer-policy")]).toEqual(["nosniff", "no-referrer"]);
    for (const path of ["/examples/feed/", "/examples/feed/app.js"]) {
      const asset = await fetch(`${dev!.url}${path}`);
      await asset.arrayBuffer();
      expect([path, asset.status, asset.headers.get("content-security-policy")]).toEqual([
        path,
        200,
        expect.stringContaining("frame-ancestors 'none'"),
      ]);
      expect(asset.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });
});

describe("npm start", () => {
  it("runs wrangler with EDGELOG_AUTH=dev and prints the banner first", async () => {
    const scripts = (JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toContain("tools/start.ts");
    expect(await readFile(join(ROOT, "tools", "start.ts"), "utf8")).toMatch(/"--var",\s*"EDGELOG_AUTH:dev"/);
    expect(scripts.prestart).toContain("banner:dev");
    const { stderr } = await run("npm", ["run", "--silent", "banner:dev"], { cwd: ROOT, timeout: 60_000 });
    expect(stderr).toContain("Authentication is OFF (EDGELOG_AUTH=dev)");
  });
});
