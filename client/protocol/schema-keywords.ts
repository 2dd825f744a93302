/**
 * The keywords of JSON Schema draft 2020-12 as edgelog reads a schema document: which of them hold
 * sub-schemas (one, an array, or a map of them), which apply to the same instance location (so a
 * `$ref` cycle through them alone would never end), and what type each keyword's value must have
 * (the checks a meta-schema makes, written out so a malformed schema is refused at registration,
 * never when a record is produced).
 * Rules: PROTOCOL.md SCHEMA-2.
 *
 * @example
 * SUBSCHEMA_ONE.has("not"); // true
 * SAME_INSTANCE.has("allOf"); // true: a cycle through allOf and $ref alone is refused
 */

/**
 * Keywords whose value is one sub-schema.
 *
 * @example
 * SUBSCHEMA_ONE.has("additionalProperties"); // true
 */
export const SUBSCHEMA_ONE: ReadonlySet<string> = new Set([
  "not",
  "if",
  "then",
  "else",
  "items",
  "contains",
  "additionalProperties",
  "propertyNames",
  "unevaluatedProperties",
  "unevaluatedItems",
  "contentSchema",
]);

/**
 * Keywords whose value is a non-empty array of sub-schemas.
 *
 * @example
 * SUBSCHEMA_ARRAY.has("anyOf"); // true
 */
export const SUBSCHEMA_ARRAY: ReadonlySet<string> = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);

/**
 * Keywords whose value maps names to sub-schemas.
 *
 * @example
 * SUBSCHEMA_MAP.has("$defs"); // true
 */
export const SUBSCHEMA_MAP: ReadonlySet<string> = new Set(["properties", "patternProperties", "$defs", "dependentSchemas"]);

/**
 * Applicators that validate the same instance location as their schema (and `$ref`).
 *
 * @example
 * SAME_INSTANCE.has("properties"); // false: it moves to a member of the instance
 */
export const SAME_INSTANCE: ReadonlySet<string> = new Set(["allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas"]);

/**
 * Keywords edgelog refuses anywhere (they change how references resolve, or belong to older drafts).
 *
 * @example
 * REFUSED_KEYWORDS.has("$dynamicRef"); // true
 */
export const REFUSED_KEYWORDS: ReadonlySet<string> = new Set([
  "$anchor",
  "$dynamicRef",
  "$dynamicAnchor",
  "$recursiveRef",
  "$recursiveAnchor",
  "$vocabulary",
  "definitions",
  "dependencies",
  "additionalItems",
]);

/**
 * The instance types JSON Schema names.
 *
 * @example
 * INSTANCE_TYPES.includes("integer"); // true
 */
export const INSTANCE_TYPES = ["null", "boolean", "object", "array", "number", "integer", "string"] as const;

/**
 * One instance type.
 *
 * @example
 * const t: InstanceType = "string";
 */
export type InstanceType = (typeof INSTANCE_TYPES)[number];

/**
 * How one keyword's value is checked.
 *
 * @example
 * const rule: KeywordValueCheck = { check: (v) => typeof v === "boolean", what: "a boolean" };
 */
export interface KeywordValueCheck {
  /** Whether the value is of the keyword's type. */
  check: (value: unknown) => boolean;
  /** What the value must be, for the refusal's message. */
  what: string;
}

const isCount = (v: unknown): boolean => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isFiniteNumber = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v);
const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every((s) => typeof s === "string") && new Set(v).size === v.length;
const isTypeName = (v: unknown): boolean => typeof v === "string" && (INSTANCE_TYPES as readonly string[]).includes(v);

/**
 * What each validation keyword's value must be, and how to say it; a keyword not listed (and not
 * a sub-schema keyword) is an annotation, kept and ignored.
 *
 * @example
 * KEYWORD_VALUE_CHECKS.minLength?.check(-1); // false
 */
export const KEYWORD_VALUE_CHECKS: Readonly<Record<string, KeywordValueCheck>> = {
  type: {
    check: (v) => isTypeName(v) || (isStrings(v) && (v as unknown[]).length > 0 && (v as unknown[]).every(isTypeName)),
    what: "a type name or a non-empty array of distinct type names",
  },
  enum: { check: (v) => Array.isArray(v) && v.length > 0, what: "a non-empty array" },
  required: { check: isStrings, what: "an array of distinct strings" },
  minimum: { check: isFiniteNumber, what: "a number" },
  maximum: { check: isFiniteNumber, what: "a number" },
  exclusiveMinimum: { check: isFiniteNumber, what: "a number (draft 2020-12)" },
  exclusiveMaximum: { check: isFiniteNumber, what: "a number (draft 2020-12)" },
  multipleOf: { check: (v) => isFiniteNumber(v) && (v as number) > 0, what: "a number above 0" },
  minLength: { check: isCount, what: "a whole number from 0" },
  maxLength: { check: isCount, what: "a whole number from 0" },
  minItems: { check: isCount, what: "a whole number from 0" },
  maxItems: { check: isCount, what: "a whole number from 0" },
  minProperties: { check: isCount, what: "a whole number from 0" },
  maxProperties: { check: isCount, what: "a whole number from 0" },
  minContains: { check: isCount, what: "a whole number from 0" },
  maxContains: { check: isCount, what: "a whole number from 0" },
  uniqueItems: { check: (v) => typeof v === "boolean", what: "a boolean" },
  pattern: { check: (v) => typeof v === "string", what: "a string" },
  format: { check: (v) => typeof v === "string", what: "a string" },
  $ref: { check: (v) => typeof v === "string", what: "a string" },
  dependentRequired: {
    check: (v) => typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every(isStrings),
    what: "an object of arrays of distinct strings",
  },
};
