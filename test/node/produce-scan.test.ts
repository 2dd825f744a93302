/**
 * The one-scan produce parse (produce-scan.ts, RECORD-8) against the full parse it stands in for
 * (JSON.parse, then parseProduceRequest, as parseClientMessage ran them before the scan), on
 * arbitrary texts: valid requests written as JSON.stringify writes them and in other forms
 * (whitespace, `1.50`, `1E2`, escapes, duplicate members), the fuzzer's document mutations, and
 * text damage (a unit deleted or put in). Whenever the scan takes a text, the full parse takes it
 * too, with the same keys, partitions, timestamps and stored sizes and tails that JSON.parse reads
 * as the same records; and parseClientMessage (scan first) answers exactly what the full parse
 * answers, refusals with the same code and message. Seeded and bounded (a few seconds).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  EdgelogError,
  messageId,
  type ParsedProduce,
  parseClientMessage,
  parseFrame,
  parseProduceRequest,
  RECORD_TIMESTAMP_BYTES_MAX,
  scanProduceBody,
  scanProduceFrame,
  VALUE_DEPTH_MAX,
} from "../../client/protocol/index.ts";
import { anyChar, type Doc, type DocObject, DUPLICATES, mutatedDoc, RawText, writeDoc } from "../fuzz/json-text.ts";

type Outcome = { error: { code: string; message: string } } | { id: string | null; parsed: ParsedProduce } | "not produce";

/** Runs `parse`, turning an EdgelogError into its code and message (anything else is a bug and throws). */
function outcome(parse: () => { id: string | null; parsed: ParsedProduce } | "not produce"): Outcome {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof EdgelogError)) throw error;
    return { error: { code: error.code, message: error.message } };
  }
}

/** Today's full parse of a socket frame's produce (parseFrame, messageId, parseProduceRequest). */
function fullFrame(text: string): Outcome {
  return outcome(() => {
    const value = parseFrame(text);
    if (value.type !== "produce") return "not produce";
    const id = messageId(value.id, "id");
    const { type: _type, id: _id, ...body } = value;
    return { id, parsed: parseProduceRequest(body) };
  });
}

/** Today's full parse of an HTTP body (readJson's JSON.parse, then parseProduceRequest). */
function fullBody(text: string): Outcome {
  return outcome(() => {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new EdgelogError("INVALID_JSON", `the body is not JSON: ${(error as Error).message}`);
    }
    return { id: null, parsed: parseProduceRequest(body) };
  });
}

const utf8 = new TextEncoder();

/** The two encodings hold the same records: JSON.parse reads each tail as the same record. */
function expectSameRecords(scanned: ParsedProduce, full: ParsedProduce): void {
  expect(scanned.producer).toEqual(full.producer);
  expect(scanned.records.length).toBe(full.records.length);
  for (let i = 0; i < full.records.length; i++) {
    const a = scanned.records[i]!;
    const b = full.records[i]!;
    expect(a.key).toBe(b.key);
    expect(Object.is(a.partition, b.partition) && Object.is(a.timestamp, b.timestamp)).toBe(true);
    expect(a.bytes).toBe(b.bytes);
    // RECORD-8: the size counted is the size stored.
    expect(a.bytes).toBe(utf8.encode(a.tail).length + RECORD_TIMESTAMP_BYTES_MAX);
    expect(JSON.parse(`{${a.tail}`)).toEqual(JSON.parse(`{${b.tail}`));
  }
}

/** What the runs saw, so a test can tell that the scan took texts and that some were refused. */
const seen = { taken: 0, refused: 0, fullOnly: 0 };

/** The property for a socket frame: scan-taken implies full-taken and the same; the message parser agrees. */
function frameAgrees(text: string): void {
  const full = fullFrame(text);
  const scanned = scanProduceFrame(text);
  if (scanned !== null) {
    seen.taken++;
    if (full === "not produce" || "error" in full) throw new Error(`the scan took a frame the full parse refuses: ${text.slice(0, 300)}`);
    expect(scanned.id).toBe(full.id);
    expectSameRecords(scanned.parsed, full.parsed);
  } else if (full !== "not produce" && "error" in full) seen.refused++;
  else if (full !== "not produce") seen.fullOnly++;
  if (full === "not produce") return;
  const message = outcome(() => {
    const m = parseClientMessage(text);
    if (m.type !== "produce") throw new Error("a produce frame parsed as another type");
    return { id: m.id, parsed: m.parsed };
  });
  if ("error" in full) expect(message).toEqual(full);
  else {
    expect(message).not.toHaveProperty("error");
    const got = message as { id: string; parsed: ParsedProduce };
    expect(got.id).toBe(full.id);
    expectSameRecords(got.parsed, full.parsed);
  }
}

/** The property for an HTTP body. */
function bodyAgrees(text: string): void {
  const full = fullBody(text);
  const scanned = scanProduceBody(text);
  if (scanned === null) return;
  seen.taken++;
  if (full === "not produce" || "error" in full) throw new Error(`the scan took a body the full parse refuses: ${text.slice(0, 300)}`);
  expectSameRecords(scanned, full.parsed);
}

/** Number texts at the edges: non-canonical forms, ones that parse as Infinity, ones past exactness. */
const numberText = fc.constantFrom(
  "0",
  "-0",
  "1.50",
  "2.0",
  "-0.0",
  "1E2",
  "1e2",
  "1e+21",
  "1e21",
  "1e-7",
  "0.0000001",
  "0.000001",
  "0.1234567890123456",
  "123456789012345",
  "1234567890123456",
  "12345678901234567890",
  "9007199254740993",
  "1.7976931348623157e308",
  "1e999",
  "-1E+400",
  "1e-999",
  "5e-324",
  "1".repeat(310),
  "3.14",
  "-12.5",
  "1234.560",
);

/** String texts written with escapes JSON.stringify would and would not write. */
const stringText = fc.constantFrom(
  '"a\\"b"',
  '"\\\\"',
  '"\\/"',
  '"\\u0041"',
  '"\\u00e9"',
  '"\\u001f"',
  '"\\u001F"',
  '"\\u0008"',
  '"\\b\\f\\n\\r\\t"',
  '"\\ud83d\\ude00"',
  '"\\uD83D\\uDE00"',
  '"\\ud800"',
  '"\\udc00x"',
  '"😀é\u2028"',
  '"\ud800"',
  '"a\udfffb"',
);

/** A JSON-ish value document: plain JSON, raw number and string texts, duplicates, nesting near the limit. */
const valueDoc: fc.Arbitrary<Doc> = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: anyChar }) as fc.Arbitrary<unknown> as fc.Arbitrary<Doc> },
  { weight: 3, arbitrary: numberText.map((text) => new RawText(text)) },
  { weight: 3, arbitrary: stringText.map((text) => new RawText(text)) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.jsonValue({ maxDepth: 1 }), numberText, fc.constantFrom("a", "b", "__proto__"))
      .map(([a, n, k]): Doc => ({ [k]: a as Doc, b: [new RawText(n)], [DUPLICATES]: [[k, new RawText(n)]] }) as DocObject),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: VALUE_DEPTH_MAX - 2, max: VALUE_DEPTH_MAX + 2 }), fc.boolean())
      .map(([d, o]) => new RawText(o ? `${'{"a":'.repeat(d)}1${"}".repeat(d)}` : `${"[".repeat(d)}${"]".repeat(d)}`)),
  },
);

const headersDoc: fc.Arbitrary<Doc> = fc.oneof(
  { weight: 8, arbitrary: fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ unit: anyChar, maxLength: 6 }), { maxKeys: 4 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Doc>({ a: "1", [DUPLICATES]: [["a", "2"]] } as DocObject, { "\u00e9": "x" }, { a: 1 }, null, []),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 63, max: 66 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`h${i}`, "v"]))),
  },
);

/** Mostly valid, sometimes at or past an edge: most records pass, so the runs reach the scan's encoding. */
const recordDoc: fc.Arbitrary<Doc> = fc.record(
  {
    value: valueDoc,
    key: fc.oneof(
      { weight: 8, arbitrary: fc.oneof(fc.constant(null), fc.string({ unit: "grapheme", maxLength: 6 })) },
      { weight: 1, arbitrary: fc.string({ unit: anyChar, maxLength: 6 }) },
      { weight: 1, arbitrary: stringText.map((t) => new RawText(t)) },
    ),
    headers: headersDoc,
    timestamp: fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0, max: 2e12 }) },
      {
        weight: 2,
        arbitrary: fc.oneof(
          numberText.map((t) => new RawText(t)),
          fc.constantFrom(8.64e15, 8.64e15 + 1),
        ),
      },
    ),
    partition: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 63 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, 64, 1.5) }),
  },
  { requiredKeys: ["value"] },
) as fc.Arbitrary<Doc>;

const producerDoc: fc.Arbitrary<Doc> = fc.record({
  id: fc.oneof(
    { weight: 9, arbitrary: fc.string({ unit: anyChar, minLength: 1, maxLength: 5 }) },
    { weight: 1, arbitrary: fc.constant("") },
  ),
  epoch: fc.oneof({ weight: 8, arbitrary: fc.nat(32_767) }, { weight: 1, arbitrary: fc.constantFrom(-1, 32_768) }),
  sequence: fc.oneof({ weight: 8, arbitrary: fc.nat(10) }, { weight: 1, arbitrary: fc.constantFrom(2_147_483_647, 2_147_483_646) }),
});

/** A request document: the frame's members or the body's, the producer sometimes. */
function requestDoc(frame: boolean): fc.Arbitrary<DocObject> {
  return fc
    .record(
      {
        records: fc.oneof(
          { weight: 1, arbitrary: fc.constant([]) },
          { weight: 9, arbitrary: fc.array(recordDoc, { minLength: 1, maxLength: 3 }) },
        ),
        producer: producerDoc,
      },
      { requiredKeys: ["records"] },
    )
    .chain((body) =>
      frame
        ? fc
            .record({
              type: fc.constantFrom("produce", "produce", "produce", "produce", "produce", "hello"),
              id: fc.string({ maxLength: 3 }).map((id) => id || "p"),
            })
            .map((head) => ({ ...head, ...body }) as DocObject)
        : fc.constant(body as DocObject),
    );
}

/** Whitespace put between the text's units here and there (inside strings too: a different text, also valid). */
function spaced(text: string, seed: number): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    out += c;
    if ((seed + i * 7919) % 13 === 0 && ",:[]{}".includes(c)) out += [" ", "\n", "\t", "\r", "  "][(seed + i) % 5];
  }
  return out;
}

/** A unit deleted, or one put in, at a place in the text. */
const damage = fc.oneof(
  { weight: 5, arbitrary: fc.constant(null) },
  {
    weight: 1,
    arbitrary: fc.record({
      at: fc.integer({ min: 0, max: 999 }),
      cut: fc.boolean(),
      unit: fc.constantFrom('"', "\\", ",", ":", "{", "}", "[", "]", " ", "0", "e", "-", ".", "u", "\u0000", "\ud800", "é", "x"),
    }),
  },
);

function damaged(text: string, d: { at: number; cut: boolean; unit: string } | null): string {
  if (d === null) return text;
  const at = Math.floor((text.length * d.at) / 1_000);
  return d.cut ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + d.unit + text.slice(at);
}

/** A request text: a document (mutated a third of the time), written, spaced or not, damaged or not. */
function requestText(frame: boolean): fc.Arbitrary<string> {
  const doc = requestDoc(frame).chain((d) =>
    fc.oneof({ weight: 2, arbitrary: fc.constant<Doc>(d) }, { weight: 1, arbitrary: mutatedDoc(d) }),
  );
  return fc
    .tuple(doc, fc.boolean(), fc.nat(1_000), damage)
    .map(([d, space, seed, hurt]) => damaged(space ? spaced(writeDoc(d), seed) : writeDoc(d), hurt));
}

const RUNS = { seed: 20_261_202, numRuns: 1_500 } as const;

describe("scanProduceFrame and scanProduceBody agree with the full parse", () => {
  it("on socket frames: whenever the scan takes one the full parse takes it the same, and parseClientMessage answers as the full parse", () => {
    seen.taken = 0;
    seen.refused = 0;
    fc.assert(fc.property(requestText(true), frameAgrees), RUNS);
    // Not vacuous: the scan took many frames, and many were refused.
    expect(seen.taken).toBeGreaterThan(RUNS.numRuns / 20);
    expect(seen.refused).toBeGreaterThan(RUNS.numRuns / 10);
  }, 60_000);

  it("on HTTP bodies", () => {
    seen.taken = 0;
    fc.assert(fc.property(requestText(false), bodyAgrees), RUNS);
    expect(seen.taken).toBeGreaterThan(RUNS.numRuns / 20);
  }, 60_000);

  it("takes every valid request JSON.stringify writes (keys and header names without lone surrogates)", () => {
    const text = fc.string({ unit: "grapheme", maxLength: 8 });
    const record = fc.record(
      {
        value: fc.jsonValue({ maxDepth: 4, stringUnit: anyChar }),
        key: fc.option(text),
        headers: fc.dictionary(text, text, { maxKeys: 5 }),
        timestamp: fc.integer({ min: 0, max: 8.64e15 }),
        partition: fc.integer({ min: 0, max: 63 }),
      },
      { requiredKeys: ["value"] },
    );
    const producer = fc.record({ id: fc.string({ minLength: 1, maxLength: 128 }), epoch: fc.nat(32_767), sequence: fc.nat(1_000_000) });
    const frame = fc.record(
      {
        type: fc.constant("produce"),
        id: fc.string({ minLength: 1, maxLength: 64 }),
        records: fc.array(record, { minLength: 1, maxLength: 5 }),
        producer,
      },
      { requiredKeys: ["type", "id", "records"] },
    );
    fc.assert(
      fc.property(frame, (f) => {
        const written = JSON.stringify(f);
        expect(scanProduceFrame(written)).not.toBeNull();
        frameAgrees(written);
      }),
      { seed: RUNS.seed, numRuns: 500 },
    );
  });
});

describe("the scan on the bench's shape and at the edges", () => {
  it("stores a canonical value as it came, and re-serialises one in another form as the full parse would", () => {
    const frame = (value: string) => `{"type":"produce","id":"p","records":[{"value":${value}}]}`;
    expect(scanProduceFrame(frame('{"i":7,"t":12.5,"p":"xx"}'))?.parsed.records[0]?.tail).toBe(
      '"key":null,"value":{"i":7,"t":12.5,"p":"xx"},"headers":{}}',
    );
    expect(scanProduceFrame(frame('{"b":1,"a":2}'))?.parsed.records[0]?.tail).toBe('"key":null,"value":{"b":1,"a":2},"headers":{}}');
    expect(scanProduceFrame(frame('{"t":12.50, "a":[1E2]}'))?.parsed.records[0]?.tail).toBe(
      '"key":null,"value":{"t":12.5,"a":[100]},"headers":{}}',
    );
    expect(scanProduceFrame(frame('{"a":1,"a":2}'))?.parsed.records[0]?.tail).toBe('"key":null,"value":{"a":2},"headers":{}}');
    expect(scanProduceFrame(frame('"\\u00e9"'))?.parsed.records[0]?.tail).toBe('"key":null,"value":"é","headers":{}}');
    expect(scanProduceFrame(frame("1e999"))).toBeNull();
    expect(() => parseClientMessage(frame("1e999"))).toThrow(/Infinity/);
  });

  it("leaves every refusal to the full parse, with today's code and message", () => {
    for (const text of [
      '{"type":"produce","id":"p","records":[]}',
      '{"type":"produce","id":"p","records":[{"value":1}],"extra":1}',
      '{"type":"produce","id":"p","records":[{"value":1,"key":5}]}',
      '{"type":"produce","id":"p","records":[{"value":1}]',
      '{"type":"produce","id":"","records":[{"value":1}]}',
    ]) {
      expect(scanProduceFrame(text)).toBeNull();
      frameAgrees(text);
    }
  });
});
