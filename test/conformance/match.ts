/**
 * Matching an answer against an expectation (already resolved, see template.ts). Objects match
 * partially: every member the expectation names must match, others may be there too. Arrays match
 * item by item and must have the same length. Strings of the form "$name" and one-key objects
 * "$name" are matchers:
 *
 * - "$any" (present, any value), "$absent" (as a member: not there), "$string", "$number",
 *   "$integer", "$boolean", "$array", "$object", "$null".
 * - {"$capture": name} binds the value to a variable; the same name captured twice in one match
 *   must be the same value both times.
 * - {"$match": expected}: the value matches (to pair with other matcher keys).
 * - {"$exact": expected}: no members beyond the expected ones, at any depth inside.
 * - {"$regex": pattern}: a string the pattern matches.
 * - {"$oneOf": [expected, ...]}: any one of them; {"$not": expected}: anything that does not match.
 * - {"$range": [min, max]}: a number from min to max.
 * - {"$length": n}: an array or string of that length; {"$each": expected}: every item matches;
 *   {"$some": expected}: at least one item matches; {"$includes": [value, ...]}: each value is an item.
 * - {"$json": expected}: a string holding JSON that matches.
 *
 * An object whose keys all start with "$" is a matcher and applies every key:
 * {"$length": 3, "$includes": [0, 1]}.
 *
 * @example
 * const out = matchValue({ offset: "$integer", id: { $capture: "id" } }, { offset: 3, id: "x", extra: 1 });
 * out.mismatches; // []
 * out.captures;   // { id: "x" }
 */
import { CaseError } from "./template.ts";
import type { Json } from "./types.ts";

/** What a match found. */
export interface MatchOutcome {
  mismatches: string[];
  captures: Record<string, Json>;
}

/** Where a value sits in the answer, for messages: `body.partitions[0].highWatermark`. */
type Path = string;

interface State {
  mismatches: string[];
  captures: Record<string, Json>;
  exact: boolean;
}

const KINDS: Record<string, (value: unknown) => boolean> = {
  $any: () => true,
  $string: (v) => typeof v === "string",
  $number: (v) => typeof v === "number",
  $integer: (v) => typeof v === "number" && Number.isInteger(v),
  $boolean: (v) => typeof v === "boolean",
  $array: (v) => Array.isArray(v),
  $object: (v) => typeof v === "object" && v !== null && !Array.isArray(v),
  $null: (v) => v === null,
};

function show(value: unknown): string {
  const text = value === undefined ? "nothing" : JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 160)}… (${text.length} characters)` : text;
}

function fail(state: State, path: Path, expected: string, actual: unknown): void {
  state.mismatches.push(`${path || "the value"}: expected ${expected}, got ${show(actual)}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

type Matcher = (spec: Record<string, Json>, actual: unknown, path: Path, state: State) => void;

const MATCHERS: Record<string, Matcher> = {
  $capture(spec, actual, path, state) {
    const name = spec.$capture;
    if (typeof name !== "string") throw new CaseError("$capture names a variable");
    if (actual === undefined) {
      fail(state, path, `a value to capture as ${name}`, actual);
      return;
    }
    if (name in state.captures && !sameJson(state.captures[name], actual)) {
      fail(state, path, `${show(state.captures[name])} (as captured before)`, actual);
      return;
    }
    state.captures[name] = actual as Json;
  },
  $match(spec, actual, path, state) {
    walk(spec.$match!, actual, path, state);
  },
  $exact(spec, actual, path, state) {
    walk(spec.$exact!, actual, path, { ...state, exact: true });
  },
  $regex(spec, actual, path, state) {
    if (typeof actual !== "string" || !new RegExp(String(spec.$regex), "s").test(actual))
      fail(state, path, `text matching /${spec.$regex}/`, actual);
  },
  $oneOf(spec, actual, path, state) {
    const options = spec.$oneOf;
    if (!Array.isArray(options)) throw new CaseError("$oneOf takes an array");
    if (!options.some((option) => fits(option, actual))) fail(state, path, `one of ${show(options)}`, actual);
  },
  $not(spec, actual, path, state) {
    if (fits(spec.$not!, actual)) fail(state, path, `anything but ${show(spec.$not)}`, actual);
  },
  $range(spec, actual, path, state) {
    const [min, max] = spec.$range as [number, number];
    if (typeof actual !== "number" || actual < min || actual > max) fail(state, path, `a number from ${min} to ${max}`, actual);
  },
  $length(spec, actual, path, state) {
    const length = Array.isArray(actual) || typeof actual === "string" ? actual.length : null;
    if (length !== spec.$length) fail(state, `${path}.length`, String(spec.$length), length ?? actual);
  },
  $each(spec, actual, path, state) {
    if (!Array.isArray(actual)) {
      fail(state, path, "an array", actual);
      return;
    }
    actual.forEach((item, i) => {
      walk(spec.$each!, item, `${path}[${i}]`, state);
    });
  },
  $some(spec, actual, path, state) {
    if (!Array.isArray(actual) || !actual.some((item) => fits(spec.$some!, item)))
      fail(state, path, `an array with an item like ${show(spec.$some)}`, actual);
  },
  $includes(spec, actual, path, state) {
    const wanted = spec.$includes;
    if (!Array.isArray(wanted)) throw new CaseError("$includes takes an array");
    if (!Array.isArray(actual)) {
      fail(state, path, "an array", actual);
      return;
    }
    for (const item of wanted) if (!actual.some((a) => sameJson(a, item))) fail(state, path, `an array including ${show(item)}`, actual);
  },
  $json(spec, actual, path, state) {
    if (typeof actual !== "string") {
      fail(state, path, "a JSON text", actual);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(actual);
    } catch {
      fail(state, path, "a JSON text", actual);
      return;
    }
    walk(spec.$json!, parsed, `${path}(json)`, state);
  },
};

/** Whether a value matches, on its own (captures inside are not kept). */
function fits(expected: Json, actual: unknown): boolean {
  return matchValue(expected, actual).mismatches.length === 0;
}

function matchObject(expected: Record<string, Json>, actual: unknown, path: Path, state: State): void {
  if (!isPlainObject(actual)) {
    fail(state, path, "an object", actual);
    return;
  }
  for (const [key, value] of Object.entries(expected)) {
    const where = path === "" ? key : `${path}.${key}`;
    if (value === "$absent") {
      if (key in actual) fail(state, where, "no such member", actual[key]);
      continue;
    }
    walk(value, actual[key], where, state);
  }
  if (state.exact) {
    for (const key of Object.keys(actual)) {
      if (!(key in expected)) fail(state, path === "" ? key : `${path}.${key}`, "no such member ($exact)", actual[key]);
    }
  }
}

function walk(expected: Json, actual: unknown, path: Path, state: State): void {
  if (typeof expected === "string" && expected.startsWith("$") && expected in KINDS) {
    if (actual === undefined || !KINDS[expected]!(actual)) fail(state, path, expected.slice(1), actual);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      fail(state, path, `an array of ${expected.length}`, actual);
      return;
    }
    if (actual.length !== expected.length) {
      fail(state, `${path}.length`, String(expected.length), actual.length);
      return;
    }
    expected.forEach((item, i) => {
      walk(item, actual[i], `${path}[${i}]`, state);
    });
    return;
  }
  if (isPlainObject(expected)) {
    const keys = Object.keys(expected);
    if (keys.length === 0 || !keys.every((key) => key.startsWith("$"))) {
      matchObject(expected, actual, path, state);
      return;
    }
    for (const key of keys) {
      const matcher = MATCHERS[key];
      if (matcher === undefined) throw new CaseError(`unknown matcher ${key} at ${path || "the value"}`);
      matcher(expected, actual, path, state);
    }
    return;
  }
  if (actual !== expected) fail(state, path, show(expected), actual);
}

/**
 * Matches `actual` against `expected`; `path` names the value in mismatch messages.
 *
 * @example
 * matchValue({ status: 201 }, { status: 200 }).mismatches; // ["status: expected 201, got 200"]
 */
export function matchValue(expected: Json, actual: unknown, path = ""): MatchOutcome {
  const state: State = { mismatches: [], captures: {}, exact: false };
  walk(expected, actual, path, state);
  return { mismatches: state.mismatches, captures: state.captures };
}

/**
 * Deep equality of two JSON values (member order ignored), for `unchanged` snapshots.
 *
 * @example
 * sameJson({ a: [1, 2] }, { a: [1, 2] }); // true
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && sameJson(a[key], b[key]));
  }
  return false;
}
