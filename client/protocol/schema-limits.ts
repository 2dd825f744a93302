/**
 * The limits of the schema registry: how large a JSON Schema document may be, how deeply it may
 * nest, how many subjects, versions and distinct documents a deployment keeps, how long a subject
 * name and a regular expression may be, and how much work a compatibility check may do. Named with
 * the unit and then the qualifier (TIGER_STYLE), as limits.ts, whose table (LIMIT-1) lists them.
 * Rules: PROTOCOL.md LIMIT-1, SCHEMA-1, SCHEMA-2, SCHEMA-4.
 *
 * @example
 * if (utf8Length(text) > SCHEMA_DOCUMENT_BYTES_MAX) throw new EdgelogError("INVALID_SCHEMA", "too large");
 */

/**
 * One schema document, as registered (its text, UTF-8).
 *
 * @example
 * parseSchemaDocument(JSON.stringify({ description: "x".repeat(70_000) })); // throws INVALID_SCHEMA
 */
export const SCHEMA_DOCUMENT_BYTES_MAX = 65_536;

/**
 * How deeply a schema document nests (objects and arrays). With no `$ref` cycle that stays on one
 * instance location (SCHEMA-2), validation recurses at most this deep per level of the record's
 * value, itself at most VALUE_DEPTH_MAX deep: this is the validation depth bound.
 *
 * @example
 * parseSchemaDocument("[".repeat(65) + "]".repeat(65)); // throws INVALID_SCHEMA
 */
export const SCHEMA_DEPTH_MAX = 64;

/**
 * Subjects one deployment keeps (soft-deleted ones included): two per topic at most are enforced.
 *
 * @example
 * // the 10,001st subject registered: SCHEMA_LIMIT_REACHED
 */
export const SCHEMA_SUBJECTS_MAX = 10_000;

/**
 * Versions one subject keeps (soft-deleted ones included; a permanent delete frees them).
 *
 * @example
 * // the 101st version of "orders-value": SCHEMA_LIMIT_REACHED
 */
export const SCHEMA_VERSIONS_MAX = 100;

/**
 * Distinct schema documents (ids) one deployment keeps: bounds the registry's storage to
 * SCHEMA_DOCUMENTS_MAX * SCHEMA_DOCUMENT_BYTES_MAX (640 MiB).
 *
 * @example
 * // a new document when 10,000 are stored: SCHEMA_LIMIT_REACHED
 */
export const SCHEMA_DOCUMENTS_MAX = 10_000;

/**
 * Longest subject name: a topic name and its `-value` suffix.
 *
 * @example
 * subjectName("s".repeat(256)); // throws INVALID_SUBJECT
 */
export const SCHEMA_SUBJECT_LENGTH_MAX = 255;

/**
 * Longest regular expression (`pattern`, a `patternProperties` key) a schema may hold: patterns
 * run on every produced record, so they are kept short (a long one is likelier to backtrack).
 *
 * @example
 * parseSchemaDocument(JSON.stringify({ pattern: "a".repeat(1_025) })); // throws INVALID_SCHEMA
 */
export const SCHEMA_PATTERN_LENGTH_MAX = 1_024;

/**
 * Sub-schema comparisons one compatibility check may make; past it the check answers "cannot
 * prove" (incompatible), never runs on.
 *
 * @example
 * compatibilityReasons(narrow, wide).length; // > 0 when the budget ran out
 */
export const SCHEMA_COMPAT_STEPS_MAX = 100_000;

/**
 * Reasons one compatibility answer lists (the first ones found).
 *
 * @example
 * answer.messages.length <= SCHEMA_COMPAT_REASONS_MAX; // true
 */
export const SCHEMA_COMPAT_REASONS_MAX = 20;
