/**
 * A consumer-group member in kafkajs's spirit (`client.consumer(options)`): `run({ eachRecord })`
 * joins over the group socket (group-session.ts), follows every assignment, subscribes each owned
 * partition from the group's committed offset (assigned-partition.ts), and commits processed
 * offsets with its member id and generation, so the server fences a commit of a generation that is
 * over (PROTOCOL.md COMMIT-5, COMMIT-6).
 *
 * Rebalances are applied one at a time, in order. A new generation that directly follows the
 * member's own keeps the partitions both name running (no one else owned them in between); every
 * other partition stops: no record of it starts any more, the one in flight finishes, `onRevoke`
 * hears it, and only then do the new partitions start, after `onAssign`. The server has no revoke
 * barrier (GROUP-12): when a member hears of a rebalance, the old generation is already over, so
 * progress made since the last commit on a partition that moves cannot be committed and is never
 * committed under the new generation (GROUP-13); its next owner processes it again (at-least-once, bounded
 * by the auto-commit interval). `stop()` commits everything before it leaves, while its generation
 * is still valid, so a clean hand-over repeats nothing. Losing the membership (the group socket
 * dropped, a 4408 close when the session expired, UNKNOWN_MEMBER_ID answering a commit) stops every
 * partition without a commit and rejoins; ILLEGAL_GENERATION answering a commit rejoins as the
 * same member, which answers the group's current generation.
 *
 * @example
 * const consumer = client.consumer({ group: "billing", topic: "orders", reset: "earliest" });
 * await consumer.run({ eachRecord: async (record) => await bill(record.value) });
 * consumer.onAssignment(({ generation, partitions }) => console.log(generation, partitions));
 * await consumer.stop();
 */
import type { ClientError } from "../client-events.ts";
import { Ending } from "../ending.ts";
import type { JsonCompatible } from "../json-compatible.ts";
import { Listeners } from "../listeners.ts";
import { EdgelogClientError } from "../local-errors.ts";
import { EdgelogError, type JsonValue, offsetNumber, partitionNumber } from "../protocol/index.ts";
import type { TopicRecord } from "../subscribe-options.ts";
import { AssignedPartition, type PartitionContext } from "./assigned-partition.ts";
import { LEAVE_WAIT_MS_MAX } from "./consumer-limits.ts";
import {
  type AssignmentChange,
  type ConsumerAssignment,
  type ConsumerOptions,
  type ConsumerSettings,
  type RevokeChange,
  type RevokeReason,
  type RunHandlers,
  resolveConsumerOptions,
} from "./consumer-options.ts";
import type { ConsumerContext } from "./consumer-setup.ts";
import { GroupSession, type GroupTarget } from "./group-session.ts";
import { type CommitEntry, OffsetCommits } from "./offset-commits.ts";

/** Rebalance steps applied in one go before the queue is looked at afresh (the queue holds at most two). */
const REBALANCE_STEPS_MAX = 16;

type ConsumerState = "idle" | "running" | "stopping" | "stopped" | "ended";

/**
 * One group member (see the module comment); made by `client.consumer(options)`.
 *
 * @example
 * const consumer: Consumer = client.consumer({ group: "billing", topic: "orders" });
 * await consumer.run({ eachRecord: (record) => console.log(record.partition, record.offset) });
 * console.log(consumer.memberId, consumer.generation, consumer.assignment.partitions);
 */
export class Consumer<T extends JsonCompatible<T> = JsonValue> {
  private readonly ctx: ConsumerContext;
  private readonly settings: ConsumerSettings;
  private readonly session: GroupSession;
  private readonly commits: OffsetCommits;
  private readonly owned = new Map<number, AssignedPartition>();
  private readonly changes = new Listeners<ConsumerAssignment>();
  private readonly ending = new Ending<ClientError>();
  private readonly offClientClosed: () => void;
  private handlers: RunHandlers<T> | null = null;
  private state: ConsumerState = "idle";
  private memberIdValue: string | null;
  private generationValue = 0;
  /** The membership was lost since the last assignment: nothing of it carries over. */
  private broken = false;
  /** Rebalance work waiting, applied in order: a loss first, then the latest target. */
  private pendingLoss = false;
  private pendingTarget: GroupTarget | null = null;
  private rebalancing: Promise<void> | null = null;
  private firstJoin: { resolve(): void; reject(error: ClientError): void } | null = null;
  private stopping: Promise<void> | null = null;

  /** @internal The client makes it (`client.consumer`). */
  constructor(ctx: ConsumerContext, options: ConsumerOptions) {
    this.ctx = ctx;
    this.settings = resolveConsumerOptions(options);
    this.memberIdValue = this.settings.join.memberId;
    const { url, WebSocket, heartbeatIntervalMs, credentials, random } = ctx;
    const sessionOptions = { url, group: this.settings.group, join: this.settings.join, WebSocket, heartbeatIntervalMs, credentials };
    this.session = new GroupSession(random ? { ...sessionOptions, random } : sessionOptions, {
      assigned: (target) => this.queue(target),
      lost: () => this.queue("loss"),
      ended: (error) => this.end(error),
      error: (error) => ctx.reportError(error),
    });
    this.commits = new OffsetCommits({
      http: ctx.http,
      group: this.settings.group,
      topic: this.settings.join.topic,
      timers: this.settings.timers,
      intervalMs: this.settings.autoCommitIntervalMs,
      progress: () => this.progress(),
      member: () => (this.memberIdValue === null ? null : { memberId: this.memberIdValue, generation: this.generationValue }),
      owns: (entry) => this.owned.get(entry.partition) === entry.owner,
      committed: (entry) => {
        entry.owner.committed = entry.offset;
      },
      fenced: (error, generation) => this.fenced(error, generation),
      reportError: (error) => ctx.reportError(error),
    });
    this.offClientClosed = ctx.onClientClosed(() => this.close());
  }

  /** The member's id: the option's, else the server's once the first join answered (null until then). */
  get memberId(): string | null {
    return this.memberIdValue;
  }

  /** The generation of the assignment in effect (0 before the first join). */
  get generation(): number {
    return this.generationValue;
  }

  /** The assignment in effect: the partitions records are delivered from now. */
  get assignment(): ConsumerAssignment {
    const partitions = [...this.owned.keys()].sort((a, b) => a - b);
    return { memberId: this.memberIdValue, generation: this.generationValue, partitions };
  }

  /** The error the consumer ended with (UNKNOWN_TOPIC, INCONSISTENT_GROUP, FORBIDDEN, ...), or null. */
  get error(): ClientError | null {
    return this.ending.error;
  }

  /** Calls `listener` after every change of the assignment (a rebalance, a loss, the stop); returns its unsubscribe. */
  onAssignment(listener: (assignment: ConsumerAssignment) => void): () => void {
    return this.changes.add(listener);
  }

  /** Calls `listener` once with the error the consumer ends with; returns its unsubscribe. */
  onError(listener: (error: ClientError) => void): () => void {
    return this.ending.onEnd(listener);
  }

  /**
   * Joins the group and delivers records to `handlers.eachRecord` until `stop()`. Resolves once
   * the first assignment is in effect (or on `stop()` before it); rejects with the error when the
   * consumer ends first (UNKNOWN_TOPIC, INCONSISTENT_GROUP, ...). Network failures never end it:
   * it reconnects with the client's backoff meanwhile. Call it once.
   */
  run(handlers: RunHandlers<T>): Promise<void> {
    if (this.state !== "idle") return Promise.reject(new EdgelogClientError("INVALID_USE", "run() is called once per consumer"));
    this.handlers = handlers;
    this.state = "running";
    const joined = new Promise<void>((resolve, reject) => {
      this.firstJoin = { resolve, reject };
    });
    this.session.start();
    return joined;
  }

  /**
   * Commits, with the member id and generation, the given offsets (each the next offset to read of
   * an owned partition, COMMIT-1) or, without `offsets`, everything processed and not yet
   * committed. Rejects with the server's code: ILLEGAL_GENERATION when the generation is over
   * (the consumer then rejoins; nothing is committed), UNKNOWN_MEMBER_ID when the member is gone.
   */
  async commit(offsets?: readonly { partition: number; offset: number }[]): Promise<void> {
    if (this.state !== "running") throw new EdgelogClientError("INVALID_USE", "commit() needs a running consumer");
    if (offsets === undefined) return this.commits.commitProgress();
    const entries: CommitEntry[] = offsets.map((entry, i) => {
      const partition = partitionNumber(entry.partition, `offsets[${i}].partition`);
      const offset = offsetNumber(entry.offset, `offsets[${i}].offset`);
      const owner = this.owned.get(partition);
      if (owner === undefined)
        throw new EdgelogClientError(
          "INVALID_USE",
          `partition ${partition} is not this member's (it owns ${this.assignment.partitions.join(", ") || "none"})`,
        );
      return { partition, offset, owner };
    });
    return this.commits.commitEntries(entries);
  }

  /**
   * Stops cleanly: no record starts after this, the ones in flight finish, everything processed
   * is committed (the generation still valid), `onRevoke` hears it, and the member leaves the
   * group (whose other members then share its partitions). Safe to call twice.
   */
  stop(): Promise<void> {
    if (this.stopping !== null) return this.stopping;
    if (this.state !== "running") {
      this.finish(this.state === "ended" ? "ended" : "stopped");
      this.stopping = Promise.resolve();
      return this.stopping;
    }
    this.state = "stopping";
    this.stopping = (async () => {
      this.commits.cancel();
      await this.rebalancing;
      await this.revoke([...this.owned.keys()], "stop");
      await this.session.leave(this.settings.timers, LEAVE_WAIT_MS_MAX);
      this.finish("stopped");
    })();
    return this.stopping;
  }

  /** The client closed: close the sockets at once, without a commit (`stop()` first to commit). */
  private close(): void {
    if (this.state === "stopped" || this.state === "ended") return;
    this.finish("stopped");
  }

  /** Ends with an error no retry can change. */
  private end(error: ClientError): void {
    if (this.state === "stopped" || this.state === "ended") return;
    this.finish("ended");
    this.ctx.reportError(error);
    this.ending.end(error);
    this.firstJoin?.reject(error);
    this.firstJoin = null;
  }

  private finish(state: "stopped" | "ended"): void {
    const had = this.owned.size > 0;
    this.state = state;
    this.commits.cancel();
    for (const owner of this.owned.values()) owner.close();
    this.owned.clear();
    this.session.close();
    this.offClientClosed();
    if (state === "stopped") {
      this.firstJoin?.resolve();
      this.firstJoin = null;
    }
    if (had) this.changes.emit(this.assignment);
  }

  private queue(step: GroupTarget | "loss"): void {
    if (this.state !== "running") return;
    if (step === "loss") {
      this.pendingLoss = true;
      this.pendingTarget = null;
    } else this.pendingTarget = step;
    if (this.rebalancing !== null) return;
    this.rebalancing = this.rebalance()
      .catch((error: unknown) => this.ctx.reportError(asClientError(error)))
      .finally(() => {
        this.rebalancing = null;
        if (this.state === "running" && (this.pendingLoss || this.pendingTarget !== null)) this.queue(this.pendingTarget ?? "loss");
      });
  }

  private async rebalance(): Promise<void> {
    for (let step = 0; step < REBALANCE_STEPS_MAX && this.state === "running"; step++) {
      if (this.pendingLoss) {
        this.pendingLoss = false;
        this.broken = true;
        await this.revoke([...this.owned.keys()], "lost");
        this.changes.emit(this.assignment);
        continue;
      }
      const target = this.pendingTarget;
      if (target === null) return;
      this.pendingTarget = null;
      await this.adopt(target);
    }
  }

  /** Moves to a target assignment (see the module comment). */
  private async adopt(target: GroupTarget): Promise<void> {
    const sameMember = target.memberId === this.memberIdValue;
    if (sameMember && target.generation < this.generationValue) return;
    const continuous = !this.broken && sameMember && target.generation - this.generationValue <= 1;
    const running = [...this.owned.keys()];
    const kept = continuous ? running.filter((p) => target.partitions.includes(p)) : [];
    await this.revoke(
      running.filter((p) => !kept.includes(p)),
      "rebalance",
    );
    this.memberIdValue = target.memberId;
    this.generationValue = target.generation;
    this.broken = false;
    const added = target.partitions.filter((p) => !this.owned.has(p));
    if (added.length > 0) await this.hook("onAssign", { memberId: target.memberId, generation: target.generation, partitions: added });
    if (this.state !== "running") return;
    for (const partition of added) this.owned.set(partition, new AssignedPartition(this.partitionContext(), partition));
    this.changes.emit(this.assignment);
    this.firstJoin?.resolve();
    this.firstJoin = null;
  }

  /** Stops `partitions`, commits their progress when the generation is still valid (a stop), and tells `onRevoke`. */
  private async revoke(partitions: number[], reason: RevokeReason): Promise<void> {
    const owners = partitions.flatMap((p) => this.owned.get(p) ?? []);
    if (owners.length === 0) return;
    await Promise.all(owners.map((owner) => owner.stop(this.settings.timers)));
    if (reason === "stop") await this.commits.commitProgress().catch((error: unknown) => this.ctx.reportError(asClientError(error)));
    for (const owner of owners) {
      owner.close();
      this.owned.delete(owner.partition);
    }
    const change: RevokeChange = {
      memberId: this.memberIdValue ?? "",
      generation: this.generationValue,
      partitions: owners.map((o) => o.partition),
      reason,
    };
    await this.hook("onRevoke", change);
  }

  /** A commit was refused: rejoin to learn the generation (ILLEGAL_GENERATION), or as a lost member (UNKNOWN_MEMBER_ID). */
  private fenced(error: EdgelogError, generation: number): void {
    if (this.state !== "running" || generation !== this.generationValue) return;
    if (error.code === "UNKNOWN_MEMBER_ID") this.queue("loss");
    this.session.rejoin();
  }

  /** The owned partitions' progress not yet committed. */
  private progress(): CommitEntry[] {
    const entries: CommitEntry[] = [];
    for (const owner of this.owned.values()) {
      const offset = owner.uncommitted();
      if (offset !== null) entries.push({ partition: owner.partition, offset, owner });
    }
    return entries;
  }

  private partitionContext(): PartitionContext {
    return {
      topic: this.settings.join.topic,
      group: this.settings.group,
      reset: this.settings.reset,
      makeLink: this.ctx.makeLink,
      eachRecord: (record) => this.eachRecord(record),
      progressed: () => {
        if (this.state === "running") this.commits.progressed();
      },
      ended: (error) => this.end(error),
      reportError: (error) => this.ctx.reportError(error),
    };
  }

  private async eachRecord(record: TopicRecord): Promise<void> {
    try {
      // Types only, as `client.subscribe<T>` without a schema: the value is what the log holds.
      await this.handlers?.eachRecord(record as TopicRecord<T>);
    } catch (error) {
      const where = `${record.topic}/${record.partition}@${record.offset}`;
      this.ctx.reportError(callbackError(`eachRecord threw on ${where}`, error));
    }
  }

  private async hook(name: "onAssign" | "onRevoke", change: AssignmentChange | RevokeChange): Promise<void> {
    try {
      if (name === "onAssign") await this.handlers?.onAssign?.(change);
      else await this.handlers?.onRevoke?.(change as RevokeChange);
    } catch (error) {
      this.ctx.reportError(callbackError(`${name} threw on partitions ${change.partitions.join(", ")}`, error));
    }
  }
}

function callbackError(what: string, error: unknown): EdgelogClientError {
  return new EdgelogClientError("CALLBACK_FAILED", `${what}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

function asClientError(error: unknown): ClientError {
  if (error instanceof EdgelogError || error instanceof EdgelogClientError) return error;
  return new EdgelogClientError("NETWORK", `the consumer failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}
