/**
 * Group commit: concurrent appends on one partition share one storage commit.
 *
 * workerd commits a Durable Object's SQLite writes once per turn of its event loop (the writes
 * made with no await between them form one implicit transaction, committed on the next turn, with
 * one fsync locally: src/workerd/io/actor-sqlite.c++, startImplicitTxnImpl), and its output gate
 * holds every message and answer sent meanwhile until that commit is done. So one append per
 * event costs one fsync per acknowledgement, however many producers there are.
 *
 * Here a request that arrives while the object is idle is applied at once (a lone producer waits
 * for nothing more than its own commit). A request that arrives while an earlier write may still
 * be uncommitted waits in a queue, and the queue is applied in one synchronous turn on a timer of
 * 0 ms: the runtime fires timers only once it has polled its sockets, so every frame that arrived
 * during the previous commit joins the queue first. Each request is applied on its own (its own
 * idempotence check, quota admission and error: `apply` throws for it alone), in arrival order, and
 * each caller is answered after the writes of its turn, so the output gate sends the answer only
 * once its data is durable.
 *
 * Bounded: at most GROUP_COMMIT_REQUESTS_MAX requests and GROUP_COMMIT_CHARACTERS_MAX characters
 * wait; past either a request is refused with QUOTA_EXCEEDED and a retryAfterMs (nothing stored;
 * PROTOCOL.md QUOTA-10).
 *
 * @example
 * const grouped = new GroupCommit<AppendRequest, AppendResult>({ apply: (r) => partition.appendNow(r), size: requestCharacters });
 * const { baseOffset } = await grouped.submit(request);
 */
import { EdgelogError } from "../../client/protocol/index.ts";
import { invariant } from "../result.ts";

/**
 * The most requests waiting for the next group commit of one partition. Each socket has at most one
 * produce in flight (its frames are handled in order, SOCKET-15), so this is reached only by more
 * than this many producers at once.
 *
 * @example
 * if (queued >= GROUP_COMMIT_REQUESTS_MAX) throw new EdgelogError("QUOTA_EXCEEDED", "…", { retryAfterMs: GROUP_COMMIT_RETRY_AFTER_MS });
 */
export const GROUP_COMMIT_REQUESTS_MAX = 1_024;

/**
 * The most characters (of records as the requests carry them) waiting for the next group commit of
 * one partition: 16 Mi, so waiting requests hold a bounded share of the object's 128 MB.
 *
 * @example
 * if (characters + size > GROUP_COMMIT_CHARACTERS_MAX) refuse();
 */
export const GROUP_COMMIT_CHARACTERS_MAX = 16 * 1_024 * 1_024;

/**
 * How long a request refused because the queue is full should wait before it is sent again, in ms
 * (a few commits' time).
 *
 * @example
 * new EdgelogError("QUOTA_EXCEEDED", "the partition is busy", { retryAfterMs: GROUP_COMMIT_RETRY_AFTER_MS });
 */
export const GROUP_COMMIT_RETRY_AFTER_MS = 50;

/**
 * What a GroupCommit needs: how to apply one request (synchronously, throwing for that request
 * alone), how large one is, and (for tests) how to run the queue later.
 *
 * @example
 * const options: GroupCommitOptions<AppendRequest, AppendResult> = { apply: (r) => host.appendNow(r), size: requestCharacters };
 */
export interface GroupCommitOptions<R, A> {
  /** Applies one request in the current turn; throws (an EdgelogError) to refuse it alone. */
  apply: (request: R) => A;
  /** A request's size in characters, for GROUP_COMMIT_CHARACTERS_MAX. */
  size: (request: R) => number;
  /** Runs `task` on a later turn, after the runtime polled for input: setTimeout 0 by default. */
  later?: (task: () => void) => void;
}

interface Waiting<R, A> {
  request: R;
  size: number;
  resolve: (answer: A) => void;
  reject: (error: unknown) => void;
}

/**
 * One partition's group commit (see this module's header).
 *
 * @example
 * const grouped = new GroupCommit({ apply: (r: AppendRequest) => partition.appendNow(r), size: requestCharacters });
 * const [a, b] = await Promise.all([grouped.submit(first), grouped.submit(second)]); // b waits for a's commit, then shares one
 */
export class GroupCommit<R, A> {
  private readonly options: GroupCommitOptions<R, A>;
  private readonly later: (task: () => void) => void;
  private queue: Waiting<R, A>[] = [];
  private characters = 0;
  /**
   * Whether a write of ours may still be uncommitted: set by a write, kept by a flush that wrote,
   * cleared by the first flush that finds nothing waiting (one turn after the last write's commit).
   */
  private writing = false;
  /** Requests applied, and the turns they were applied in (so requests per commit), since the object started. */
  readonly counts = { requests: 0, turns: 0 };

  constructor(options: GroupCommitOptions<R, A>) {
    this.options = options;
    this.later = options.later ?? ((task) => void setTimeout(task, 0));
  }

  /** Requests waiting for the next group commit. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Applies `request` at once when the object is idle, else queues it for the next group commit
   * (QUOTA_EXCEEDED past the queue's bounds); answers what `apply` answered, or rejects with what
   * it threw.
   */
  submit(request: R): Promise<A> {
    if (!this.writing) {
      this.startWriting();
      this.counts.turns++;
      return this.applyOne(request);
    }
    const size = this.options.size(request);
    if (this.queue.length >= GROUP_COMMIT_REQUESTS_MAX || this.characters + size > GROUP_COMMIT_CHARACTERS_MAX) {
      return Promise.reject(
        new EdgelogError(
          "QUOTA_EXCEEDED",
          `the partition has ${this.queue.length} produce requests waiting for its next commit: send again later`,
          { retryAfterMs: GROUP_COMMIT_RETRY_AFTER_MS },
        ),
      );
    }
    return new Promise<A>((resolve, reject) => {
      this.queue.push({ request, size, resolve, reject });
      this.characters += size;
    });
  }

  private startWriting(): void {
    this.writing = true;
    this.later(() => this.flush());
  }

  private applyOne(request: R): Promise<A> {
    this.counts.requests++;
    try {
      return Promise.resolve(this.options.apply(request));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Applies every waiting request in this one turn, in arrival order, and answers each. */
  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    this.characters = 0;
    if (batch.length === 0) {
      this.writing = false;
      return;
    }
    this.counts.turns++;
    for (const waiting of batch) {
      this.counts.requests++;
      try {
        waiting.resolve(this.options.apply(waiting.request));
      } catch (error) {
        waiting.reject(error);
      }
    }
    invariant(this.queue.length === 0, "nothing is queued while a group commit applies");
    // What arrives during this turn's commit waits for the next flush.
    this.startWriting();
  }
}
