/**
 * A JSON Schema (draft 2020-12) document as edgelog takes it: parsed from its text, checked
 * (size, depth, keyword values, patterns, local references only, no `$ref` cycle on one instance
 * location), and kept in canonical form (`JSON.stringify` of the parse with every object's keys
 * sorted, so the same document always has the same text and id, whatever its layout). Pure and DOM-free, so the worker and the browser client both
 * use it.
 * Rules: PROTOCOL.md SCHEMA-1, SCHEMA-2.
 *
 * @example
 * const doc = parseSchemaDocument('{"type":"object","required":["id"]}');
 * doc.canonical; // '{"required":["id"],"type":"object"}'
 */

import { utf8Length } from "./checks.ts";
import { EdgelogError } from "./errors.ts";
import { jsonDepthExceeds } from "./json-depth.ts";
import { KEYWORD_VALUE_CHECKS, REFUSED_KEYWORDS, SAME_INSTANCE, SUBSCHEMA_ARRAY, SUBSCHEMA_MAP, SUBSCHEMA_ONE } from "./schema-keywords.ts";
import { SCHEMA_DEPTH_MAX, SCHEMA_DOCUMENT_BYTES_MAX, SCHEMA_PATTERN_LENGTH_MAX } from "./schema-limits.ts";
import type { JsonValue } from "./wire.ts";

/**
 * A schema node: a boolean schema or an object of keywords.
 *
 * @example
 * const node: SchemaNode = { type: "string", maxLength: 10 };
 */
export type SchemaNode = boolean | { [keyword: string]: JsonValue };

/**
 * A checked document: its root and its canonical text.
 *
 * @example
 * const { root, canonical }: SchemaDocument = parseSchemaDocument('{"type":"integer"}');
 */
export interface SchemaDocument {
  root: SchemaNode;
  canonical: string;
}

/**
 * The dialect edgelog validates: draft 2020-12 (`$schema` may name it, or be left out).
 *
 * @example
 * parseSchemaDocument(JSON.stringify({ $schema: SCHEMA_DIALECT, type: "string" })); // accepted
 */
export const SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema";

function invalid(message: string): EdgelogError {
  return new EdgelogError("INVALID_SCHEMA", message);
}

/**
 * Parses and checks a schema document's text; INVALID_SCHEMA says what is wrong and where.
 *
 * @example
 * parseSchemaDocument('{"type":"object","properties":{"qty":{"type":"integer","minimum":1}}}');
 * parseSchemaDocument('{"$ref":"#"}'); // throws INVALID_SCHEMA: a $ref cycle on one instance location
 */
export function parseSchemaDocument(text: string): SchemaDocument {
  if (utf8Length(text) > SCHEMA_DOCUMENT_BYTES_MAX) throw invalid(`a schema is at most ${SCHEMA_DOCUMENT_BYTES_MAX} bytes`);
  // Before parsing: the canonical form is written recursively.
  if (jsonDepthExceeds(text, SCHEMA_DEPTH_MAX)) throw invalid(`a schema nests at most ${SCHEMA_DEPTH_MAX} levels`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalid(`the schema is not JSON: ${(error as Error).message}`);
  }
  const canonical = canonicalJson(parsed as JsonValue);
  if (!isNode(parsed)) throw invalid("a schema is an object or a boolean");
  const root = parsed;
  if (typeof root === "object") {
    const dialect = root.$schema;
    if (dialect !== undefined && dialect !== SCHEMA_DIALECT && dialect !== `${SCHEMA_DIALECT}#`) {
      throw invalid(`$schema must be ${SCHEMA_DIALECT} (draft 2020-12) or left out`);
    }
  }
  const graph = new Map<string, string[]>();
  checkNode(root, "#", root, graph);
  refuseSameInstanceCycle(graph);
  return { root, canonical };
}

/**
 * A JSON value's text with every object's keys sorted (arrays keep their order).
 *
 * @example
 * canonicalJson({ b: 1, a: [2, { d: 0, c: 1 }] }); // '{"a":[2,{"c":1,"d":0}],"b":1}'
 */
export function canonicalJson(value: JsonValue): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`).join(",")}}`;
}

function isNode(value: unknown): value is SchemaNode {
  return typeof value === "boolean" || (typeof value === "object" && value !== null && !Array.isArray(value));
}

/** A JSON pointer's segment escaped (RFC 6901). */
function escapeSegment(segment: string): string {
  return segment.replaceAll("~", "~0").replaceAll("/", "~1");
}

/**
 * The node a local `$ref` (`#` or `#/a/b`, RFC 6901, segments URI-encoded or not) names, with its
 * canonical pointer; undefined when it names nothing.
 *
 * @example
 * resolveLocalRef({ $defs: { id: { type: "string" } } }, "#/$defs/id"); // { node: { type: "string" }, pointer: "#/$defs/id" }
 */
export function resolveLocalRef(root: SchemaNode, ref: string): { node: SchemaNode; pointer: string } | undefined {
  if (ref === "#") return { node: root, pointer: "#" };
  if (!ref.startsWith("#/")) return undefined;
  let at: JsonValue = root;
  let pointer = "#";
  for (const raw of ref.slice(2).split("/")) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    } catch {
      return undefined;
    }
    if (typeof at !== "object" || at === null) return undefined;
    const next: JsonValue | undefined = Array.isArray(at) ? at[Number(segment)] : at[segment];
    if (next === undefined) return undefined;
    at = next;
    pointer += `/${escapeSegment(segment)}`;
  }
  return isNode(at) ? { node: at, pointer } : undefined;
}

function checkPattern(pattern: string, where: string): void {
  if (pattern.length > SCHEMA_PATTERN_LENGTH_MAX) throw invalid(`${where}: a pattern is at most ${SCHEMA_PATTERN_LENGTH_MAX} characters`);
  try {
    new RegExp(pattern, "u");
  } catch {
    throw invalid(`${where}: not a regular expression (ECMA-262, unicode)`);
  }
}

/** Checks one node and its sub-schemas; records each node's same-instance successors in `graph`. */
function checkNode(node: SchemaNode, pointer: string, root: SchemaNode, graph: Map<string, string[]>): void {
  const successors: string[] = [];
  graph.set(pointer, successors);
  if (typeof node === "boolean") return;
  for (const [keyword, value] of Object.entries(node)) {
    const where = `${pointer}/${escapeSegment(keyword)}`;
    if (REFUSED_KEYWORDS.has(keyword)) throw invalid(`${where}: edgelog does not take ${keyword} (SCHEMA-2)`);
    if ((keyword === "$id" || keyword === "$schema") && pointer !== "#") throw invalid(`${where}: ${keyword} only at the root (SCHEMA-2)`);
    const rule = KEYWORD_VALUE_CHECKS[keyword];
    if (rule !== undefined && !rule.check(value)) throw invalid(`${where} must be ${rule.what}`);
    if (keyword === "pattern") checkPattern(value as string, where);
    if (keyword === "$ref") successors.push(refTarget(value as string, root, where));
    const same = SAME_INSTANCE.has(keyword);
    for (const [child, childPointer] of subschemas(keyword, value, where)) {
      checkNode(child, childPointer, root, graph);
      if (same) successors.push(childPointer);
    }
  }
}

function refTarget(ref: string, root: SchemaNode, where: string): string {
  const target = resolveLocalRef(root, ref);
  if (target === undefined) throw invalid(`${where}: "${ref.slice(0, 80)}" names no sub-schema of this document (only local refs, #/...)`);
  return target.pointer;
}

/** The sub-schemas a keyword's value holds, with their pointers; INVALID_SCHEMA when malformed. */
function subschemas(keyword: string, value: JsonValue, where: string): [SchemaNode, string][] {
  if (SUBSCHEMA_ONE.has(keyword)) {
    if (keyword === "items" && Array.isArray(value)) throw invalid(`${where}: an array of schemas is prefixItems in draft 2020-12`);
    if (!isNode(value)) throw invalid(`${where} must be a schema (an object or a boolean)`);
    return [[value, where]];
  }
  if (SUBSCHEMA_ARRAY.has(keyword)) {
    if (!Array.isArray(value) || value.length === 0) throw invalid(`${where} must be a non-empty array of schemas`);
    return value.map((child, i) => {
      if (!isNode(child)) throw invalid(`${where}/${i} must be a schema (an object or a boolean)`);
      return [child, `${where}/${i}`];
    });
  }
  if (SUBSCHEMA_MAP.has(keyword)) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid(`${where} must be an object of schemas`);
    return Object.entries(value).map(([name, child]) => {
      if (keyword === "patternProperties") checkPattern(name, where);
      if (!isNode(child)) throw invalid(`${where}/${escapeSegment(name)} must be a schema (an object or a boolean)`);
      return [child, `${where}/${escapeSegment(name)}`];
    });
  }
  return [];
}

/** Refuses a cycle of same-instance applicators and refs: validation would recurse forever. */
function refuseSameInstanceCycle(graph: ReadonlyMap<string, readonly string[]>): void {
  const state = new Map<string, "open" | "done">();
  for (const start of graph.keys()) {
    if (state.has(start)) continue;
    // Iterative depth-first search: a stack of (node, next successor index).
    const stack: [string, number][] = [[start, 0]];
    state.set(start, "open");
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const next = graph.get(top[0])?.[top[1]++];
      if (next !== undefined && !graph.has(next)) throw invalid(`${next}: a $ref must name a sub-schema of this document`);
      if (next === undefined) {
        state.set(top[0], "done");
        stack.pop();
      } else if (state.get(next) === "open") {
        throw invalid(`${next}: a $ref cycle that stays on one instance location (validation would never end)`);
      } else if (!state.has(next)) {
        state.set(next, "open");
        stack.push([next, 0]);
      }
    }
  }
}
