/**
 * `npm start` binds a local R2 bucket as ARCHIVE (tools/dev-config.ts), so an archive connector
 * works locally as the README says: its PUT is 201 (not 503 ARCHIVE_UNBOUND as on a Worker
 * without the binding), and the records produced after it are archived, the connector's status
 * counting them delivered and its group committed past them. The generated configuration is
 * wrangler.toml with the binding appended, and git ignores it.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/start-archive.test.ts
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectorStatus } from "../../client/protocol/index.ts";
import { DEV_CONFIG_FILE, devConfigText } from "../../tools/dev-config.ts";
import { makeTempDir, ROOT, removeDir } from "./local-env.ts";
import { type NpmStart, npmStart, servingUrl } from "./npm-start.ts";
import { freePort, waitFor, withTimeout } from "./waits.ts";

const TOPIC = "start-archive";
const CONNECTOR = "start-archive-sink";
const RECORDS = 3;

describe("devConfigText", () => {
  it("appends the local ARCHIVE bucket to wrangler.toml, and keeps a configuration that binds one", () => {
    const base = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
    const text = devConfigText(base);
    expect(text).toContain(base);
    expect(text).toMatch(/\[\[r2_buckets\]\]\nbinding = "ARCHIVE"\nbucket_name = "edgelog-archive-local"\n$/);
    const own = `${base}\n[[r2_buckets]]\nbinding = "ARCHIVE"\nbucket_name = "mine"\n`;
    expect(devConfigText(own).match(/binding = "ARCHIVE"/g)).toHaveLength(1);
  });
});

describe("npm start", () => {
  let dir: string;
  let started: NpmStart;
  let url: string;
  beforeAll(async () => {
    dir = await makeTempDir("start-archive-");
    started = npmStart(await freePort(), join(dir, "state"));
    url = await servingUrl(started, 200);
  }, 120_000);
  afterAll(async () => {
    process.kill(-started.child.pid!, "SIGINT");
    await withTimeout(started.exited, 30_000, "npm start to stop");
    await removeDir(dir);
  });

  it("runs an archive connector: created, the records archived and committed", async () => {
    const send = (method: string, path: string, body?: unknown) =>
      fetch(`${url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    expect((await send("PUT", `/v1/topics/${TOPIC}`, { partitions: 1 })).status).toBe(201);
    const put = await send("PUT", `/v1/connectors/${CONNECTOR}`, { kind: "archive", topic: TOPIC, prefix: "local" });
    expect([put.status, await put.text()]).toEqual([201, expect.stringContaining('"kind":"archive"')]);
    const records = Array.from({ length: RECORDS }, (_, i) => ({ value: { n: i } }));
    expect((await send("POST", `/v1/topics/${TOPIC}/records`, { records })).status).toBe(200);
    const status = await waitFor(
      "the archive connector to deliver",
      async () => {
        const answer = (await (await send("GET", `/v1/connectors/${CONNECTOR}`)).json()) as ConnectorStatus;
        return answer.deliveredRecords === RECORDS ? answer : undefined;
      },
      30_000,
    );
    expect(status.partitions[0]).toMatchObject({ committedOffset: RECORDS, lag: 0, lastError: null });
    expect(started.output()).toMatch(/env\.ARCHIVE \(edgelog-archive-local\)/);
    // Generated, never committed.
    expect(execFileSync("git", ["check-ignore", DEV_CONFIG_FILE], { cwd: ROOT, encoding: "utf8" }).trim()).toBe(DEV_CONFIG_FILE);
  }, 60_000);
});
