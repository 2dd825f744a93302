/**
 * Counts the SQLite rows a partition reads and writes: the units Cloudflare prices (rows written
 * $1.00 per million, rows read $0.001 per million). Counted since the object last started, so the
 * cost of a workload can be measured rather than estimated.
 *
 * @example
 * const meter = new Meter();
 * meter.count(sql.exec("INSERT ...")); // adds the statement's rowsWritten and rowsRead
 */
export class Meter {
  rowsWritten = 0;
  rowsRead = 0;
  /** Records and their stored UTF-8 bytes appended since the object started (GET /v1/metrics, METRICS-2). */
  appendedRecords = 0;
  appendedBytes = 0;

  /** Counts one appended batch of `records` records and `bytes` stored bytes. */
  appended(records: number, bytes: number): void {
    this.appendedRecords += records;
    this.appendedBytes += bytes;
  }

  /** Adds a finished statement's counts and returns the cursor for chaining. */
  count<T extends SqlStorageCursor<Record<string, SqlStorageValue>>>(cursor: T): T {
    this.rowsWritten += cursor.rowsWritten;
    this.rowsRead += cursor.rowsRead;
    return cursor;
  }
}
