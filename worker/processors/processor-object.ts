/**
 * The Processor Durable Object: one per processor and input partition (named `<name>/<partition>`),
 * stepping on its alarm. A wake (any /v1/processors request, or `startProcessors` from a cron
 * trigger) records its identity and sets its alarm; from then on each alarm runs one bounded
 * step (processor-step.ts) and sets the next alarm: at once when the input had more, after
 * PROCESSOR_RETRY_MS when the step failed (the error stays in its status until a step succeeds),
 * and when it was caught up after PROCESSOR_IDLE_BACKSTOP_MS if the input partition took it as a
 * watcher (its next append calls `wakeOnProduce`, which moves the alarm to now), else after
 * PROCESSOR_IDLE_MS. No external service is involved. `status` reads the same status as a wake
 * without setting an alarm (a metrics scrape, METRICS-5).
 *
 * Rules: PROTOCOL.md PROC-1, PROC-2, PROC-6, PROC-7, METRICS-5.
 *
 * @example
 * const stub = processorStub(env, "views", 0);
 * const status = await stub.wake("views", 0);
 */
import { DurableObject } from "cloudflare:workers";
import type { ProcessorPartitionStatus } from "../../client/protocol/index.ts";
import { alarmAtMost } from "../alarms.ts";
import { type Clock, systemClock } from "../clock.ts";
import type { EdgelogEnv } from "../env.ts";
import { asEdgelogError, invariant } from "../result.ts";
import type { ProcessorDefinition } from "./processor-definition.ts";
import { ProcessorState } from "./processor-state.ts";
import { runStep, type StepOutcome } from "./processor-step.ts";

/**
 * The wait before polling a caught-up input again when the input partition did not take this
 * object as a watcher (PARTITION_WATCHERS_MAX reached).
 *
 * @example
 * PROCESSOR_IDLE_MS; // 1_000
 */
export const PROCESSOR_IDLE_MS = 1_000;
/**
 * The wait before polling a caught-up input again when the input partition will wake this object
 * on its next append (PROC-7): a backstop for a wake that was lost.
 *
 * @example
 * PROCESSOR_IDLE_BACKSTOP_MS; // 60_000
 */
export const PROCESSOR_IDLE_BACKSTOP_MS = 60_000;
/**
 * The wait after a failed step.
 *
 * @example
 * PROCESSOR_RETRY_MS; // 5_000
 */
export const PROCESSOR_RETRY_MS = 5_000;

/**
 * One processor partition.
 *
 * @example
 * export class Processor extends edgelog.Processor {} // binding PROCESSOR
 */
export class ProcessorObject extends DurableObject<EdgelogEnv> {
  /** The time, replaceable by a test. */
  clock: Clock = systemClock;
  /** Its SQLite state (position, sequences, windows, counters). */
  readonly state: ProcessorState;
  private readonly definitions: ReadonlyMap<string, ProcessorDefinition>;
  private queue: Promise<unknown> = Promise.resolve();
  /** Wakes on produce received since this instance started; an alarm's step that saw one runs again at once. */
  private wakes = 0;

  constructor(ctx: DurableObjectState, env: EdgelogEnv, definitions: readonly ProcessorDefinition[] = []) {
    super(ctx, env);
    this.state = new ProcessorState(ctx.storage.sql);
    this.definitions = new Map(definitions.map((definition) => [definition.name, definition]));
  }

  /** Records this object's identity, makes sure its alarm is set, and answers its status. */
  async wake(name: string, partition: number): Promise<ProcessorPartitionStatus | null> {
    if (!this.definitions.has(name)) return null;
    this.state.identify(name, partition);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(this.clock.now());
    return this.state.status();
  }

  /**
   * The input partition's wake on produce (PROC-7): moves the alarm to now unless it is due sooner;
   * ignored (false) by an object with no registered processor or never woken.
   */
  async wakeOnProduce(): Promise<boolean> {
    const identity = this.state.identity();
    if (identity === null || !this.definitions.has(identity.name)) return false;
    this.wakes++;
    await alarmAtMost(this.ctx.storage, this.clock.now());
    return true;
  }

  /**
   * The status without side effects (GET /v1/metrics, METRICS-5): no identity recorded, no alarm
   * set, nothing written; null for a processor not registered or an object never woken.
   */
  status(name: string, partition: number): ProcessorPartitionStatus | null {
    const identity = this.state.identity();
    if (!this.definitions.has(name) || identity === null) return null;
    invariant(identity.name === name && identity.partition === partition, "a processor object serves one processor partition");
    return this.state.status();
  }

  /**
   * Runs one step now (the alarm's work; tests call it to step without waiting). Steps run one
   * at a time: the object's input gate opens while a step awaits its reads and appends, and two
   * steps from one position would both append (the second refused as a retry) and count twice.
   */
  step(): Promise<StepOutcome | null> {
    const run = this.queue.then(() => this.stepAlone());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async stepAlone(): Promise<StepOutcome | null> {
    const identity = this.state.identity();
    const definition = identity === null ? undefined : this.definitions.get(identity.name);
    if (identity === null || definition === undefined) return null;
    const nowMs = this.clock.now();
    try {
      return await runStep({
        env: this.env,
        definition,
        partition: identity.partition,
        state: this.state,
        nowMs,
        transaction: (body) => this.ctx.storage.transactionSync(body),
      });
    } catch (error) {
      const failure = asEdgelogError(error, `processor ${identity.name} partition ${identity.partition}`);
      this.state.failed(failure.code, failure.message, nowMs);
      throw failure;
    }
  }

  /** One step, then the next alarm (at once after a step that a wake on produce arrived during). */
  override async alarm(): Promise<void> {
    const wakesBefore = this.wakes;
    let delayMs: number;
    try {
      const result = await this.step();
      if (result === null) return; // no such processor any more: the object stays asleep
      const woken = result.more || this.wakes !== wakesBefore;
      delayMs = woken ? 0 : result.watching ? PROCESSOR_IDLE_BACKSTOP_MS : PROCESSOR_IDLE_MS;
    } catch {
      delayMs = PROCESSOR_RETRY_MS;
    }
    await this.ctx.storage.setAlarm(this.clock.now() + delayMs);
  }
}
