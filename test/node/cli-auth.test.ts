/**
 * `edgelog` against a worker that requires tokens: a token `edgelog token` mints, given by
 * `--token` or EDGELOG_TOKEN, is sent as a bearer token; none, or one without the grant, fails
 * with the server's stable code and exit status 4; the processors', connectors' and sources'
 * commands pass with an `admin:*` token and are FORBIDDEN with a reader's.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, runCli } from "./cli-harness.ts";
import { makeTempDir, removeDir } from "./local-env.ts";
import { bundleWorker, type LocalRuntime, startMiniflare } from "./miniflare-runtime.ts";

const SECRET = "cli-test-secret-0123456789abcdef0123";

let dir = "";
let cli = "";
let runtime: LocalRuntime | null = null;
beforeAll(async () => {
  dir = await makeTempDir("edgelog-cli-auth-");
  cli = await buildCli();
  runtime = await startMiniflare({
    scriptPath: await bundleWorker(join(dir, "bundle")),
    persistDir: join(dir, "state"),
    vars: { EDGELOG_AUTH: "required", EDGELOG_JWT_SECRET: SECRET },
  });
});
afterAll(async () => {
  await runtime?.stop();
  await removeDir(dir);
});

const url = () => runtime?.url ?? "";
const mint = async (scope: string) => {
  const minted = await runCli(cli, ["token", "--sub", "cli", "--scope", scope], { url: url(), env: { EDGELOG_JWT_SECRET: SECRET } });
  expect(minted.status, minted.stderr).toBe(0);
  return minted.stdout.trim();
};

describe("edgelog with authentication required", () => {
  it("sends --token or EDGELOG_TOKEN, and fails with exit 4 without one or without the grant", async () => {
    const admin = await mint("admin:* read:* write:* group:*");
    expect(await runCli(cli, ["topics", "create", "cli-auth", "-p", "1", "--token", admin], { url: url() })).toMatchObject({ status: 0 });
    const produced = await runCli(cli, ["produce", "cli-auth"], { url: url(), stdin: "1\n2\n", env: { EDGELOG_TOKEN: admin } });
    expect(produced.status, produced.stderr).toBe(0);
    const consumed = await runCli(cli, ["consume", "cli-auth", "-e"], { url: url(), env: { EDGELOG_TOKEN: admin } });
    expect(consumed).toMatchObject({ status: 0, stdout: "1\n2\n" });
    expect(await runCli(cli, ["topics", "list"], { url: url(), env: { EDGELOG_TOKEN: "" } })).toMatchObject({
      status: 4,
      stderr: expect.stringMatching(/^edgelog: UNAUTHENTICATED: /),
    });
    const reader = await mint("read:cli-auth");
    expect(await runCli(cli, ["topics", "delete", "cli-auth", "--token", reader], { url: url() })).toMatchObject({
      status: 4,
      stderr: expect.stringMatching(/^edgelog: FORBIDDEN: /),
    });
    // The processors', connectors' and sources' commands need admin on *: the same token passing.
    const source = JSON.stringify({ topic: "cli-auth", secret: SECRET });
    const put = await runCli(cli, ["sources", "put", "cli-auth-src", "--token", admin], { url: url(), stdin: source });
    expect(put.status, put.stderr).toBe(0);
    expect(await runCli(cli, ["sources", "list"], { url: url(), env: { EDGELOG_TOKEN: admin } })).toMatchObject({
      status: 0,
      stdout: expect.stringMatching(/\ncli-auth-src\s+cli-auth\s/),
    });
    expect(await runCli(cli, ["processors", "list", "--token", admin], { url: url() })).toMatchObject({ status: 0 });
    for (const args of [
      ["sources", "describe", "cli-auth-src"],
      ["connectors", "list"],
      ["processors", "list"],
    ]) {
      expect(await runCli(cli, [...args, "--token", reader], { url: url() })).toMatchObject({
        status: 4,
        stderr: expect.stringMatching(/^edgelog: FORBIDDEN: /),
      });
    }
    expect(await runCli(cli, ["connectors", "list"], { url: url(), env: { EDGELOG_TOKEN: "" } })).toMatchObject({ status: 4 });
    const metrics = await fetch(`${url()}/v1/metrics`, { headers: { authorization: `Bearer ${admin}` } });
    expect(await metrics.text()).toContain('edgelog_partition_high_watermark{topic="cli-auth",partition="0"} 2');
  });
});
