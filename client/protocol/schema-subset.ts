/**
 * Whether every value one JSON Schema accepts is accepted by another (narrow ⊆ wide), proved
 * keyword by keyword: sound (a "yes" is always right) and incomplete (what it cannot prove is a
 * "no", with the reasons). Compatibility (schema-compatibility.ts) is built on it: BACKWARD asks
 * old ⊆ new, FORWARD new ⊆ old.
 *
 * What it proves, per keyword of the wide schema (a keyword only the narrow one has only narrows
 * it, so it is always fine): `type` (a subset; integer within number), `enum`/`const` (every
 * value of the narrow one validates under the wide one), numeric bounds and `multipleOf`, length,
 * item and property counts, `pattern` and `format` (unchanged), `required` (a subset),
 * `properties`/`additionalProperties` (each property's schema, an absent one read from
 * `additionalProperties`), `items`, `uniqueItems`, `allOf` (each), `anyOf` (some branch), `$ref`
 * (the targets, assuming the pair in progress holds: sound since SCHEMA-2 refuses cycles that
 * stay on one instance location). Every other applicator (`oneOf`, `not`, `if`/`then`/`else`,
 * `patternProperties`, `prefixItems`, `contains`, `dependent*`, `propertyNames`,
 * `unevaluated*`) must be unchanged. Keywords that only concern types the narrow schema cannot
 * hold are skipped.
 * Rules: PROTOCOL.md SCHEMA-3.
 *
 * @example
 * subschemaReasons({ type: "integer" }, { type: ["number", "null"] }); // []: proved
 * subschemaReasons({ type: "string" }, { type: "string", maxLength: 5 }); // ["#: maxLength 5 is new"]
 */
import { Validator } from "@cfworker/json-schema";
import { resolveLocalRef, type SchemaNode } from "./schema-document.ts";
import { INSTANCE_TYPES } from "./schema-keywords.ts";
import { SCHEMA_COMPAT_REASONS_MAX, SCHEMA_COMPAT_STEPS_MAX } from "./schema-limits.ts";
import type { JsonValue } from "./wire.ts";

type Keywords = { [keyword: string]: JsonValue };
/** Characters of schema and values one step of the budget pays for when values are validated. */
const STEP_CHARACTERS = 64;
type Bound = { value: number; exclusive: boolean };

const NUMERIC = ["number", "integer"];
/** Applicators that must be unchanged, by the group (or "any") they concern. */
const SAME_WHEN: readonly [string, readonly string[]][] = [
  ["any", ["oneOf"]],
  ["any", ["not"]],
  ["any", ["if", "then", "else"]],
  ["array", ["prefixItems"]],
  ["array", ["contains", "minContains", "maxContains"]],
  ["array", ["unevaluatedItems"]],
  ["object", ["patternProperties"]],
  ["object", ["propertyNames"]],
  ["object", ["dependentRequired"]],
  ["object", ["dependentSchemas"]],
  ["object", ["unevaluatedProperties"]],
];

function deepEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ak = Object.keys(a);
  if (ak.length !== Object.keys(b).length) return false;
  return ak.every((k) => deepEqual((a as Keywords)[k], (b as Keywords)[k]));
}

function hasRef(value: JsonValue | undefined): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (!Array.isArray(value) && typeof value.$ref === "string") return true;
  return Object.values(value).some(hasRef);
}

function typeOfValue(value: JsonValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

const keywordsOf = (node: SchemaNode): Keywords => (node === true ? {} : node === false ? { not: {} } : node);
const escapeName = (name: string) => name.replaceAll("~", "~0").replaceAll("/", "~1");

/** One proof: both documents' roots, the work done, the reasons found, the $ref pairs assumed. */
class Proof {
  private steps = 0;
  readonly reasons: string[] = [];
  private readonly assumed = new Set<string>();

  constructor(
    private readonly narrowRoot: SchemaNode,
    private readonly wideRoot: SchemaNode,
  ) {}

  /** Whether narrow ⊆ wide; when `report`, why not goes into `reasons`. */
  subset(narrow: SchemaNode, wide: SchemaNode, path: string, report: boolean): boolean {
    if (++this.steps > SCHEMA_COMPAT_STEPS_MAX) return this.fail(report, path, "too complex to prove within SCHEMA_COMPAT_STEPS_MAX steps");
    if (wide === true || narrow === false) return true;
    if (deepEqual(narrow, wide) && !hasRef(narrow)) return true;
    if (wide === false) return this.fail(report, path, "nothing is accepted here now");
    const n = keywordsOf(narrow);
    if (typeof n.$ref === "string" && typeof wide.$ref !== "string") {
      // The narrow schema's target holds as well: try the keywords first, then the target.
      if (this.keywords(n, wide, path, false)) return true;
      return this.subset(this.target(this.narrowRoot, n.$ref), wide, path, report);
    }
    if (this.keywords(n, wide, path, false)) return true;
    const branches = n.anyOf ?? n.oneOf;
    if (Array.isArray(branches) && branches.every((b, i) => this.subset(b as SchemaNode, wide, `${path}/anyOf/${i}`, false))) return true;
    if (report) this.keywords(n, wide, path, true);
    return false;
  }

  private target(root: SchemaNode, ref: string): SchemaNode {
    return resolveLocalRef(root, ref)?.node ?? false;
  }

  private fail(report: boolean, path: string, reason: string): false {
    if (report && this.reasons.length < SCHEMA_COMPAT_REASONS_MAX) this.reasons.push(`${path}: ${reason}`);
    return false;
  }

  /** Every keyword of `w` implied by `n`; all are checked when reporting, so each reason is listed. */
  private keywords(n: Keywords, w: Keywords, path: string, report: boolean): boolean {
    // A narrow schema listing its values is decided by them alone.
    if (this.values(n) !== null && !hasRef(w)) return this.enumerated(n, w, path, report);
    const checks = [
      () => this.ref(n, w, path, report),
      () => this.enumerated(n, w, path, report),
      () => this.types(n, w, path, report),
      () => this.byGroup(n, w, path, report),
      () => this.applicators(n, w, path, report),
    ];
    let ok = true;
    for (const check of checks) {
      ok = check() && ok;
      if (!ok && !report) return false;
    }
    return ok;
  }

  private ref(n: Keywords, w: Keywords, path: string, report: boolean): boolean {
    if (typeof w.$ref !== "string") return true;
    const wideTarget = this.target(this.wideRoot, w.$ref);
    if (typeof n.$ref !== "string") {
      const { $ref: _ref, ...rest } = n;
      return this.subset(rest, wideTarget, path, report);
    }
    const key = `${n.$ref}\u0000${w.$ref}`;
    if (this.assumed.has(key)) return true;
    // Assumed only while its own proof runs: a pair that failed must not count as proved later.
    this.assumed.add(key);
    const proved = this.subset(this.target(this.narrowRoot, n.$ref), wideTarget, `${path}/$ref`, report);
    this.assumed.delete(key);
    return proved;
  }

  /** The narrow schema's values (`const`, `enum`), or null when it has none. */
  private values(n: Keywords): readonly JsonValue[] | null {
    if (n.const !== undefined) return [n.const];
    return Array.isArray(n.enum) ? n.enum : null;
  }

  private enumerated(n: Keywords, w: Keywords, path: string, report: boolean): boolean {
    const values = this.values(n);
    if (values !== null && !hasRef(w)) {
      // A narrow schema that lists its values: each must validate under the wide one, and that is
      // all. Compiling and running costs steps in proportion to the texts (the budget bounds it).
      const text = JSON.stringify(w);
      this.steps += Math.ceil((text.length + JSON.stringify(values).length) / STEP_CHARACTERS);
      if (this.steps > SCHEMA_COMPAT_STEPS_MAX) return this.fail(report, path, "too complex to prove within SCHEMA_COMPAT_STEPS_MAX steps");
      const validator = new Validator(JSON.parse(text) as Record<string, unknown>, "2020-12", true);
      const refused = values.find((value) => !validator.validate(value).valid);
      return refused === undefined || this.fail(report, path, `${JSON.stringify(refused).slice(0, 80)} is no longer accepted`);
    }
    const wide = w.const !== undefined ? [w.const] : Array.isArray(w.enum) ? w.enum : null;
    if (wide === null) return true;
    if (values === null) return this.fail(report, path, "the values are now restricted (enum or const)");
    const missing = values.find((value) => !wide.some((allowed) => deepEqual(value, allowed)));
    return missing === undefined || this.fail(report, path, `${JSON.stringify(missing).slice(0, 80)} is no longer in the enum`);
  }

  /** The types the narrow schema can hold ("number" standing for every number). */
  private typesOf(n: Keywords): Set<string> {
    const values = this.values(n);
    if (values !== null) return new Set(values.map(typeOfValue));
    if (typeof n.type === "string") return new Set([n.type]);
    if (Array.isArray(n.type)) return new Set(n.type as string[]);
    return new Set(INSTANCE_TYPES);
  }

  private possible(n: Keywords, group: string): boolean {
    const types = this.typesOf(n);
    return group === "any" || (group === "number" ? NUMERIC.some((t) => types.has(t)) : types.has(group));
  }

  private types(n: Keywords, w: Keywords, path: string, report: boolean): boolean {
    if (w.type === undefined) return true;
    const wide = new Set(typeof w.type === "string" ? [w.type] : (w.type as string[]));
    let ok = true;
    for (const t of this.typesOf(n)) {
      if (wide.has(t) || (t === "integer" && wide.has("number"))) continue;
      ok = this.fail(report, path, `type "${t}" is no longer accepted`) && ok;
      if (!report) return false;
    }
    return ok;
  }

  private byGroup(n: Keywords, w: Keywords, path: string, report: boolean): boolean {
    let ok = true;
    const run = (result: boolean) => {
      ok = result && ok;
    };
    if (this.possible(n, "number")) {
      run(this.lower(n, w, path, report));
      run(this.upper(n, w, path, report));
      run(this.multipleOf(n, w, path, report));
    }
    if (this.possible(n, "string")) {
      for (const [min, max] of [["minLength", "maxLength"]] as const) run(this.counts(n, w, path, report, min, max));
      for (const same of ["pattern", "format"])
        if (w[same] !== undefined && !deepEqual(n[same], w[same])) run(this.fail(report, path, `${same} changed`));
    }
    if (!ok && !report) return false;
    if (this.possible(n, "array")) run(this.arrays(n, w, path, report));
    if (!ok && !report) return false;
    if (this.possible(n, "object")) run(this.objects(n, w, path, report));
    return ok;
  }

  private lowerOf(node: Keywords): Bound | null {
    const inclusive = typeof node.minimum === "number" ? node.minimum : null;
    const exclusive = typeof node.exclusiveMinimum === "number" ? node.exclusiveMinimum : null;
    if (exclusive !== null && (inclusive === null || exclusive >= inclusive)) return { value: exclusive, exclusive: true };
    return inclusive === null ? null : { value: inclusive, exclusive: false };
  }

  private upperOf(node: Keywords): Bound | null {
    const inclusive = typeof node.maximum === "number" ? node.maximum : null;
    const exclusive = typeof node.exclusiveMaximum === "number" ? node.exclusiveMaximum : null;
    if (exclusive !== null && (inclusive === null || exclusive <= inclusive)) return { value: exclusive, exclusive: true };
    return inclusive === null ? null : { value: inclusive, exclusive: false };
  }

  private lower(n: Keywords, w: Keywords, path: string, report: boolean): boolean {
    const wide = this.lowerOf(w);
    if (wide === null) return true;
    const narrow = this.lowerOf(n);
    const ok = narrow !== null && (narrow.value > wide.value || (narrow.value === wide.value && (narrow.exclusive || !wide.exclusive)));
    return ok || this.fail(report, path, `the lower bound ${wide.value}${wide.exclusive ? " (exclusive)" : ""} is tighter`);
  }

  private upper(n: Keywords, w: Keywords, path: string, report: boolean): boolean {
    const wide = this.upperOf(w);
    if (wide === null) return true;
    const narrow = this.upperOf(n);
    const ok = narrow !== null && (narrow.value < wide.value || (narrow.value === wide.value && (narrow.exclusive || !wide.exclusive)));
    return ok || this.fail(report, path, `the upper bound ${wide.value}${wide.exclusive ? " (exclusive)" : ""} is tighter`);
  }

  private multipleOf(n: Keywords, w: Keywords, path: string, report: boolean): boolean {
    if (typeof w.multipleOf !== "number") return true;
    const integersOnly = !this.typesOf(n).has("number");
    if (w.multipleOf === 1 && integersOnly) return true;
    const ok = typeof n.multipleOf === "number" && Number.isInteger(n.multipleOf / w.multipleOf);
    return ok || this.fail(report, path, `multipleOf ${w.multipleOf} is new or not a divisor of the old one`);
  }

  private counts(n: Keywords, w: Keywords, path: string, report: boolean, min: string, max: string): boolean {
    let ok = true;
    const wideMin = w[min];
    if (typeof wideMin === "number" && wideMin > (typeof n[min] === "number" ? n[min] : 0))
      ok = this.fail(report, path, `${min} ${wideMin} is tighter`);
    const wideMax = w[max];
    if (typeof wideMax === "number" && !(typeof n[max] === "number" && n[max] <= wideMax))
      ok = this.fail(report, path, `${max} ${wideMax} is tighter`) && ok;
    return ok;
  }

  private arrays(n: Keywords, w: Keywords, path: string, report: boolean): boolean {
    let ok = this.counts(n, w, path, report, "minItems", "maxItems");
    if (w.uniqueItems === true && n.uniqueItems !== true) ok = this.fail(report, path, "uniqueItems is new") && ok;
    if (w.items !== undefined && n.prefixItems === undefined && w.prefixItems === undefined) {
      ok = this.subset((n.items ?? true) as SchemaNode, w.items as SchemaNode, `${path}/items`, report) && ok;
    } else if (w.items !== undefined && !this.same(n.items, w.items)) {
      ok = this.fail(report, path, "items changed beside prefixItems") && ok;
    }
    return ok;
  }

  private objects(n: Keywords, w: Keywords, path: string, report: boolean): boolean {
    let ok = this.counts(n, w, path, report, "minProperties", "maxProperties");
    const required = new Set(Array.isArray(n.required) ? (n.required as string[]) : []);
    for (const name of Array.isArray(w.required) ? (w.required as string[]) : []) {
      if (!required.has(name)) ok = this.fail(report, path, `property "${name}" is now required`) && ok;
    }
    if (n.patternProperties !== undefined || w.patternProperties !== undefined) {
      for (const key of ["properties", "additionalProperties"]) {
        if (w[key] !== undefined && !this.same(n[key], w[key]))
          ok = this.fail(report, path, `${key} changed beside patternProperties`) && ok;
      }
      return ok;
    }
    const nProps = (n.properties ?? {}) as Record<string, SchemaNode>;
    const wProps = (w.properties ?? {}) as Record<string, SchemaNode>;
    const nAdd = (n.additionalProperties ?? true) as SchemaNode;
    for (const [name, schema] of Object.entries(wProps)) {
      const where = `${path}/properties/${escapeName(name)}`;
      const from = Object.hasOwn(nProps, name) ? nProps[name]! : nAdd;
      if (!(ok || report)) return false;
      ok = (from === true ? this.anything(schema, where, report) : this.subset(from, schema, where, report)) && ok;
    }
    if (w.additionalProperties === undefined) return ok;
    const wAdd = w.additionalProperties as SchemaNode;
    for (const [name, schema] of Object.entries(nProps)) {
      if (!Object.hasOwn(wProps, name)) ok = this.subset(schema, wAdd, `${path}/properties/${escapeName(name)}`, report) && ok;
    }
    return this.subset(nAdd, wAdd, `${path}/additionalProperties`, report) && ok;
  }

  /** `true ⊆ wide`: an open content model let anything be here before. */
  private anything(wide: SchemaNode, path: string, report: boolean): boolean {
    if (this.subset(true, wide, path, false)) return true;
    return this.fail(
      report,
      path,
      "a new property under an open content model: old values may be anything (add additionalProperties: false first)",
    );
  }

  /** Unchanged, its $refs (if any) into equal $defs. */
  private same(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
    if (!deepEqual(a, b)) return false;
    if (!hasRef(a)) return true;
    const defs = (root: SchemaNode) => (typeof root === "object" ? root.$defs : undefined);
    return deepEqual(defs(this.narrowRoot), defs(this.wideRoot)) && !JSON.stringify(a).match(/"\$ref":"#(?!\/\$defs\/)/);
  }

  private applicators(n: Keywords, w: Keywords, path: string, report: boolean): boolean {
    let ok = true;
    if (Array.isArray(w.allOf)) {
      w.allOf.forEach((branch, i) => {
        ok = this.subset(n, branch as SchemaNode, `${path}/allOf/${i}`, report) && ok;
      });
    }
    if (Array.isArray(w.anyOf)) {
      const some = w.anyOf.some((branch, i) => this.subset(n, branch as SchemaNode, `${path}/anyOf/${i}`, false));
      if (!some) ok = this.fail(report, path, "no branch of anyOf accepts what was accepted") && ok;
    }
    for (const [group, keys] of SAME_WHEN) {
      if (!keys.some((k) => w[k] !== undefined) || !this.possible(n, group)) continue;
      if (!keys.every((k) => this.same(n[k], w[k])))
        ok = this.fail(report, path, `${keys.join("/")} changed (edgelog proves only an unchanged one)`) && ok;
    }
    return ok;
  }
}

/**
 * Why `narrow` ⊆ `wide` could not be proved (every value narrow accepts, wide accepts), as
 * `pointer: reason` lines (at most SCHEMA_COMPAT_REASONS_MAX); empty when proved.
 *
 * @example
 * subschemaReasons({ type: "object", properties: { a: { type: "string" } }, additionalProperties: false },
 *   { type: "object", properties: { a: { type: "string" }, b: { type: "integer" } }, additionalProperties: false }); // []: adding an optional property to a closed model
 */
export function subschemaReasons(narrow: SchemaNode, wide: SchemaNode): string[] {
  const proof = new Proof(narrow, wide);
  if (proof.subset(narrow, wide, "#", true)) return [];
  return proof.reasons.length > 0 ? proof.reasons : ["#: not proved"];
}
