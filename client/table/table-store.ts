/**
 * Where tables live: the client's IndexedDB database (stores `tableRows` and `tablePartitions`,
 * db-schema.ts version 4), through its own connection. Every write is one readwrite transaction
 * holding the rows of a page of records and the partition row that covers them, so a reader (an
 * offline tab, a reload) sees the view as of a whole page, never half of one; a rebuild is written
 * into a generation of its own and swapped in by one write of the partition row (its old rows
 * deleted as one key range in the same transaction). Failures come back as CACHE_QUOTA_EXCEEDED
 * or CACHE_FAILED, with nothing of the write committed.
 *
 * Nothing is held in memory but the page being applied: `get` and `size` read the database,
 * `page` reads a bounded slice in key order.
 *
 * @example
 * const store = await openTableStore("edgelog");
 * const found = await store.get("prices", "apple"); // { value, offset, partition } | undefined
 */
import type { IDBPObjectStore } from "idb";
import { DB_NAME_DEFAULT, type EdgelogDB } from "../cache/db-schema.ts";
import { IdbConnection, type ReadTxOf, type WriteTxOf } from "../cache/idb-connection.ts";
import { track } from "../cache/pages.ts";
import { EdgelogClientError } from "../local-errors.ts";
import type { FetchedRecord, JsonValue } from "../protocol/index.ts";
import type { TableChange } from "./table-change.ts";
import { nextGeneration, planApply, planSwap, type SwapVerdict, targetGeneration } from "./table-plan.ts";
import type { StoredTablePartition, StoredTableRow, TableGeneration, TableTarget } from "./table-rows.ts";

type TableStores = ("tableRows" | "tablePartitions")[];
type WriteTx = WriteTxOf<TableStores>;
type Rows = IDBPObjectStore<EdgelogDB, TableStores, "tableRows", "readwrite">;

/** The stores every table transaction covers. */
const TABLE_STORES: TableStores = ["tableRows", "tablePartitions"];

/** The end of a topic's partition keys: partitions are whole numbers far below it. */
const PARTITION_END = Number.MAX_SAFE_INTEGER;

/**
 * What applying a page did: `moved` says why the writer must start over (null when it applied),
 * `next` is the target's next offset after it, `changes` what the view shows differently (none
 * for a rebuild, which readers do not see until it is swapped in).
 *
 * @example
 * const { moved, next, changes } = await store.apply({ topic, partition, target, next, records, topicId });
 */
export interface ApplyResult {
  moved: string | null;
  next: number | null;
  changes: TableChange[];
}

/**
 * A page of records to apply, as `TableStore.apply` takes it.
 *
 * @example
 * const page: ApplyPage = { topic: "prices", partition: 0, target: { kind: "view" }, next: 42, records, topicId: hello.topicId };
 */
export interface ApplyPage {
  topic: string;
  partition: number;
  target: TableTarget;
  /** The next offset the writer expects the target to be at (null: a rebuild nothing was applied to). */
  next: number | null;
  records: readonly FetchedRecord[];
  topicId: string | null;
  /** The subscription's `cleanedTombstonesBelow`, stored with the position (undefined: none sent). */
  cleaned?: number;
}

/**
 * A key's value as the view holds it.
 *
 * @example
 * const found: TableValue | undefined = await store.get("prices", "apple");
 */
export interface TableValue {
  value: JsonValue;
  offset: number;
  partition: number;
}

/**
 * The tables of one IndexedDB database.
 *
 * @example
 * const store = await openTableStore("shop");
 * console.log(await store.size("prices"));
 */
export class TableStore {
  private readonly connection: IdbConnection;

  /** @internal `openTableStore` makes it. */
  constructor(connection: IdbConnection) {
    this.connection = connection;
  }

  /** A partition's stored state, or undefined before its first rebuild began. */
  partition(topic: string, partition: number): Promise<StoredTablePartition | undefined> {
    return this.read("reading a table partition", (tx) => tx.objectStore("tablePartitions").get([topic, partition]));
  }

  /** Every stored partition of a topic's table, in partition order. */
  partitions(topic: string): Promise<StoredTablePartition[]> {
    return this.read("reading a table", (tx) => tx.objectStore("tablePartitions").getAll(partitionRange(topic)));
  }

  /**
   * Begins a rebuild of a partition (answers its generation): a rebuild of the same incarnation
   * nothing was applied to yet is taken over as it is (another writer on the same socket began
   * it), any other rebuild is dropped. The view is untouched.
   */
  beginRebuild(topic: string, partition: number, topicId: string | null): Promise<number> {
    return this.write("beginning a table rebuild", async (tx) => {
      const partitions = tx.objectStore("tablePartitions");
      const stored = await partitions.get([topic, partition]);
      const building = stored?.building ?? null;
      if (building !== null && building.next === null && building.topicId === topicId) return building.generation;
      const generation = nextGeneration(stored);
      const view: TableGeneration = stored?.view ?? { generation: 0, next: null, size: 0, topicId };
      const ops: Promise<unknown>[] = [];
      if (building !== null) track(ops, tx.objectStore("tableRows").delete(generationRange(topic, partition, building.generation)));
      track(ops, partitions.put({ topic, partition, view, building: { generation, next: null, size: 0, topicId } }));
      await Promise.all(ops);
      return generation;
    });
  }

  /** Applies a page (table-plan.ts's planApply decides from where), in one transaction. */
  apply(page: ApplyPage): Promise<ApplyResult> {
    return this.write("applying records to a table", async (tx) => {
      const partitions = tx.objectStore("tablePartitions");
      const stored = await partitions.get([page.topic, page.partition]);
      const verdict = planApply(stored, page.target, page.next);
      const generation = targetGeneration(stored, page.target);
      if (verdict.kind === "moved" || stored === undefined || generation === undefined) {
        return { moved: verdict.kind === "moved" ? verdict.why : "the table partition is gone", next: null, changes: [] };
      }
      const from = verdict.from;
      for (let i = 1; i < page.records.length; i++) {
        holds(page.records[i]!.offset > page.records[i - 1]!.offset, `a page's offsets rise (${page.topic}/${page.partition})`);
      }
      const records = page.records.filter((record) => (from === null || record.offset >= from) && record.key !== null);
      const last = page.records[page.records.length - 1];
      const next = last === undefined ? generation.next : Math.max(last.offset + 1, from ?? 0);
      const rows = tx.objectStore("tableRows");
      // A rebuild is seen by nobody until swapped in: written blind (no reads), counted at the swap.
      const changes = page.target.kind === "view" ? await applyRecords(rows, page, generation, records) : [];
      if (page.target.kind === "building") await writeBlind(rows, page, generation, records);
      const size = generation.size + changes.reduce((sum, change) => sum + sizeStep(change), 0);
      holds(
        size >= 0 && (next === null || generation.next === null || next >= generation.next),
        "a generation's size and position never go back",
      );
      const updated: TableGeneration = { ...generation, next, size, topicId: generation.topicId ?? page.topicId };
      if (page.cleaned !== undefined) updated.cleaned = page.cleaned;
      const row = page.target.kind === "view" ? { ...stored, view: updated } : { ...stored, building: updated };
      await partitions.put(row);
      return { moved: null, next, changes: page.target.kind === "view" ? changes : [] };
    });
  }

  /**
   * Swaps rebuild `generation` in as the view once its catch-up is live at `next`, deleting the
   * old view's rows, in one transaction; the view's next offset is at least `coveredEnd` (the
   * subscription's high watermark: at `live` every offset below it was delivered, so offsets
   * compaction left empty at the end are not read again). Answers the verdict and the view after it.
   */
  swap(
    topic: string,
    partition: number,
    generation: number,
    next: number | null,
    coveredEnd: number,
  ): Promise<{ verdict: SwapVerdict; view: TableGeneration | undefined }> {
    return this.write("swapping a rebuilt table in", async (tx) => {
      const partitions = tx.objectStore("tablePartitions");
      const stored = await partitions.get([topic, partition]);
      const verdict = planSwap(stored, generation, next);
      if (verdict.kind !== "swap" || stored === undefined || stored.building === null) return { verdict, view: stored?.view };
      const rows = tx.objectStore("tableRows");
      const size = await rows.count(generationRange(topic, partition, generation));
      const view: TableGeneration = { ...stored.building, size, next: Math.max(stored.building.next ?? coveredEnd, coveredEnd) };
      const ops: Promise<unknown>[] = [];
      track(ops, rows.delete(generationRange(topic, partition, stored.view.generation)));
      track(ops, partitions.put({ topic, partition, view, building: null }));
      await Promise.all(ops);
      return { verdict, view };
    });
  }

  /** A key's value in the view (the lowest partition holding it, if several do), or undefined. */
  get(topic: string, key: string): Promise<TableValue | undefined> {
    return this.read("reading a table", async (tx) => {
      const stored = await tx.objectStore("tablePartitions").getAll(partitionRange(topic));
      const rows = tx.objectStore("tableRows");
      const found = await Promise.all(stored.map((p) => rows.get([topic, p.partition, p.view.generation, key])));
      const row = found.find((value) => value !== undefined);
      return row === undefined ? undefined : { value: row.value, offset: row.offset, partition: row.partition };
    });
  }

  /** How many keys the view holds, over every partition. */
  async size(topic: string): Promise<number> {
    return (await this.partitions(topic)).reduce((sum, p) => sum + p.view.size, 0);
  }

  /** Up to `limit` rows of one generation in key order, after key `after` (null: from the first). */
  page(topic: string, partition: number, generation: number, after: string | null, limit: number): Promise<StoredTableRow[]> {
    return this.read("reading a table", (tx) => {
      const lower: [string, number, number, string] = [topic, partition, generation, after ?? ""];
      const upper = [topic, partition, generation, []] as unknown as [string, number, number, string];
      return tx.objectStore("tableRows").getAll(IDBKeyRange.bound(lower, upper, after !== null), limit);
    });
  }

  /** Closes the connection; later calls reject with CLOSED. */
  close(): void {
    this.connection.close();
  }

  private write<T>(doing: string, body: (tx: WriteTx) => Promise<T>): Promise<T> {
    return this.connection.write(TABLE_STORES, doing, body);
  }

  private read<T>(doing: string, body: (tx: ReadTxOf<TableStores>) => Promise<T>): Promise<T> {
    return this.connection.read(TABLE_STORES, doing, body);
  }
}

/**
 * Writes a page's records into `generation` (reads each key's row first, once per key, then
 * walks the records in offset order), answering what changed. A value sets its key, a
 * tombstone (`value === null`) deletes it.
 */
async function applyRecords(
  rows: Rows,
  page: ApplyPage,
  generation: TableGeneration,
  records: readonly FetchedRecord[],
): Promise<TableChange[]> {
  const { topic, partition } = page;
  const keys = [...new Set(records.map((record) => record.key as string))];
  const before = await Promise.all(keys.map((key) => rows.get([topic, partition, generation.generation, key])));
  for (const [i, row] of before.entries()) holds(row === undefined || row.key === keys[i], "a row read is the key asked for");
  const held = new Map<string, JsonValue | null>(keys.map((key, i) => [key, before[i]?.value ?? null]));
  const written = new Map<string, FetchedRecord>();
  const changes: TableChange[] = [];
  for (const record of records) {
    const key = record.key as string;
    const previous = held.get(key) ?? null;
    if (record.value === null && previous === null) continue;
    changes.push({ key, value: record.value, previous, offset: record.offset, partition });
    held.set(key, record.value);
    written.set(key, record);
  }
  const ops: Promise<unknown>[] = [];
  for (const [key, record] of written) track(ops, writeRow(rows, page, generation, key, record));
  await Promise.all(ops);
  return changes;
}

/** Writes a page into a rebuild: each key's last record of the page, a put or a delete, nothing read. */
async function writeBlind(rows: Rows, page: ApplyPage, generation: TableGeneration, records: readonly FetchedRecord[]): Promise<void> {
  const last = new Map<string, FetchedRecord>();
  for (const record of records) last.set(record.key as string, record);
  const ops: Promise<unknown>[] = [];
  for (const [key, record] of last) track(ops, writeRow(rows, page, generation, key, record));
  await Promise.all(ops);
}

/** The put (a value) or delete (a tombstone) of one key's row. */
function writeRow(rows: Rows, page: ApplyPage, generation: TableGeneration, key: string, record: FetchedRecord): Promise<unknown> {
  const { topic, partition } = page;
  if (record.value === null) return rows.delete([topic, partition, generation.generation, key]);
  return rows.put({ topic, partition, generation: generation.generation, key, value: record.value, offset: record.offset });
}

/** How a change moves the key count: a new key +1, a deleted one -1, an overwrite 0. */
function sizeStep(change: TableChange): number {
  if (change.previous === null) return change.value === null ? 0 : 1;
  return change.value === null ? -1 : 0;
}

/** An assertion inside a table transaction: a failure aborts it (nothing written) and says what broke. */
function holds(condition: boolean, what: string): asserts condition {
  if (!condition) throw new EdgelogClientError("CACHE_FAILED", `edgelog table check failed: ${what}`);
}

function partitionRange(topic: string): IDBKeyRange {
  return IDBKeyRange.bound([topic, 0], [topic, PARTITION_END]);
}

function generationRange(topic: string, partition: number, generation: number): IDBKeyRange {
  return IDBKeyRange.bound([topic, partition, generation, ""], [topic, partition, generation, []]);
}

/**
 * Opens the table store on database `dbName` (creating or upgrading it as the cache does).
 * Rejects with CACHE_FAILED where there is no IndexedDB.
 *
 * @example
 * const store = await openTableStore("edgelog");
 */
export async function openTableStore(dbName: string = DB_NAME_DEFAULT): Promise<TableStore> {
  return new TableStore(await IdbConnection.open(dbName, "the tables"));
}
