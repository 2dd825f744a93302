/**
 * The schema registry's storage, in the Registry object's SQLite: distinct documents (their ids),
 * the versions of each subject (soft-deleted or not), compatibility levels (the global one under
 * the subject ""), and a change number bumped by every change a topic's partitions must learn.
 * Every method runs without an await, so its statements commit together.
 *
 * Rules: PROTOCOL.md SCHEMA-1, SCHEMA-3, SCHEMA-4, SCHEMA-5.
 *
 * @example
 * const store = new SchemaStore(ctx.storage.sql);
 * store.register("orders-value", parseSchemaDocument('{"type":"object"}')); // { id: 1, version: 1 }
 */
import {
  type CompatibilityLevel,
  compatibilityReasons,
  EdgelogError,
  SCHEMA_COMPATIBILITY_DEFAULT,
  SCHEMA_DOCUMENTS_MAX,
  SCHEMA_SUBJECTS_MAX,
  SCHEMA_VERSIONS_MAX,
  type SchemaDocument,
  type SchemaNode,
  type SchemaVersionAnswer,
  type SubjectRole,
  type TopicSchemas,
  topicSubject,
} from "../../client/protocol/index.ts";
import { invariant } from "../result.ts";

type VersionRow = { subject: string; version: number; id: number; deleted: number; canonical: string };

/** The subject name the global level is stored under (a subject name is never empty). */
const GLOBAL = "";

const VERSION_SELECT =
  "SELECT v.subject, v.version, v.schema_id AS id, v.deleted, d.canonical FROM schema_versions v JOIN schema_documents d ON d.id = v.schema_id";

function answerOf(row: VersionRow): SchemaVersionAnswer {
  return { subject: row.subject, version: row.version, id: row.id, schemaType: "JSON", schema: row.canonical };
}

/**
 * A compatibility answer, as Confluent's `POST /compatibility/...` (`messages` when not compatible).
 *
 * @example
 * const answer: CompatibilityAnswer = { is_compatible: false, messages: ['version 1 (backward): #: property "b" is now required'] };
 */
export interface CompatibilityAnswer {
  is_compatible: boolean;
  messages: string[];
}

/**
 * The store, as this module's header says.
 *
 * @example
 * const store = new SchemaStore(sql);
 * store.versions("orders-value", false); // [1, 2]
 */
export class SchemaStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS schema_documents (id INTEGER PRIMARY KEY AUTOINCREMENT, canonical TEXT NOT NULL UNIQUE)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS schema_versions (
      subject TEXT NOT NULL, version INTEGER NOT NULL, schema_id INTEGER NOT NULL, deleted INTEGER NOT NULL,
      PRIMARY KEY (subject, version)) WITHOUT ROWID`);
    sql.exec("CREATE TABLE IF NOT EXISTS schema_config (subject TEXT PRIMARY KEY, compatibility TEXT NOT NULL) WITHOUT ROWID");
    sql.exec("CREATE TABLE IF NOT EXISTS schema_changes (id INTEGER PRIMARY KEY CHECK (id = 0), seq INTEGER NOT NULL)");
  }

  /** The change number: bumped by every register, delete and level change. */
  seq(): number {
    return this.sql.exec<{ seq: number }>("SELECT seq FROM schema_changes WHERE id = 0").toArray()[0]?.seq ?? 0;
  }

  private bump(): void {
    this.sql.exec("INSERT INTO schema_changes (id, seq) VALUES (0, 1) ON CONFLICT (id) DO UPDATE SET seq = seq + 1");
  }

  private rows(subject: string): VersionRow[] {
    return this.sql.exec<VersionRow>(`${VERSION_SELECT} WHERE v.subject = ? ORDER BY v.version`, subject).toArray();
  }

  /** A subject's rows, live ones only unless `deleted`; UNKNOWN_SUBJECT when it has none. */
  private subjectRows(subject: string, deleted: boolean): VersionRow[] {
    const all = this.rows(subject);
    const rows = deleted ? all : all.filter((row) => row.deleted === 0);
    if (rows.length === 0) throw new EdgelogError("UNKNOWN_SUBJECT", `subject "${subject}" not found`);
    return rows;
  }

  /** One version (`latest`: the newest live one), soft-deleted ones only when `deleted`. */
  version(subject: string, version: number | "latest", deleted = false): SchemaVersionAnswer {
    const rows = this.subjectRows(subject, deleted || version !== "latest");
    const row = version === "latest" ? rows[rows.length - 1] : rows.find((r) => r.version === version);
    if (row === undefined) throw new EdgelogError("UNKNOWN_SCHEMA_VERSION", `subject "${subject}" has no version ${version}`);
    if (row.deleted !== 0 && !deleted)
      throw new EdgelogError("SCHEMA_VERSION_SOFT_DELETED", `version ${version} of "${subject}" is soft-deleted`);
    return answerOf(row);
  }

  /** A subject's version numbers. */
  versions(subject: string, deleted: boolean): number[] {
    return this.subjectRows(subject, deleted).map((row) => row.version);
  }

  /** Every subject with a live version (or any version, when `deleted`), by name. */
  subjects(deleted: boolean): string[] {
    const where = deleted ? "" : "WHERE deleted = 0";
    return this.sql
      .exec<{ subject: string }>(`SELECT DISTINCT subject FROM schema_versions ${where} ORDER BY subject LIMIT ?`, SCHEMA_SUBJECTS_MAX)
      .toArray()
      .map((row) => row.subject);
  }

  /** A document by id, with the subjects and versions that use it. */
  byId(id: number): { schema: string; schemaType: "JSON"; subjects: string[] } {
    const doc = this.sql.exec<{ canonical: string }>("SELECT canonical FROM schema_documents WHERE id = ?", id).toArray()[0];
    if (doc === undefined) throw new EdgelogError("UNKNOWN_SCHEMA", `no schema has id ${id}`);
    const subjects = this.sql
      .exec<{ subject: string }>("SELECT DISTINCT subject FROM schema_versions WHERE schema_id = ? AND deleted = 0 ORDER BY subject", id)
      .toArray()
      .map((row) => row.subject);
    return { schema: doc.canonical, schemaType: "JSON", subjects };
  }

  /** The live version of `subject` holding `doc`, or UNKNOWN_SCHEMA (Confluent's `POST /subjects/{subject}`). */
  lookup(subject: string, doc: SchemaDocument): SchemaVersionAnswer {
    const row = this.subjectRows(subject, false).find((r) => r.canonical === doc.canonical);
    if (row === undefined) throw new EdgelogError("UNKNOWN_SCHEMA", `subject "${subject}" has no version with this schema`);
    return answerOf(row);
  }

  /** The level that applies to `subject`: its own, else the global one, else BACKWARD. */
  level(subject: string | null): CompatibilityLevel {
    const own = subject === null ? null : this.ownLevel(subject);
    return own ?? this.ownLevel(GLOBAL) ?? SCHEMA_COMPATIBILITY_DEFAULT;
  }

  /** The level set on `subject` itself (GLOBAL: the global one), or null. */
  ownLevel(subject: string): CompatibilityLevel | null {
    const row = this.sql.exec<{ compatibility: string }>("SELECT compatibility FROM schema_config WHERE subject = ?", subject).toArray()[0];
    return (row?.compatibility as CompatibilityLevel | undefined) ?? null;
  }

  /** Sets a subject's level (null: the global one). */
  setLevel(subject: string | null, level: CompatibilityLevel): void {
    this.sql.exec(
      "INSERT INTO schema_config (subject, compatibility) VALUES (?, ?) ON CONFLICT (subject) DO UPDATE SET compatibility = excluded.compatibility",
      subject ?? GLOBAL,
      level,
    );
  }

  /** Removes a subject's own level; answers the one it had, or SUBJECT_CONFIG_NOT_FOUND. */
  deleteLevel(subject: string): CompatibilityLevel {
    const own = this.ownLevel(subject);
    if (own === null) throw new EdgelogError("SUBJECT_CONFIG_NOT_FOUND", `subject "${subject}" has no compatibility level of its own`);
    this.sql.exec("DELETE FROM schema_config WHERE subject = ?", subject);
    return own;
  }

  /** Why `doc` breaks the subject's level (against every live version, or only `version`). */
  check(subject: string, doc: SchemaDocument, version: number | "latest" | "all"): CompatibilityAnswer {
    const live = this.rows(subject).filter((row) => row.deleted === 0);
    if (version !== "all" && version !== "latest" && !live.some((r) => r.version === version)) {
      this.version(subject, version); // throws the right code
    }
    const against = version === "all" || version === "latest" ? live : live.filter((r) => r.version === version);
    const previous = against.map((row) => ({ version: row.version, root: JSON.parse(row.canonical) as SchemaNode }));
    const messages = compatibilityReasons(this.level(subject), doc.root, previous);
    return { is_compatible: messages.length === 0, messages };
  }

  /**
   * Registers `doc` under `subject`: its live version when it holds it already, else a new version
   * once the level allows it (INCOMPATIBLE_SCHEMA lists why not), within the SCHEMA_* bounds.
   */
  register(subject: string, doc: SchemaDocument): { id: number; version: number; created: boolean } {
    const rows = this.rows(subject);
    const same = rows.find((row) => row.deleted === 0 && row.canonical === doc.canonical);
    if (same !== undefined) return { id: same.id, version: same.version, created: false };
    const { is_compatible, messages } = this.check(subject, doc, "all");
    if (!is_compatible)
      throw new EdgelogError("INCOMPATIBLE_SCHEMA", `schema incompatible with ${this.level(subject)}: ${messages.join("; ")}`);
    if (rows.length >= SCHEMA_VERSIONS_MAX)
      throw new EdgelogError("SCHEMA_LIMIT_REACHED", `subject "${subject}" holds ${SCHEMA_VERSIONS_MAX} versions`);
    if (rows.length === 0) {
      const { n } = this.sql.exec<{ n: number }>("SELECT COUNT(DISTINCT subject) AS n FROM schema_versions").one();
      if (n >= SCHEMA_SUBJECTS_MAX) throw new EdgelogError("SCHEMA_LIMIT_REACHED", `the registry holds ${SCHEMA_SUBJECTS_MAX} subjects`);
    }
    const id = this.documentId(doc);
    const version = (rows[rows.length - 1]?.version ?? 0) + 1;
    this.sql.exec("INSERT INTO schema_versions (subject, version, schema_id, deleted) VALUES (?, ?, ?, 0)", subject, version, id);
    this.bump();
    invariant(this.version(subject, "latest").version === version, "a new version is the subject's latest");
    return { id, version, created: true };
  }

  private documentId(doc: SchemaDocument): number {
    const found = this.sql.exec<{ id: number }>("SELECT id FROM schema_documents WHERE canonical = ?", doc.canonical).toArray()[0];
    if (found !== undefined) return found.id;
    const { n } = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM schema_documents").one();
    if (n >= SCHEMA_DOCUMENTS_MAX)
      throw new EdgelogError("SCHEMA_LIMIT_REACHED", `the registry holds ${SCHEMA_DOCUMENTS_MAX} schema documents`);
    return this.sql.exec<{ id: number }>("INSERT INTO schema_documents (canonical) VALUES (?) RETURNING id", doc.canonical).one().id;
  }

  /** Soft-deletes every live version (or, `permanent`, forgets a soft-deleted subject); answers the versions. */
  deleteSubject(subject: string, permanent: boolean): number[] {
    const rows = this.subjectRows(subject, true);
    const live = rows.filter((row) => row.deleted === 0);
    if (!permanent) {
      if (live.length === 0)
        throw new EdgelogError("SUBJECT_SOFT_DELETED", `subject "${subject}" is soft-deleted; delete it with permanent=true`);
      this.sql.exec("UPDATE schema_versions SET deleted = 1 WHERE subject = ?", subject);
      this.bump();
      return live.map((row) => row.version);
    }
    if (live.length > 0)
      throw new EdgelogError("SUBJECT_NOT_SOFT_DELETED", `subject "${subject}" must be soft-deleted before a permanent delete`);
    this.sql.exec("DELETE FROM schema_versions WHERE subject = ?", subject);
    this.sql.exec("DELETE FROM schema_config WHERE subject = ?", subject);
    this.forgetUnused();
    this.bump();
    return rows.map((row) => row.version);
  }

  /** Soft-deletes one version (or, `permanent`, forgets a soft-deleted one); answers its number. */
  deleteVersion(subject: string, version: number | "latest", permanent: boolean): number {
    const row = this.version(subject, version, permanent);
    if (!permanent) {
      this.sql.exec("UPDATE schema_versions SET deleted = 1 WHERE subject = ? AND version = ?", subject, row.version);
    } else {
      const deleted = this.rows(subject).find((r) => r.version === row.version)?.deleted === 1;
      if (!deleted)
        throw new EdgelogError("SCHEMA_VERSION_NOT_SOFT_DELETED", `version ${row.version} of "${subject}" must be soft-deleted first`);
      this.sql.exec("DELETE FROM schema_versions WHERE subject = ? AND version = ?", subject, row.version);
      this.forgetUnused();
    }
    this.bump();
    return row.version;
  }

  private forgetUnused(): void {
    this.sql.exec("DELETE FROM schema_documents WHERE id NOT IN (SELECT schema_id FROM schema_versions)");
  }

  /** What a topic's records are validated with now: its subjects' latest live versions. */
  topicSchemas(topic: string): TopicSchemas {
    const latest = (role: SubjectRole) => {
      const rows = this.rows(topicSubject(topic, role)).filter((row) => row.deleted === 0);
      const row = rows[rows.length - 1];
      return row === undefined ? null : answerOf(row);
    };
    return { seq: this.seq(), value: latest("value"), key: latest("key") };
  }
}
