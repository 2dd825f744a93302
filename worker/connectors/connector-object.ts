/**
 * The Connector Durable Object: one per connector (named by it), holding its configuration and
 * per-partition state in its own SQLite and stepping on its alarm, with no external service.
 * `configure` (PUT /v1/connectors/:name) stores the configuration and sets the alarm; each alarm
 * runs one bounded step (connector-step.ts: at most one batch per due partition) and sets the
 * next alarm for the earliest partition due. Steps, configuration and removal run one at a time,
 * so a replaced or removed connector never has a step of its old configuration land after it.
 * A partition that found itself caught up wakes the connector on its next append (`wakeOnProduce`
 * moves the alarm to now, PROC-7).
 *
 * One more object of the namespace, named CONNECTOR_INDEX_NAME (not a connector name: `~` is
 * outside NAME-1's alphabet), lists the connectors' names, at most CONNECTORS_MAX.
 *
 * Rules: PROTOCOL.md CONNECT-1, CONNECT-2, CONNECT-3, PROC-7.
 *
 * @example
 * const created = await connectorStub(env, "orders-hook").configure("orders-hook", config, 3);
 */
import { DurableObject } from "cloudflare:workers";
import { CONNECTORS_MAX, type ConnectorConfig } from "../../client/protocol/index.ts";
import { alarmAtMost } from "../alarms.ts";
import { type Clock, systemClock } from "../clock.ts";
import type { EdgelogEnv } from "../env.ts";
import { asEdgelogError } from "../result.ts";
import { ConnectorState } from "./connector-state.ts";
import { runConnectorStep } from "./connector-step.ts";

/**
 * The name of the object that lists the connectors.
 *
 * @example
 * env.CONNECTOR.idFromName(CONNECTOR_INDEX_NAME);
 */
export const CONNECTOR_INDEX_NAME = "~index";

/**
 * One connector (or, named CONNECTOR_INDEX_NAME, the list of them).
 *
 * @example
 * export class Connector extends edgelog.Connector {} // binding CONNECTOR
 */
export class ConnectorObject extends DurableObject<EdgelogEnv> {
  /** The time, replaceable by a test. */
  clock: Clock = systemClock;
  /** Its SQLite state (configuration, partitions). */
  state: ConnectorState;
  private queue: Promise<unknown> = Promise.resolve();
  /** Wakes on produce received since this instance started; an alarm's step that saw one runs again at once. */
  private wakes = 0;

  constructor(ctx: DurableObjectState, env: EdgelogEnv) {
    super(ctx, env);
    this.state = new ConnectorState(ctx.storage.sql);
  }

  private serial<T>(body: () => Promise<T>): Promise<T> {
    const run = this.queue.then(body);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stores `config` for a topic of `partitions` partitions and sets the alarm; true when the connector is new. */
  configure(name: string, config: ConnectorConfig, partitions: number): Promise<boolean> {
    return this.serial(async () => {
      const created = this.ctx.storage.transactionSync(() => this.state.configure(name, config, partitions));
      await this.ctx.storage.setAlarm(this.clock.now());
      return created;
    });
  }

  /** The status (null when no connector is configured); sets the alarm when it is missing (a restarted runtime). */
  async status(): Promise<ReturnType<ConnectorState["status"]>> {
    const status = this.state.status();
    if (status !== null && (await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(this.clock.now());
    return status;
  }

  /**
   * A partition's wake on produce (PROC-7): moves the alarm to now unless it is due sooner; ignored
   * (false) when no connector is configured (removed since it registered).
   */
  async wakeOnProduce(): Promise<boolean> {
    if (this.state.identity() === null) return false;
    this.wakes++;
    await alarmAtMost(this.ctx.storage, this.clock.now());
    return true;
  }

  /** Stops the connector and forgets everything it stored; false when there was none. */
  remove(): Promise<boolean> {
    return this.serial(async () => {
      const existed = this.state.identity() !== null;
      await this.ctx.storage.deleteAlarm();
      await this.ctx.storage.deleteAll();
      this.state = new ConnectorState(this.ctx.storage.sql);
      return existed;
    });
  }

  /** Runs one step now (the alarm's work; tests call it to step by hand); null when no connector is configured. */
  step(): Promise<number | null> {
    return this.serial(async () => {
      const identity = this.state.identity();
      if (identity === null) return null;
      return runConnectorStep({ env: this.env, ...identity, state: this.state, nowMs: this.clock.now() });
    });
  }

  /** One step, then the next alarm (at once after a step that a wake on produce arrived during). */
  override async alarm(): Promise<void> {
    const wakesBefore = this.wakes;
    let dueMs: number | null;
    try {
      dueMs = await this.step();
      if (dueMs !== null && this.wakes !== wakesBefore) dueMs = this.clock.now();
    } catch (error) {
      asEdgelogError(error, "a connector step"); // logged; the partitions keep their own errors
      dueMs = this.clock.now() + 5_000;
    }
    if (dueMs !== null) await this.ctx.storage.setAlarm(Math.max(dueMs, this.clock.now()));
  }

  /** The index: adds `name`; false when CONNECTORS_MAX others are listed. */
  indexAdd(name: string): boolean {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS names (name TEXT PRIMARY KEY) WITHOUT ROWID");
    const listed = this.ctx.storage.sql.exec("SELECT 1 FROM names WHERE name = ?", name).toArray().length > 0;
    if (listed) return true;
    const { n } = this.ctx.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM names").one();
    if (n >= CONNECTORS_MAX) return false;
    this.ctx.storage.sql.exec("INSERT INTO names (name) VALUES (?)", name);
    return true;
  }

  /** The index: removes `name`. */
  indexRemove(name: string): void {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS names (name TEXT PRIMARY KEY) WITHOUT ROWID");
    this.ctx.storage.sql.exec("DELETE FROM names WHERE name = ?", name);
  }

  /** The index: every name, sorted (at most CONNECTORS_MAX). */
  indexList(): string[] {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS names (name TEXT PRIMARY KEY) WITHOUT ROWID");
    const rows = this.ctx.storage.sql.exec<{ name: string }>("SELECT name FROM names ORDER BY name LIMIT ?", CONNECTORS_MAX);
    return rows.toArray().map((row) => row.name);
  }
}
