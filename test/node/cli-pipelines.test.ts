/**
 * `edgelog processors`, `edgelog connectors` and `edgelog sources` against the real worker in
 * Miniflare: a webhook connector put from stdin delivers what `edgelog produce` appended to a
 * real `node:http` endpoint on 127.0.0.1 (describe -J polled, bounded, until it shows them
 * delivered), its list and describe tables, its delete and then UNKNOWN_CONNECTOR (exit 3); a
 * source put from a file, fed one signed delivery, described, listed and deleted; the Worker's
 * example processors listed and one described as it processes; and configurations that are not
 * JSON refused as usage errors (exit 2) with no request sent.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/cli-pipelines.test.ts
 */
import { createHmac } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectorStatus, ProcessorStatus, SourceStatus } from "../../client/protocol/index.ts";
import { buildCli, runCli } from "./cli-harness.ts";
import { edgelogApi } from "./http-api.ts";
import { makeTempDir, removeDir } from "./local-env.ts";
import { useScratchRuntime } from "./scratch-runtime.ts";
import { waitFor } from "./waits.ts";
import { type Receiver, startReceiver, verifySignature } from "./webhook-receiver.ts";

const SECRET = "cli-hook-secret-0123456789";
const WAIT_MS = 30_000;

const runtime = useScratchRuntime("edgelog-cli-pipelines-", {
  "cli-hooked": 2,
  "cli-github": 1,
  "example-page-views": 1,
  "example-page-views-by-page": 1,
  "example-slow-views": 1,
});
let cli = "";
let receiver: Receiver;
let dir = "";
beforeAll(async () => {
  cli = await buildCli();
  receiver = await startReceiver(() => 200);
  dir = await makeTempDir("edgelog-cli-pipelines-files-");
});
afterAll(async () => {
  await receiver?.close();
  if (dir !== "") await removeDir(dir);
});

const run = (args: string[], stdin?: string, url = runtime().url) => runCli(cli, args, { url, ...(stdin === undefined ? {} : { stdin }) });

/** Runs a command with -J and parses its one line. */
async function json<T>(args: string[]): Promise<T> {
  const { status, stdout, stderr } = await run([...args, "-J"]);
  expect(status, stderr).toBe(0);
  expect(stdout.endsWith("\n") && stdout.indexOf("\n") === stdout.length - 1).toBe(true);
  return JSON.parse(stdout) as T;
}

describe("edgelog connectors", () => {
  it("puts a webhook from stdin, delivers what produce appended, shows it, deletes it", { timeout: 90_000 }, async () => {
    const hook = `${receiver.url}/cli-hook`;
    const config = { kind: "webhook", topic: "cli-hooked", url: hook, secret: SECRET, backoffInitialMs: 100 };
    const put = await run(["connectors", "put", "cli-hook"], JSON.stringify(config));
    expect(put.status, put.stderr).toBe(0);
    expect(put.stdout).toBe(`put cli-hook: webhook of cli-hooked to ${hook}\n`);
    expect((await run(["produce", "cli-hooked", "-p", "0"], '{"n":1}\n{"n":2}\n{"n":3}\n')).status).toBe(0);
    const delivered = await waitFor(
      "the connector to deliver the 3 records",
      async () => {
        const status = await json<ConnectorStatus>(["connectors", "describe", "cli-hook"]);
        return status.deliveredRecords === 3 && status.lag === 0 ? status : undefined;
      },
      WAIT_MS,
      200,
    );
    expect(delivered.partitions.map((p) => p.committedOffset)).toEqual([3, 0]);
    const bodies = receiver.on("/cli-hook");
    expect(bodies.every((r) => verifySignature(SECRET, r.headers["edgelog-signature"], r.body))).toBe(true);
    const values = bodies.flatMap((r) => (JSON.parse(r.body) as { records: { value: unknown }[] }).records.map((x) => x.value));
    expect(values).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);

    const listed = await run(["connectors", "list"]);
    expect(listed.stdout).toMatch(/^NAME\s+KIND\s+TOPIC\s+TARGET\s+LAG\s+DELIVERED\s+FAILED\s+DEAD-LETTERED\n/);
    expect(listed.stdout).toContain(`\ncli-hook  webhook  cli-hooked  ${hook}  0    3          0       0\n`);
    const described = await run(["connectors", "describe", "cli-hook"]);
    expect(described.stdout).toMatch(
      new RegExp(
        `^connector cli-hook {2}kind webhook {2}topic cli-hooked {2}target ${hook} {2}dead-letter -\n` +
          "group connector.cli-hook {2}lag 0 {2}delivered 3 {2}failed 0 {2}dead-lettered 0\n" +
          "PARTITION\\s+COMMITTED\\s+HIGH-WATERMARK\\s+LAG\\s+DELIVERED\\s+ATTEMPTS\\s+STATE\\s+LAST-SUCCESS\\s+LAST-ERROR\n" +
          "0\\s+3\\s+3\\s+0\\s+3\\s+0\\s+idle\\s+\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\s+-\n" +
          "1\\s+0\\s+0\\s+0\\s+0\\s+0\\s+idle\\s+-\\s+-\n$",
      ),
    );
    expect(JSON.parse((await run(["connectors", "list", "-J"])).stdout)).toEqual([
      expect.objectContaining({ name: "cli-hook", deliveredRecords: 3, config: expect.objectContaining({ url: hook, headerNames: [] }) }),
    ]);

    expect(await run(["connectors", "delete", "cli-hook"])).toMatchObject({ status: 0, stdout: "deleted cli-hook\n" });
    const gone = await run(["connectors", "describe", "cli-hook"]);
    expect(gone).toMatchObject({ status: 3, stdout: "", stderr: expect.stringMatching(/^edgelog: UNKNOWN_CONNECTOR: /) });
    expect(await run(["connectors", "list"])).toMatchObject({
      status: 0,
      stdout: "NAME  KIND  TOPIC  TARGET  LAG  DELIVERED  FAILED  DEAD-LETTERED\n",
    });
  });

  it("prints the server's refusal with its code: a topic that does not exist (3), a configuration the rules refuse (1)", async () => {
    const missing = { kind: "webhook", topic: "cli-missing", url: `${receiver.url}/x`, secret: SECRET };
    const unknown = await run(["connectors", "put", "cli-missing-hook"], JSON.stringify(missing));
    expect(unknown).toMatchObject({ status: 3, stderr: expect.stringMatching(/^edgelog: UNKNOWN_TOPIC: /) });
    const invalid = await run(["connectors", "put", "cli-bad-hook", "-J"], JSON.stringify({ ...missing, secret: "short" }));
    expect(invalid).toMatchObject({ status: 1, stdout: "", stderr: expect.stringMatching(/^edgelog: INVALID_CONNECTOR: secret must be /) });
    expect((await json<unknown[]>(["connectors", "list"])).length).toBe(0);
  });
});

describe("edgelog sources", () => {
  it("puts a source from a file, shows a signed delivery in describe and list, deletes it", async () => {
    const file = join(dir, "github.json");
    await writeFile(file, JSON.stringify({ topic: "cli-github", secret: SECRET, mapping: { key: { pointer: "/repository/id" } } }));
    const put = await run(["sources", "put", "cli-gh", "--file", file]);
    expect(put).toMatchObject({ status: 0, stdout: "put cli-gh: into cli-github, senders POST /v1/sources/cli-gh/events\n" });

    const body = JSON.stringify({ action: "opened", repository: { id: 7 } });
    const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
    const posted = await fetch(`${runtime().url}/v1/sources/cli-gh/events`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": signature, "x-delivery-id": "d-1" },
      body,
    });
    expect(posted.status).toBe(202);

    const described = await run(["sources", "describe", "cli-gh"]);
    expect(described.status, described.stderr).toBe(0);
    expect(described.stdout).toMatch(
      new RegExp(
        "^source cli-gh {2}topic cli-github {2}partition by key {2}events /v1/sources/cli-gh/events\n" +
          "signature x-hub-signature-256 \\(sha256\\) {2}delivery-id x-delivery-id {2}dedupe \\d+ ms\n" +
          "mapping key /repository/id {2}value - {2}headers -\n" +
          "ACCEPTED\\s+DUPLICATES\\s+REFUSED\\s+DELIVERY-IDS\\s+LAST-DELIVERY\n1\\s+0\\s+0\\s+1\\s+\\d{4}-[\\d-]+T[\\d:.]+Z\n$",
      ),
    );
    const status = await json<SourceStatus>(["sources", "describe", "cli-gh"]);
    expect(status).toMatchObject({ name: "cli-gh", topic: "cli-github", accepted: 1 });
    expect(status).not.toHaveProperty("secret");
    const listed = await run(["sources", "list"]);
    expect(listed.stdout).toMatch(
      /^NAME\s+TOPIC\s+PARTITION\s+ACCEPTED\s+DUPLICATES\s+REFUSED\s+LAST-DELIVERY\ncli-gh\s+cli-github\s+by key\s+1\s+0\s+0\s+\d{4}-/,
    );
    expect((await json<SourceStatus[]>(["sources", "list"])).map((s) => s.name)).toEqual(["cli-gh"]);

    expect(await run(["sources", "delete", "cli-gh", "-J"])).toMatchObject({ status: 0, stdout: '{"name":"cli-gh","deleted":true}\n' });
    expect(await run(["sources", "describe", "cli-gh"])).toMatchObject({
      status: 3,
      stderr: expect.stringMatching(/^edgelog: UNKNOWN_SOURCE: /),
    });
    expect(await run(["sources", "delete", "cli-gh"])).toMatchObject({
      status: 3,
      stderr: expect.stringMatching(/^edgelog: UNKNOWN_SOURCE: /),
    });
  });
});

describe("a configuration that is not JSON", () => {
  it("is a usage error (exit 2) and nothing is sent, from a file or from stdin", async () => {
    const counter = await startReceiver(() => 200);
    try {
      const file = join(dir, "broken.json");
      await writeFile(file, '{"kind": "webhook", "topic": ');
      const fromFile = await run(["connectors", "put", "cli-broken", "--file", file], undefined, counter.url);
      expect(fromFile).toMatchObject({
        status: 2,
        stdout: "",
        stderr: expect.stringMatching(/^edgelog: USAGE: .*broken\.json is not JSON/),
      });
      const fromStdin = await run(["sources", "put", "cli-broken"], "topic: cli-github\n", counter.url);
      expect(fromStdin).toMatchObject({ status: 2, stderr: expect.stringMatching(/^edgelog: USAGE: stdin is not JSON/) });
      const noFile = await run(["sources", "put", "cli-broken", "--file", join(dir, "absent.json")], undefined, counter.url);
      expect(noFile).toMatchObject({ status: 2, stderr: expect.stringMatching(/^edgelog: USAGE: cannot read .*absent\.json/) });
      expect(counter.requests).toEqual([]);
      // The same server is reached by a command that does send (so the count above means something).
      await run(["connectors", "list"], undefined, counter.url);
      expect(counter.requests.map((r) => r.path)).toEqual(["/v1/connectors"]);
    } finally {
      await counter.close();
    }
  });
});

describe("edgelog processors", () => {
  it("lists the Worker's example processors and describes one as it processes", { timeout: 60_000 }, async () => {
    const listed = await run(["processors", "list"]);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^NAME\s+INPUT\s+OUTPUT\s+STATE\s+LAG\s+IN\s+OUT\n/);
    expect(listed.stdout).toMatch(
      /\nexample-views-by-page\s+example-page-views\s+example-page-views-by-page\s+running\s+\d+\s+\d+\s+\d+\n/,
    );
    expect(listed.stdout).toMatch(/\nexample-page-views-per-minute\s+example-page-views-by-page\s+example-page-view-counts\s+running\s/);
    expect(listed.stdout).toMatch(/\nexample-slow-views\s+example-page-views\s+example-slow-views\s+running\s/);
    expect((await json<ProcessorStatus[]>(["processors", "list"])).map((p) => p.name)).toEqual([
      "example-views-by-page",
      "example-page-views-per-minute",
      "example-slow-views",
    ]);

    await edgelogApi(runtime().url).produce("example-page-views", {
      records: [{ value: { page: "/a", ms: 20 } }, { value: { page: "/b", ms: 2_000 } }],
    });
    await waitFor(
      "example-slow-views to process both views",
      async () => {
        const status = await json<ProcessorStatus>(["processors", "describe", "example-slow-views"]);
        return status.partitions[0]?.inputOffset === 2 ? status : undefined;
      },
      WAIT_MS,
      200,
    );
    const described = await run(["processors", "describe", "example-slow-views"]);
    expect(described.stdout).toMatch(
      /^processor example-slow-views {2}input example-page-views {2}output example-slow-views {2}group processor.example-slow-views {2}state running {2}windowed no\nlag 0 {2}in 2 {2}out 1 {2}in\/s [\d.]+\nPARTITION\s+OFFSET\s+HIGH-WATERMARK\s+LAG\s+IN\s+OUT\s+LAST-ERROR\n0\s+2\s+2\s+0\s+2\s+1\s+-\n$/,
    );

    const unknown = await run(["processors", "describe", "no-such-processor"]);
    expect(unknown).toMatchObject({ status: 3, stdout: "", stderr: expect.stringMatching(/^edgelog: UNKNOWN_PROCESSOR: /) });
  });
});
