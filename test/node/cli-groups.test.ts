/**
 * `edgelog groups` and `edgelog consume -g` against the real worker: a group consumes as a
 * member and commits, its lag shows per partition, reset-offsets plans with --dry-run and
 * commits without it, and `edgelog token` mints a token the server's rules accept.
 */

import { jwtVerify } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCli, runCli, startCli } from "./cli-harness.ts";
import { edgelogApi } from "./http-api.ts";
import { useScratchRuntime } from "./scratch-runtime.ts";

const runtime = useScratchRuntime("edgelog-cli-groups-", { "cli-orders": 2, "cli-live-topic": 1 });
let cli = "";
beforeAll(async () => {
  cli = await buildCli();
  const api = edgelogApi(runtime().url);
  for (const partition of [0, 1]) {
    await api.produce("cli-orders", { records: Array.from({ length: 10 }, (_, i) => ({ value: { partition, i } })) }, partition);
  }
});

const run = (args: string[], env?: Record<string, string>) =>
  runCli(cli, args, { url: runtime().url, ...(env === undefined ? {} : { env }) });

describe("edgelog consume -g", () => {
  it("consumes every partition as the group's one member, commits, and a rerun has nothing left", async () => {
    const first = await run(["consume", "cli-orders", "-g", "cli-billing", "-o", "beginning", "-e", "-f", "%p:%o\\n"]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout.split("\n").filter(Boolean).sort()).toHaveLength(20);
    const lag = await edgelogApi(runtime().url).groupOffsets("cli-billing", "cli-orders");
    expect(lag.partitions.map((p) => p.committedOffset)).toEqual([10, 10]);
    expect(lag.totalLag).toBe(0);
    const again = await run(["consume", "cli-orders", "-g", "cli-billing", "-o", "beginning", "-e"]);
    expect(again).toMatchObject({ status: 0, stdout: "" });
  });
});

describe("edgelog consume -g -c", () => {
  it("commits exactly the records it printed, none it held past the count", async () => {
    const { status, stdout, stderr } = await run([
      "consume",
      "cli-orders",
      "-g",
      "cli-count",
      "-o",
      "beginning",
      "-c",
      "3",
      "-f",
      "%p:%o\\n",
    ]);
    expect(status, stderr).toBe(0);
    const printed = stdout.split("\n").filter(Boolean);
    expect(printed).toHaveLength(3);
    const committed = (await edgelogApi(runtime().url).groupOffsets("cli-count", "cli-orders")).partitions;
    expect(committed.reduce((sum, p) => sum + (p.committedOffset ?? 0), 0)).toBe(3);
    for (const line of printed) {
      const [partition, offset] = line.split(":").map(Number) as [number, number];
      expect(committed[partition]?.committedOffset ?? 0).toBeGreaterThan(offset);
    }
  });
});

describe("a following group member", () => {
  it("shows in groups describe, makes reset-offsets refuse (UNKNOWN_MEMBER_ID, exit 3), and leaves on SIGINT", async () => {
    const follower = startCli(cli, ["consume", "cli-live-topic", "-g", "cli-live", "--member-id", "cli-1", "-o", "end"], {
      url: runtime().url,
    });
    const api = edgelogApi(runtime().url);
    let members: { memberId: string }[] = [];
    for (let attempt = 0; attempt < 200 && members.length === 0; attempt++) {
      members = (JSON.parse((await run(["groups", "describe", "cli-live", "-J"])).stdout) as { members: { memberId: string }[] }).members;
    }
    expect(members.map((m) => m.memberId)).toEqual(["cli-1"]);
    const refused = await run(["groups", "reset-offsets", "cli-live", "-t", "cli-live-topic", "--to-earliest"]);
    expect(refused).toMatchObject({ status: 3, stderr: expect.stringMatching(/^edgelog: UNKNOWN_MEMBER_ID: /) });
    await api.produce("cli-live-topic", { records: [{ value: "late" }] });
    for (let attempt = 0; attempt < 200 && follower.stdout() === ""; attempt++) await run(["groups", "list"]);
    follower.child.kill("SIGINT");
    const { status, stdout } = await follower.done;
    expect(status).toBe(0);
    expect(stdout).toBe('"late"\n');
    // Stopping committed what was printed and left the group.
    expect((JSON.parse((await run(["groups", "describe", "cli-live", "-J"])).stdout) as { members: unknown[] }).members).toEqual([]);
    expect((await api.groupOffsets("cli-live", "cli-live-topic")).partitions[0]?.committedOffset).toBe(1);
  });
});

describe("edgelog groups", () => {
  it("lists and describes groups and shows lag per partition", async () => {
    await edgelogApi(runtime().url).commit("cli-lagging", { offsets: [{ topic: "cli-orders", partition: 0, offset: 4 }] });
    const listed = await run(["groups", "list"]);
    expect(listed.stdout).toMatch(/^GROUP\s+TOPICS\n/);
    expect(listed.stdout).toMatch(/\ncli-lagging\s+cli-orders\n/);
    expect(JSON.parse((await run(["groups", "list", "-J"])).stdout)).toEqual(
      expect.arrayContaining([{ group: "cli-lagging", topics: ["cli-orders"] }]),
    );
    const lag = await run(["groups", "lag", "cli-lagging"]);
    expect(lag.status, lag.stderr).toBe(0);
    expect(lag.stdout).toMatch(
      /TOPIC\s+PARTITION\s+COMMITTED\s+HIGH-WATERMARK\s+LAG\ncli-orders\s+0\s+4\s+10\s+6\ncli-orders\s+1\s+-\s+10\s+-\ntotal lag 6\n/,
    );
    const described = JSON.parse((await run(["groups", "describe", "cli-lagging", "-J"])).stdout) as { members: unknown[] };
    expect(described.members).toEqual([]);
    expect((await run(["groups", "describe", "cli-lagging"])).stdout).toMatch(
      /^group cli-lagging {2}topic - {2}assignor range {2}generation 0 {2}members 0\n/,
    );
  });

  it("reset-offsets prints the plan with --dry-run and commits it without", async () => {
    const api = edgelogApi(runtime().url);
    await api.commit("cli-reset", { offsets: [{ topic: "cli-orders", partition: 0, offset: 8 }] });
    const dry = await run(["groups", "reset-offsets", "cli-reset", "-t", "cli-orders", "--to-earliest", "--dry-run"]);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/cli-orders\s+0\s+8\s+0\ncli-orders\s+1\s+-\s+0\ndry run: nothing committed\n$/);
    expect((await api.groupOffsets("cli-reset", "cli-orders")).partitions.map((p) => p.committedOffset)).toEqual([8, null]);
    const toOffset = JSON.parse(
      (await run(["groups", "reset-offsets", "cli-reset", "-t", "cli-orders", "--to-offset", "3", "-p", "1", "-J"])).stdout,
    );
    expect(toOffset).toEqual({
      group: "cli-reset",
      topic: "cli-orders",
      dryRun: false,
      offsets: [{ partition: 1, current: null, offset: 3 }],
    });
    await run(["groups", "reset-offsets", "cli-reset", "-t", "cli-orders", "--to-latest", "-p", "0"]);
    expect((await api.groupOffsets("cli-reset", "cli-orders")).partitions.map((p) => p.committedOffset)).toEqual([10, 3]);
    const byTime = await run(["groups", "reset-offsets", "cli-reset", "-t", "cli-orders", "--to-datetime", "1970-01-01T00:00:00Z"]);
    expect(byTime.status, byTime.stderr).toBe(0);
    expect((await api.groupOffsets("cli-reset", "cli-orders")).partitions.map((p) => p.committedOffset)).toEqual([0, 0]);
    expect(await run(["groups", "reset-offsets", "cli-reset", "-t", "cli-orders"])).toMatchObject({ status: 2 });
    expect(await run(["groups", "reset-offsets", "cli-reset", "-t", "cli-orders", "--to-earliest", "--to-latest"])).toMatchObject({
      status: 2,
    });
  });
});

describe("edgelog token", () => {
  it("mints a token with the claims asked for, and refuses a bad scope", async () => {
    const env = { EDGELOG_JWT_SECRET: "a".repeat(64) };
    const minted = await run(["token", "--sub", "ops", "--scope", "admin:* group:*", "--ttl", "600"], env);
    expect(minted.status, minted.stderr).toBe(0);
    const { payload } = await jwtVerify(minted.stdout.trim(), new TextEncoder().encode(env.EDGELOG_JWT_SECRET));
    expect(payload).toMatchObject({ sub: "ops", scope: "admin:* group:*" });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(600);
    expect(await run(["token", "--sub", "ops", "--scope", "root:*"], env)).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^edgelog: USAGE: the token's scope is malformed/),
    });
    expect(await run(["token", "--scope", "read:*"], env)).toMatchObject({ status: 2 });
  });
});
