/**
 * One connection to the client's IndexedDB database, as the cache (indexeddb.ts) and the tables
 * (table/table-store.ts) each hold one: opening it (creating or upgrading the schema, stepping
 * aside when a newer version of the app upgrades), and running transactions. A readwrite
 * transaction is aborted on any failure, so a QuotaExceededError (or anything else) leaves the
 * stores exactly as they were, and the failure is rethrown as CACHE_QUOTA_EXCEEDED or
 * CACHE_FAILED; once the browser closed the database under it, every call fails CACHE_FAILED.
 *
 * @example
 * const connection = await IdbConnection.open("edgelog", "the cache");
 * await connection.write(["topics"], "storing topic metadata", (tx) => tx.objectStore("topics").put(info));
 */
import { type IDBPDatabase, type IDBPTransaction, openDB } from "idb";
import { cacheError, EdgelogClientError } from "../local-errors.ts";
import { type EdgelogDB, SCHEMA_VERSION, type StoreName, upgradeSchema } from "./db-schema.ts";

/**
 * A readwrite transaction over `S`.
 *
 * @example
 * const body = async (tx: WriteTxOf<["topics"]>) => tx.objectStore("topics").put(info);
 */
export type WriteTxOf<S extends StoreName[]> = IDBPTransaction<EdgelogDB, S, "readwrite">;

/**
 * A readonly transaction over `S`.
 *
 * @example
 * const body = (tx: ReadTxOf<["topics"]>) => tx.objectStore("topics").get("orders");
 */
export type ReadTxOf<S extends StoreName[]> = IDBPTransaction<EdgelogDB, S, "readonly">;

/**
 * A connection to the database, with its transactions.
 *
 * @example
 * const connection = await IdbConnection.open("shop", "the tables");
 * const info = await connection.read(["topics"], "reading topic metadata", (tx) => tx.objectStore("topics").get("orders"));
 */
export class IdbConnection {
  private readonly db: IDBPDatabase<EdgelogDB>;
  /** What the connection serves, for CLOSED's message. */
  private readonly what: string;
  private lostBecause: string | null = null;
  private closed = false;

  /** @internal `IdbConnection.open` makes it. */
  constructor(db: IDBPDatabase<EdgelogDB>, what: string) {
    this.db = db;
    this.what = what;
  }

  /**
   * Opens database `dbName` at SCHEMA_VERSION (upgrading it), for `what` ("the cache"). Rejects
   * with CACHE_FAILED where there is no IndexedDB or it refuses to open.
   *
   * @example
   * const connection = await IdbConnection.open("edgelog", "the cache");
   */
  static async open(dbName: string, what: string): Promise<IdbConnection> {
    if (typeof globalThis.indexedDB === "undefined") {
      throw new EdgelogClientError("CACHE_FAILED", `there is no IndexedDB here for ${what}; use cache: "memory"`);
    }
    let connection: IdbConnection | undefined;
    try {
      const db = await openDB<EdgelogDB>(dbName, SCHEMA_VERSION, {
        upgrade: (database, oldVersion, newVersion, transaction) =>
          upgradeSchema(database, oldVersion, newVersion ?? SCHEMA_VERSION, transaction),
        // A newer version of the app wants to upgrade: step aside rather than block it.
        blocking: () => connection?.lost("a newer version of the app is upgrading the database; reload the page"),
        terminated: () => connection?.lost("the browser closed the database (storage was cleared?)"),
      });
      connection = new IdbConnection(db, what);
      return connection;
    } catch (error) {
      throw cacheError(error, `opening IndexedDB for ${what}`);
    }
  }

  /** Runs `body` in one readwrite transaction; any failure aborts it and rethrows with a code. */
  async write<S extends StoreName[], T>(stores: S, doing: string, body: (tx: WriteTxOf<S>) => Promise<T>): Promise<T> {
    this.check();
    let tx: WriteTxOf<S> | undefined;
    try {
      tx = this.db.transaction(stores, "readwrite");
      const done = tx.done;
      done.catch(() => undefined);
      const result = await body(tx);
      await done;
      return result;
    } catch (error) {
      try {
        tx?.abort();
      } catch {
        // Already finished or aborted: nothing was committed by this call either way.
      }
      throw cacheError(error, doing);
    }
  }

  /** Runs `body` in one readonly transaction; failures come back with a code. */
  async read<S extends StoreName[], T>(stores: S, doing: string, body: (tx: ReadTxOf<S>) => Promise<T>): Promise<T> {
    this.check();
    try {
      const tx = this.db.transaction(stores, "readonly");
      tx.done.catch(() => undefined);
      return await body(tx);
    } catch (error) {
      throw cacheError(error, doing);
    }
  }

  /** Closes the connection; later calls reject with CLOSED. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  /** The database went away (`reason` says why): later calls fail with CACHE_FAILED. */
  lost(reason: string): void {
    this.lostBecause ??= reason;
    this.close();
  }

  private check(): void {
    if (this.lostBecause !== null) throw new EdgelogClientError("CACHE_FAILED", `IndexedDB is unavailable: ${this.lostBecause}`);
    if (this.closed) throw new EdgelogClientError("CLOSED", `${this.what} is closed`);
  }
}
