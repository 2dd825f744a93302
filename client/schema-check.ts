/**
 * Running a typed topic's Standard Schema (v1: zod, valibot, arktype, ...) on one value. A value
 * the schema refuses is a SchemaValidationError (SCHEMA_VALIDATION_FAILED) naming the first
 * failing path and its issue, with at most SCHEMA_ISSUES_MAX issues kept; a schema that throws,
 * rejects, answers something that is not a Standard Schema result, or takes longer than
 * SCHEMA_VALIDATE_MS_MAX is SCHEMA_FAILED. A schema answering synchronously is answered
 * synchronously (no tick per record); one answering a promise is awaited, bounded in time.
 *
 * @example
 * const checked = checkValue(schema, { id: "a" }, "orders");
 * const value = checked instanceof Promise ? await checked : checked; // the schema's output
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { EdgelogClientError } from "./local-errors.ts";
import {
  SCHEMA_ISSUE_MESSAGE_LENGTH_MAX,
  SCHEMA_ISSUE_PATH_SEGMENTS_MAX,
  SCHEMA_ISSUES_MAX,
  SCHEMA_VALIDATE_MS_MAX,
} from "./local-limits.ts";

/**
 * One issue a schema reported, bounded: its message and the path to the failing part of the value.
 *
 * @example
 * const issue: SchemaIssue = { message: "Expected number, received string", path: ["items", 0, "qty"] };
 */
export interface SchemaIssue {
  message: string;
  path: (string | number)[];
}

/**
 * Where a refused value was: the topic, and for an incoming record its partition and offset.
 *
 * @example
 * client.onError((e) => { if (e instanceof SchemaValidationError) console.warn(e.where.topic, e.where.offset); });
 */
export interface SchemaWhere {
  topic: string;
  partition?: number;
  offset?: number;
}

/**
 * A value its topic's schema refused (code SCHEMA_VALIDATION_FAILED).
 *
 * @example
 * try { await orders.produce({ value: { id: 1 } }); } catch (e) {
 *   if (e instanceof SchemaValidationError) form.showErrors(e.issues); // [{ message, path: ["id"] }]
 * }
 */
export class SchemaValidationError extends EdgelogClientError {
  /** The first SCHEMA_ISSUES_MAX issues. */
  readonly issues: readonly SchemaIssue[];
  /** How many issues the schema reported (more than `issues.length` when some were dropped). */
  readonly issuesTotal: number;
  readonly where: SchemaWhere;
  /** A refusal of the value at `where`: `issues` already bounded, `issuesTotal` as the schema reported. */
  constructor(options: { issues: readonly SchemaIssue[]; issuesTotal: number; where: SchemaWhere }) {
    super("SCHEMA_VALIDATION_FAILED", validationMessage(options));
    this.name = "SchemaValidationError";
    this.issues = options.issues;
    this.issuesTotal = options.issuesTotal;
    this.where = options.where;
  }
}

/**
 * Whether `schema` is a Standard Schema v1 (has `~standard` with version 1 and a `validate`).
 *
 * @example
 * if (!isStandardSchema(options.schema)) throw new EdgelogClientError("INVALID_USE", "not a schema");
 */
export function isStandardSchema(schema: unknown): schema is StandardSchemaV1 {
  if ((typeof schema !== "object" && typeof schema !== "function") || schema === null) return false;
  const props = (schema as { "~standard"?: unknown })["~standard"];
  if (typeof props !== "object" || props === null) return false;
  const { version, validate } = props as { version?: unknown; validate?: unknown };
  return version === 1 && typeof validate === "function";
}

/**
 * Validates `value`: answers the schema's output (synchronously when the schema did), or throws
 * (rejects) SCHEMA_VALIDATION_FAILED or SCHEMA_FAILED.
 *
 * @example
 * const output = await checkValue(z.object({ qty: z.number().default(1) }), {}, { topic: "orders" }); // { qty: 1 }
 */
export function checkValue<Out>(schema: StandardSchemaV1<unknown, Out>, value: unknown, where: SchemaWhere): Out | Promise<Out> {
  let result: StandardSchemaV1.Result<Out> | Promise<StandardSchemaV1.Result<Out>>;
  try {
    result = schema["~standard"].validate(value);
  } catch (error) {
    throw schemaFailed(where, "threw", error);
  }
  if (!isThenable(result)) return outcome(result, where);
  return withinTime(Promise.resolve(result), where).then((answer) => outcome(answer, where));
}

/**
 * Whether `value` is a promise (or any thenable: one from another realm, a library's own).
 *
 * @example
 * const output = isThenable(checked) ? await checked : checked;
 */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

/** The output of a schema's answer, or the error it stands for (checked: the answer is not trusted). */
function outcome<Out>(result: unknown, where: SchemaWhere): Out {
  if (typeof result !== "object" || result === null) throw schemaFailed(where, "answered something that is not a result");
  const { issues } = result as { issues?: unknown };
  if (issues === undefined || issues === null || issues === false) {
    if (!("value" in result)) throw schemaFailed(where, "answered neither a value nor issues");
    return (result as { value: Out }).value;
  }
  if (!Array.isArray(issues)) throw schemaFailed(where, "answered issues that are not an array");
  const kept = issues.slice(0, SCHEMA_ISSUES_MAX).map(boundedIssue);
  throw new SchemaValidationError({ issues: kept, issuesTotal: issues.length, where });
}

/** The schema's promise, or SCHEMA_FAILED if it rejects or is still pending after SCHEMA_VALIDATE_MS_MAX. */
function withinTime<T>(answer: Promise<T>, where: SchemaWhere): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(schemaFailed(where, `did not answer within ${SCHEMA_VALIDATE_MS_MAX} ms`)), SCHEMA_VALIDATE_MS_MAX);
  });
  const answered = answer.then(undefined, (error: unknown) => {
    throw schemaFailed(where, "rejected", error);
  });
  return Promise.race([answered, late]).finally(() => clearTimeout(timer));
}

function boundedIssue(issue: unknown): SchemaIssue {
  const { message, path } = (typeof issue === "object" && issue !== null ? issue : {}) as { message?: unknown; path?: unknown };
  const text = typeof message === "string" && message.length > 0 ? message : "invalid";
  const segments = Array.isArray(path) ? path.slice(0, SCHEMA_ISSUE_PATH_SEGMENTS_MAX + 1).map(pathSegment) : [];
  if (segments.length > SCHEMA_ISSUE_PATH_SEGMENTS_MAX) segments.splice(SCHEMA_ISSUE_PATH_SEGMENTS_MAX - 1, 2, "…");
  return { message: cut(text, SCHEMA_ISSUE_MESSAGE_LENGTH_MAX), path: segments };
}

/** A path segment as a plain key: a PropertyKey, or a PathSegment's `key`. */
function pathSegment(segment: unknown): string | number {
  const key = typeof segment === "object" && segment !== null ? (segment as { key?: unknown }).key : segment;
  if (typeof key === "number") return key;
  return cut(typeof key === "string" ? key : String(key), SCHEMA_ISSUE_MESSAGE_LENGTH_MAX);
}

/** `value.items[0].qty`: the path as the message shows it. */
function pathText(path: readonly (string | number)[]): string {
  return path.map((segment) => (typeof segment === "number" ? `[${segment}]` : `.${segment}`)).join("");
}

function validationMessage(options: { issues: readonly SchemaIssue[]; issuesTotal: number; where: SchemaWhere }): string {
  const first = options.issues[0];
  const more = options.issuesTotal - 1;
  const detail = first === undefined ? "value: refused (no issues given)" : `value${pathText(first.path)}: ${first.message}`;
  return `${whereText(options.where)}: the schema refused the record's ${detail}${more > 0 ? ` (and ${more} more issues)` : ""}`;
}

function whereText(where: SchemaWhere): string {
  return where.partition === undefined ? where.topic : `${where.topic}/${where.partition}@${where.offset ?? "?"}`;
}

function schemaFailed(where: SchemaWhere, what: string, cause?: unknown): EdgelogClientError {
  const detail = cause === undefined ? "" : `: ${cut((cause as Error)?.message ?? String(cause), SCHEMA_ISSUE_MESSAGE_LENGTH_MAX)}`;
  return new EdgelogClientError("SCHEMA_FAILED", `${whereText(where)}: the schema ${what}${detail}`, { cause });
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
