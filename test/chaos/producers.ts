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
/** Batches a socket producer has in flight at once (pipelined). */
const SOCKET_WINDOW = 2;
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
  private next = 0;
  private stopping = false;
  /** When a stopping idempotent producer gives up retrying its last batches. */
  private drainBy = Number.POSITIVE_INFINITY;
  private socket: ProducerSocket | null = null;

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

  /** Sends batches until stopped: over HTTP one at a time, over the socket pipelined. */
  run(): Promise<void> {
    return this.kind.wire === "http" ? this.runHttp() : this.runSocket();
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

  /** Keeps an answer: an acknowledgement or a refusal. */
  private keep(n0: number, answer: Exclude<Answer, { lost: string }>): void {
    if ("acked" in answer) this.acked.push({ n0, count: BATCH_RECORDS, ...answer.acked });
    else this.refusals.push(`batch ${n0}: ${answer.refused}`);
  }

  private async runHttp(): Promise<void> {
    while (!this.stopping) {
      const n0 = this.take();
      const body = JSON.stringify(this.body(n0));
      for (;;) {
        const answer = await this.sendHttp(body);
        if (!("lost" in answer)) {
          this.keep(n0, answer);
          break;
        }
        this.failedTries++;
        await sleep(RETRY_MS);
        if (this.givesUp()) {
          this.lost.push({ n0, count: BATCH_RECORDS });
          break;
        }
      }
    }
  }

  /**
   * Up to SOCKET_WINDOW batches in flight on one socket, answered in order (SOCKET-10). When the
   * socket goes (a crash), an idempotent producer resends every unanswered batch in order on the
   * next socket (PRODUCER-3, PRODUCER-5); another gives them up.
   */
  private async runSocket(): Promise<void> {
    const window: { n0: number; frame: string; answer: Promise<Record<string, unknown> | null> | null }[] = [];
    while (window.length > 0 || !this.stopping) {
      while (!this.stopping && window.length < SOCKET_WINDOW) {
        const n0 = this.take();
        window.push({ n0, frame: JSON.stringify({ type: "produce", id: `b${n0}`, ...this.body(n0) }), answer: null });
      }
      const socket = await this.openSocket();
      const head = window[0]!;
      if (socket !== null) for (const batch of window) batch.answer ??= socket.request(batch.frame, `b${batch.n0}`);
      const answer = socket === null ? null : await head.answer;
      if (answer !== null) {
        window.shift();
        const offsets = answer.offsets as { offset: number }[] | undefined;
        this.keep(
          head.n0,
          answer.type === "ack" && offsets
            ? { acked: { offsets: offsets.map((o) => o.offset), duplicate: answer.duplicate === true } }
            : { refused: JSON.stringify(answer).slice(0, 300) },
        );
        continue;
      }
      // The socket closed before the head's answer, so before every later one (answers come in order).
      this.socket?.close();
      this.socket = null;
      this.failedTries++;
      await sleep(RETRY_MS);
      for (const batch of window) batch.answer = null;
      if (this.givesUp()) for (const batch of window.splice(0)) this.lost.push({ n0: batch.n0, count: BATCH_RECORDS });
    }
    this.socket?.close();
  }

  /** The producer's socket, opened when there is none (null when it cannot be). */
  private async openSocket(): Promise<ProducerSocket | null> {
    try {
      this.socket ??= await ProducerSocket.open(`${this.kind.baseUrl}/v1/topics/${this.kind.topic}/partitions/${this.kind.partition}/ws`);
      return this.socket;
    } catch {
      return null;
    }
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
