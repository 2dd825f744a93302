/**
 * Validating a value with a checked schema document (schema-document.ts), by
 * `@cfworker/json-schema` (drafts 4 to 2020-12, no `eval` nor `new Function`, so it runs in
 * Workers and under a strict Content-Security-Policy). A refusal names the instance location that
 * failed (a JSON pointer into the value, `#/items/0/qty`) and why.
 * Both sides refuse a record with the same `checkRecordSchemas`, so the worker's answer and the
 * client's local refusal say the same thing.
 * Rules: PROTOCOL.md SCHEMA-6, SCHEMA-8.
 *
 * @example
 * const compiled = compileSchema(parseSchemaDocument('{"type":"integer"}'));
 * schemaViolation(compiled, "7"); // { location: "#", message: 'Instance type "string" is invalid. Expected "integer".' }
 */
import { Validator } from "@cfworker/json-schema";
import { EdgelogError } from "./errors.ts";
import { parseSchemaDocument, type SchemaDocument } from "./schema-document.ts";
import type { SchemaVersionAnswer, TopicSchemas } from "./schema-subjects.ts";

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

/**
 * A version ready to enforce: what the registry answered and its compiled validator.
 *
 * @example
 * const value = enforcedSchema(schemas.value); // null when the topic has no -value subject
 */
export interface EnforcedSchema {
  answer: SchemaVersionAnswer;
  compiled: CompiledSchema;
}

/**
 * Compiles a version (null stays null).
 *
 * @example
 * const enforced = enforcedSchema({ subject: "orders-value", version: 1, id: 1, schemaType: "JSON", schema: '{"type":"object"}' });
 */
export function enforcedSchema(answer: SchemaVersionAnswer | null): EnforcedSchema | null {
  return answer === null ? null : { answer, compiled: compileSchema(parseSchemaDocument(answer.schema)) };
}

/**
 * A topic's enforced schemas, compiled.
 *
 * @example
 * const enforced: EnforcedSchemas = enforcedSchemas(topicSchemas);
 */
export interface EnforcedSchemas {
  value: EnforcedSchema | null;
  key: EnforcedSchema | null;
}

/**
 * Compiles a topic's schemas.
 *
 * @example
 * checkRecordSchemas(enforcedSchemas(schemas), { key: null, value: 1 }, "records[0]");
 */
export function enforcedSchemas(schemas: TopicSchemas): EnforcedSchemas {
  return { value: enforcedSchema(schemas.value), key: enforcedSchema(schemas.key) };
}

/**
 * SCHEMA_VIOLATION unless the record's value validates with the `-value` schema and its key
 * (when not null) with the `-key` one; the message names `where` (`records[3]`), the subject and
 * version, and the instance location (SCHEMA-6).
 *
 * @example
 * checkRecordSchemas(enforced, { key: "alice", value: { qty: "2" } }, "records[0]");
 * // throws SCHEMA_VIOLATION: records[0].value does not match orders-value version 1 at #/qty: ...
 */
export function checkRecordSchemas(schemas: EnforcedSchemas, record: { key: string | null; value: unknown }, where: string): void {
  if (schemas.value !== null) refuse(schemas.value, record.value, `${where}.value`);
  if (schemas.key !== null && record.key !== null) refuse(schemas.key, record.key, `${where}.key`);
}

function refuse({ answer, compiled }: EnforcedSchema, value: unknown, where: string): void {
  const violation = schemaViolation(compiled, value);
  if (violation === null) return;
  throw new EdgelogError(
    "SCHEMA_VIOLATION",
    `${where} does not match ${answer.subject} version ${answer.version} at ${violation.location}: ${violation.message}`,
  );
}

/**
 * A record's key and value from its encoded tail (`"key":K,"value":V,"headers":H}`).
 *
 * @example
 * recordOfTail('"key":null,"value":1,"headers":{}}'); // { key: null, value: 1 }
 */
export function recordOfTail(tail: string): { key: string | null; value: unknown } {
  return JSON.parse(`{${tail}`) as { key: string | null; value: unknown };
}
