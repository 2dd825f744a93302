/**
 * The Stream Durable Object: one per Durable Stream (named by its path below `/v1/stream/`). The
 * Worker forwards each request to it as it came (after authentication and the grant); it answers
 * with the protocol (stream-writes.ts, stream-reads.ts, stream-sse.ts) over the partition log's
 * storage (stream-store.ts). Its alarm expires the stream at its TTL or Expires-At.
 *
 * Rules: PROTOCOL.md STREAM-1, STREAM-2, STREAM-9.
 *
 * @example
 * const stub = env.STREAM.getByName("chat/room-1");
 * const res = await stub.fetch(request); // request for /v1/stream/chat/room-1
 */
import { DurableObject } from "cloudflare:workers";
import { EdgelogError, LONG_POLL_WAIT_MS_MAX, STREAM_LONG_POLL_MS_DEFAULT } from "../../client/protocol/index.ts";
import { alarmAtMost } from "../alarms.ts";
import { type Clock, type Clocked, systemClock } from "../clock.ts";
import type { Env } from "../env.ts";
import { Waiters } from "../partition/waiters.ts";
import { asEdgelogError, capture, type Result, unwrap } from "../result.ts";
import { streamError } from "./stream-answers.ts";
import { type ForkAsk, type ForkSnapshot, forkSnapshot } from "./stream-forks.ts";
import { expiryMs } from "./stream-meta.ts";
import { headStream, readStream } from "./stream-reads.ts";
import { StreamStore } from "./stream-store.ts";
import { appendStream, createStream, deleteStream, type StreamHost } from "./stream-writes.ts";

/**
 * The long-poll time: EDGELOG_STREAM_LONG_POLL_MS when it is a whole number of ms in
 * [1, LONG_POLL_WAIT_MS_MAX], else STREAM_LONG_POLL_MS_DEFAULT.
 *
 * @example
 * streamLongPollMs("2000"); // 2000
 * streamLongPollMs(undefined); // 20000
 */
export function streamLongPollMs(value: string | undefined): number {
  const ms = value === undefined ? Number.NaN : Number(value);
  return Number.isSafeInteger(ms) && ms >= 1 && ms <= LONG_POLL_WAIT_MS_MAX ? ms : STREAM_LONG_POLL_MS_DEFAULT;
}

/**
 * One Durable Stream (see this module's header).
 *
 * @example
 * // wrangler.toml: [[durable_objects.bindings]] name = "STREAM", class_name = "Stream"
 * export class Stream extends StreamObject {}
 */
export class StreamObject extends DurableObject<Env> implements Clocked {
  /** Where time comes from (a test sets another on the live object). */
  clock: Clock = systemClock;
  /** The stream's state. */
  readonly store: StreamStore;
  /** Long-polls and SSE responses parked at the tail. */
  readonly waiters = new Waiters();
  private readonly host: StreamHost;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new StreamStore(ctx.storage.sql);
    this.host = {
      store: this.store,
      waiters: this.waiters,
      now: () => this.clock.now(),
      longPollMs: streamLongPollMs(env.EDGELOG_STREAM_LONG_POLL_MS),
      random: Math.random,
      armExpiry: (atMs) => void this.armExpiry(atMs),
      snapshotOf: async (source, ask) => unwrap(await env.STREAM.getByName(source).forkSnapshot(ask)),
    };
  }

  /** Answers one Durable Streams request (the Worker checked the path and the caller's grant). */
  override async fetch(request: Request): Promise<Response> {
    try {
      return await this.answer(request);
    } finally {
      await this.releaseSource();
    }
  }

  /** A fork's snapshot of this stream (RPC from the fork's object, STREAM-18); counts the fork. */
  forkSnapshot(ask: ForkAsk): Result<ForkSnapshot> {
    return capture(() => forkSnapshot(this.store, ask, this.clock.now()));
  }

  /** One of this stream's forks is gone (RPC, STREAM-19): the last wipes a soft-deleted stream. */
  async releaseFork(): Promise<void> {
    this.store.releaseFork();
    await this.releaseSource();
  }

  /** When this stream, a fork, was just wiped, releases its source (which may cascade). */
  private async releaseSource(): Promise<void> {
    const source = this.store.pendingRelease;
    if (source === null) return;
    this.store.pendingRelease = null;
    await this.env.STREAM.getByName(source).releaseFork();
  }

  /** The method's handler, errors as answers. */
  private async answer(request: Request): Promise<Response> {
    try {
      switch (request.method) {
        case "PUT":
          return await createStream(this.host, request);
        case "POST":
          return await appendStream(this.host, request);
        case "GET":
          return await readStream(this.host, request);
        case "HEAD":
          return headStream(this.host);
        case "DELETE":
          return deleteStream(this.host);
        default:
          throw new EdgelogError("METHOD_NOT_ALLOWED", "a stream takes PUT, POST, GET, HEAD and DELETE");
      }
    } catch (error) {
      return streamError(asEdgelogError(error, "a stream request"));
    }
  }

  /** Expires the stream when its time has come, else sets the alarm again for its (slid) expiry. */
  override async alarm(): Promise<void> {
    const meta = this.store.current(this.clock.now());
    if (meta === null) {
      this.waiters.wakeAll();
      await this.releaseSource();
      return;
    }
    const expires = expiryMs(meta);
    if (expires !== null) await this.armExpiry(expires);
  }

  /** Sets the alarm for `atMs` unless one is set earlier. */
  private armExpiry(atMs: number): Promise<void> {
    return alarmAtMost(this.ctx.storage, atMs);
  }
}
