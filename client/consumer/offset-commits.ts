/**
 * A consumer's commits: one at a time, in order (so a later commit is never overtaken by an
 * earlier one, and a position never moves back), each with the member id and generation of the
 * moment it is sent, over the client's HTTP (`PUT /v1/groups/:group/offsets`, PROTOCOL.md COMMIT-2,
 * one request for every partition) with its credentials. The auto-commit timer runs only while
 * there is progress: at most `intervalMs` after a record was processed its offset is committed;
 * a failed commit is tried again after the interval. An entry whose partition the member no
 * longer owns when its turn comes is dropped, so progress of a partition that moved is never
 * sent under a later generation. ILLEGAL_GENERATION and UNKNOWN_MEMBER_ID are told to `fenced`.
 *
 * @example
 * const commits = new OffsetCommits({ http, group, topic, timers, intervalMs: 5_000, progress, member, owns, committed, fenced, reportError });
 * commits.progressed(); // a record was processed: commit within the interval
 * await commits.commitProgress(); // now
 */
import type { ClientError } from "../client-events.ts";
import type { HttpApi } from "../http-api.ts";
import { type CommitMember, EdgelogError } from "../protocol/index.ts";
import type { AssignedPartition } from "./assigned-partition.ts";
import type { ConsumerTimers } from "./consumer-options.ts";

/**
 * One offset to commit: the next offset to read on a partition, and the owner it was read by.
 *
 * @example
 * const entry: CommitEntry = { partition: 2, offset: 43, owner };
 */
export interface CommitEntry {
  partition: number;
  offset: number;
  owner: AssignedPartition;
}

/**
 * What the commits need from their consumer.
 *
 * @example
 * const options: OffsetCommitsOptions = { http, group: "billing", topic: "orders", timers, intervalMs: null, progress: () => [], member: () => null, owns: () => true, committed: () => {}, fenced: () => {}, reportError: console.warn };
 */
export interface OffsetCommitsOptions {
  http: HttpApi;
  group: string;
  topic: string;
  timers: ConsumerTimers;
  /** The auto-commit interval; null for no auto-commit. */
  intervalMs: number | null;
  /** The progress not yet committed, read when a commit's turn comes. */
  progress(): CommitEntry[];
  /** The member and generation to commit as now; null before the first join. */
  member(): CommitMember | null;
  /** Whether the entry's owner is still the member's for its partition. */
  owns(entry: CommitEntry): boolean;
  /** The server stored the entry. */
  committed(entry: CommitEntry): void;
  /** The server refused the commit's member or generation. */
  fenced(error: EdgelogError, generation: number): void;
  reportError(error: ClientError): void;
}

/**
 * A consumer's commits (see the module comment).
 *
 * @example
 * const commits = new OffsetCommits(options);
 * await commits.commitEntries([{ partition: 0, offset: 10, owner }]);
 */
export class OffsetCommits {
  private readonly options: OffsetCommitsOptions;
  private chain: Promise<void> = Promise.resolve();
  private timer: unknown = null;
  private cancelled = false;

  constructor(options: OffsetCommitsOptions) {
    this.options = options;
  }

  /** A record was processed: an auto-commit follows within the interval. */
  progressed(): void {
    const { intervalMs, timers } = this.options;
    if (intervalMs === null || this.timer !== null || this.cancelled) return;
    this.timer = timers.setTimeout(() => {
      this.timer = null;
      void this.autoCommit();
    }, intervalMs);
  }

  /** No more auto-commits (the consumer stops or ended); explicit commits still go. */
  cancel(): void {
    this.cancelled = true;
    if (this.timer !== null) this.options.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Commits everything processed and not yet committed, in turn. */
  commitProgress(): Promise<void> {
    return this.inTurn(() => this.send(this.options.progress()));
  }

  /** Commits these offsets, in turn (those of partitions no longer owned by then are dropped). */
  commitEntries(entries: CommitEntry[]): Promise<void> {
    return this.inTurn(() => this.send(entries.filter((entry) => this.options.owns(entry))));
  }

  private inTurn(send: () => Promise<void>): Promise<void> {
    const turn = this.chain.then(send);
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  private async send(entries: CommitEntry[]): Promise<void> {
    const member = this.options.member();
    if (member === null || entries.length === 0) return;
    const { topic } = this.options;
    const offsets = entries.map((entry) => ({ topic, partition: entry.partition, offset: entry.offset }));
    try {
      await this.options.http.commit(this.options.group, { offsets, memberId: member.memberId, generation: member.generation });
    } catch (error) {
      if (error instanceof EdgelogError && (error.code === "ILLEGAL_GENERATION" || error.code === "UNKNOWN_MEMBER_ID")) {
        this.options.fenced(error, member.generation);
      }
      throw error;
    }
    for (const entry of entries) this.options.committed(entry);
  }

  private async autoCommit(): Promise<void> {
    try {
      await this.commitProgress();
    } catch (error) {
      this.options.reportError(error as ClientError);
    }
    // Failed, or more was processed meanwhile: again after the interval.
    if (this.options.progress().length > 0) this.progressed();
  }
}
