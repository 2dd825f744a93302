/**
 * Durability across a restart of the local runtime: every acknowledged record, the high
 * watermarks, a group's committed offsets and an idempotent producer's state are still there
 * after the runtime is stopped and started again on the same state directory.
 *
 * Two runtimes: the Miniflare API on a bundle of the worker, and `wrangler dev` as `npm start`
 * runs it (stopped with SIGINT, as Ctrl-C does).
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/restart.test.ts
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FetchedRecord, JsonValue, ProduceRequest, ProduceResponse, RecordInput } from "../../client/protocol/index.ts";
import {
  bundleWorker,
  type EdgelogApi,
  edgelogApi,
  type LocalRuntime,
  makeTempDir,
  removeDir,
  startMiniflare,
  startWrangler,
} from "./runtime.ts";

const TOPIC = "durable";
const PARTITIONS = 3;
const REQUESTS = 20;
const RECORDS_PER_REQUEST = 10;
const GROUP = "restart-group";
const PRODUCER_ID = "restart-producer";
/** A fixed CreateTime base, so timestamps given by the producer can be checked exactly. */
const TIMESTAMP_BASE = 1_700_000_000_000;

/** The value of record `n`: a spread of JSON shapes, unicode included. */
function valueFor(n: number): JsonValue {
  switch (n % 5) {
    case 0:
      return { n, nested: { list: [n, String(n), null, true], text: "héllo → 世界 🚀" } };
    case 1:
      return `string value ${n}`;
    case 2:
      return n * 1.5;
    case 3:
      return null;
    default:
      return [n, { deep: [[n]] }];
  }
}

/** Request `r`'s records: keyed, keyless and explicitly placed, some with headers and CreateTime. */
function recordsFor(r: number): RecordInput[] {
  const records: RecordInput[] = [];
  for (let i = 0; i < RECORDS_PER_REQUEST; i++) {
    const n = r * RECORDS_PER_REQUEST + i;
    const record: RecordInput = { value: valueFor(n) };
    if (i % 3 === 0) record.key = `user-${n % 7}`;
    else if (i % 3 === 1) record.partition = n % PARTITIONS;
    if (n % 4 === 0) record.headers = { trace: `t-${n}`, "content-type": "application/json" };
    if (n % 2 === 0) record.timestamp = TIMESTAMP_BASE + n;
    records.push(record);
  }
  return records;
}

/** An idempotent producer's batch of `count` records from `sequence` (keyless: one partition). */
function producerBatch(sequence: number, count: number): ProduceRequest {
  const records = Array.from({ length: count }, (_, i): RecordInput => ({ value: { idempotent: sequence + i } }));
  return { records, producer: { id: PRODUCER_ID, epoch: 0, sequence } };
}

/** What was acknowledged before the restart, and the log as read back then. */
interface Written {
  /** Each acknowledged record's input, by "partition/offset". */
  acked: Map<string, RecordInput>;
  /** Every partition read back before the restart. */
  logs: FetchedRecord[][];
  highWatermarks: number[];
  /** The last idempotent batch and its answer, to retry after the restart. */
  lastBatch: ProduceRequest;
  lastAnswer: ProduceResponse;
  nextSequence: number;
  committed: number;
}

/** Creates the topic, produces everything, checks the acks and reads the log back. */
async function writeEverything(api: EdgelogApi): Promise<Written> {
  const created = await api.createTopic(TOPIC, PARTITIONS);
  expect(created.partitions).toHaveLength(PARTITIONS);

  const acked = new Map<string, RecordInput>();
  for (let r = 0; r < REQUESTS; r++) {
    const records = recordsFor(r);
    const answer = await api.produce(TOPIC, { records });
    expect(answer.duplicate).toBeUndefined();
    expect(answer.offsets).toHaveLength(records.length);
    answer.offsets.forEach((position, i) => {
      const input = records[i]!;
      if (input.partition !== undefined) expect(position.partition).toBe(input.partition);
      const where = `${position.partition}/${position.offset}`;
      expect(acked.has(where), `offset ${where} acknowledged twice`).toBe(false);
      acked.set(where, input);
    });
  }
  expect(acked.size).toBe(REQUESTS * RECORDS_PER_REQUEST);

  // An idempotent producer: two batches, then a retry of the second is answered as a duplicate.
  const first = producerBatch(0, 4);
  const second = producerBatch(4, 3);
  const batches: [ProduceRequest, ProduceResponse][] = [];
  for (const batch of [first, second]) {
    const answer = await api.produce(TOPIC, batch);
    expect(answer.duplicate).toBeUndefined();
    for (const [i, position] of answer.offsets.entries()) acked.set(`${position.partition}/${position.offset}`, batch.records[i]!);
    batches.push([batch, answer]);
  }
  const [lastBatch, lastAnswer] = batches[1]!;
  expect(await api.produce(TOPIC, lastBatch)).toEqual({ offsets: lastAnswer.offsets, duplicate: true });

  const logs: FetchedRecord[][] = [];
  const highWatermarks: number[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const { records, highWatermark } = await api.readAll(TOPIC, p);
    logs.push(records);
    highWatermarks.push(highWatermark);
  }
  expectLogsHoldAcked(logs, acked);

  const committed = highWatermarks[0]!;
  await api.commit(GROUP, { offsets: [{ topic: TOPIC, partition: 0, offset: committed, metadata: "before restart" }] });
  return { acked, logs, highWatermarks, lastBatch, lastAnswer, nextSequence: 7, committed };
}

/** Every acknowledged record is in the logs, with its key, value, headers and given timestamp. */
function expectLogsHoldAcked(logs: FetchedRecord[][], acked: Map<string, RecordInput>): void {
  const stored = logs.reduce((sum, log) => sum + log.length, 0);
  expect(stored).toBe(acked.size);
  logs.forEach((log, partition) => {
    for (const [i, record] of log.entries()) expect(record.offset).toBe(i);
    for (const record of log) {
      const input = acked.get(`${partition}/${record.offset}`);
      expect(input, `record ${partition}/${record.offset} was never acknowledged`).toBeDefined();
      expect(record.key).toBe(input!.key ?? null);
      expect(record.value).toEqual(input!.value);
      expect(record.headers).toEqual(input!.headers ?? {});
      if (input!.timestamp !== undefined) expect(record.timestamp).toBe(input!.timestamp);
      else expect(record.timestamp).toBeGreaterThan(TIMESTAMP_BASE);
    }
  });
}

/** After the restart: the same logs, watermarks, commit and producer state. */
async function expectEverythingSurvived(api: EdgelogApi, before: Written): Promise<void> {
  const described = await api.describeTopic(TOPIC);
  expect(described.partitions.map((p) => p.highWatermark)).toEqual(before.highWatermarks);

  for (let p = 0; p < PARTITIONS; p++) {
    const { records, highWatermark } = await api.readAll(TOPIC, p);
    expect(highWatermark).toBe(before.highWatermarks[p]);
    // Identical offset, key, value, headers and timestamp, record for record.
    expect(records).toEqual(before.logs[p]);
  }

  const group = await api.groupOffsets(GROUP, TOPIC);
  const line = group.partitions.find((p) => p.partition === 0);
  expect(line?.committedOffset).toBe(before.committed);
  expect(line?.metadata).toBe("before restart");

  // Producer state survived: the retry is still a duplicate with the original offsets, a gap is
  // still refused, and the next sequence appends at the high watermark.
  expect(await api.produce(TOPIC, before.lastBatch)).toEqual({ offsets: before.lastAnswer.offsets, duplicate: true });
  const gap = await api.tryProduce(TOPIC, producerBatch(before.nextSequence + 5, 1));
  expect(gap.status).toBe(409);
  expect(gap.body).toMatchObject({ error: { code: "OUT_OF_ORDER_SEQUENCE" } });
  const next = await api.produce(TOPIC, producerBatch(before.nextSequence, 2));
  expect(next.duplicate).toBeUndefined();
  const partition = before.lastAnswer.offsets[0]!.partition;
  expect(next.offsets).toEqual([
    { partition, offset: before.highWatermarks[partition]! },
    { partition, offset: before.highWatermarks[partition]! + 1 },
  ]);
}

describe("durability across a restart", () => {
  let dir = "";
  const running = new Set<LocalRuntime>();

  /** Starts a runtime and tracks it, so afterAll stops it even when an assertion failed. */
  async function track<T extends LocalRuntime>(start: Promise<T>): Promise<T> {
    const runtime = await start;
    running.add(runtime);
    return runtime;
  }

  async function stop(runtime: LocalRuntime): Promise<void> {
    running.delete(runtime);
    await runtime.stop();
  }

  beforeAll(async () => {
    dir = await makeTempDir("edgelog-restart-");
  });

  afterAll(async () => {
    await Promise.allSettled([...running].map((runtime) => runtime.stop()));
    await removeDir(dir);
  });

  it("keeps every acknowledged record and producer state across a Miniflare restart", async () => {
    const scriptPath = await bundleWorker(join(dir, "bundle"));
    const persistDir = join(dir, "miniflare-do");

    const first = await track(startMiniflare({ scriptPath, persistDir }));
    const written = await writeEverything(edgelogApi(first.url));
    await stop(first);

    const second = await track(startMiniflare({ scriptPath, persistDir }));
    await expectEverythingSurvived(edgelogApi(second.url), written);
    await stop(second);
  });

  it("keeps every acknowledged record across a wrangler dev restart (SIGINT, as Ctrl-C)", async () => {
    const persistDir = join(dir, "wrangler-state");

    const first = await track(startWrangler({ persistDir }));
    const written = await writeEverything(edgelogApi(first.url));
    running.delete(first);
    const firstExit = await first.stopGracefully();
    expect(firstExit.graceful, `wrangler (and workerd) did not end on SIGINT:\n${first.output()}`).toBe(true);

    const second = await track(startWrangler({ persistDir }));
    await expectEverythingSurvived(edgelogApi(second.url), written);
    running.delete(second);
    const secondExit = await second.stopGracefully();
    expect(secondExit.graceful, `wrangler (and workerd) did not end on SIGINT:\n${second.output()}`).toBe(true);
  });
});
