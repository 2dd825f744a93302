/**
 * Compaction (COMPACT-3 to COMPACT-5), as properties in workerd over the partition's real SQLite:
 * after any sequence of produces (tombstones among them), clock moves and compaction steps, with
 * full reads between the steps, every read folds to the model's latest value per key with rising
 * offsets and each record as produced (no half-state); a finished pass leaves outside the last
 * batch only each key's latest record; a tombstone vanishes only after delete.retention.ms, and
 * cleanedTombstonesBelow passes every removed one. Compaction is driven by the method the alarm
 * calls, with the clock passed in; the last test goes through the real alarm.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeRecord, type FetchedRecord, type FullTopicConfig, TOPIC_CONFIG_DEFAULT } from "../../client/protocol/index.ts";
import { readPage } from "../../worker/partition/compacted-reads.ts";
import type { Partition } from "../../worker/partition/partition.ts";
import { type ManualClock, useClock } from "./clock.ts";
import { api, createTopic, expectError, fetchRecords, partitionStub, produce, readAll, topicMeta, uniqueTopic } from "./http.ts";

type Op =
  | { type: "produce"; records: { key: number; tombstone: boolean }[] }
  | { type: "advance"; ms: number }
  | { type: "step" }
  | { type: "read" };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant("produce" as const),
      records: fc.array(fc.record({ key: fc.nat(5), tombstone: fc.boolean() }), { minLength: 1, maxLength: 6 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 3_000 }) }) },
  { weight: 3, arbitrary: fc.constant({ type: "step" as const }) },
  { weight: 2, arbitrary: fc.constant({ type: "read" as const }) },
);

/** What was produced: each offset's record and append time, and each key's latest offset. */
class Model {
  readonly records = new Map<number, { key: string; value: string | null; appendedAt: number }>();
  readonly latest = new Map<string, number>();
  lastBatchBase = 0;

  /** The latest value of every key that has one (a tombstone deletes it). */
  table(): Map<string, string> {
    const table = new Map<string, string>();
    for (const [key, offset] of this.latest) {
      const value = this.records.get(offset)!.value;
      if (value !== null) table.set(key, value);
    }
    return table;
  }
}

/** A full read of the partition inside the object, page by page (small pages, to cross gaps). */
function fullRead(partition: Partition): FetchedRecord[] {
  const records: FetchedRecord[] = [];
  let offset = partition.log.logStartOffset;
  for (let page = 0; page < 10_000 && offset < partition.log.highWatermark; page++) {
    const read = partition.log.read(offset, 3, 1_000_000);
    records.push(...(JSON.parse(read.recordsJson) as FetchedRecord[]));
    expect(read.nextOffset).toBeGreaterThan(offset);
    offset = read.nextOffset;
  }
  return records;
}

/** Checks a read against the model: rising offsets, records as produced, folding to the table. */
function checkRead(records: FetchedRecord[], model: Model): void {
  const folded = new Map<string, string>();
  let previous = -1;
  for (const record of records) {
    expect(record.offset).toBeGreaterThan(previous);
    previous = record.offset;
    const produced = model.records.get(record.offset)!;
    expect({ key: record.key, value: record.value }).toEqual({ key: produced.key, value: produced.value });
    if (record.value === null) folded.delete(record.key!);
    else folded.set(record.key!, record.value as string);
  }
  expect(folded).toEqual(model.table());
}

/** A client's copy of the table: what it applied, where it is, and what compaction it saw cleaned. */
interface OfflineClient {
  view: Map<string, unknown>;
  position: number;
  cleaned: number;
}

/** Folds records into a view: a tombstone deletes its key. */
function apply(view: Map<string, unknown>, records: readonly FetchedRecord[]): void {
  for (const record of records) {
    if (record.value === null) view.delete(record.key!);
    else view.set(record.key!, record.value);
  }
}

/**
 * A client coming back: reads from its position as the protocol says (COMPACT-6, TABLE-2), pages
 * of 2, dropping its view on `reset`, until the log's end; answers its view.
 */
function resume(partition: Partition, topicId: string, client: OfflineClient): Map<string, unknown> {
  const parts = { log: partition.log, keys: partition.keys, compaction: partition.housekeeping.compaction };
  let { position, cleaned } = client;
  let table = false;
  const view = new Map(client.view);
  for (let page = 0; page < 10_000 && position < partition.log.highWatermark; page++) {
    const request = {
      topicId,
      offset: position,
      limit: 2,
      maxBytes: 1_000_000,
      maxWaitMs: 0,
      ...(cleaned === undefined ? {} : { cleaned }),
    };
    const read = readPage(parts, table ? { ...request, from: "latest-per-key" } : request);
    if (read.reset) view.clear();
    apply(view, JSON.parse(read.recordsJson) as FetchedRecord[]);
    position = read.nextOffset;
    cleaned = read.cleanedTombstonesBelow ?? cleaned;
    table = read.latestPerKey === true;
  }
  return view;
}

async function compactedTopic(
  config: Partial<FullTopicConfig>,
): Promise<{ topicId: string; stub: DurableObjectStub<Partition>; clock: ManualClock }> {
  const topic = uniqueTopic("compacted");
  await createTopic(topic, 1, { "cleanup.policy": "compact", ...config });
  const stub = await partitionStub(topic, 0);
  return { topicId: (await topicMeta(topic)).topicId, stub, clock: await useClock(stub) };
}

describe("compaction", () => {
  it("keeps every read equal to the latest value per key, between any steps (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 40 }),
        fc.constantFrom(0, 1_000),
        fc.constantFrom(0, 2_000),
        fc.constantFrom(0, 0.5),
        async (ops, lagMs, deleteRetentionMs, ratio) => {
          const settings = { "min.compaction.lag.ms": lagMs, "delete.retention.ms": deleteRetentionMs, "min.cleanable.dirty.ratio": ratio };
          const { topicId, stub, clock } = await compactedTopic(settings);
          const config: FullTopicConfig = { ...TOPIC_CONFIG_DEFAULT, "cleanup.policy": "compact", ...settings };
          await runInDurableObject(stub, (partition: Partition) => {
            const compaction = partition.housekeeping.compaction;
            compaction.batchesPerStep = 2;
            const model = new Model();
            const removedTombstones: number[] = [];
            // Clients that read everything at some moment, then went offline.
            const offline: OfflineClient[] = [];
            const produceBatch = (records: { key: number; tombstone: boolean }[]) => {
              const encoded = records.map((r, i) => ({ key: `k${r.key}`, value: r.tombstone ? null : `v${model.records.size + i}` }));
              const { baseOffset } = partition.appendNow({
                topicId,
                timestamps: encoded.map(() => null),
                tails: encoded.map((r, i) => encodeRecord(r, `records[${i}]`).tail),
                producer: null,
              });
              encoded.forEach((r, i) => {
                model.records.set(baseOffset + i, { ...r, appendedAt: clock.now() });
                model.latest.set(r.key, baseOffset + i);
              });
              model.lastBatchBase = baseOffset;
            };
            const step = () => {
              const before = new Set(fullRead(partition).map((r) => r.offset));
              compaction.run(config, clock.now(), 1);
              const after = fullRead(partition);
              checkRead(after, model);
              // A record goes only when superseded or a tombstone past delete.retention.ms.
              const kept = new Set(after.map((r) => r.offset));
              for (const offset of before) {
                if (kept.has(offset)) continue;
                const record = model.records.get(offset)!;
                if (model.latest.get(record.key) !== offset) continue;
                expect(record.value).toBeNull();
                expect(clock.now() - record.appendedAt).toBeGreaterThan(deleteRetentionMs);
                removedTombstones.push(offset);
                model.latest.delete(record.key);
              }
            };
            for (const o of ops) {
              if (o.type === "produce") produceBatch(o.records);
              else if (o.type === "advance") clock.advance(o.ms);
              else if (o.type === "step") step();
              else {
                const records = fullRead(partition);
                checkRead(records, model);
                const view = new Map<string, unknown>();
                apply(view, records);
                const cleaned = partition.housekeeping.compaction.cleanedTombstonesBelow;
                // One that remembers what compaction had cleaned, one that says it saw none (0).
                offline.push(
                  { view, position: partition.log.highWatermark, cleaned },
                  { view, position: partition.log.highWatermark, cleaned: 0 },
                );
              }
            }
            // A whole pass, once every batch but the last is old enough.
            clock.advance(lagMs + 1);
            produceBatch([{ key: 0, tombstone: false }]);
            // A pass still running ends at the log's end when it started: finish it, then run a new one.
            for (let turn = 0; turn < 1_000 && compaction.running; turn++) step();
            compaction.start();
            for (let turn = 0; turn < 1_000 && compaction.running; turn++) step();
            expect(compaction.running).toBe(false);
            const records = fullRead(partition);
            checkRead(records, model);
            for (const record of records) {
              if (record.offset >= model.lastBatchBase) continue;
              // Outside the last batch, only each key's latest record is left...
              expect(model.latest.get(record.key!)).toBe(record.offset);
              // ...and a tombstone only while within delete.retention.ms.
              if (record.value === null)
                expect(clock.now() - model.records.get(record.offset)!.appendedAt).toBeLessThanOrEqual(deleteRetentionMs);
            }
            for (const offset of removedTombstones) expect(compaction.cleanedTombstonesBelow).toBeGreaterThan(offset);
            // Every client that was offline meanwhile comes back to the server's table (COMPACT-6).
            for (const client of offline) expect(resume(partition, topicId, client)).toEqual(model.table());
            // The key index holds exactly the keys with a latest record.
            expect(partition.keys.count()).toBe(model.latest.size);
          });
        },
      ),
      { numRuns: 80, seed: 1_302 },
    );
  }, 120_000);

  it("runs time retention and compaction on one alarm for compact,delete", async () => {
    const topic = uniqueTopic("both");
    await createTopic(topic, 1, { "cleanup.policy": "compact,delete", "retention.ms": 60_000, "min.cleanable.dirty.ratio": 0 });
    const stub = await partitionStub(topic, 0);
    const clock = await useClock(stub);
    const old = clock.now() - 3_600_000;
    await produce(
      topic,
      {
        records: [
          { key: "a", value: 1, timestamp: old },
          { key: "b", value: 2, timestamp: old },
        ],
      },
      0,
    );
    await produce(
      topic,
      {
        records: [
          { key: "a", value: 3 },
          { key: "c", value: 4 },
        ],
      },
      0,
    );
    await produce(topic, { records: [{ key: "a", value: 5 }] }, 0);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    // The expired batch went by retention (b with it); a@2 by compaction; the last batch stays.
    const page = await fetchRecords(topic, 0, { offset: "earliest" });
    expect(page.logStartOffset).toBe(2);
    expect(page.records.map((r) => [r.offset, r.key, r.value])).toEqual([
      [3, "c", 4],
      [4, "a", 5],
    ]);
  });

  it("refuses a keyless record on a compacted topic, storing nothing of the batch", async () => {
    const topic = uniqueTopic("keyless");
    await createTopic(topic, 2, { "cleanup.policy": "compact,delete" });
    const body = { records: [{ key: "a", value: 1 }, { value: 2 }] };
    expectError(await api("POST", `/v1/topics/${topic}/records`, body), 400, "KEY_REQUIRED");
    expectError(await api("POST", `/v1/topics/${topic}/partitions/0/records`, body), 400, "KEY_REQUIRED");
    for (const partition of [0, 1]) expect((await fetchRecords(topic, partition)).highWatermark).toBe(0);
  });

  it("compacts on the real alarm, once the dirty ratio is reached, and reads skip the gaps", async () => {
    const topic = uniqueTopic("alarm");
    await createTopic(topic, 1, { "cleanup.policy": "compact" });
    const stub = await partitionStub(topic, 0);
    const clock = await useClock(stub);
    for (let i = 0; i < 10; i++) await produce(topic, { records: [{ key: `k${i % 3}`, value: i }] }, 0);
    // The ratio (0.5) was reached: the alarm is set for now.
    expect(await runInDurableObject(stub, (_, state) => state.storage.getAlarm())).toBe(clock.now() + 1);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const records = await readAll(topic, 0);
    // k0 at 9 (the last batch), k1 at 7, k2 at 8: every superseded record went.
    expect(records.map((r) => [r.offset, r.key, r.value])).toEqual([
      [7, "k1", 7],
      [8, "k2", 8],
      [9, "k0", 9],
    ]);
    // A read from inside a gap starts at the next kept record; nextOffset is one past what it covered.
    const page = await fetchRecords(topic, 0, { offset: 2, limit: 1 });
    expect(page.records.map((r) => r.offset)).toEqual([7]);
    expect(page.nextOffset).toBe(8);
    expect(page.logStartOffset).toBe(0);
    const rows = await runInDurableObject(stub, (_, state) => state.storage.sql.exec("SELECT COUNT(*) AS n FROM batches").one().n);
    expect(rows).toBe(2);
    // Offsets by time over the gaps: the first record at or after a time is the first kept one.
    const lookup = await api("GET", `/v1/topics/${topic}/partitions/0/offsets?timestamp=0`);
    expect(lookup.status).toBe(200);
    expect(lookup.json.offset).toBe(7);
  });
});
