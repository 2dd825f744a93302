/**
 * `edgelog` (cli/) against the real worker: topics, produce from a pipe (JSON lines, keys with a
 * separator, headers, an explicit partition), consume (offsets, formats, JSON lines, one
 * partition), and failures (exit statuses and stable codes on stderr).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { buildCli, runCli } from "./cli-harness.ts";
import { edgelogApi } from "./http-api.ts";
import { useScratchRuntime } from "./scratch-runtime.ts";

const runtime = useScratchRuntime("edgelog-cli-", { "cli-read": 2 });
let cli = "";
beforeAll(async () => {
  cli = await buildCli();
});

const run = (args: string[], stdin?: string) => runCli(cli, args, { url: runtime().url, ...(stdin === undefined ? {} : { stdin }) });

describe("edgelog topics", () => {
  it("creates, lists, describes and deletes a topic", async () => {
    const created = await run(["topics", "create", "cli-topics", "-p", "3", "-c", "retention.ms=60000"]);
    expect(created, created.stderr).toMatchObject({ status: 0 });
    expect(created.stdout).toMatch(/^created cli-topics \(3 partitions, id [0-9a-f-]+\)\n$/);
    const listed = await run(["topics", "list"]);
    expect(listed.stdout).toMatch(/^TOPIC\s+PARTITIONS\s+CONFIG\n/);
    expect(listed.stdout).toMatch(/\ncli-topics\s+3\s+\{"retention.ms":60000/);
    const json = JSON.parse((await run(["topics", "list", "-J"])).stdout) as { name: string }[];
    expect(json.map((t) => t.name)).toContain("cli-topics");
    const described = JSON.parse((await run(["topics", "describe", "cli-topics", "-J"])).stdout) as { partitions: unknown[] };
    expect(described.partitions).toHaveLength(3);
    expect((await run(["topics", "describe", "cli-topics"])).stdout).toMatch(
      /PARTITION\s+LOG-START\s+HIGH-WATERMARK\s+RECORDS\n0\s+0\s+0\s+0\n/,
    );
    expect(await run(["topics", "delete", "cli-topics"])).toMatchObject({ status: 0, stdout: "deleted cli-topics\n" });
    expect(await run(["topics", "describe", "cli-topics"])).toMatchObject({
      status: 3,
      stderr: expect.stringMatching(/^edgelog: UNKNOWN_TOPIC: /),
    });
  });
});

describe("edgelog produce and consume through pipes", () => {
  it("round-trips keyed lines with headers, and prints them in a kcat-like format", async () => {
    await edgelogApi(runtime().url).createTopic("cli-keys", 3);
    const lines = ['alice:{"n":1}', 'bob:{"n":2}', 'alice:{"n":3}', "", 'carol:"text"'].join("\n");
    const produced = await run(["produce", "cli-keys", "-K", ":", "-H", "source=cli", "-H", "run=1"], `${lines}\n`);
    expect(produced, produced.stderr).toEqual({ status: 0, stdout: "", stderr: "" });
    const consumed = await run(["consume", "cli-keys", "-e", "-f", "%k:%s|%h\\n"]);
    expect(consumed.status, consumed.stderr).toBe(0);
    expect(consumed.stdout.split("\n").filter(Boolean).sort()).toEqual([
      'alice:{"n":1}|source=cli,run=1',
      'alice:{"n":3}|source=cli,run=1',
      'bob:{"n":2}|source=cli,run=1',
      'carol:"text"|source=cli,run=1',
    ]);
    // One key, one partition, in order (Kafka's partitioner).
    const records = (await run(["consume", "cli-keys", "-e", "-J"])).stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const alice = records.filter((r) => r.key === "alice");
    expect(new Set(alice.map((r) => r.partition)).size).toBe(1);
    expect(alice.map((r) => r.value.n)).toEqual([1, 3]);
    expect(Object.keys(records[0]).sort()).toEqual(["headers", "key", "offset", "partition", "timestamp", "topic", "value"]);
  });

  it("consumes from -o beginning, N, -N, @timestamp and end, one partition or all, and -c", async () => {
    const values = Array.from({ length: 20 }, (_, i) => JSON.stringify({ i })).join("\n");
    expect((await run(["produce", "cli-read", "-p", "1"], `${values}\n`)).status).toBe(0);
    const offsets = async (...args: string[]) => (await run(["consume", "cli-read", "-p", "1", "-e", "-f", "%o ", ...args])).stdout.trim();
    expect(await offsets("-o", "beginning")).toBe(Array.from({ length: 20 }, (_, i) => i).join(" "));
    expect(await offsets("-o", "15")).toBe("15 16 17 18 19");
    expect(await offsets("-o", "-3")).toBe("17 18 19");
    expect(await offsets("-o", "end")).toBe("");
    expect(await offsets("-o", "-3", "-c", "2")).toBe("17 18");
    const first = JSON.parse((await run(["consume", "cli-read", "-p", "1", "-e", "-J", "-c", "1", "-o", "10"])).stdout) as {
      timestamp: number;
    };
    const since = (await run(["consume", "cli-read", "-p", "1", "-e", "-f", "%o ", "-o", `@${first.timestamp}`])).stdout.trim().split(" ");
    expect(Number(since[0])).toBeLessThanOrEqual(10);
    expect(since.at(-1)).toBe("19");
    // All partitions: partition 0 is empty, so all is partition 1's.
    expect((await run(["consume", "cli-read", "-e", "-f", "%p:%o\\n"])).stdout.split("\n").filter(Boolean)).toHaveLength(20);
  });

  it("follows without -e until -c records arrive", async () => {
    await edgelogApi(runtime().url).createTopic("cli-follow", 1);
    const following = run(["consume", "cli-follow", "-o", "end", "-c", "2", "-f", "%s\\n"]);
    // Once the consumer's long-poll is parked on the partition (its stats count it), records produced arrive.
    const waiters = async () =>
      ((await (await fetch(`${runtime().url}/v1/topics/cli-follow/partitions/0/stats`)).json()) as { longPollWaiters: number })
        .longPollWaiters;
    for (let attempt = 0; attempt < 2_000 && (await waiters()) === 0; attempt++) await new Promise((resolve) => setImmediate(resolve));
    await edgelogApi(runtime().url).produce("cli-follow", { records: [{ value: 1 }, { value: 2 }] });
    const { status, stdout } = await following;
    expect(status).toBe(0);
    expect(stdout.split("\n").filter(Boolean)).toHaveLength(2);
  });
});

describe("edgelog fails with stable codes and exit statuses", () => {
  it("answers usage errors with 2, unknown topics with 3, an unreachable server with 5", async () => {
    expect(await run(["consume"])).toMatchObject({ status: 2, stderr: "edgelog: USAGE: missing required argument 'topic'\n" });
    expect(await run(["consume", "cli-read", "-o", "soon"])).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^edgelog: USAGE: -o is beginning/),
    });
    expect(await run(["consume", "cli-read", "-f", "%x"])).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/%x is no format field/),
    });
    expect(await run(["topics", "create", "x", "-p", "0"])).toMatchObject({ status: 2 });
    expect(await run(["nonsense"])).toMatchObject({ status: 2, stderr: expect.stringMatching(/^edgelog: USAGE: unknown command/) });
    expect(await run(["produce", "no-such-topic"], "1\n")).toMatchObject({
      status: 3,
      stderr: expect.stringMatching(/^edgelog: UNKNOWN_TOPIC: /),
    });
    expect(await run(["consume", "no-such-topic", "-e"])).toMatchObject({ status: 3 });
    expect(await run(["produce", "cli-read", "-p", "9"], "1\n")).toMatchObject({ status: 2 });
    expect(await run(["produce", "cli-read"], "not json\n")).toMatchObject({
      status: 1,
      stderr: expect.stringMatching(/^edgelog: INVALID_RECORD: line 1: /),
    });
    expect(await run(["topics", "create", "Bad Name!", "-p", "1"])).toMatchObject({
      status: 1,
      stderr: expect.stringMatching(/^edgelog: INVALID_TOPIC_NAME: /),
    });
    const unreachable = await runCli(cli, ["topics", "list"], { url: "http://127.0.0.1:1" });
    expect(unreachable).toMatchObject({ status: 5, stderr: expect.stringMatching(/^edgelog: NETWORK: /) });
    expect((await run(["--help"])).status).toBe(0);
  });
});
