/**
 * Names for the fuzzer: topic and group names, member ids, partition numbers and query values as
 * near-valid text, and the path segments and query strings they are written into (percent-encoded
 * several ways, with broken escapes). Every valid name a lane generates starts with the lane's
 * prefix (`guardName`), so the witness (named `zz-…`) is out of reach unless a lane lists it in
 * `reachable` (auth-on runs do: then only the grants keep it unchanged).
 *
 * @example
 * const space: NameSpace = { prefix: "fzh", topic: "fzh-play", group: "fzh-group", reachable: [] };
 * fc.sample(segment(space, "topic"), 2); // e.g. ["fzh-play", "fzh%C3%A9"]
 */
import fc from "fast-check";
import { NAME_PATTERN, TOPIC_NAME_LENGTH_MAX } from "../../client/protocol/index.ts";
import { anyString } from "./json-text.ts";

/**
 * A lane's names: its prefix, its playground topic and group (which exist, so valid requests
 * reach deep code), and the names it may use as they are.
 *
 * @example
 * const space: NameSpace = { prefix: "fzs", topic: "fzs-play", group: "fzs-group", reachable: ["zz-witness-1"] };
 */
export interface NameSpace {
  prefix: string;
  topic: string;
  group: string;
  reachable: readonly string[];
}

/** True for a valid topic or group name (NAME-1). */
function validName(name: string): boolean {
  return name.length >= 1 && name.length <= TOPIC_NAME_LENGTH_MAX && NAME_PATTERN.test(name) && name !== "." && name !== "..";
}

/**
 * `name`, unless it is a valid name outside the lane's prefix (and not reachable): then the
 * prefix is put before it, so no generated name can be another lane's or the witness's.
 *
 * @example
 * guardName("zz-witness-1", space); // "fzhzz-witness-1"
 * guardName("a/b", space); // "a/b" (invalid: refused whatever it names)
 */
export function guardName(name: string, space: NameSpace): string {
  if (!validName(name) || name.startsWith(space.prefix) || space.reachable.includes(name)) return name;
  return `${space.prefix}${name}`.slice(0, TOPIC_NAME_LENGTH_MAX);
}

/** Characters that sit at the edge of the name alphabet. */
const EDGE_CHARS = ["/", ":", " ", "%", "é", "\u0000", "~", "+", "\ud800", "*", "?", "#", "\\", "."];

/**
 * A topic or group name, logical (before any encoding): the playground's mostly, else near it,
 * an edge length, a reachable name, or anything.
 *
 * @example
 * fc.sample(nameArb(space, "topic"), 3); // e.g. ["fzh-play", "fzh-play:", ".."]
 */
export function nameArb(space: NameSpace, kind: "topic" | "group"): fc.Arbitrary<string> {
  const home = kind === "topic" ? space.topic : space.group;
  const arbitraries: fc.WeightedArbitrary<string>[] = [
    { weight: 30, arbitrary: fc.constant(home) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...EDGE_CHARS), fc.nat(40)).map(([c, at]) => home.slice(0, at) + c + home.slice(at)) },
    { weight: 2, arbitrary: fc.constantFrom("", ".", "..", "...", "-", "_", "fz", "a".repeat(249), "a".repeat(250), `${home}-new`) },
    { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/) },
    { weight: 2, arbitrary: anyString(20) },
    { weight: 1, arbitrary: fc.constant(home.toUpperCase()) },
  ];
  if (space.reachable.length > 0) arbitraries.push({ weight: 3, arbitrary: fc.constantFrom(...space.reachable) });
  return fc.oneof(...arbitraries).map((name) => guardName(name, space));
}

/**
 * A member id, near NAME-2's edges.
 *
 * @example
 * fc.sample(memberArb, 2); // e.g. ["m-1", "a".repeat(65)]
 */
export const memberArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("m-1", "fz-member", "device:7", "0", "a".repeat(64), "a".repeat(65), "", "m/1", "m 1", "é") },
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9._:-]{1,70}$/) },
  { weight: 1, arbitrary: anyString(12) },
);

/**
 * Decimal text near JSON-3's edges: numbers, signs, leading zeros, exponents, hex, spaces.
 *
 * @example
 * fc.sample(numberText, 3); // e.g. ["0", "01", "9007199254740993"]
 */
export const numberText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("0", "1", "2", "3", "10", "63", "64", "100", "1000", "10000", "10001", "30000", "30001") },
  {
    weight: 4,
    arbitrary: fc.constantFrom("-1", "01", "1e1", " 1", "1 ", "1.0", "0x1", "", "+1", "1_0", "٣", "9007199254740991", "9007199254740993"),
  },
  { weight: 2, arbitrary: fc.constantFrom("99999999999999999", "8640000000000000", "8640000000000001", "Infinity", "NaN", "-0", "1e999") },
  { weight: 2, arbitrary: fc.constantFrom("earliest", "latest", "sse", "committed", "null", "true") },
  { weight: 2, arbitrary: fc.stringMatching(/^[0-9]{1,20}$/) },
  { weight: 1, arbitrary: anyString(10) },
);

/** A partition number as text: one of the playground's mostly, else anything numberText gives. */
const partitionText = fc.oneof({ weight: 3, arbitrary: fc.constantFrom("0", "1", "2", "3") }, { weight: 1, arbitrary: numberText });

/** Escapes that do not decode to a name character: broken, overlong, surrogate, control. */
const BROKEN_ESCAPES = ["%", "%z", "%zz", "%C0%80", "%ED%A0%80", "%FF", "%E2%82", "%00", "%2F", "%5C", "%25", "%2e%2e%2F"];

const utf8 = new TextEncoder();

/** Percent-encodes every byte of `text`'s UTF-8 (lone surrogates become U+FFFD, as any client sends them). */
function encodeAll(text: string): string {
  return [...utf8.encode(text)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("");
}

/** Percent-encodes what a path segment cannot hold raw (node:http refuses the rest). */
function encodeNeeded(text: string): string {
  let out = "";
  for (const char of text) out += /^[A-Za-z0-9._~!$&'()*+,;=:@-]$/.test(char) ? char : encodeAll(char);
  return out;
}

/**
 * `text` written into a path segment or query value: encoded as needed (mostly), every byte
 * encoded, lower-case hex, or with a broken escape put in.
 *
 * @example
 * fc.sample(encodedText("fz a"), 2); // e.g. ["fz%20a", "%66%7A%20%61"]
 */
export function encodedText(text: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 16, arbitrary: fc.constant(encodeNeeded(text)) },
    { weight: 1, arbitrary: fc.constant(encodeAll(text)) },
    { weight: 1, arbitrary: fc.constant(encodeAll(text).toLowerCase()) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom(...BROKEN_ESCAPES), fc.nat(40)).map(([broken, at]) => {
        const encoded = encodeNeeded(text);
        return encoded.slice(0, at) + broken + encoded.slice(at);
      }),
    },
  );
}

/**
 * A path segment of `kind`, encoded.
 *
 * @example
 * fc.sample(segment(space, "partition"), 2); // e.g. ["0", "%30"]
 */
export function segment(space: NameSpace, kind: "topic" | "group" | "partition" | "member"): fc.Arbitrary<string> {
  const logical = kind === "partition" ? partitionText : kind === "member" ? memberArb : nameArb(space, kind);
  return logical.chain(encodedText);
}

/**
 * A query string for a route's `params` (each with its near-valid values): each present or not,
 * some repeated, some with no `=`, plus unknown ones. `clamp` rewrites a value that must stay
 * small (a long-poll's wait) before it is encoded.
 *
 * @example
 * fc.sample(queryArb({ offset: numberText }, {}), 1); // e.g. ["?offset=01&offset=2&zz"]
 */
export function queryArb(
  params: Record<string, fc.Arbitrary<string>>,
  clamp: Record<string, (value: string) => string>,
): fc.Arbitrary<string> {
  const one = (name: string, values: fc.Arbitrary<string>) =>
    fc
      .tuple(values, fc.nat(9))
      .chain(([value, shape]) =>
        encodedText(clamp[name]?.(value) ?? value).map((encoded) => (shape === 0 ? name : shape === 1 ? `${name}=` : `${name}=${encoded}`)),
      );
  const known = Object.entries(params).map(([name, values]) => fc.array(one(name, values), { maxLength: 2 }));
  const unknown = fc.array(
    fc.tuple(anyString(6), anyString(6)).chain(([n, v]) => fc.tuple(encodedText(n), encodedText(v)).map(([a, b]) => `${a}=${b}`)),
    { maxLength: 2 },
  );
  return fc.tuple(fc.tuple(...known), unknown, fc.boolean()).map(([lists, extra, question]) => {
    const parts = [...lists.flat(), ...extra];
    return parts.length === 0 ? (question ? "?" : "") : `?${parts.join("&")}`;
  });
}
