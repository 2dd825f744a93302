/**
 * The partition's SQLite tables. One row per produced batch keeps rows written (the priced unit,
 * $1.00 per million) at one per request, as Kafka stores record batches; the batch's base offset is
 * the rowid, so reading by offset is a b-tree seek.
 *
 * @example
 * createSchema(ctx.storage.sql);
 */

/** Columns added to `batches` after its first version, nullable so that older rows stay as they are. */
const BATCH_COLUMNS_ADDED: readonly (readonly [name: string, type: string])[] = [
  ["records_bytes", "INTEGER"],
  ["record_ends", "BLOB"],
  ["offset_end", "INTEGER"],
];

/** Columns added to `meta` after its first version (compaction's state, COMPACT-4, COMPACT-6). */
const META_COLUMNS_ADDED: readonly (readonly [name: string, type: string])[] = [
  ["cleaned_tombstones_below", "INTEGER"],
  ["compacted_below", "INTEGER"],
];

/**
 * Adds to `table` each of `columns` it lacks (the migration of a database an older version
 * created): idempotent, as it asks the table which columns it has first.
 *
 * @example
 * addMissingColumns(sql, "batches", [["records_bytes", "INTEGER"]]); // a no-op the second time
 */
export function addMissingColumns(sql: SqlStorage, table: string, columns: readonly (readonly [name: string, type: string])[]): void {
  const present = new Set(
    sql
      .exec<{ name: string }>("SELECT name FROM pragma_table_info(?)", table)
      .toArray()
      .map((row) => row.name),
  );
  for (const [name, type] of columns) if (!present.has(name)) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${type}`);
}

/**
 * Creates the tables if they are missing (idempotent; run on every start and after a drop).
 *
 * @example
 * createSchema(ctx.storage.sql); // in the Partition's constructor, and again after deleteAll in drop()
 */
export function createSchema(sql: SqlStorage): void {
  // meta: exactly one row once the topic's create call initialised this partition.
  sql.exec(`CREATE TABLE IF NOT EXISTS meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    topic TEXT NOT NULL,
    topic_id TEXT NOT NULL,
    partition INTEGER NOT NULL,
    config TEXT NOT NULL,
    log_start_offset INTEGER NOT NULL
  )`);
  addMissingColumns(sql, "meta", META_COLUMNS_ADDED);
  // batches: records [base_offset, base_offset + record_count). payload holds them as reads
  // serve them, `{"offset":N,"timestamp":T,...}` joined by ",", with records_bytes its UTF-8 bytes
  // and record_ends each record's end (stored-batch.ts); a row written before those two columns
  // existed has them null and holds lines `"timestamp":T,...}` joined by "\n" (read as before).
  // max_timestamp is the running maximum over this and every earlier batch, so it only rises and
  // a timestamp lookup can binary-search it without an index (an index would double rows written).
  sql.exec(`CREATE TABLE IF NOT EXISTS batches (
    base_offset INTEGER PRIMARY KEY,
    record_count INTEGER NOT NULL,
    max_timestamp INTEGER NOT NULL,
    append_time INTEGER NOT NULL,
    payload TEXT NOT NULL,
    records_bytes INTEGER,
    record_ends BLOB
  )`);
  addMissingColumns(sql, "batches", BATCH_COLUMNS_ADDED);
  // Text-keyed tables are WITHOUT ROWID: the key is the table's own b-tree, so an insert writes one
  // row, not a row plus a hidden index entry (measured: 2 rows written with a rowid table).
  // producers: idempotent producer state; recent holds the last PRODUCER_BATCHES_RETAINED batches
  // as JSON [[firstSequence, recordCount, baseOffset], ...] to answer retries with their offsets.
  sql.exec(`CREATE TABLE IF NOT EXISTS producers (
    producer_id TEXT PRIMARY KEY,
    epoch INTEGER NOT NULL,
    next_sequence INTEGER NOT NULL,
    recent TEXT NOT NULL,
    last_used INTEGER NOT NULL
  ) WITHOUT ROWID`);
  // keys: a compacted topic's index of each key's latest offset (keys.ts), by the key's JSON text.
  sql.exec(`CREATE TABLE IF NOT EXISTS keys (
    key TEXT PRIMARY KEY,
    latest_offset INTEGER NOT NULL
  ) WITHOUT ROWID`);
  // group_offsets: a group's committed offset here (the next offset to read), and the highest
  // group generation that committed (a commit from an older one is a zombie's and is refused).
  sql.exec(`CREATE TABLE IF NOT EXISTS group_offsets (
    group_id TEXT PRIMARY KEY,
    committed_offset INTEGER NOT NULL,
    metadata TEXT,
    commit_time INTEGER NOT NULL,
    generation INTEGER
  ) WITHOUT ROWID`);
}
