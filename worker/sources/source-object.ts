/**
 * The Source Durable Object: one per HTTP source (named by the source), holding its
 * configuration, counters, remembered delivery ids and its producer's sequences
 * (source-state.ts); deliveries and configurations run one at a time, so an intent is always
 * settled before the next append (source-delivery.ts). One more object of the class, named
 * SOURCE_INDEX_NAME (no source name can be it: `#` is not in NAME-1's alphabet), keeps the list
 * of names, bounded by SOURCES_MAX.
 *
 * Rules: PROTOCOL.md SOURCE-1, SOURCE-3, SOURCE-8.
 *
 * @example
 * const stub = sourceStub(env, "github");
 * const answer = await stub.deliver({ headers, body });
 */
import { DurableObject } from "cloudflare:workers";
import { EdgelogError, SOURCES_MAX, type SourceConfig, type SourceStatus } from "../../client/protocol/index.ts";
import { type Clock, systemClock } from "../clock.ts";
import type { EdgelogEnv } from "../env.ts";
import { captureAsync, type Result } from "../result.ts";
import { type Delivery, type DeliveryAnswer, type DeliveryContext, deliver, settlePending } from "./source-delivery.ts";
import { hmacKey } from "./source-signature.ts";
import { type SourceLine, SourceState } from "./source-state.ts";

/**
 * The name of the object that lists the sources.
 *
 * @example
 * env.SOURCE.get(env.SOURCE.idFromName(SOURCE_INDEX_NAME)).indexNames();
 */
export const SOURCE_INDEX_NAME = "#index";

/**
 * One HTTP source (or the index of them).
 *
 * @example
 * export class Source extends edgelog.Source {} // binding SOURCE
 */
export class SourceObject extends DurableObject<EdgelogEnv> {
  /** The time, replaceable by a test (the timestamped signature's tolerance and the dedupe window read it). */
  clock: Clock = systemClock;
  /** Its SQLite state. */
  readonly state: SourceState;
  private queue: Promise<unknown> = Promise.resolve();
  private key: { secret: string; key: Promise<CryptoKey> } | null = null;

  constructor(ctx: DurableObjectState, env: EdgelogEnv) {
    super(ctx, env);
    this.state = new SourceState(ctx.storage.sql);
  }

  /** Runs `body` after every earlier delivery and configuration (the input gate opens while they await). */
  private alone<T>(body: () => Promise<T>): Promise<T> {
    const run = this.queue.then(body);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** What a delivery runs with, the HMAC key of the current secret imported once per secret. */
  private async contextOf(line: SourceLine): Promise<DeliveryContext> {
    if (this.key?.secret !== line.config.secret) this.key = { secret: line.config.secret, key: hmacKey(line.config.secret) };
    return {
      env: this.env,
      state: this.state,
      nowMs: this.clock.now(),
      transaction: (body) => this.ctx.storage.transactionSync(body),
      key: await this.key.key,
    };
  }

  /** The status the API shows (no secret), or null when not configured. */
  status(): SourceStatus | null {
    const line = this.state.read();
    if (line === null) return null;
    const { secret: _secret, ...shown } = line.config;
    return {
      name: line.name,
      ...shown,
      accepted: line.accepted,
      duplicates: line.duplicates,
      refusedSignatures: line.refusedSignatures,
      lastDeliveryMs: line.lastDeliveryMs,
      deliveryIds: this.state.deliveryCount(),
    };
  }

  /**
   * Creates or replaces the configuration. An intent left by an earlier delivery is settled
   * first; one that cannot be settled now is given up (SOURCE-8 says what that costs).
   */
  configure(name: string, config: SourceConfig): Promise<{ created: boolean; status: SourceStatus }> {
    return this.alone(async () => {
      const line = this.state.read();
      if (line !== null) await this.settleOrGiveUp(line);
      const created = this.state.configure(name, config, crypto.randomUUID());
      return { created, status: this.status()! };
    });
  }

  private async settleOrGiveUp(line: SourceLine): Promise<void> {
    try {
      await settlePending(await this.contextOf(line), line);
    } catch {
      const pending = this.state.pending();
      if (pending !== null) this.state.abandon(pending);
    }
  }

  /** Forgets the source; answers whether it was configured. */
  remove(): Promise<boolean> {
    return this.alone(async () => {
      const configured = this.state.read() !== null;
      this.state.clear();
      return configured;
    });
  }

  /** One delivery (source-delivery.ts); UNKNOWN_SOURCE when the source is not configured. */
  deliver(delivery: Delivery): Promise<Result<DeliveryAnswer>> {
    return this.alone(() =>
      captureAsync(async () => {
        const line = this.state.read();
        if (line === null) throw unknownSource();
        return deliver(await this.contextOf(line), line, delivery);
      }),
    );
  }

  /** The index: adds a name unless SOURCES_MAX are listed; answers whether it is listed now. */
  indexReserve(name: string): boolean {
    return this.state.reserve(name, SOURCES_MAX);
  }

  /** The index: removes a name. */
  indexRelease(name: string): void {
    this.state.release(name);
  }

  /** The index: every listed name. */
  indexNames(): string[] {
    return this.state.names();
  }
}

function unknownSource(): EdgelogError {
  return new EdgelogError("UNKNOWN_SOURCE", "no source of that name is configured (SOURCE-3)");
}
