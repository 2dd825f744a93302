/**
 * Long work through `edgelog`: a 100k-record replay shows a progress bar on a terminal (records,
 * bytes, rate, ETA) and nothing on a pipe; a produce from a file shows one too; and a rerun of
 * a failed produce pipe with the same --producer-id appends only what was missing, even when
 * the batches are cut at other records than the first run's.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, runCli, runCliOnTty } from "./cli-harness.ts";
import { edgelogApi } from "./http-api.ts";
import { makeTempDir, removeDir } from "./local-env.ts";
import { useScratchRuntime } from "./scratch-runtime.ts";

const REPLAY_RECORDS = 100_000;

const runtime = useScratchRuntime("edgelog-cli-replay-", { "cli-replay": 2, "cli-rerun": 3, "cli-rerun-keyless": 3 });
let cli = "";
let dir = "";
beforeAll(async () => {
  cli = await buildCli();
  dir = await makeTempDir("edgelog-cli-replay-");
});
afterAll(async () => {
  await removeDir(dir);
});

const lines = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `k${(from + i) % 97}:${JSON.stringify({ n: from + i })}`).join("\n");

describe("a 100k-record replay", () => {
  it("is produced from a file with a progress bar on a terminal, and replayed with one; piped, stderr stays empty", async () => {
    const input = join(dir, "replay.txt");
    await writeFile(input, `${lines(0, REPLAY_RECORDS)}\n`);
    const produced = await runCliOnTty(`node ${cli} produce cli-replay -K : -b 5000 --file ${input}`, { url: runtime().url });
    expect(produced.status, produced.stdout).toBe(0);
    // cli-progress redraws one line; the last frame has the totals in bytes (the file's size is known).
    expect(produced.stdout).toMatch(/100% \| 100000 records \| [\d.]+ MiB\/[\d.]+ MiB \| \d+ rec\/s \| ETA \d+s/);
    expect(produced.stdout).toContain(`produced ${REPLAY_RECORDS} records to cli-replay (0 already stored)`);

    const out = join(dir, "replayed.txt");
    const replay = await runCliOnTty(`node ${cli} consume cli-replay -e -f '%k %s\\n' > ${out}`, { url: runtime().url });
    expect(replay.status, replay.stdout).toBe(0);
    expect(replay.stdout).toMatch(/100% \| 100000\/100000 records \| [\d.]+ MiB \| \d+ rec\/s \| ETA \d+s/);
    expect(replay.stdout).not.toContain('{"n":');

    const piped = await runCli(cli, ["consume", "cli-replay", "-e", "-f", "%s\\n"], { url: runtime().url });
    expect(piped.status).toBe(0);
    expect(piped.stderr).toBe("");
    const values = piped.stdout.trim().split("\n");
    expect(values).toHaveLength(REPLAY_RECORDS);
    expect(new Set(values).size).toBe(REPLAY_RECORDS);
  }, 120_000);
});

describe("a rerun of a failed produce pipe", () => {
  it("appends only what the first run did not, with the same --producer-id", async () => {
    const api = edgelogApi(runtime().url);
    const total = async () => (await api.describeTopic("cli-rerun")).partitions.reduce((sum, p) => sum + p.highWatermark, 0);
    const id = ["--producer-id", "cli-rerun-1"];
    // The first run's pipe broke after 600 of 1000 lines, batched by 7 (with a linger of 0).
    const first = await runCli(cli, ["produce", "cli-rerun", "-K", ":", "-b", "7", "-l", "0", ...id], {
      url: runtime().url,
      stdin: `${lines(0, 600)}\n`,
    });
    expect(first.status, first.stderr).toBe(0);
    expect(await total()).toBe(600);
    // The rerun sends everything, in batches of 100 that straddle the first run's.
    const rerun = await runCli(cli, ["produce", "cli-rerun", "-K", ":", "-b", "100", ...id], {
      url: runtime().url,
      stdin: `${lines(0, 1000)}\n`,
    });
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(await total()).toBe(1000);
    const again = await runCli(cli, ["produce", "cli-rerun", "-K", ":", ...id], { url: runtime().url, stdin: `${lines(0, 1000)}\n` });
    expect(again.status, again.stderr).toBe(0);
    expect(await total()).toBe(1000);
    const seen = (await runCli(cli, ["consume", "cli-rerun", "-e", "-f", "%s\\n"], { url: runtime().url })).stdout.trim().split("\n");
    expect(seen.map((line) => (JSON.parse(line) as { n: number }).n).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 1000 }, (_, i) => i),
    );
    // Without the id, a rerun is a new producer: it appends again (what --producer-id is for).
    await runCli(cli, ["produce", "cli-rerun", "-K", ":"], { url: runtime().url, stdin: `${lines(0, 10)}\n` });
    expect(await total()).toBe(1010);
  }, 60_000);

  it("routes keyless records the same way whatever the batch size, so their rerun appends only the missing ones", async () => {
    const api = edgelogApi(runtime().url);
    const partitions = async () => (await api.describeTopic("cli-rerun-keyless")).partitions.map((p) => p.highWatermark);
    const values = (from: number, to: number) => `${Array.from({ length: to - from }, (_, i) => String(from + i)).join("\n")}\n`;
    const id = ["--producer-id", "cli-rerun-keyless-1"];
    const first = await runCli(cli, ["produce", "cli-rerun-keyless", "-b", "40", "-l", "0", ...id], {
      url: runtime().url,
      stdin: values(0, 1500),
    });
    expect(first.status, first.stderr).toBe(0);
    expect(await partitions()).toEqual([1000, 500, 0]);
    const rerun = await runCli(cli, ["produce", "cli-rerun-keyless", "-b", "300", ...id], { url: runtime().url, stdin: values(0, 3500) });
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(await partitions()).toEqual([1500, 1000, 1000]);
  }, 60_000);
});
