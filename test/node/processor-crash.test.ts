/**
 * Stream processors exactly once across `kill -9` (PROC-3): this repository's example chain
 * (worker/example-processors.ts: re-key by page, count per page and minute into a compacted
 * topic, and the slow views filtered and mapped) runs in workerd through Miniflare in a process
 * of its own (test/chaos/runtime-process.ts), is killed twice in the middle of processing and
 * restarted on the same state; then every output holds exactly the expected records, each once,
 * and the compacted window table exactly the expected totals.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/processor-crash.test.ts
 */
import { afterAll, describe, expect, it } from "vitest";
import type { FetchedRecord } from "../../client/protocol/index.ts";
import { killableRuntime } from "../chaos/runtime-process.ts";
import { edgelogApi, expectJson, makeTempDir, removeDir, waitFor } from "./runtime.ts";

const RECORDS = 12_000;
const PRODUCE_BATCH = 2_000;
const PAGES = 7;
const STEP_MS = 10;
const MINUTE_MS = 60_000;
const KILLS = 2;

interface Status {
  name: string;
  lag: number;
  recordsIn: number;
  partitions: unknown[];
}

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await removeDir(dir);
});

function view(i: number): { page: string; ms: number } {
  return { page: `p${i % PAGES}`, ms: i };
}

async function statuses(url: string): Promise<Map<string, Status>> {
  const { processors } = await expectJson<{ processors: Status[] }>("GET", `${url}/v1/processors`);
  return new Map(processors.map((status) => [status.name, status]));
}

async function readTopic(url: string, topic: string, partitions: number): Promise<FetchedRecord[]> {
  const api = edgelogApi(url);
  const all: FetchedRecord[] = [];
  for (let p = 0; p < partitions; p++) all.push(...(await api.readAll(topic, p)).records);
  return all;
}

describe("stream processors across kill -9", () => {
  it(`${KILLS} kills mid-run: each output record once, the window table exact`, { timeout: 240_000 }, async () => {
    const dir = await makeTempDir("edgelog-processors-");
    dirs.push(dir);
    const runtime = await killableRuntime({ dir });
    await runtime.start();
    const api = edgelogApi(runtime.url);
    await api.createTopic("example-page-views", 1);
    await api.createTopic("example-page-views-by-page", 2);
    await api.createTopic("example-slow-views", 2);
    await expectJson(
      "PUT",
      `${runtime.url}/v1/topics/example-page-view-counts`,
      { partitions: 2, config: { "cleanup.policy": "compact" } },
      [201],
    );
    const base = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 30 * MINUTE_MS;
    for (let start = 0; start < RECORDS; start += PRODUCE_BATCH) {
      const records = Array.from({ length: PRODUCE_BATCH }, (_, k) => ({
        value: view(start + k),
        timestamp: base + (start + k) * STEP_MS,
      }));
      await api.produce("example-page-views", { records }, 0);
    }

    for (let kill = 1; kill <= KILLS; kill++) {
      // Kill while the re-keying processor is part way through its input (each kill further on).
      const past = (RECORDS * kill) / (KILLS + 1);
      await waitFor(
        "the processor to get part way",
        async () => ((await statuses(runtime.url)).get("example-views-by-page")?.recordsIn ?? 0) >= past || undefined,
        60_000,
        20,
      );
      const before = (await statuses(runtime.url)).get("example-views-by-page");
      expect(before?.lag ?? 0, "killed mid-run, not after").toBeGreaterThan(0);
      await runtime.kill();
      await runtime.start();
    }
    const done = await waitFor(
      "every processor to catch up",
      async () => {
        const all = await statuses(runtime.url);
        const lines = [...all.values()];
        return lines.length === 3 &&
          lines.every((s) => s.lag === 0 && s.partitions.length > 0) &&
          all.get("example-page-views-per-minute")?.recordsIn === RECORDS
          ? all
          : undefined;
      },
      120_000,
      100,
    );
    expect(done.size).toBe(3);

    const expectedMs = Array.from({ length: RECORDS }, (_, i) => i);
    const byPage = await readTopic(runtime.url, "example-page-views-by-page", 2);
    expect(byPage.map((r) => (r.value as { ms: number }).ms).sort((a, b) => a - b)).toEqual(expectedMs);
    for (const record of byPage) expect(record.key).toBe((record.value as { page: string }).page);

    const slow = await readTopic(runtime.url, "example-slow-views", 2);
    expect(slow.map((r) => (r.value as { ms: number }).ms).sort((a, b) => a - b)).toEqual(expectedMs.filter((ms) => ms > 1_000));

    const expected = new Map<string, { count: number; sum: number }>();
    for (let i = 0; i < RECORDS; i++) {
      const { page, ms } = view(i);
      const key = `${page}@${Math.floor((base + i * STEP_MS) / MINUTE_MS) * MINUTE_MS}`;
      const totals = expected.get(key) ?? { count: 0, sum: 0 };
      totals.count++;
      totals.sum += ms;
      expected.set(key, totals);
    }
    const table = new Map<string, { count: number; sum: number }>();
    for (const record of await readTopic(runtime.url, "example-page-view-counts", 2)) {
      const { count, sum } = record.value as { count: number; sum: number };
      table.set(record.key ?? "", { count, sum });
    }
    expect(table).toEqual(expected);
    await runtime.kill();
  });
});
