/**
 * Property tests. Over HTTP: for any sequence of appends and reads on a topic of 1 to 4
 * partitions, offsets are contiguous from 0 per partition, a read returns exactly what was
 * written at those offsets, records of one key keep their produce order on their partition, and
 * nextOffset/highWatermark agree with the log. On the pure side: any valid record round-trips
 * through parseProduceRequest's stored encoding, any JSON body is either accepted or refused with
 * an EdgelogError, utf8Length is TextEncoder's length for any string, lone surrogates included,
 * a socket's hand-written `ack` (both versions) and an HTTP produce answer (both versions) are the
 * text JSON.stringify writes for the same message, and runs of offsets expand back to them.
 */
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ServerMessage } from "../../client/protocol/index.ts";
import {
  EdgelogError,
  expandRanges,
  FETCH_RECORDS_DEFAULT,
  type FetchResponse,
  type JsonValue,
  type ProduceResponse,
  parseProduceRequest,
  partitionForKey,
  producePositions,
  RECORD_HEADERS_MAX,
  rangesOf,
  TIMESTAMP_MS_MAX,
  TOPIC_PARTITIONS_MAX,
  utf8Length,
} from "../../client/protocol/index.ts";
import { app } from "../../worker/index.ts";
import { ackMessage } from "../../worker/partition/partition-messages.ts";
import { offsetsAnswerText, rangesAnswerText } from "../../worker/produce-answer.ts";

const utf8 = new TextEncoder();

/** One UTF-16 unit or code point of any kind: ASCII mostly, then any code point, then lone surrogates. */
const anyChar = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)) },
);
const text = (maxLength: number) => fc.string({ unit: anyChar, maxLength });
const timestampArb = fc.bigInt({ min: 0n, max: BigInt(TIMESTAMP_MS_MAX) }).map(Number);
const valueArb = fc.jsonValue({ maxDepth: 2, stringUnit: anyChar }) as fc.Arbitrary<unknown> as fc.Arbitrary<JsonValue>;
const headersArb = fc.dictionary(text(6), text(10), { maxKeys: 4 });

/** What a JSON value reads back as: JSON.stringify writes -0 as 0 (the one thing JSON drops). */
function canonical(value: JsonValue): JsonValue {
  if (typeof value === "number") return value === 0 ? 0 : value;
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonical(v!)]));
  return value;
}

/** A plain copy (a generated dictionary may have a null prototype; JSON.parse never does). */
const plain = (headers: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(headers));

async function call<T>(path: string, init?: RequestInit): Promise<{ status: number; json: T }> {
  const res = await app.request(path, init, env);
  return { status: res.status, json: (await res.json()) as T };
}

describe("pure properties", () => {
  it("utf8Length equals TextEncoder's byte length for any string, lone surrogates included", () => {
    fc.assert(
      fc.property(text(40), (s) => {
        expect(utf8Length(s)).toBe(utf8.encode(s).length);
      }),
      { numRuns: 2000 },
    );
    for (const s of [
      "",
      "\x7f",
      "\x80",
      "a\u07ff",
      "\u0800",
      "\ud800",
      "\udc00",
      "\ud800\ud800",
      "a\udbff",
      "\udfff\ud800",
      "😀",
      "\ud83d\ude00\ud83d",
    ]) {
      expect(utf8Length(s)).toBe(utf8.encode(s).length);
    }
  });

  it("an ack written as text is exactly JSON.stringify of the ack message", () => {
    const appendedArb = fc.record({ baseOffset: fc.nat(), count: fc.integer({ min: 1, max: 20 }), duplicate: fc.boolean() });
    fc.assert(
      fc.property(text(64), fc.nat(TOPIC_PARTITIONS_MAX - 1), appendedArb, (id, partition, appended) => {
        const offsets = Array.from({ length: appended.count }, (_, k) => ({ partition, offset: appended.baseOffset + k }));
        const ack: ServerMessage = { type: "ack", id, offsets };
        if (appended.duplicate) ack.duplicate = true;
        expect(ackMessage(id, partition, appended)).toBe(JSON.stringify(ack));
        const compact: ServerMessage = { type: "ack", id, partition, baseOffset: appended.baseOffset, count: appended.count };
        if (appended.duplicate) compact.duplicate = true;
        expect(ackMessage(id, partition, appended, 2)).toBe(JSON.stringify(compact));
      }),
      { numRuns: 500 },
    );
  });

  it("a produce answer written as text is JSON.stringify of either version's answer, and runs expand to the offsets", () => {
    const positionsArb = fc.array(fc.record({ partition: fc.nat(TOPIC_PARTITIONS_MAX - 1), offset: fc.nat(1_000) }), {
      minLength: 1,
      maxLength: 40,
    });
    fc.assert(
      fc.property(positionsArb, fc.boolean(), (offsets, duplicate) => {
        const ranges = rangesOf(
          offsets.map((p) => p.partition),
          offsets.map((p) => p.offset),
        );
        expect(expandRanges(ranges)).toEqual(offsets);
        for (let i = 1; i < ranges.length; i++) {
          const [before, run] = [ranges[i - 1]!, ranges[i]!];
          // Maximal runs: two neighbours would have been one run otherwise.
          expect(before.partition === run.partition && before.baseOffset + before.count === run.baseOffset).toBe(false);
        }
        const produced = { ranges, duplicate };
        expect(offsetsAnswerText(produced)).toBe(JSON.stringify(duplicate ? { offsets, duplicate } : { offsets }));
        expect(rangesAnswerText(produced)).toBe(JSON.stringify(duplicate ? { ranges, duplicate } : { ranges }));
        expect(producePositions(JSON.parse(rangesAnswerText(produced)), offsets.length)).toEqual(
          duplicate ? { offsets, duplicate } : { offsets },
        );
      }),
      { numRuns: 500 },
    );
  });

  const recordArb = fc.record(
    {
      key: fc.option(text(12), { nil: null }),
      value: valueArb,
      headers: headersArb,
      timestamp: timestampArb,
      partition: fc.nat(TOPIC_PARTITIONS_MAX - 1),
    },
    { requiredKeys: ["value"] },
  );

  it("any valid record round-trips through its stored encoding", () => {
    fc.assert(
      fc.property(recordArb, (input) => {
        const { records, producer } = parseProduceRequest({ records: [input] });
        expect(producer).toBeNull();
        expect(records).toHaveLength(1);
        const record = records[0]!;
        expect(JSON.parse(`{"offset":0,"timestamp":0,${record.tail}`)).toStrictEqual({
          offset: 0,
          timestamp: 0,
          key: input.key ?? null,
          value: canonical(input.value),
          headers: plain(input.headers ?? {}),
        });
        expect(record.key).toBe(input.key ?? null);
        expect(record.timestamp).toBe(input.timestamp ?? null);
        expect(record.partition).toBe(input.partition ?? null);
        // The counted size bounds the stored line whatever timestamp the log writes in front.
        expect(record.bytes).toBeGreaterThanOrEqual(utf8.encode(`"timestamp":${TIMESTAMP_MS_MAX},${record.tail}`).length);
      }),
      { numRuns: 500 },
    );
  });

  it("any JSON body is accepted or refused with an EdgelogError, never another exception", () => {
    const field = fc.constantFrom("key", "value", "headers", "timestamp", "partition", "offset");
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record(
        {
          records: fc.array(fc.dictionary(field, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }), { maxLength: 4 }),
          producer: fc.jsonValue({ maxDepth: 1 }),
        },
        { requiredKeys: ["records"] },
      ),
      fc.record({
        records: fc.array(recordArb, { minLength: 1, maxLength: 3 }),
        producer: fc.record({ id: text(5), epoch: fc.integer(), sequence: fc.integer() }),
      }),
    );
    fc.assert(
      fc.property(body, (input) => {
        try {
          const parsed = parseProduceRequest(input);
          expect(parsed.records.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(EdgelogError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

/** A record as produced; `partition` only when the producer names one. */
interface Produced {
  key?: string | null;
  value: JsonValue;
  headers?: Record<string, string>;
  timestamp?: number;
  partition?: number;
}
type Op =
  | { kind: "append"; viaPath: boolean; pathPartition: number; records: Produced[] }
  | { kind: "read"; partition: number; at: number; mode: "offset" | "earliest" | "latest"; limit?: number; maxBytes?: number };
/** What the model expects at an offset; a timestamp left to the log is learned on first read. */
interface Stored {
  key: string | null;
  value: JsonValue;
  headers: Record<string, string>;
  timestamp: number | null;
}

const KEYS = ["a", "b", "ü", "日本", "😀", "\ud800"];

function opArb(partitions: number): fc.Arbitrary<Op> {
  const produced = fc.record(
    {
      key: fc.constantFrom<string | null>(...KEYS, null),
      value: valueArb,
      headers: fc.dictionary(text(4), text(8), { maxKeys: Math.min(3, RECORD_HEADERS_MAX) }),
      timestamp: timestampArb,
      partition: fc.nat(partitions - 1),
    },
    { requiredKeys: ["value"] },
  );
  const append = fc.record({
    kind: fc.constant("append" as const),
    viaPath: fc.boolean(),
    pathPartition: fc.nat(partitions - 1),
    records: fc.array(produced, { minLength: 1, maxLength: 20 }),
  });
  const read = fc.record(
    {
      kind: fc.constant("read" as const),
      partition: fc.nat(partitions - 1),
      at: fc.nat(1000),
      mode: fc.constantFrom("offset" as const, "offset" as const, "earliest" as const, "latest" as const),
      limit: fc.integer({ min: 1, max: 25 }),
      maxBytes: fc.integer({ min: 1, max: 3000 }),
    },
    { requiredKeys: ["kind", "partition", "at", "mode"] },
  );
  return fc.oneof(append, read);
}

/** The stored line a fetched record came from, to measure what a read counted against maxBytes. */
function storedLine(r: FetchResponse["records"][number]): string {
  return `"timestamp":${r.timestamp},"key":${JSON.stringify(r.key)},"value":${JSON.stringify(r.value)},"headers":${JSON.stringify(r.headers)}}`;
}

let run = 0;

async function check(partitions: number, ops: Op[]): Promise<void> {
  const topic = `prop-${++run}-${crypto.randomUUID().slice(0, 8)}`;
  const base = `/v1/topics/${topic}`;
  expect((await call(base, { method: "PUT", body: JSON.stringify({ partitions }) })).status).toBe(201);
  const model: Stored[][] = Array.from({ length: partitions }, () => []);
  /** Per key (no explicit partition): [partition, offset] in produce order. */
  const keyed = new Map<string, [number, number][]>();

  function compare(p: number, offset: number, got: FetchResponse["records"][number]): void {
    const want = model[p]![offset]!;
    expect(got.offset).toBe(offset);
    expect({ key: got.key, value: got.value, headers: got.headers }).toStrictEqual({
      key: want.key,
      value: want.value,
      headers: want.headers,
    });
    expect(Number.isSafeInteger(got.timestamp) && got.timestamp >= 0).toBe(true);
    if (want.timestamp === null) want.timestamp = got.timestamp;
    expect(got.timestamp).toBe(want.timestamp);
  }

  for (const op of ops) {
    if (op.kind === "append") {
      const records = op.viaPath
        ? op.records.map((r) => (r.partition === undefined ? r : { ...r, partition: op.pathPartition }))
        : op.records;
      const path = op.viaPath ? `${base}/partitions/${op.pathPartition}/records` : `${base}/records`;
      const res = await call<ProduceResponse>(path, { method: "POST", body: JSON.stringify({ records }) });
      expect(res.status).toBe(200);
      expect(res.json.offsets).toHaveLength(records.length);
      let sticky: number | null = null;
      records.forEach((record, i) => {
        const at = res.json.offsets[i]!;
        const key = record.key ?? null;
        let expected = op.viaPath ? op.pathPartition : (record.partition ?? (key === null ? null : partitionForKey(key, partitions)));
        // Keyless records without a partition all stick to one partition per request.
        if (expected === null) expected = sticky ??= at.partition;
        expect(at.partition).toBe(expected);
        expect(at.offset).toBe(model[expected]!.length);
        model[expected]!.push({
          key,
          value: canonical(record.value),
          headers: plain(record.headers ?? {}),
          timestamp: record.timestamp ?? null,
        });
        if (key !== null && record.partition === undefined && !op.viaPath) {
          keyed.set(key, [...(keyed.get(key) ?? []), [at.partition, at.offset]]);
        }
      });
    } else {
      const length = model[op.partition]!.length;
      const offset = op.mode === "earliest" ? 0 : op.mode === "latest" ? length : Math.floor((op.at / 1000) * length);
      const query = [
        `offset=${op.mode === "offset" ? offset : op.mode}`,
        ...(op.limit ? [`limit=${op.limit}`] : []),
        ...(op.maxBytes ? [`maxBytes=${op.maxBytes}`] : []),
      ];
      const res = await call<FetchResponse>(`${base}/partitions/${op.partition}/records?${query.join("&")}`);
      expect(res.status).toBe(200);
      const { records, nextOffset, highWatermark, logStartOffset } = res.json;
      const limit = op.limit ?? FETCH_RECORDS_DEFAULT;
      expect({ nextOffset, highWatermark, logStartOffset }).toStrictEqual({
        nextOffset: offset + records.length,
        highWatermark: length,
        logStartOffset: 0,
      });
      expect(records.length).toBeLessThanOrEqual(limit);
      // The first record comes whatever its size; an empty answer only at the end.
      expect(records.length === 0).toBe(offset === length);
      for (const [k, r] of records.entries()) compare(op.partition, offset + k, r);
      const wanted = Math.min(limit, length - offset);
      if (op.maxBytes === undefined) expect(records.length).toBe(wanted);
      else {
        // maxBytes counts the stored lines' UTF-8 bytes: past one record the page stays within it,
        // and a page cut short (below limit and the end) is cut because the next record would not fit.
        const lineBytes = (list: FetchResponse["records"]) => list.reduce((sum, r) => sum + utf8.encode(storedLine(r)).length, 0);
        if (records.length > 1) expect(lineBytes(records)).toBeLessThanOrEqual(op.maxBytes);
        if (records.length < wanted) {
          const next = await call<FetchResponse>(`${base}/partitions/${op.partition}/records?offset=${nextOffset}&limit=1`);
          expect(lineBytes([...records, ...next.json.records])).toBeGreaterThan(op.maxBytes);
        }
      }
    }
  }

  // The whole log, partition by partition, is the model: contiguous from 0, nothing lost or added.
  const described = await call<{ partitions: { partition: number; logStartOffset: number; highWatermark: number }[] }>(base);
  expect(described.json.partitions).toStrictEqual(model.map((m, partition) => ({ partition, logStartOffset: 0, highWatermark: m.length })));
  for (const [p, expected] of model.entries()) {
    const all = await call<FetchResponse>(`${base}/partitions/${p}/records?offset=0&limit=10000`);
    expect(all.json.records).toHaveLength(expected.length);
    expect(all.json.nextOffset).toBe(expected.length);
    for (const [offset, r] of all.json.records.entries()) compare(p, offset, r);
  }
  // Same key, same partition (Kafka's murmur2), and rising offsets in produce order.
  for (const [key, positions] of keyed) {
    expect(new Set(positions.map(([p]) => p))).toStrictEqual(new Set([partitionForKey(key, partitions)]));
    for (let i = 1; i < positions.length; i++) expect(positions[i]![1]).toBeGreaterThan(positions[i - 1]![1]);
  }
}

describe("HTTP log properties", () => {
  it("any sequence of appends and reads keeps every partition's log exact", async () => {
    const scenario = fc
      .integer({ min: 1, max: 4 })
      .chain((partitions) => fc.tuple(fc.constant(partitions), fc.array(opArb(partitions), { minLength: 1, maxLength: 12 })));
    await fc.assert(
      fc.asyncProperty(scenario, ([partitions, ops]) => check(partitions, ops)),
      { numRuns: 40, interruptAfterTimeLimit: 45_000, markInterruptAsFailure: true },
    );
  }, 120_000);
});
