/**
 * The stored form of batches across versions: a partition whose database was written by the
 * version before record_ends/records_bytes (a frozen copy of that version's table and append
 * below, never to be updated) is migrated when its object starts, and its old rows read exactly
 * as before, mixed with rows of the new form in one log: HTTP pages (FETCH-1, FETCH-3's maxBytes
 * and firstAlways, against a model of the rule), socket catch-up (SOCKET-6) and offsets by
 * timestamp (LOG-1).
 */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { FetchedRecord, JsonValue, OffsetLookupResponse } from "../../client/protocol/index.ts";
import { utf8Length } from "../../client/protocol/index.ts";
import { createSchema } from "../../worker/partition/tables.ts";
import { api, createTopic, fetchRecords, partitionStub, produce, readAll, uniqueTopic } from "./http.ts";
import { closeAllSockets, subscribeSocket } from "./socket.ts";

afterEach(closeAllSockets);

/** FROZEN: the batches table as the version before stored record ends created it. */
const LEGACY_BATCHES_TABLE = `CREATE TABLE batches (
    base_offset INTEGER PRIMARY KEY,
    record_count INTEGER NOT NULL,
    max_timestamp INTEGER NOT NULL,
    append_time INTEGER NOT NULL,
    payload TEXT NOT NULL
  )`;

/** What the legacy log kept in memory between appends. */
interface LegacyLog {
  highWatermark: number;
  maxTimestamp: number;
}

/**
 * FROZEN: PartitionLog.append as of commit 3a04517 (CreateTime topics), writing to `sql`:
 * lines `"timestamp":T,<tail>` joined by "\n", one row per batch.
 */
function legacyAppend(
  sql: SqlStorage,
  log: LegacyLog,
  timestamps: readonly (number | null)[],
  tails: readonly string[],
  now: number,
): number {
  const count = tails.length;
  let maxTimestamp = log.maxTimestamp;
  const lines = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const timestamp = timestamps[i] ?? now;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    lines[i] = `"timestamp":${timestamp},${tails[i]}`;
  }
  const payload = lines.join("\n");
  const baseOffset = log.highWatermark;
  sql.exec(
    "INSERT INTO batches (base_offset, record_count, max_timestamp, append_time, payload) VALUES (?, ?, ?, ?, ?)",
    baseOffset,
    count,
    maxTimestamp,
    now,
    payload,
  );
  log.highWatermark = baseOffset + count;
  log.maxTimestamp = maxTimestamp;
  return baseOffset;
}

/** A record as produced: its value, key and headers (null key, no headers unless given). */
interface Input {
  value: JsonValue;
  key?: string | null;
  headers?: Record<string, string>;
  timestamp: number;
}

/** The tail the Worker stores for a record (RECORD-2's key, value and headers, the log adds the timestamp). */
function tailOf(input: Input): string {
  return `"key":${JSON.stringify(input.key ?? null)},"value":${JSON.stringify(input.value)},"headers":${JSON.stringify(input.headers ?? {})}}`;
}

/** Batches of mixed sizes and alphabets, timestamps from `t0` (not sorted within a batch). */
function batchesFrom(t0: number, seed: number): Input[][] {
  const texts = ["plain", "é-ü", "世界", "😀 emoji", "x".repeat(300), "世".repeat(120)];
  const sizes = [1, 7, 40, 3, 250, 2];
  return sizes.map((size, b) =>
    Array.from({ length: size }, (_, i) => ({
      value: { b, i, seed, text: texts[(b + i + seed) % texts.length]! },
      key: i % 3 === 0 ? null : `k${seed}-${i}`,
      ...(i % 4 === 1 && { headers: { h: texts[(i + seed) % texts.length]! } }),
      timestamp: t0 + b * 1_000 + ((i * 7) % 11),
    })),
  );
}

/** The records a read of the whole log must answer, offsets from 0. */
function expectedRecords(batches: readonly Input[][]): FetchedRecord[] {
  return batches.flat().map((input, offset) => ({
    offset,
    timestamp: input.timestamp,
    key: input.key ?? null,
    value: input.value,
    headers: input.headers ?? {},
  })) as FetchedRecord[];
}

/** FETCH-3's stored bytes of a record: its JSON less the `{"offset":N,` the read adds. */
function storedBytes(record: FetchedRecord): number {
  return utf8Length(JSON.stringify(record)) - `{"offset":${record.offset},`.length;
}

/** The model of FETCH-3: records while `limit` and `maxBytes` of stored bytes allow, the first always. */
function modelPage(records: readonly FetchedRecord[], from: number, limit: number, maxBytes: number): FetchedRecord[] {
  const page: FetchedRecord[] = [];
  let bytes = 0;
  for (let offset = from; offset < records.length && page.length < limit; offset++) {
    const size = storedBytes(records[offset]!);
    if (page.length > 0 && bytes + size > maxBytes) break;
    page.push(records[offset]!);
    bytes += size;
  }
  return page;
}

/** Writes `batches` into the partition as the legacy version did, over its legacy table. */
async function writeLegacy(stub: Awaited<ReturnType<typeof partitionStub>>, batches: readonly Input[][]): Promise<void> {
  await runInDurableObject(stub, (_, state) => {
    const sql = state.storage.sql;
    sql.exec("DROP TABLE batches");
    sql.exec(LEGACY_BATCHES_TABLE);
    const log: LegacyLog = { highWatermark: 0, maxTimestamp: 0 };
    for (const batch of batches)
      legacyAppend(
        sql,
        log,
        batch.map((r) => r.timestamp),
        batch.map(tailOf),
        batch[0]!.timestamp,
      );
  });
  // The object starts again on the legacy database: its constructor migrates it.
  await abortAllDurableObjects();
}

async function columnsOf(stub: Awaited<ReturnType<typeof partitionStub>>): Promise<string[]> {
  return runInDurableObject(stub, (_, state) =>
    state.storage.sql
      .exec<{ name: string }>("SELECT name FROM pragma_table_info('batches')")
      .toArray()
      .map((row) => row.name),
  );
}

/** A topic whose log holds legacy batches then new ones; answers every record expected. */
async function mixedLog(name: string): Promise<{ topic: string; expected: FetchedRecord[]; legacyCount: number }> {
  const topic = uniqueTopic(name);
  await createTopic(topic, 1);
  const stub = await partitionStub(topic, 0);
  const legacy = batchesFrom(1_700_000_000_000, 1);
  await writeLegacy(stub, legacy);
  const fresh = batchesFrom(1_700_000_100_000, 2);
  for (const batch of fresh) await produce(topic, { records: batch }, 0);
  const legacyCount = legacy.flat().length;
  return { topic, expected: expectedRecords([...legacy, ...fresh]), legacyCount };
}

describe("a database written before stored record ends", () => {
  it("is migrated on start, idempotently, and keeps its old rows as they were", async () => {
    const topic = uniqueTopic("migrate");
    await createTopic(topic, 1);
    await writeLegacy(await partitionStub(topic, 0), batchesFrom(1_700_000_000_000, 3));
    // The object starts again (the produce wakes it), so its constructor migrates; a stub from
    // before the abort is dead.
    await produce(topic, { records: [{ value: "new", timestamp: 1_800_000_000_000 }] }, 0);
    const stub = await partitionStub(topic, 0);
    const columns = await columnsOf(stub);
    expect(columns).toEqual([
      "base_offset",
      "record_count",
      "max_timestamp",
      "append_time",
      "payload",
      "records_bytes",
      "record_ends",
      "offset_end",
    ]);
    await runInDurableObject(stub, (_, state) => {
      createSchema(state.storage.sql);
      createSchema(state.storage.sql);
    });
    expect(await columnsOf(stub)).toEqual(columns);
    const forms = await runInDurableObject(stub, (_, state) =>
      state.storage.sql
        .exec<{ legacy: number }>("SELECT record_ends IS NULL AND records_bytes IS NULL AS legacy FROM batches ORDER BY base_offset")
        .toArray()
        .map((row) => row.legacy),
    );
    expect(forms).toEqual([1, 1, 1, 1, 1, 1, 0]);
  });

  it("reads old and new rows in one log: whole, paged by limit and maxBytes, and over the socket", async () => {
    const { topic, expected } = await mixedLog("mixed");
    expect(await readAll(topic, 0)).toEqual(expected);
    // Pages whose edges fall inside batches of both forms, and at their boundaries.
    for (const [limit, maxBytes] of [
      [7, 1_000_000],
      [500, 700],
      [3, 90],
      [10_000, 5_000],
    ] as const) {
      const read: FetchedRecord[] = [];
      for (let offset = 0, page = 0; offset < expected.length && page < 1_000; page++) {
        const answer = await fetchRecords(topic, 0, { offset, limit, maxBytes });
        expect(answer.records, `offset ${offset} limit ${limit} maxBytes ${maxBytes}`).toEqual(
          modelPage(expected, offset, limit, maxBytes),
        );
        expect(answer.nextOffset).toBe(offset + answer.records.length);
        read.push(...answer.records);
        offset = answer.nextOffset;
      }
      expect(read).toEqual(expected);
    }
    const { sock } = await subscribeSocket(topic, 0, { id: "s", from: "earliest" });
    expect(await sock.collect(expected.length, { consume: true })).toEqual(expected);
    const { sock: inside } = await subscribeSocket(topic, 0, { id: "m", from: { offset: 5 } });
    expect(await inside.collect(expected.length, { consume: true })).toEqual(expected.slice(5));
  });

  it("finds offsets by timestamp in old and new rows", async () => {
    const { topic, expected, legacyCount } = await mixedLog("times");
    for (const offset of [0, 3, 9, legacyCount - 1, legacyCount, legacyCount + 8, expected.length - 1]) {
      const target = expected[offset]!.timestamp;
      // LOG-1: the first record whose timestamp is at or after the target.
      const first = expected.find((r) => r.timestamp >= target)!;
      const answer = await api<OffsetLookupResponse>("GET", `/v1/topics/${topic}/partitions/0/offsets?timestamp=${target}`);
      expect(answer.json, `timestamp ${target}`).toEqual({ offset: first.offset, timestamp: first.timestamp });
    }
  });
});
