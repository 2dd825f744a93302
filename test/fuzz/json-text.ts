/**
 * Near-valid JSON for the fuzzer: a document (plain JSON values, plus literal text leaves and
 * duplicated keys that JSON.stringify cannot write), the mutations fast-check applies to a real
 * request's document (wrong types, out-of-range and non-finite numbers, huge strings, unicode and
 * lone surrogates, deep nesting, duplicate keys, extra and missing fields), and the text-level
 * damage applied to the written text (truncation, trailing garbage, a BOM, invalid UTF-8 bytes).
 *
 * @example
 * const bodies = fc.record({ partitions: fc.nat(70) }).chain((doc) => mutatedDoc(doc)).chain(writtenBytes);
 * fc.sample(bodies, 1); // e.g. [Uint8Array of '{"partitions":1e999,"partitions":3}']
 */
import fc from "fast-check";

/**
 * A leaf written exactly as its text: `1e999`, `-0`, a nesting 10,000 deep.
 *
 * @example
 * writeDoc({ value: new RawText("1e999") }); // '{"value":1e999}'
 */
export class RawText {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/**
 * A key of an object whose value lists entries written again after its own (JSON.parse keeps the
 * last one).
 *
 * @example
 * writeDoc({ a: 1, [DUPLICATES]: [["a", 2]] }); // '{"a":1,"a":2}'
 */
export const DUPLICATES = Symbol("duplicates");

/**
 * A document: JSON with RawText leaves and DUPLICATES entries.
 *
 * @example
 * const doc: Doc = { records: [{ value: new RawText("-0") }] };
 */
export type Doc = null | boolean | number | string | RawText | Doc[] | DocObject;

/**
 * An object of a document.
 *
 * @example
 * const object: DocObject = { topic: "fz-play", [DUPLICATES]: [["topic", 7]] };
 */
export interface DocObject {
  [key: string]: Doc;
  [DUPLICATES]?: [string, Doc][];
}

/**
 * Writes a document as JSON text (JSON.stringify's escapes for strings, RawText as is).
 *
 * @example
 * writeDoc({ a: [1, new RawText("1E2")] }); // '{"a":[1,1E2]}'
 */
export function writeDoc(doc: Doc): string {
  if (doc instanceof RawText) return doc.text;
  if (Array.isArray(doc)) return `[${doc.map(writeDoc).join(",")}]`;
  if (doc !== null && typeof doc === "object") {
    const entries: [string, Doc][] = [...Object.entries(doc), ...(doc[DUPLICATES] ?? [])];
    return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${writeDoc(value)}`).join(",")}}`;
  }
  return JSON.stringify(doc);
}

/** Huge strings' lengths: past a record, past a request (rare: each costs megabytes on the wire). */
const HUGE_LENGTHS = [70_000, 1_048_600, 4_194_310] as const;

/** One character of any kind: ASCII mostly, then any code point, then lone surrogates. */
export const anyChar = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)) },
);

/**
 * A string of `anyChar`.
 *
 * @example
 * fc.sample(anyString(8), 1); // e.g. ["a\ud800é"]
 */
export function anyString(maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: anyChar, maxLength });
}

/** A nesting `depth` deep, of arrays or objects. */
const deepNesting = (depth: number, objects: boolean): RawText =>
  new RawText(objects ? `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}` : `${"[".repeat(depth)}${"]".repeat(depth)}`);

/** Values a mutation puts in place of a node: each a wrong type or edge for some field. */
const replacement: fc.Arbitrary<Doc> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom<Doc>(null, true, false, 0, -1, 1, 2, 1.5, 63, 64, 1000, 2 ** 31 - 1, 2 ** 31, 32_768) },
  { weight: 4, arbitrary: fc.constantFrom<Doc>(2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 8.64e15, 8.64e15 + 1, 1e300, -1e300, Number.MIN_VALUE) },
  {
    weight: 4,
    arbitrary: fc
      .constantFrom("1e999", "-1e999", "-0", "1E2", "1.0", "0e0", "1e-999", "123456789012345678901234567890")
      .map((text) => new RawText(text)),
  },
  { weight: 6, arbitrary: fc.constantFrom<Doc>("", "x", "1", "0", "earliest", "latest", "committed", "range", "sticky", "null", "true") },
  { weight: 4, arbitrary: anyString(12) },
  { weight: 2, arbitrary: fc.constantFrom<Doc>("\ud800", "\udfff", "a\ud83d", "😀", "é", "\u0000", "\u2028", "\ufeff") },
  { weight: 3, arbitrary: fc.constantFrom<Doc>([], {}, [null], [[]], { a: 1 }, [1, 2, 3], { value: 1 }) },
  { weight: 2, arbitrary: fc.integer({ min: 250, max: 5_000 }).map((n) => "a".repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom(...HUGE_LENGTHS).map((n) => "x".repeat(n)) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(100, 1_000, 10_000, 100_000), fc.boolean()).map(([d, o]) => deepNesting(d, o)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2, stringUnit: anyChar }) as fc.Arbitrary<unknown> as fc.Arbitrary<Doc> },
);

/** Field names a mutation adds: unknown ones, and ones JavaScript treats specially. */
const extraKey = fc.oneof(
  fc.constantFrom("extra", "__proto__", "constructor", "toString", "hasOwnProperty", "", "type", "id", "value", "partition", "records"),
  anyString(8),
);

/** A path into a document: each step an index or key. */
type DocPath = (string | number)[];

/** Every container and leaf path of `doc`, in depth-first order (bounded: the first 200). */
function pathsOf(doc: Doc, at: DocPath = [], out: DocPath[] = []): DocPath[] {
  if (out.length >= 200) return out;
  out.push(at);
  if (Array.isArray(doc)) {
    for (const [i, child] of doc.entries()) pathsOf(child, [...at, i], out);
  } else if (doc !== null && typeof doc === "object" && !(doc instanceof RawText)) {
    for (const [key, child] of Object.entries(doc)) pathsOf(child, [...at, key], out);
  }
  return out;
}

/** A deep copy (duplicates included), so one mutation never changes a shared template. */
function copyDoc(doc: Doc): Doc {
  if (doc instanceof RawText || doc === null || typeof doc !== "object") return doc;
  if (Array.isArray(doc)) return doc.map(copyDoc);
  const copy: DocObject = {};
  for (const [key, value] of Object.entries(doc)) copy[key] = copyDoc(value);
  if (doc[DUPLICATES]) copy[DUPLICATES] = doc[DUPLICATES].map(([k, v]) => [k, copyDoc(v)]);
  return copy;
}

/**
 * One mutation: what to do, where (an index into the document's paths, wrapped) and with what.
 *
 * @example
 * const mutation: Mutation = { op: "replace", at: 3, value: new RawText("1e999"), key: "extra" };
 */
export interface Mutation {
  op: "replace" | "delete" | "add" | "duplicate" | "wrap" | "nudge";
  at: number;
  value: Doc;
  key: string;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom<Mutation["op"]>("replace", "replace", "replace", "delete", "add", "duplicate", "wrap", "nudge"),
  at: fc.nat(199),
  value: replacement,
  key: extraKey,
});

/** A number moved just past an edge, or a string made just invalid. */
function nudged(node: Doc, pick: number): Doc {
  if (typeof node === "number") return [node + 1, node - 1, -node - 1, node + 0.5, node * 1e6, node + 2 ** 53][pick % 6]!;
  if (typeof node === "string")
    return [`${node}/`, node.toUpperCase(), `${node} `, node.slice(0, 100).repeat(60), `${node}\ud800`][pick % 5]!;
  return node;
}

/** The document with one mutation applied (a copy; the root itself may be replaced). */
function applyMutation(doc: Doc, m: Mutation): Doc {
  const root: Doc[] = [copyDoc(doc)];
  const paths = pathsOf(root[0]!).map((p) => [0, ...p]);
  const path = paths[m.at % paths.length]!;
  let parent: Doc = root;
  for (const step of path.slice(0, -1)) parent = (parent as Record<string | number, Doc>)[step] as Doc;
  const last = path[path.length - 1]!;
  const holder = parent as Record<string | number, Doc>;
  const node = holder[last] as Doc;
  const isObject = node !== null && typeof node === "object" && !Array.isArray(node) && !(node instanceof RawText);
  switch (m.op) {
    case "replace":
      holder[last] = m.value;
      break;
    case "delete":
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete holder[last];
      break;
    case "add":
      if (isObject) (node as DocObject)[m.key] = m.value;
      else if (Array.isArray(node)) node.push(m.value);
      break;
    case "duplicate":
      if (isObject) {
        const object = node as DocObject;
        const key = Object.keys(object)[m.at % Math.max(1, Object.keys(object).length)] ?? m.key;
        object[DUPLICATES] = [...(object[DUPLICATES] ?? []), [key, m.value]];
      }
      break;
    case "wrap":
      holder[last] = m.at % 2 === 0 ? [node] : { [m.key]: node };
      break;
    case "nudge":
      holder[last] = nudged(node, m.at);
      break;
  }
  return root[0] ?? null;
}

/**
 * `doc` with 0 to 3 mutations (none a third of the time: valid requests reach deeper code).
 *
 * @example
 * fc.sample(mutatedDoc({ partitions: 3 }), 3); // e.g. [{partitions: 3}, {partitions: "1"}, {partitions: 3, extra: null}]
 */
export function mutatedDoc(doc: Doc): fc.Arbitrary<Doc> {
  return fc
    .oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) })
    .map((mutations) => mutations.reduce(applyMutation, doc));
}

/**
 * Damage done to the written text: none mostly; else truncated, garbage after it, a BOM before,
 * single quotes, empty, or invalid UTF-8 bytes put inside it.
 *
 * @example
 * const damage: TextDamage = { kind: "truncate", at: 0.5 };
 */
export type TextDamage =
  | { kind: "none" }
  | { kind: "truncate"; at: number }
  | { kind: "append"; text: string }
  | { kind: "bom" }
  | { kind: "quotes" }
  | { kind: "empty" }
  | { kind: "bytes"; at: number; bytes: readonly number[] };

/** Damage arbitrary: about one body in six is damaged. */
export const textDamage: fc.Arbitrary<TextDamage> = fc.oneof(
  { weight: 30, arbitrary: fc.constant({ kind: "none" as const }) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }).map((at) => ({ kind: "truncate" as const, at })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("x", ",", "}", "]", " {}", "\u0000", "//", "null").map((text) => ({ kind: "append" as const, text })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "bom" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "quotes" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "empty" as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("bytes" as const),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      bytes: fc.constantFrom([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80]),
    }),
  },
);

const utf8 = new TextEncoder();

/**
 * The bytes of `text` after `damage`.
 *
 * @example
 * damagedBytes('{"a":1}', { kind: "truncate", at: 0.5 }); // the bytes of '{"a'
 */
export function damagedBytes(text: string, damage: TextDamage): Uint8Array {
  switch (damage.kind) {
    case "none":
      return utf8.encode(text);
    case "truncate":
      return utf8.encode(text.slice(0, Math.floor(text.length * damage.at)));
    case "append":
      return utf8.encode(text + damage.text);
    case "bom":
      return utf8.encode(`\ufeff${text}`);
    case "quotes":
      return utf8.encode(text.replaceAll('"', "'"));
    case "empty":
      return new Uint8Array(0);
    case "bytes": {
      const at = Math.floor(text.length * damage.at);
      const head = utf8.encode(text.slice(0, at));
      const tail = utf8.encode(text.slice(at));
      const bytes = new Uint8Array(head.length + damage.bytes.length + tail.length);
      bytes.set(head);
      bytes.set(damage.bytes, head.length);
      bytes.set(tail, head.length + damage.bytes.length);
      return bytes;
    }
  }
}
