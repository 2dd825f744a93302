/**
 * Compatibility levels as Confluent Schema Registry names them, and the check a new version of a
 * subject must pass against the versions before it (soft-deleted ones left out):
 *
 * - `BACKWARD` (the default): data written with the latest version validates under the new one
 *   (latest ⊆ new): consumers may move to the new schema first.
 * - `FORWARD`: data written with the new version validates under the latest one (new ⊆ latest):
 *   producers may move first.
 * - `FULL`: both.
 * - `*_TRANSITIVE`: the same against every earlier version, not only the latest.
 * - `NONE`: no check.
 *
 * Each "⊆" is proved by schema-subset.ts, which refuses what it cannot prove.
 * Rules: PROTOCOL.md SCHEMA-3.
 *
 * @example
 * compatibilityReasons("BACKWARD", newRoot, [{ version: 1, root: oldRoot }]); // [] when compatible
 */
import { EdgelogError } from "./errors.ts";
import type { SchemaNode } from "./schema-document.ts";
import { SCHEMA_COMPAT_REASONS_MAX } from "./schema-limits.ts";
import { subschemaReasons } from "./schema-subset.ts";

/**
 * Every level, as Confluent spells them.
 *
 * @example
 * SCHEMA_COMPATIBILITY_LEVELS.includes("FULL_TRANSITIVE"); // true
 */
export const SCHEMA_COMPATIBILITY_LEVELS = [
  "NONE",
  "BACKWARD",
  "BACKWARD_TRANSITIVE",
  "FORWARD",
  "FORWARD_TRANSITIVE",
  "FULL",
  "FULL_TRANSITIVE",
] as const;

/**
 * One level.
 *
 * @example
 * const level: CompatibilityLevel = "BACKWARD";
 */
export type CompatibilityLevel = (typeof SCHEMA_COMPATIBILITY_LEVELS)[number];

/**
 * The level of a registry with none configured (Confluent's default).
 *
 * @example
 * const level = subjectLevel ?? globalLevel ?? SCHEMA_COMPATIBILITY_DEFAULT; // "BACKWARD"
 */
export const SCHEMA_COMPATIBILITY_DEFAULT: CompatibilityLevel = "BACKWARD";

/**
 * A level from the wire, or INVALID_COMPATIBILITY.
 *
 * @example
 * compatibilityLevel("FULL"); // "FULL"
 * compatibilityLevel("full"); // throws INVALID_COMPATIBILITY
 */
export function compatibilityLevel(value: unknown): CompatibilityLevel {
  if (typeof value === "string" && (SCHEMA_COMPATIBILITY_LEVELS as readonly string[]).includes(value)) return value as CompatibilityLevel;
  throw new EdgelogError("INVALID_COMPATIBILITY", `compatibility must be one of ${SCHEMA_COMPATIBILITY_LEVELS.join(", ")}`);
}

/**
 * An earlier version, as the check reads it.
 *
 * @example
 * const previous: PreviousVersion = { version: 1, root: { type: "object" } };
 */
export interface PreviousVersion {
  version: number;
  root: SchemaNode;
}

/**
 * Why `candidate` breaks `level` against `previous` (oldest first), as "version N (backward):
 * pointer: reason" lines (at most SCHEMA_COMPAT_REASONS_MAX); empty when it is compatible.
 *
 * @example
 * compatibilityReasons("FULL", { type: "string" }, [{ version: 1, root: { type: "string" } }]); // []
 * compatibilityReasons("BACKWARD", { type: "string" }, [{ version: 1, root: { type: ["string", "null"] } }]);
 * // ['version 1 (backward): #: type "null" is no longer accepted']
 */
export function compatibilityReasons(level: CompatibilityLevel, candidate: SchemaNode, previous: readonly PreviousVersion[]): string[] {
  if (level === "NONE") return [];
  const against = level.endsWith("_TRANSITIVE") ? previous : previous.slice(-1);
  const backward = level.startsWith("BACKWARD") || level.startsWith("FULL");
  const forward = level.startsWith("FORWARD") || level.startsWith("FULL");
  const reasons: string[] = [];
  for (const old of [...against].reverse()) {
    if (backward) for (const r of subschemaReasons(old.root, candidate)) reasons.push(`version ${old.version} (backward): ${r}`);
    if (forward) for (const r of subschemaReasons(candidate, old.root)) reasons.push(`version ${old.version} (forward): ${r}`);
    if (reasons.length >= SCHEMA_COMPAT_REASONS_MAX) break;
  }
  return reasons.slice(0, SCHEMA_COMPAT_REASONS_MAX);
}
