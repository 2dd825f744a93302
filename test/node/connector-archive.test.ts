/**
 * The archive sink end to end (CONNECT-10): edgelog in workerd through Miniflare with an R2
 * bucket bound as ARCHIVE (wrangler.toml binds none), an archive connector delivering a topic's
 * two partitions: every batch lands as one NDJSON object named by its partition and its first and
 * last offsets (20 digits), holding exactly the records of that range in offset order, one per
 * line, and the connector's committed offsets follow the objects; records produced later land in
 * a new object.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/connector-archive.test.ts
 */
import { join } from "node:path";
import type { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archiveKey, type ConnectorStatus, type FetchedRecord, type GroupOffsetsResponse } from "../../client/protocol/index.ts";
import { bundleWorker, edgelogApi, expectJson, makeTempDir, removeDir, startMiniflare, waitFor } from "./runtime.ts";

const WAIT_MS = 30_000;
const BATCH = 10;
const PREFIX = "backups/edgelog";

let runtime: { url: string; miniflare: Miniflare; stop(): Promise<void> };
let dir = "";

beforeAll(async () => {
  dir = await makeTempDir("edgelog-archive-");
  runtime = await startMiniflare({
    scriptPath: await bundleWorker(join(dir, "bundle")),
    persistDir: join(dir, "state"),
    r2Buckets: ["ARCHIVE"],
  });
});

afterAll(async () => {
  await runtime?.stop();
  if (dir !== "") await removeDir(dir);
});

async function status(name: string): Promise<ConnectorStatus> {
  return expectJson<ConnectorStatus>("GET", `${runtime.url}/v1/connectors/${name}`);
}

/** Every archived object under the topic, by key, parsed line by line. */
async function archived(topic: string): Promise<Map<string, FetchedRecord[]>> {
  const bucket = await runtime.miniflare.getR2Bucket("ARCHIVE");
  const listed = await bucket.list({ prefix: `${PREFIX}/${topic}/`, limit: 1_000 });
  expect(listed.truncated).toBe(false);
  const objects = new Map<string, FetchedRecord[]>();
  for (const { key } of listed.objects) {
    const object = await bucket.get(key);
    expect(object?.httpMetadata?.contentType).toBe("application/x-ndjson");
    const text = (await object?.text()) ?? "";
    expect(text.endsWith("\n")).toBe(true);
    objects.set(
      key,
      text
        .slice(0, -1)
        .split("\n")
        .map((line) => JSON.parse(line) as FetchedRecord),
    );
  }
  return objects;
}

/** The keys and contents the batches of `records` (one partition's, from offset 0) are archived as. */
function expectedObjects(topic: string, partition: number, records: FetchedRecord[], batches: number[][]): Map<string, FetchedRecord[]> {
  const expected = new Map<string, FetchedRecord[]>();
  for (const [from, to] of batches) {
    const slice = records.filter((r) => r.offset >= (from ?? 0) && r.offset <= (to ?? 0));
    expected.set(archiveKey(PREFIX, topic, partition, from ?? 0, to ?? 0), slice);
  }
  return expected;
}

describe("the archive sink against Miniflare's R2", () => {
  it("archives every batch as one NDJSON object holding exactly its records, then commits", { timeout: 90_000 }, async () => {
    const api = edgelogApi(runtime.url);
    await api.createTopic("logs", 2);
    const first = Array.from({ length: 25 }, (_, i) => ({
      key: `host-${i % 4}`,
      value: { line: i, text: "ünïcode ✓" },
      headers: { n: String(i) },
    }));
    await api.produce("logs", { records: first.slice(0, 13) }, 0);
    await api.produce("logs", { records: first.slice(13) }, 1);
    const created = await expectJson<ConnectorStatus>(
      "PUT",
      `${runtime.url}/v1/connectors/logs-archive`,
      { kind: "archive", topic: "logs", prefix: PREFIX, batchRecordsMax: BATCH },
      [201],
    );
    expect(created.config).toEqual({
      kind: "archive",
      topic: "logs",
      prefix: PREFIX,
      deadLetterTopic: null,
      attemptsMax: 10,
      backoffInitialMs: 1_000,
      backoffMaxMs: 300_000,
      batchRecordsMax: BATCH,
    });
    await waitFor(
      "every record archived",
      async () => ((await status("logs-archive")).deliveredRecords === 25 ? true : undefined),
      WAIT_MS,
    );
    const p0 = (await api.readAll("logs", 0)).records;
    const p1 = (await api.readAll("logs", 1)).records;
    expect([p0.length, p1.length]).toEqual([13, 12]);
    const expected = new Map([
      ...expectedObjects("logs", 0, p0, [
        [0, 9],
        [10, 12],
      ]),
      ...expectedObjects("logs", 1, p1, [
        [0, 9],
        [10, 11],
      ]),
    ]);
    expect(await archived("logs")).toEqual(expected);
    const group = await expectJson<GroupOffsetsResponse>("GET", `${runtime.url}/v1/groups/connector.logs-archive/offsets?topic=logs`);
    expect(group.partitions.map((line) => line.committedOffset)).toEqual([13, 12]);

    // Records produced later land in a new object after the ones before, and nothing is rewritten.
    await api.produce(
      "logs",
      {
        records: [
          { key: "late", value: "a" },
          { key: "late", value: "b" },
        ],
      },
      1,
    );
    await waitFor(
      "the late records archived",
      async () => ((await status("logs-archive")).deliveredRecords === 27 ? true : undefined),
      WAIT_MS,
    );
    const late = (await api.readAll("logs", 1)).records.filter((r) => r.offset >= 12);
    const after = await archived("logs");
    expect(after.size).toBe(5);
    expect(after.get(archiveKey(PREFIX, "logs", 1, 12, 13))).toEqual(late);
    for (const [key, records] of expected) expect(after.get(key)).toEqual(records);
    expect((await status("logs-archive")).partitions.map((line) => line.committedOffset)).toEqual([13, 14]);
  });
});
