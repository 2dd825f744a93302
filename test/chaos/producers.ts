/**
 * The chaos test's producers: each appends numbered batches to one partition, over HTTP or the
 * partition socket, idempotent (a producer id, retrying the same batch with the same sequence until
 * it is acknowledged, across crashes) or not (each batch sent once; an answer lost to a crash makes
 * it unacknowledged, stored or not). Record `n` of producer `i` has the value `{c, p: i, n}`, so a
 * reader can tell every record's origin. What each acknowledgement said is kept for the check.
 *
 * @example
 * const producer = new Producer({ index: 0, wire: "http", idempotent: true, partition: 0, baseUrl, topic });
 * const done = producer.run(); // until producer.stop()
 */
import WebSocket from "ws";
import { sleep } from "../node/runtime.ts";

/** Records per batch. */
export const BATCH_RECORDS = 10;
/** How long one try may wait for its answer (a crash mid-request ends it sooner, with an error). */
const ANSWER_MS_MAX = 10_000;
/** Back-off between tries while the runtime is down. */
const RETRY_MS = 100;
/** How often one batch may be resent after being overtaken before that is a problem. */
const RESENDS_MAX = 100;
/** The refusals of a batch that overtook an earlier one of its producer (PRODUCER-5, PRODUCER-7). */
const OVERTAKEN = /OUT_OF_ORDER_SEQUENCE|UNKNOWN_PRODUCER_ID/;

/**
 * Batches in flight at once: two on the socket (pipelined, answered in order) and for an
 * idempotent HTTP producer (two requests that may overtake each other); one for a plain HTTP one.
 */
function windowOf(kind: ProducerKind): number {
  return kind.wire === "http" && !kind.idempotent ? 1 : 2;
}

/** A batch in flight: its first record's number, its answer (null: to be sent), its resends. */
interface InFlight {
  n0: number;
  answer: Promise<Answer> | null;
  resends: number;
}
/** How long a stopping idempotent producer may keep retrying its last batches. */
const DRAIN_MS_MAX = 60_000;

/**
 * What a producer is.
 *
 * @example
 * const kind: ProducerKind = { index: 5, wire: "socket", idempotent: false, partition: 1, baseUrl, topic: "chaos" };
 */
export interface ProducerKind {
  index: number;
  wire: "http" | "socket";
  idempotent: boolean;
  partition: number;
  baseUrl: string;
  topic: string;
}

/**
 * One acknowledged batch: its first record's number, its size and the offsets the answer gave.
 *
 * @example
 * const ack: AckedBatch = { n0: 20, count: 10, offsets: [40, 41, 42, 43, 44, 45, 46, 47, 48, 49], duplicate: false };
 */
export interface AckedBatch {
  n0: number;
  count: number;
  offsets: number[];
  duplicate: boolean;
}

/** A batch's answer: acknowledged with offsets, refused with a code, or lost (no answer). */
type Answer = { acked: { offsets: number[]; duplicate: boolean } } | { refused: string } | { lost: string };

/** The value of record `n` of producer `p`. */
export function recordValue(p: number, n: number): { c: string; p: number; n: number } {
  return { c: "chaos", p, n };
}

/**
 * A producer and what happened to its batches.
 *
 * @example
 * const producer = new Producer(kind);
 * const running = producer.run();
 * producer.stop(); await running;
 * producer.acked; // every acknowledged batch
 */
export class Producer {
  readonly kind: ProducerKind;
  readonly acked: AckedBatch[] = [];
  /** Batches sent without an answer and not retried (non-idempotent only): stored at most once. */
  readonly lost: { n0: number; count: number }[] = [];
  /** Refusals (a 4xx or an error frame): none is expected. */
  readonly refusals: string[] = [];
  /** Tries that got no answer (a crash, the runtime down) and how many answers were 5xx. */
  failedTries = 0;
  serverErrors = 0;
  /** Batches refused because they overtook an earlier one, then resent. */
  overtaken = 0;
  private next = 0;
  private stopping = false;
  /** When a stopping idempotent producer gives up retrying its last batches. */
  private drainBy = Number.POSITIVE_INFINITY;
  /** The producer's socket, or its opening (shared by the batches sent meanwhile, so all go on one socket). */
  private socket: Promise<ProducerSocket | null> | null = null;

  constructor(kind: ProducerKind) {
    this.kind = kind;
  }

  /** Records acknowledged so far. */
  get ackedRecords(): number {
    return this.acked.reduce((sum, batch) => sum + batch.count, 0);
  }

  /** Asks the loops to end after the batches in flight (an idempotent producer retries them until acknowledged). */
  stop(): void {
    this.stopping = true;
    this.drainBy = Date.now() + DRAIN_MS_MAX;
  }

  /** Sends batches until stopped, up to `window` in flight (windowOf). */
  async run(): Promise<void> {
    const window: InFlight[] = [];
    while (window.length > 0 || !this.stopping) {
      while (!this.stopping && window.length < windowOf(this.kind)) window.push({ n0: this.take(), answer: null, resends: 0 });
      for (const batch of window) batch.answer ??= this.send(batch.n0);
      const head = window[0]!;
      const answer = await head.answer!;
      if ("acked" in answer) {
        window.shift();
        this.acked.push({ n0: head.n0, count: BATCH_RECORDS, ...answer.acked });
      } else if ("refused" in answer) {
        // Overtaken: the head went while an earlier batch was not yet stored (PRODUCER-5, PRODUCER-7);
        // every earlier one is acknowledged now, so it goes again. Only HTTP requests may overtake
        // each other: on the socket frames are handled in order (SOCKET-15), so there it is a problem.
        if (this.kind.wire === "http" && this.kind.idempotent && OVERTAKEN.test(answer.refused) && head.resends++ < RESENDS_MAX) {
          this.overtaken++;
          head.answer = null;
          continue;
        }
        window.shift();
        this.refusals.push(`batch ${head.n0}: ${answer.refused}`);
      } else {
        await this.lose(window);
      }
    }
    void this.socket?.then((socket) => socket?.close());
  }

  /**
   * The head of the window had no answer (a crash, the runtime down). On the socket every later
   * batch had none either (answers come in order, SOCKET-10): the socket goes and all of them are
   * resent in order on the next one. Over HTTP only the head is resent (the others have answers of
   * their own). A producer that is not idempotent gives them up instead.
   */
  private async lose(window: InFlight[]): Promise<void> {
    this.failedTries++;
    const unanswered = this.kind.wire === "socket" ? window.length : 1;
    if (this.kind.wire === "socket") {
      void this.socket?.then((socket) => socket?.close());
      this.socket = null;
    }
    await sleep(RETRY_MS);
    for (const batch of window.slice(0, unanswered)) batch.answer = null;
    if (this.givesUp()) for (const batch of window.splice(0, unanswered)) this.lost.push({ n0: batch.n0, count: BATCH_RECORDS });
  }

  /** The next batch's first record number. */
  private take(): number {
    const n0 = this.next;
    this.next += BATCH_RECORDS;
    return n0;
  }

  /** Whether a batch without an answer is given up: always unless idempotent, then past the drain. */
  private givesUp(): boolean {
    return !this.kind.idempotent || (this.stopping && Date.now() > this.drainBy);
  }

  /** Sends the batch starting at `n0` once, over the producer's wire. */
  private send(n0: number): Promise<Answer> {
    return this.kind.wire === "http" ? this.sendHttp(JSON.stringify(this.body(n0))) : this.sendFrame(n0);
  }

  private async sendFrame(n0: number): Promise<Answer> {
    const socket = await this.openSocket();
    if (socket === null) return { lost: "no socket" };
    const answer = await socket.request(JSON.stringify({ type: "produce", id: `b${n0}`, ...this.body(n0) }), `b${n0}`);
    if (answer === null) return { lost: "the socket closed before the answer" };
    const offsets = answer.offsets as { offset: number }[] | undefined;
    if (answer.type !== "ack" || offsets === undefined) return { refused: JSON.stringify(answer).slice(0, 300) };
    return { acked: { offsets: offsets.map((o) => o.offset), duplicate: answer.duplicate === true } };
  }

  /** The producer's socket, opened when there is none (null when it cannot be). */
  private openSocket(): Promise<ProducerSocket | null> {
    this.socket ??= ProducerSocket.open(`${this.kind.baseUrl}/v1/topics/${this.kind.topic}/partitions/${this.kind.partition}/ws`).catch(
      () => {
        this.socket = null;
        return null;
      },
    );
    return this.socket;
  }

  /** The produce body of the batch starting at record `n0`. */
  private body(n0: number): { records: { key: string; value: unknown }[]; producer?: { id: string; epoch: number; sequence: number } } {
    const records = Array.from({ length: BATCH_RECORDS }, (_, i) => ({
      key: `p${this.kind.index}`,
      value: recordValue(this.kind.index, n0 + i),
    }));
    // Sequences start at 0 and follow on (PRODUCER-2, PRODUCER-7): batch n0 has sequence n0.
    return this.kind.idempotent ? { records, producer: { id: `chaos-producer-${this.kind.index}`, epoch: 0, sequence: n0 } } : { records };
  }

  private async sendHttp(body: string): Promise<Answer> {
    const { baseUrl, topic, partition } = this.kind;
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${baseUrl}/v1/topics/${topic}/partitions/${partition}/records`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(ANSWER_MS_MAX),
      });
      text = await response.text();
    } catch (error) {
      return { lost: (error as Error).message };
    }
    if (response.status >= 500) {
      this.serverErrors++;
      return { lost: `${response.status} ${text.slice(0, 200)}` };
    }
    if (response.status !== 200) return { refused: `${response.status} ${text.slice(0, 300)}` };
    const answer = JSON.parse(text) as { offsets: { offset: number }[]; duplicate?: boolean };
    return { acked: { offsets: answer.offsets.map((o) => o.offset), duplicate: answer.duplicate === true } };
  }
}

/** A partition socket with requests in flight, each answered by the ack or error of its frame's `id`. */
class ProducerSocket {
  private readonly ws: WebSocket;
  private readonly waiting = new Map<string, (message: Record<string, unknown> | null) => void>();
  private closed = false;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data: Buffer) => {
      const message = JSON.parse(data.toString("utf8")) as Record<string, unknown>;
      if (message.type === "ack" || message.type === "error") this.settle(String(message.id), message);
    });
    ws.on("close", () => {
      this.closed = true;
      for (const id of [...this.waiting.keys()]) this.settle(id, null);
    });
    ws.on("error", () => undefined);
  }

  /** Opens the socket and waits for `hello` (auth off: it comes first, SOCKET-3). */
  static open(url: string): Promise<ProducerSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url.replace(/^http/, "ws"), { handshakeTimeout: ANSWER_MS_MAX });
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error("no hello"));
      }, ANSWER_MS_MAX);
      ws.once("message", () => {
        clearTimeout(timer);
        resolve(new ProducerSocket(ws));
      });
      ws.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      ws.once("close", () => {
        clearTimeout(timer);
        reject(new Error("closed before hello"));
      });
    });
  }

  /** Sends a frame; resolves with the ack or error of `id`, or null when the socket closes first. */
  request(frame: string, id: string): Promise<Record<string, unknown> | null> {
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      // No answer in time: the socket is ended, which answers every request in flight with null.
      const timer = setTimeout(() => this.ws.terminate(), ANSWER_MS_MAX);
      this.waiting.set(id, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      this.ws.send(frame);
    });
  }

  private settle(id: string, message: Record<string, unknown> | null): void {
    const resolve = this.waiting.get(id);
    this.waiting.delete(id);
    resolve?.(message);
  }

  close(): void {
    this.ws.terminate();
  }
}
