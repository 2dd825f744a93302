/**
 * Validating a value with a checked schema document (schema-document.ts), by
 * `@cfworker/json-schema` (drafts 4 to 2020-12, no `eval` nor `new Function`, so it runs in
 * Workers and under a strict Content-Security-Policy). A refusal names the instance location that
 * failed (a JSON pointer into the value, `#/items/0/qty`) and why.
 * Rules: PROTOCOL.md SCHEMA-6.
 *
 * @example
 * const compiled = compileSchema(parseSchemaDocument('{"type":"integer"}'));
 * schemaViolation(compiled, "7"); // { location: "#", message: 'Instance type "string" is invalid. Expected "integer".' }
 */
import { Validator } from "@cfworker/json-schema";
import { EdgelogError } from "./errors.ts";
import type { SchemaDocument } from "./schema-document.ts";

/**
 * A schema ready to validate with.
 *
 * @example
 * const compiled: CompiledSchema = compileSchema(doc);
 */
export interface CompiledSchema {
  readonly document: SchemaDocument;
  readonly validator: Validator;
}

/**
 * What failed: the instance location (a JSON pointer, `#` for the value itself) and the reason.
 *
 * @example
 * const v: SchemaViolation = { location: "#/qty", message: 'Instance type "string" is invalid. Expected "integer".' };
 */
export interface SchemaViolation {
  location: string;
  message: string;
}

/**
 * Compiles a checked document (the validator works on a copy of it: it annotates what it is given).
 *
 * @example
 * const compiled = compileSchema(parseSchemaDocument('{"type":"object"}'));
 */
export function compileSchema(document: SchemaDocument): CompiledSchema {
  const copy = JSON.parse(document.canonical) as boolean | Record<string, unknown>;
  try {
    const validator = new Validator(copy as ConstructorParameters<typeof Validator>[0], "2020-12", true);
    validator.validate(null);
    return { document, validator };
  } catch (error) {
    throw new EdgelogError("INVALID_SCHEMA", `the schema cannot be compiled: ${(error as Error).message}`);
  }
}

/**
 * Null when `value` validates, else the deepest failing instance location and its reason.
 *
 * @example
 * schemaViolation(compiled, { qty: "2" }); // { location: "#/qty", message: ... } under {"properties":{"qty":{"type":"integer"}}}
 */
export function schemaViolation(compiled: CompiledSchema, value: unknown): SchemaViolation | null {
  const result = compiled.validator.validate(value);
  if (result.valid) return null;
  let best = result.errors[0];
  for (const unit of result.errors) if (best === undefined || unit.instanceLocation.length > best.instanceLocation.length) best = unit;
  return best === undefined ? { location: "#", message: "does not validate" } : { location: best.instanceLocation, message: best.error };
}
