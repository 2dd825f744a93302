/**
 * The Durable Streams writes inside a stream's object: PUT (create, idempotent for the same
 * config), POST (append, close, append-and-close, with Stream-Seq and idempotent producers) and
 * DELETE. Parsing and refusals happen before anything is stored; the store's one synchronous
 * call then writes atomically, and parked readers are woken.
 *
 * Rules: PROTOCOL.md STREAM-3, STREAM-6, STREAM-9, STREAM-10, STREAM-11.
 *
 * @example
 * const answer = await createStream(host, request);
 */
import { EdgelogError, STREAM_APPEND_BYTES_MAX } from "../../client/protocol/index.ts";
import { readBodyBytes } from "../middleware/json-body.ts";
import type { Waiters } from "../partition/waiters.ts";
import { streamAnswer, streamRefusal } from "./stream-answers.ts";
import { createFork, type ForkAsk, type ForkSnapshot, forkHeaders } from "./stream-forks.ts";
import { createConfig, producerHeaders, STREAM_HEADER, streamSeq } from "./stream-headers.ts";
import { appendTails, isJsonMode } from "./stream-messages.ts";
import { expiryMs } from "./stream-meta.ts";
import type { ProducerHeaders } from "./stream-producers.ts";
import type { AppendOutcome, StreamStore } from "./stream-store.ts";

/**
 * What the handlers need from the object: its store, its parked readers, the time, settings.
 *
 * @example
 * const host: StreamHost = { store, waiters, now: () => this.clock.now(), longPollMs: 20_000, random: Math.random, armExpiry, snapshotOf };
 */
export interface StreamHost {
  store: StreamStore;
  waiters: Waiters;
  now(): number;
  /** How long a long-poll (and an SSE wait between keep-alives) parks. */
  longPollMs: number;
  random(): number;
  /** Sets the object's alarm for the stream's expiry (ms since the epoch). */
  armExpiry(atMs: number): void;
  /** Asks the stream `source` for a fork's snapshot (its refusals thrown as they are). */
  snapshotOf(source: string, ask: ForkAsk): Promise<ForkSnapshot>;
}

/**
 * PUT: 201 with Location when created, 200 when the same config exists, STREAM_EXISTS otherwise.
 *
 * @example
 * await createStream(host, new Request(url, { method: "PUT", headers: { "content-type": "application/json" } }));
 */
export async function createStream(host: StreamHost, request: Request): Promise<Response> {
  const fork = forkHeaders(request.headers);
  if (fork !== null) return createFork(host, request, fork, host.snapshotOf);
  const config = createConfig(request.headers);
  const body = await readBodyBytes(request, { bytesMax: STREAM_APPEND_BYTES_MAX });
  const tails = body.byteLength === 0 ? [] : appendTails(body, isJsonMode(config.contentType), true);
  const { store } = host;
  const now = host.now();
  // Answered from the create's own metadata: an Expires-At already past still creates (STREAM-9).
  const { created, meta } = store.create(config, tails, now);
  const expires = expiryMs(meta);
  if (created && expires !== null) host.armExpiry(expires);
  if (created && tails.length > 0) host.waiters.wakeAll();
  const headers: Record<string, string> = { "content-type": meta.contentType, [STREAM_HEADER.nextOffset]: store.offset(store.tail) };
  if (created) headers.location = request.url;
  if (meta.closed) headers[STREAM_HEADER.closed] = "true";
  return streamAnswer(null, created ? 201 : 200, headers);
}

/**
 * POST: append (204, or 200 with the producer's epoch and sequence), close with an empty body and
 * `Stream-Closed: true`, or both.
 *
 * @example
 * await appendStream(host, new Request(url, { method: "POST", headers: { "content-type": "text/plain" }, body: "hi" }));
 */
export async function appendStream(host: StreamHost, request: Request): Promise<Response> {
  const producer = producerHeaders(request.headers);
  const seq = streamSeq(request.headers);
  const close = request.headers.get(STREAM_HEADER.closed) === "true";
  const body = await readBodyBytes(request, { bytesMax: STREAM_APPEND_BYTES_MAX });
  const contentType = request.headers.get("content-type");
  if (body.byteLength === 0 && !close) throw new EdgelogError("INVALID_REQUEST", "an append needs a body (or Stream-Closed: true)");
  if (body.byteLength > 0 && (contentType === null || contentType.trim() === "")) {
    throw new EdgelogError("INVALID_REQUEST", "an append needs a Content-Type");
  }
  const { store } = host;
  const now = host.now();
  const meta = store.require(now);
  const tails = () => (body.byteLength === 0 ? [] : appendTails(body, isJsonMode(meta.contentType), false));
  const outcome = store.append(
    tails,
    { contentType: body.byteLength === 0 || contentType === null ? meta.contentType : contentType, seq, producer, close },
    now,
  );
  if (outcome.kind === "stored") host.waiters.wakeAll();
  return appendAnswer(host, outcome, producer, body.byteLength === 0);
}

/** The answer of an append's outcome. */
function appendAnswer(host: StreamHost, outcome: AppendOutcome, producer: ProducerHeaders | null, closeOnly: boolean): Response {
  const tail = host.store.offset(host.store.tail);
  const echo: Record<string, string> = producer === null ? {} : { [STREAM_HEADER.producerEpoch]: String(producer.epoch) };
  if (outcome.kind === "stored") {
    const headers: Record<string, string> = { [STREAM_HEADER.nextOffset]: tail, ...echo };
    if (producer !== null) headers[STREAM_HEADER.producerSeq] = String(producer.seq);
    if (outcome.closed) headers[STREAM_HEADER.closed] = "true";
    return streamAnswer(null, producer !== null && !closeOnly ? 200 : 204, headers);
  }
  if (outcome.kind === "closed") {
    const closed = { [STREAM_HEADER.closed]: "true", [STREAM_HEADER.nextOffset]: tail };
    if (outcome.duplicate && producer !== null) {
      return streamAnswer(null, 204, { ...closed, ...echo, [STREAM_HEADER.producerSeq]: String(producer.seq) });
    }
    if (closeOnly && producer === null) return streamAnswer(null, 204, closed);
    return streamRefusal("STREAM_CLOSED", "the stream is closed", closed);
  }
  const { verdict } = outcome;
  switch (verdict.status) {
    case "duplicate":
      return streamAnswer(null, 204, { [STREAM_HEADER.nextOffset]: tail, ...echo, [STREAM_HEADER.producerSeq]: String(verdict.lastSeq) });
    case "stale_epoch":
      return streamRefusal("STREAM_PRODUCER_FENCED", "a newer epoch of this producer has written", {
        [STREAM_HEADER.producerEpoch]: String(verdict.currentEpoch),
      });
    case "invalid_epoch_seq":
      return streamRefusal("INVALID_PRODUCER", "a new epoch starts at Producer-Seq 0");
    case "sequence_gap":
      return streamRefusal("OUT_OF_ORDER_SEQUENCE", `expected Producer-Seq ${verdict.expectedSeq}`, {
        [STREAM_HEADER.expectedSeq]: String(verdict.expectedSeq),
        [STREAM_HEADER.receivedSeq]: String(verdict.receivedSeq),
      });
  }
}

/**
 * DELETE: 204, NOT_FOUND when there is no stream; parked readers wake and find it gone.
 *
 * @example
 * await deleteStream(host); // 204
 */
export function deleteStream(host: StreamHost): Response {
  host.store.delete(host.now());
  host.waiters.wakeAll();
  return streamAnswer(null, 204, {});
}
