/**
 * The schema registry's names and shapes on the wire: subjects (TopicNameStrategy: `<topic>-value`
 * validates a topic's record values, `<topic>-key` its keys), versions, the registration body, the
 * answers, the name a subject's grants are on, and the Confluent `error_code` each EdgelogError code is answered with there.
 * Rules: PROTOCOL.md SCHEMA-1, SCHEMA-5, SCHEMA-7.
 *
 * @example
 * topicSubject("orders", "value"); // "orders-value"
 * subjectTopic("orders-value"); // { topic: "orders", role: "value" }
 */
import { isObject } from "./checks.ts";
import { EdgelogError, ERROR_STATUS, type ErrorCode } from "./errors.ts";
import { NAME_PATTERN, TOPIC_NAME_LENGTH_MAX } from "./limits.ts";
import { parseSchemaDocument, type SchemaDocument } from "./schema-document.ts";
import { SCHEMA_SUBJECT_LENGTH_MAX } from "./schema-limits.ts";
import { compileSchema } from "./schema-validate.ts";

/**
 * What a subject's schema validates in its topic's records.
 *
 * @example
 * const role: SubjectRole = "key";
 */
export type SubjectRole = "value" | "key";

/**
 * A subject name from a path, or INVALID_SUBJECT: the topic alphabet, at most SCHEMA_SUBJECT_LENGTH_MAX.
 *
 * @example
 * subjectName("orders-value"); // "orders-value"
 * subjectName("a b"); // throws INVALID_SUBJECT
 */
export function subjectName(text: string): string {
  if (text.length === 0 || text.length > SCHEMA_SUBJECT_LENGTH_MAX || !NAME_PATTERN.test(text)) {
    throw new EdgelogError("INVALID_SUBJECT", `a subject is 1 to ${SCHEMA_SUBJECT_LENGTH_MAX} of A-Z a-z 0-9 . _ - (e.g. orders-value)`);
  }
  return text;
}

/**
 * The subject of a topic's values or keys.
 *
 * @example
 * topicSubject("orders", "key"); // "orders-key"
 */
export function topicSubject(topic: string, role: SubjectRole): string {
  return `${topic}-${role}`;
}

/**
 * The topic and role a subject is enforced on, or null for a subject no topic's records use.
 *
 * @example
 * subjectTopic("orders-key"); // { topic: "orders", role: "key" }
 * subjectTopic("shared-types"); // null
 */
export function subjectTopic(subject: string): { topic: string; role: SubjectRole } | null {
  for (const role of ["value", "key"] as const) {
    const suffix = `-${role}`;
    const topic = subject.slice(0, -suffix.length);
    if (subject.endsWith(suffix) && topic.length > 0 && topic.length <= TOPIC_NAME_LENGTH_MAX) return { topic, role };
  }
  return null;
}

/**
 * A version in a path: a whole number from 1, or `latest` (Confluent's `-1` too); else INVALID_SCHEMA_VERSION.
 *
 * @example
 * schemaVersionParam("3"); // 3
 * schemaVersionParam("latest"); // "latest"
 */
export function schemaVersionParam(text: string): number | "latest" {
  if (text === "latest" || text === "-1") return "latest";
  const version = /^[1-9][0-9]{0,8}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(version)) throw new EdgelogError("INVALID_SCHEMA_VERSION", "a version is a whole number from 1, or latest");
  return version;
}

/**
 * The body of a registration or a compatibility check: `{schema, schemaType?, references?}`;
 * `schemaType` must be `JSON` (left out, edgelog takes JSON, not Confluent's AVRO default) and
 * `references` empty.
 *
 * @example
 * parseSchemaBody({ schemaType: "JSON", schema: '{"type":"object"}' }).canonical; // '{"type":"object"}'
 */
export function parseSchemaBody(body: unknown): SchemaDocument {
  if (!isObject(body))
    throw new EdgelogError("INVALID_SCHEMA", 'the body is {"schema": "<a JSON Schema as a string>", "schemaType": "JSON"}');
  const { schema, schemaType, references } = body as { schema?: unknown; schemaType?: unknown; references?: unknown };
  if (schemaType !== undefined && schemaType !== "JSON") {
    throw new EdgelogError("INVALID_SCHEMA", `schemaType ${JSON.stringify(schemaType).slice(0, 40)}: edgelog takes JSON schemas only`);
  }
  if (references !== undefined && !(Array.isArray(references) && references.length === 0)) {
    throw new EdgelogError("INVALID_SCHEMA", "edgelog takes no schema references (use $defs inside the schema)");
  }
  if (typeof schema !== "string") throw new EdgelogError("INVALID_SCHEMA", "schema must be the JSON Schema document as a string");
  const document = parseSchemaDocument(schema);
  // Compiled once here, so a document the validator cannot take is refused now, never at produce.
  compileSchema(document);
  return document;
}

/**
 * One version of a subject, as the registry answers it (Confluent's shape).
 *
 * @example
 * const answer: SchemaVersionAnswer = { subject: "orders-value", version: 1, id: 1, schemaType: "JSON", schema: '{"type":"object"}' };
 */
export interface SchemaVersionAnswer {
  subject: string;
  version: number;
  id: number;
  schemaType: "JSON";
  schema: string;
}

/**
 * The schemas a topic's records are validated with: the latest live version of its `-value` and
 * `-key` subjects, and the registry's change number when they were read (a partition keeps the
 * newest it was given, SCHEMA-6).
 *
 * @example
 * const set: TopicSchemas = { seq: 4, value: answer, key: null };
 */
export interface TopicSchemas {
  seq: number;
  value: SchemaVersionAnswer | null;
  key: SchemaVersionAnswer | null;
}

/**
 * The name a subject's grants are on (AUTH-5): its topic's (`orders` for `orders-value`), else
 * the subject's own name.
 *
 * @example
 * subjectGrantName("orders-value"); // "orders"
 * subjectGrantName("shared-types"); // "shared-types"
 */
export function subjectGrantName(subject: string): string {
  return subjectTopic(subject)?.topic ?? subject;
}

/**
 * The path of a subject's version (`latest` for the newest live one).
 *
 * @example
 * subjectVersionPath("orders-value", "latest"); // "/v1/schemas/subjects/orders-value/versions/latest"
 */
export function subjectVersionPath(subject: string, version: number | "latest"): string {
  return `/v1/schemas/subjects/${encodeURIComponent(subject)}/versions/${version}`;
}

/** Confluent's error codes for the registry's own refusals; other codes answer their HTTP status. */
const CONFLUENT_ERROR_CODES: Partial<Record<ErrorCode, number>> = {
  UNKNOWN_SUBJECT: 40401,
  UNKNOWN_SCHEMA_VERSION: 40402,
  UNKNOWN_SCHEMA: 40403,
  SUBJECT_SOFT_DELETED: 40404,
  SUBJECT_NOT_SOFT_DELETED: 40405,
  SCHEMA_VERSION_SOFT_DELETED: 40406,
  SCHEMA_VERSION_NOT_SOFT_DELETED: 40407,
  SUBJECT_CONFIG_NOT_FOUND: 40408,
  INCOMPATIBLE_SCHEMA: 409,
  INVALID_SCHEMA: 42201,
  INVALID_SCHEMA_VERSION: 42202,
  INVALID_COMPATIBILITY: 42203,
  INTERNAL: 50001,
};

/**
 * The `error_code` a refusal has on the registry's routes (Confluent's, else the HTTP status).
 *
 * @example
 * confluentErrorCode("UNKNOWN_SUBJECT"); // 40401
 * confluentErrorCode("FORBIDDEN"); // 403
 */
export function confluentErrorCode(code: ErrorCode): number {
  return CONFLUENT_ERROR_CODES[code] ?? ERROR_STATUS[code];
}
