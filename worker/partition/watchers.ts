/**
 * Wake on produce: the processor partitions and connectors that found this partition caught up
 * and asked, in that same read (`ReadRequest.watch`), to be woken by its next append. Each is a
 * row of the `watchers` table (persisted: the object may be evicted before the next produce),
 * at most PARTITION_WATCHERS_MAX; past it a registration is refused and the watcher keeps its
 * short idle poll. After an append the partition takes every watcher (one-shot: the rows are
 * deleted in the append's own turn) and, once that turn's writes are durable, calls each one's
 * `wakeOnProduce()` in the background (`ctx.waitUntil`), so the produce's answer never waits for
 * a watcher nor fails with one. A watcher re-registers when it finds itself caught up again.
 *
 * Nothing here grows without bound: a watcher of a deleted topic goes with the partition's
 * storage, one of a removed processor or connector is woken once more (it ignores the wake, having
 * no configuration) and forgotten; the table never holds more than PARTITION_WATCHERS_MAX rows.
 *
 * Rules: PROTOCOL.md PROC-7, LIMIT-1.
 *
 * @example
 * const watching = watchers.register({ kind: "processor", name: "views/0" }); // false when full
 * watchers.afterAppend(); // after each append: wakes and forgets every watcher
 */
import { EdgelogError, PARTITION_WATCHERS_MAX } from "../../client/protocol/index.ts";
import type { Env } from "../env.ts";

/**
 * The longest watcher name (a processor partition's `<name>/<partition>`, a connector's name).
 *
 * @example
 * if (watch.name.length > WATCHER_NAME_CHARACTERS_MAX) throw new EdgelogError("INVALID_REQUEST", "…");
 */
export const WATCHER_NAME_CHARACTERS_MAX = 256;

/**
 * Who asks to be woken: its kind (the namespace, PROCESSOR or CONNECTOR) and its object's name as
 * `idFromName` takes it.
 *
 * @example
 * const watch: Watch = { kind: "connector", name: "orders-hook" };
 */
export interface Watch {
  kind: "processor" | "connector";
  name: string;
}

/**
 * Calls one watcher's `wakeOnProduce()`: the Processor or Connector object `watch` names.
 *
 * @example
 * await wakeWatcher(env, { kind: "processor", name: "views/0" });
 */
export async function wakeWatcher(env: Env, watch: Watch): Promise<void> {
  // Typed present, but a Worker without processors or connectors may leave the binding out.
  if (watch.kind === "processor") {
    const namespace = env.PROCESSOR as Env["PROCESSOR"] | undefined;
    if (namespace !== undefined) await namespace.get(namespace.idFromName(watch.name)).wakeOnProduce();
    return;
  }
  const namespace = env.CONNECTOR as Env["CONNECTOR"] | undefined;
  if (namespace !== undefined) await namespace.get(namespace.idFromName(watch.name)).wakeOnProduce();
}

/**
 * A read request's `watch`, checked: INVALID_REQUEST for anything but a Watch.
 *
 * @example
 * const watch = checkWatch(request.watch); // throws for { kind: "x" }
 */
export function checkWatch(value: unknown): Watch {
  const { kind, name } = (typeof value === "object" && value !== null ? value : {}) as Partial<Record<keyof Watch, unknown>>;
  if ((kind !== "processor" && kind !== "connector") || typeof name !== "string" || name.length === 0) {
    throw new EdgelogError("INVALID_REQUEST", 'watch must be { kind: "processor" | "connector", name: a non-empty string }');
  }
  if (name.length > WATCHER_NAME_CHARACTERS_MAX) {
    throw new EdgelogError("INVALID_REQUEST", `watch.name must be at most ${WATCHER_NAME_CHARACTERS_MAX} characters`);
  }
  return { kind, name };
}

/**
 * What Watchers needs from its partition: its SQLite, and how to run the wakes after the append.
 *
 * @example
 * const host: WatchersHost = { sql: ctx.storage.sql, durable: () => ctx.storage.sync(), background: (p) => ctx.waitUntil(p) };
 */
export interface WatchersHost {
  sql: SqlStorage;
  /** Resolves once the writes made so far (the append's) are durable. */
  durable: () => Promise<void>;
  /** Keeps `promise` running after the answer (ctx.waitUntil). */
  background: (promise: Promise<unknown>) => void;
}

/**
 * One partition's watchers (see this module's header).
 *
 * @example
 * const watchers = new Watchers({ sql, durable: () => ctx.storage.sync(), background: (p) => ctx.waitUntil(p) }, (w) => wakeWatcher(env, w));
 */
export class Watchers {
  private readonly host: WatchersHost;
  /** Calls one watcher (wakeWatcher; a test may put another on the live object). */
  wake: (watch: Watch) => Promise<void>;
  /** Rows in the table, kept in memory so that an append with no watcher reads nothing. */
  private count = 0;
  /** The wakes sent last (one promise, replaced by the next append's), for `woken`. */
  private sending: Promise<void> = Promise.resolve();

  constructor(host: WatchersHost, wake: (watch: Watch) => Promise<void>) {
    this.host = host;
    this.wake = wake;
    this.reload();
  }

  /** Creates the table if missing and counts its rows (on start, and after a drop's deleteAll). */
  reload(): void {
    const { sql } = this.host;
    sql.exec("CREATE TABLE IF NOT EXISTS watchers (kind TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (kind, name)) WITHOUT ROWID");
    this.count = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM watchers").one().n;
  }

  /** How many watchers are registered. */
  get size(): number {
    return this.count;
  }

  /** Registers `watch` until the next append; true when it is (or was already) registered, false when full. */
  register(watch: Watch): boolean {
    const { sql } = this.host;
    const known = sql.exec("SELECT 1 FROM watchers WHERE kind = ? AND name = ?", watch.kind, watch.name).toArray().length > 0;
    if (known) return true;
    if (this.count >= PARTITION_WATCHERS_MAX) return false;
    sql.exec("INSERT INTO watchers (kind, name) VALUES (?, ?)", watch.kind, watch.name);
    this.count++;
    return true;
  }

  /**
   * After an append (in its turn, outside any transactionSync of its own): forgets every watcher
   * and wakes each once the append is durable, in the background; a wake that fails is dropped
   * (the watcher's backstop alarm covers it).
   */
  afterAppend(): void {
    if (this.count === 0) return;
    const { sql } = this.host;
    const taken = sql.exec<{ kind: Watch["kind"]; name: string }>("SELECT kind, name FROM watchers").toArray();
    sql.exec("DELETE FROM watchers");
    this.count = 0;
    const previous = this.sending;
    const wakeAll = async () => {
      await this.host.durable();
      await Promise.allSettled(taken.map((watch) => Promise.resolve().then(() => this.wake(watch))));
      await previous;
    };
    this.sending = wakeAll().catch(() => undefined);
    this.host.background(this.sending);
  }

  /** Resolves once every wake sent so far has answered or failed (a test awaits it on the live object). */
  woken(): Promise<void> {
    return this.sending;
  }
}
