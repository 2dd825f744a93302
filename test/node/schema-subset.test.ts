/**
 * The compatibility proof (client/protocol/schema-subset.ts) is sound, checked as a property
 * (fast-check, seeded): for random pairs of schemas from a grammar of the keywords it reasons
 * about (types, enums and consts, numeric and length bounds, multipleOf, objects open and closed
 * with required members, arrays, anyOf, local $refs), whenever it answers "every value A accepts,
 * B accepts", every random value A accepts (and every value built to fit A) validates under B, with
 * the same validator the worker uses. Also: every schema is within itself, and SCHEMA-3's levels
 * on hand-picked evolutions.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/schema-subset.test.ts
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compatibilityReasons,
  compileSchema,
  parseSchemaDocument,
  type SchemaNode,
  schemaViolation,
  subschemaReasons,
} from "../../client/protocol/index.ts";

const SEED = 20261202;
const scalar = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(0.5, 1.5, "a", "bb", "", true, false, null));
const typeName = fc.constantFrom("null", "boolean", "integer", "number", "string", "array", "object");

/** A schema of the keywords the proof reasons about, `depth` levels deep at most. */
function schema(depth: number): fc.Arbitrary<Record<string, unknown> | boolean> {
  const leaf = fc.record(
    {
      type: fc.oneof(typeName, fc.uniqueArray(typeName, { minLength: 1, maxLength: 3 })),
      enum: fc.uniqueArray(scalar, { minLength: 1, maxLength: 3, comparator: (a, b) => JSON.stringify(a) === JSON.stringify(b) }),
      minimum: fc.integer({ min: -2, max: 2 }),
      exclusiveMaximum: fc.integer({ min: -2, max: 3 }),
      multipleOf: fc.constantFrom(1, 2, 0.5),
      minLength: fc.integer({ min: 0, max: 2 }),
      maxLength: fc.integer({ min: 0, max: 2 }),
    },
    { requiredKeys: [] },
  );
  if (depth === 0) return fc.oneof({ weight: 1, arbitrary: fc.boolean() }, { weight: 6, arbitrary: leaf });
  const child = schema(depth - 1);
  const object = fc.record(
    {
      type: fc.constant("object"),
      properties: fc.dictionary(fc.constantFrom("a", "b", "c"), child, { maxKeys: 3 }),
      required: fc.uniqueArray(fc.constantFrom("a", "b", "c"), { maxLength: 2 }),
      additionalProperties: fc.oneof(fc.boolean(), child),
      maxProperties: fc.integer({ min: 0, max: 3 }),
    },
    { requiredKeys: ["type"] },
  );
  const array = fc.record(
    { type: fc.constant("array"), items: child, minItems: fc.integer({ min: 0, max: 2 }), uniqueItems: fc.boolean() },
    { requiredKeys: ["type"] },
  );
  const anyOf = fc.record({ anyOf: fc.array(child, { minLength: 1, maxLength: 3 }) });
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 2, arbitrary: object },
    { weight: 1, arbitrary: array },
    { weight: 1, arbitrary: anyOf },
  );
}

const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { weight: 4, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(tie("v"), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom("a", "b", "c", "d"), tie("v"), { maxKeys: 3 }) },
  ),
})).v;

const compiled = (node: unknown) => compileSchema(parseSchemaDocument(JSON.stringify(node)));
const valid = (node: unknown, v: unknown) => schemaViolation(compiled(node), v) === null;

describe("the compatibility proof", () => {
  it("is sound: when it proves A within B, every value A accepts B accepts", () => {
    fc.assert(
      fc.property(schema(2), schema(2), fc.array(value, { minLength: 30, maxLength: 30 }), (a, b, values) => {
        if (subschemaReasons(a as SchemaNode, b as SchemaNode).length > 0) return true;
        const narrow = compiled(a);
        const wide = compiled(b);
        for (const v of values) {
          if (schemaViolation(narrow, v) === null) expect(schemaViolation(wide, v), `${JSON.stringify(v)} in A, not B`).toBeNull();
        }
        return true;
      }),
      { seed: SEED, numRuns: 3_000 },
    );
  });

  it("is sound on pairs where B is A changed a little (so that proofs succeed often)", () => {
    const pair = schema(2).chain((a) =>
      fc.tuple(
        fc.constant(a),
        fc.oneof(
          fc.constant(a),
          schema(0).map((extra) => (typeof a === "object" && typeof extra === "object" ? { ...a, ...extra } : a)),
          fc.constant(typeof a === "object" ? { anyOf: [a, { type: "string" }] } : a),
        ),
      ),
    );
    let proved = 0;
    fc.assert(
      fc.property(pair, fc.array(value, { minLength: 30, maxLength: 30 }), ([a, b], values) => {
        if (subschemaReasons(a as SchemaNode, b as SchemaNode).length > 0) return true;
        proved++;
        for (const v of values) if (valid(a, v)) expect(valid(b, v), `${JSON.stringify(v)} in A, not B`).toBe(true);
        return true;
      }),
      { seed: SEED, numRuns: 2_000 },
    );
    expect(proved).toBeGreaterThan(500);
  });

  it("is sound on bounds: numbers, lengths and counts of one family, so both answers come often", () => {
    const bound = fc.option(fc.integer({ min: -2, max: 3 }), { nil: undefined });
    const family = fc
      .record({
        type: fc.constantFrom("integer", "number", "string", "array", undefined),
        minimum: bound,
        maximum: bound,
        exclusiveMinimum: bound,
        exclusiveMaximum: bound,
        minLength: fc.option(fc.nat(3), { nil: undefined }),
        maxLength: fc.option(fc.nat(3), { nil: undefined }),
        minItems: fc.option(fc.nat(3), { nil: undefined }),
        maxItems: fc.option(fc.nat(3), { nil: undefined }),
        multipleOf: fc.option(fc.constantFrom(1, 2, 3, 0.5), { nil: undefined }),
      })
      .map((node) => Object.fromEntries(Object.entries(node).filter(([, v]) => v !== undefined)));
    const probe = fc.oneof(
      fc.integer({ min: -4, max: 4 }),
      fc.constantFrom(-1.5, -0.5, 0.5, 1.5, 2.5),
      fc.string({ maxLength: 4 }),
      fc.array(fc.constant(0), { maxLength: 4 }),
    );
    let proved = 0;
    let refused = 0;
    fc.assert(
      fc.property(family, family, fc.array(probe, { minLength: 40, maxLength: 40 }), (a, b, values) => {
        if (subschemaReasons(a as SchemaNode, b as SchemaNode).length > 0) {
          refused++;
          return true;
        }
        proved++;
        for (const v of values)
          if (valid(a, v)) expect(valid(b, v), `${JSON.stringify(v)} in ${JSON.stringify(a)}, not ${JSON.stringify(b)}`).toBe(true);
        return true;
      }),
      { seed: SEED, numRuns: 3_000 },
    );
    expect([proved > 300, refused > 300]).toEqual([true, true]);
  });

  it("proves every schema within itself", () => {
    fc.assert(
      fc.property(schema(3), (a) => subschemaReasons(a as SchemaNode, a as SchemaNode).length === 0),
      { seed: SEED, numRuns: 1_000 },
    );
  });

  it("applies the levels in their direction, against the latest or every version", () => {
    const v1 = { type: "integer", minimum: 0 };
    const v2 = { type: "integer", minimum: 0, maximum: 10 };
    const wider = { type: "number" };
    const versions = [
      { version: 1, root: v1 },
      { version: 2, root: v2 },
    ] as const;
    expect(compatibilityReasons("BACKWARD", wider, versions)).toEqual([]);
    expect(compatibilityReasons("FORWARD", wider, versions)).not.toEqual([]);
    expect(compatibilityReasons("FORWARD", { type: "integer", minimum: 1, maximum: 5 }, versions)).toEqual([]);
    expect(compatibilityReasons("BACKWARD", { type: "integer", minimum: 0, maximum: 20 }, versions)).toEqual([]);
    expect(compatibilityReasons("BACKWARD_TRANSITIVE", { type: "integer", minimum: 0, maximum: 20 }, versions)[0]).toContain(
      "version 1 (backward)",
    );
    expect(compatibilityReasons("FULL", v2, versions)).toEqual([]);
    expect(compatibilityReasons("NONE", false, versions)).toEqual([]);
  });
});
