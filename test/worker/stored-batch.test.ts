/**
 * stored-batch.ts against a plain model, over generated batches (any text, ASCII or not, lone
 * surrogates included, offsets around powers of ten and up to 2^53): the stored json parses to the
 * records with their offsets, its ends and bytes are exact, a take agrees with a record-by-record
 * count of UTF-8 bytes (framed and HTTP's stored-line bytes, FETCH-3's firstAlways), and a legacy
 * row converts to the same batch.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { utf8Length } from "../../client/protocol/index.ts";
import {
  newBatch,
  offsetPrefixChars,
  offsetPrefixesChars,
  recordStart,
  recordTimestamp,
  type StoredBatch,
  sliceRecords,
  storedBatch,
  type TakeBounds,
  takeRecords,
} from "../../worker/partition/stored-batch.ts";

/** One UTF-16 unit or code point: ASCII mostly, then any code point, then lone surrogates. */
const anyChar = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)) },
);
/** Text of one alphabet or mixed: an all-ASCII batch takes the path that never measures. */
const anyText = fc.oneof(fc.string({ unit: "grapheme-ascii", maxLength: 40 }), fc.string({ unit: anyChar, maxLength: 20 }));

/** A stored line as the log writes it: `"timestamp":T,` and a tail of JSON.stringify's output. */
const anyLine = fc
  .tuple(fc.integer({ min: 0, max: 8_640_000_000_000_000 / 1_000 }), anyText, fc.oneof(fc.constant(null), anyText))
  .map(([timestamp, value, key]) => `"timestamp":${timestamp},"key":${JSON.stringify(key)},"value":${JSON.stringify(value)},"headers":{}}`);

/** Base offsets near digit boundaries and far up, where prefixes change length. */
const anyBase = fc.oneof(
  fc.integer({ min: 0, max: 2_000 }),
  fc.constantFrom(9, 99, 999_990, 2 ** 53 - 4_000),
  fc.nat({ max: 2 ** 53 - 4_000 }),
);

const anyBatch = fc.tuple(anyBase, fc.array(anyLine, { minLength: 1, maxLength: 30 })).map(([base, lines]) => ({ base, lines }));

/** The model: records one by one, each costing what TakeBounds says, measured afresh. */
function modelTake(batch: StoredBatch, from: number, bounds: TakeBounds): { to: number; bytes: number; full: boolean } {
  let bytes = 0;
  const to = Math.min(batch.count, from + bounds.recordsMax);
  for (let i = from; i < to; i++) {
    const record = batch.json.slice(recordStart(batch, i), batch.ends[i]);
    const size = bounds.framed
      ? utf8Length(record) + (bounds.joined || i > from ? 1 : 0)
      : utf8Length(record) - offsetPrefixChars(batch.baseOffset + i);
    if (bytes + size > bounds.bytesMax && !(bounds.first && i === from)) return { to: i, bytes, full: true };
    bytes += size;
  }
  return { to, bytes, full: false };
}

describe("a stored batch", () => {
  it("holds its records with their offsets, exact ends and exact UTF-8 bytes", () => {
    fc.assert(
      fc.property(anyBatch, ({ base, lines }) => {
        const batch = newBatch(base, lines);
        const records = JSON.parse(`[${batch.json}]`) as { offset: number; timestamp: number }[];
        expect(records.map((r) => r.offset)).toEqual(lines.map((_, i) => base + i));
        expect(batch.bytes).toBe(utf8Length(batch.json));
        for (let i = 0; i < lines.length; i++) {
          expect(batch.json.slice(recordStart(batch, i), batch.ends[i])).toBe(`{"offset":${base + i},${lines[i]}`);
          expect(recordTimestamp(batch, i)).toBe(records[i]!.timestamp);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("takes what a record-by-record count takes, framed or by stored lines", () => {
    const anyBounds = fc.record({
      recordsMax: fc.integer({ min: 1, max: 40 }),
      bytesMax: fc.integer({ min: 0, max: 3_000 }),
      framed: fc.boolean(),
      joined: fc.boolean(),
      first: fc.boolean(),
    });
    fc.assert(
      fc.property(anyBatch, anyBounds, fc.nat(), ({ base, lines }, bounds, start) => {
        const batch = newBatch(base, lines);
        const from = start % batch.count;
        const take = takeRecords(batch, from, bounds);
        expect(take).toEqual(modelTake(batch, from, bounds));
        if (take.to > from) {
          const slice = sliceRecords(batch, from, take.to);
          expect(JSON.parse(`[${slice}]`).map((r: { offset: number }) => r.offset)).toEqual(
            Array.from({ length: take.to - from }, (_, i) => base + from + i),
          );
        }
      }),
      { numRuns: 500 },
    );
  });

  it("reads a legacy row (lines joined by a line break) as the batch of those lines", () => {
    fc.assert(
      fc.property(anyBatch, ({ base, lines }) => {
        const legacy = storedBatch({
          base_offset: base,
          record_count: lines.length,
          payload: lines.join("\n"),
          records_bytes: null,
          record_ends: null,
        });
        const fresh = newBatch(base, lines);
        expect({ json: legacy.json, ends: [...legacy.ends], bytes: legacy.bytes }).toEqual({
          json: fresh.json,
          ends: [...fresh.ends],
          bytes: fresh.bytes,
        });
        const stored = storedBatch({
          base_offset: base,
          record_count: lines.length,
          payload: fresh.json,
          records_bytes: fresh.bytes,
          record_ends: fresh.ends.buffer as ArrayBuffer,
        });
        expect(stored.json).toBe(fresh.json);
      }),
      { numRuns: 200 },
    );
  });

  it("counts the offset prefixes of a range as their sum", () => {
    fc.assert(
      fc.property(anyBase, fc.integer({ min: 0, max: 3_000 }), (from, length) => {
        let sum = 0;
        for (let offset = from; offset < from + length; offset++) sum += offsetPrefixChars(offset);
        expect(offsetPrefixesChars(from, from + length)).toBe(sum);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a row whose ends do not tile its json", () => {
    const fresh = newBatch(0, ['"timestamp":1,"key":null,"value":1,"headers":{}}', '"timestamp":2,"key":null,"value":2,"headers":{}}']);
    const wrongEnds = new Uint32Array([fresh.ends[0]!, fresh.ends[1]! - 1]);
    const row = {
      base_offset: 0,
      record_count: 2,
      payload: fresh.json,
      records_bytes: fresh.bytes,
      record_ends: wrongEnds.buffer as ArrayBuffer,
    };
    expect(() => storedBatch(row)).toThrow(/record ends tile/);
    expect(() => storedBatch({ ...row, record_ends: new ArrayBuffer(5) })).toThrow(/one end per record/);
  });
});
