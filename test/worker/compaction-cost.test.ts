/**
 * What compaction costs, measured with SQLite's own counters (the partition's Meter adds each
 * statement's rowsRead and rowsWritten, the units Cloudflare prices) and the bytes the batch rows
 * hold (and the database file's size, `sql.databaseSize`): appends of 100 batches of 1,000 records to a compacted topic, then whole
 * passes. Figures are printed per million records (the README quotes them) and bounded here, so
 * a change that makes compaction cost a row per record read twice, or keep superseded rows, fails.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { encodeRecord } from "../../client/protocol/index.ts";
import type { Partition } from "../../worker/partition/partition.ts";
import { createTopic, partitionStub, topicMeta, uniqueTopic } from "./http.ts";

const BATCHES = 100;
const BATCH_RECORDS = 1_000;
const RECORDS = BATCHES * BATCH_RECORDS;
const PER_MILLION = 1_000_000 / RECORDS;

interface Figures {
  appendRowsWritten: number;
  passRowsRead: number;
  passRowsWritten: number;
  bytesBefore: number;
  bytesAfter: number;
  rowsBefore: number;
  rowsAfter: number;
  fileBefore: number;
  fileAfter: number;
}

/** Appends RECORDS records over `keys` distinct keys (values of ~100 bytes), then compacts whole. */
async function measure(keys: number): Promise<Figures> {
  const topic = uniqueTopic(`cost-${keys}`);
  await createTopic(topic, 1, { "cleanup.policy": "compact", "min.cleanable.dirty.ratio": 0 });
  const { topicId } = await topicMeta(topic);
  return runInDurableObject(await partitionStub(topic, 0), (partition: Partition, state) => {
    const sql = state.storage.sql;
    const meter = partition.log.meter;
    const written0 = meter.rowsWritten;
    for (let b = 0; b < BATCHES; b++) {
      const tails = Array.from({ length: BATCH_RECORDS }, (_, i) => {
        const n = b * BATCH_RECORDS + i;
        return encodeRecord({ key: `key-${n % keys}`, value: { n, text: "x".repeat(80) } }, "records[0]").tail;
      });
      partition.appendNow({ topicId, timestamps: tails.map(() => null), tails, producer: null });
    }
    const appendRowsWritten = meter.rowsWritten - written0;
    const rows = () => sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM batches").one().n;
    // What the batch rows hold (payload and record ends; SQLite keeps freed pages until a VACUUM,
    // which a Durable Object does not run inside its implicit transaction, so the file size lags).
    const stored = () =>
      sql
        .exec<{ bytes: number }>(
          "SELECT COALESCE(SUM(length(CAST(payload AS BLOB)) + COALESCE(length(record_ends), 0)), 0) AS bytes FROM batches",
        )
        .one().bytes;
    const bytesBefore = stored();
    const fileBefore = sql.databaseSize;
    const rowsBefore = rows();
    const compaction = partition.housekeeping.compaction;
    const config = partition.log.identity!.config;
    const read0 = meter.rowsRead;
    const written1 = meter.rowsWritten;
    compaction.start();
    for (let turn = 0; turn < 10_000 && compaction.running; turn++) compaction.step(config, Date.now() + 1_000);
    return {
      appendRowsWritten,
      passRowsRead: meter.rowsRead - read0,
      passRowsWritten: meter.rowsWritten - written1,
      bytesBefore,
      bytesAfter: stored(),
      fileBefore,
      fileAfter: sql.databaseSize,
      rowsBefore,
      rowsAfter: rows(),
    };
  });
}

function report(label: string, f: Figures): void {
  console.log(
    `${label}: per million records: appends ${Math.round(f.appendRowsWritten * PER_MILLION)} rows written; ` +
      `a whole pass ${Math.round(f.passRowsRead * PER_MILLION)} rows read, ${Math.round(f.passRowsWritten * PER_MILLION)} rows written; ` +
      `batch bytes ${(f.bytesBefore / 1_048_576).toFixed(2)} MiB -> ${(f.bytesAfter / 1_048_576).toFixed(2)} MiB for ${RECORDS} records ` +
      `(database file ${(f.fileBefore / 1_048_576).toFixed(1)} -> ${(f.fileAfter / 1_048_576).toFixed(1)} MiB), ` +
      `batch rows ${f.rowsBefore} -> ${f.rowsAfter}`,
  );
}

describe("compaction cost (SQLite's counters)", () => {
  it("1,000 keys each updated 100 times: storage shrinks to the table", async () => {
    const f = await measure(1_000);
    report("1,000 keys", f);
    // One batch row plus one key row per distinct key of a batch, per append.
    expect(f.appendRowsWritten).toBeLessThanOrEqual(BATCHES * (1 + 1_000) + 1);
    // A pass reads each batch row and each record's key once.
    expect(f.passRowsRead).toBeLessThanOrEqual(2 * RECORDS + 2 * BATCHES);
    expect(f.rowsAfter).toBeLessThanOrEqual(2);
    expect(f.bytesAfter).toBeLessThan(f.bytesBefore / 10);
  }, 120_000);

  it("100,000 distinct keys: nothing to remove, nothing rewritten", async () => {
    const f = await measure(RECORDS);
    report("100,000 keys", f);
    expect(f.passRowsWritten).toBeLessThanOrEqual(1);
    expect(f.rowsAfter).toBe(f.rowsBefore);
  }, 120_000);
});
