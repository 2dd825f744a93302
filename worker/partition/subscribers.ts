/**
 * A partition's WebSocket subscribers, on the Hibernation API. Each socket carries at most one
 * subscription, whose whole state lives in the socket's attachment (so it survives the object
 * being evicted from memory):
 * - `next`: the next offset to push; everything below was sent.
 * - `window`: pushed messages not yet covered by a `consumed`, as [endOffset, bytes], a message's
 *   bytes being the UTF-8 length of its whole frame, envelope included (not `string.length`,
 *   which counts UTF-16 units: CJK text would pass 3x the window).
 *
 * Flow control (decisions D1-D3): the window never holds more than SUBSCRIBER_WINDOW_MESSAGES_MAX
 * messages or SUBSCRIBER_WINDOW_BYTES_MAX bytes, except one message of a single record pushed
 * when it is empty (a record near RECORD_BYTES_MAX). Catch-up and live pushes alike are pages of
 * at most PUSH_RECORDS_MAX records; a page that does not fit is not sent: the subscriber gets
 * `paused` (once per stop) and catches up from the log when `consumed` frees room, and `live`
 * each time it reaches the log's end after a pause. A slow subscriber costs the object no memory
 * beyond that; the log itself is the buffer.
 *
 * The object is single-threaded and an append is synchronous, so a catch-up read and the live
 * tail meet at exactly `highWatermark`: no gap, no duplicate.
 *
 * Rules: PROTOCOL.md SOCKET-5 to SOCKET-9, FLOW-2 to FLOW-5.
 *
 * @example
 * subscribers.afterAppend(baseOffset, lines); // push to every caught-up subscriber
 */

import type { ServerMessage, SubscribeStart } from "../../client/protocol/index.ts";
import {
  committedStart,
  PUSH_RECORDS_MAX,
  SUBSCRIBER_WINDOW_BYTES_MAX,
  SUBSCRIBER_WINDOW_MESSAGES_MAX,
} from "../../client/protocol/index.ts";
import { invariant } from "../result.ts";
import type { SocketLayer } from "../sockets/socket-layer.ts";
import { committedOffset } from "./group-commits.ts";
import type { PartitionLog } from "./log.ts";
import { appendPages, envelopeBytes, type PageTarget, type PushPage, recordsMessage } from "./push-pages.ts";

/**
 * One subscription's position and unconsumed window.
 *
 * @example
 * const sub: Subscription = { id: "s1", next: 42, window: [], live: false, paused: false }; // as subscribe starts one
 */
export interface Subscription {
  id: string;
  next: number;
  window: [endOffset: number, bytes: number][];
  /** Whether `live` was sent since the subscriber last fell behind. */
  live: boolean;
  /** Whether `paused` was sent and nothing pushed since (one `paused` per stop). */
  paused: boolean;
}

/**
 * A socket's state in its attachment (at most 16 KiB; the window is bounded to stay far below).
 *
 * @example
 * subscribers.stateOf(ws).sub?.next; // the next offset this socket's subscription is pushed
 */
export interface SocketState {
  sub: Subscription | null;
}

/**
 * A subscribe request, to resolve against the log.
 *
 * @example
 * subscribers.subscribe(ws, { id: "s1", from: "committed", group: "billing", reset: "earliest" });
 */
export type SubscribeRequest = SubscribeStart & { id: string };

/**
 * A partition's WebSocket subscribers and their flow control (see this module's header).
 *
 * @example
 * const subscribers = new Subscribers(sockets, log);
 * subscribers.subscribe(ws, { id: "s1", from: "earliest" }); // subscribed, records pages, then live or paused
 * subscribers.afterAppend(baseOffset, lines); // the live push
 */
export class Subscribers {
  /** The object's sockets: attachments (read once per life, written through), sends, closes. */
  private readonly sockets: SocketLayer<SocketState, ServerMessage>;
  private readonly log: PartitionLog;
  /**
   * The sockets with a subscription, or null until an append first needs them in this life of
   * the object (then read once from every socket's attachment). Kept in step by subscribe,
   * unsubscribe and forget, so an append asks the runtime for its socket list once per life,
   * not once per append (most appends on a producer's socket have no subscriber to push to).
   */
  private subscribed: Set<WebSocket> | null = null;

  constructor(sockets: SocketLayer<SocketState, ServerMessage>, log: PartitionLog) {
    this.sockets = sockets;
    this.log = log;
  }

  /** The state of a socket (the socket layer reads its attachment once per life of the object). */
  stateOf(ws: WebSocket): SocketState {
    return this.sockets.stateOf(ws);
  }

  private save(ws: WebSocket, state: SocketState): void {
    // Bounded: the id is at most 64 characters and the window 64 pairs of numbers (< 16 KiB).
    invariant(state.sub === null || state.sub.window.length <= SUBSCRIBER_WINDOW_MESSAGES_MAX, "the window holds its messages");
    this.sockets.save(ws, state);
  }

  /** Sends a message, ignoring a socket that closed meanwhile (its close event cleans up). */
  send(ws: WebSocket, message: ServerMessage | string): void {
    this.sockets.send(ws, message);
  }

  /** Forgets a closed socket (the socket layer drops its cached state). */
  forget(ws: WebSocket): void {
    this.subscribed?.delete(ws);
  }

  /** The sockets with a subscription (see `subscribed`). */
  private subscribedSockets(): Set<WebSocket> {
    if (this.subscribed === null) {
      this.subscribed = new Set();
      for (const ws of this.sockets.all()) {
        if (this.stateOf(ws).sub !== null) this.subscribed.add(ws);
      }
    }
    return this.subscribed;
  }

  /** Starts (or moves) the socket's subscription and pushes the catch-up. */
  subscribe(ws: WebSocket, request: SubscribeRequest): void {
    const start = this.resolveStart(request);
    const state = this.stateOf(ws);
    state.sub = { id: request.id, next: start, window: [], live: false, paused: false };
    this.subscribed?.add(ws);
    this.send(ws, {
      type: "subscribed",
      id: request.id,
      offset: start,
      logStartOffset: this.log.logStartOffset,
      highWatermark: this.log.highWatermark,
    });
    this.pump(ws, state);
  }

  /** Ends the socket's subscription. */
  unsubscribe(ws: WebSocket, id: string): void {
    const state = this.stateOf(ws);
    if (state.sub?.id === id) {
      state.sub = null;
      this.subscribed?.delete(ws);
    }
    this.save(ws, state);
    this.send(ws, { type: "unsubscribed", id });
  }

  /**
   * The subscriber has processed everything below `offset`: free the messages it covers wholly
   * (one it falls inside stays; an offset past everything pushed frees it all) and push on.
   * Without a subscription it is ignored.
   */
  consumed(ws: WebSocket, offset: number): void {
    const state = this.stateOf(ws);
    const sub = state.sub;
    if (sub === null) return;
    // Window entries are in offset order; drop those wholly consumed.
    let drop = 0;
    while (drop < sub.window.length && sub.window[drop]![0] <= offset) drop++;
    if (drop > 0) sub.window.splice(0, drop);
    this.pump(ws, state);
  }

  private resolveStart(request: SubscribeRequest): number {
    const { from } = request;
    const log = this.log;
    if (from === "earliest") return log.logStartOffset;
    if (from === "latest") return log.highWatermark;
    if (from === "committed") {
      invariant(request.group !== undefined, "a committed start names a group");
      const { committedOffset: committed } = committedOffset(log.sql, request.group);
      return committedStart(committed, log, request.reset);
    }
    if ("offset" in from) {
      log.checkOffset(from.offset);
      return from.offset;
    }
    return log.offsetForTimestamp(from.timestamp).offset;
  }

  /** Bytes pushed to `sub` and not yet consumed (at most SUBSCRIBER_WINDOW_MESSAGES_MAX entries). */
  private windowBytes(sub: Subscription): number {
    let bytes = 0;
    for (const [, size] of sub.window) bytes += size;
    return bytes;
  }

  /** Where this partition's records messages go, and the log's end now. */
  private target(): PageTarget {
    const { topic, partition } = this.log.identity ?? { topic: "", partition: 0 };
    return { topic, partition, highWatermark: this.log.highWatermark };
  }

  /**
   * Whether a message of `bytes` holding `count` records fits a window already holding
   * `usedBytes` (D1): a free message place, and the bytes, or a single record into an empty window.
   */
  private fits(sub: Subscription, usedBytes: number, bytes: number, count: number): boolean {
    if (sub.window.length >= SUBSCRIBER_WINDOW_MESSAGES_MAX) return false;
    return usedBytes + bytes <= SUBSCRIBER_WINDOW_BYTES_MAX || (sub.window.length === 0 && count === 1);
  }

  /** Sends one records message (it fits: see `fits`) and moves the subscription past it. */
  private push(ws: WebSocket, sub: Subscription, page: PushPage): void {
    invariant(page.count > 0 && page.count <= PUSH_RECORDS_MAX, "a page holds 1 to PUSH_RECORDS_MAX records");
    invariant(page.endOffset === sub.next + page.count && page.endOffset <= this.log.highWatermark, "pages are contiguous");
    invariant(this.fits(sub, this.windowBytes(sub), page.bytes, page.count), "the window holds (D1)");
    this.send(ws, page.message);
    sub.window.push([page.endOffset, page.bytes]);
    sub.next = page.endOffset;
    sub.paused = false;
  }

  /** Pushes pages from `next` until caught up (then `live`) or the window is full (then `paused`). */
  private pump(ws: WebSocket, state: SocketState): void {
    const sub = state.sub;
    if (sub === null) return;
    // A caught-up subscriber (most `consumed` of a live one) has nothing to read.
    if (sub.next < this.log.highWatermark) this.catchUp(ws, sub);
    this.settle(ws, state, sub);
  }

  /** Reads pages from the log into the window while they fit (D1). */
  private catchUp(ws: WebSocket, sub: Subscription): void {
    const target = this.target();
    const envelope = envelopeBytes(target);
    // Bounded: each turn adds a window entry, and the window holds at most MESSAGES_MAX.
    for (let turn = 0; turn <= SUBSCRIBER_WINDOW_MESSAGES_MAX && sub.next < target.highWatermark; turn++) {
      if (sub.window.length >= SUBSCRIBER_WINDOW_MESSAGES_MAX) break;
      const bytesMax = SUBSCRIBER_WINDOW_BYTES_MAX - this.windowBytes(sub) - envelope;
      const page = this.log.readWithin(sub.next, { recordsMax: PUSH_RECORDS_MAX, bytesMax, firstAlways: sub.window.length === 0 });
      // Nothing fits beside what is unconsumed: stop here.
      if (page.count === 0) break;
      invariant(page.nextOffset === sub.next + page.count, "a page below the high watermark moves forward");
      const message = recordsMessage(target, page.recordsJson);
      this.push(ws, sub, { message, endOffset: page.nextOffset, bytes: envelope + page.bytes, count: page.count });
      // The next record did not fit in this page, so it cannot fit in what is left of the window:
      // stop without reading it again.
      if (page.full) break;
    }
  }

  /** Sends `live` on reaching the end, or `paused` when stopped short by the window (once per stop). */
  private settle(ws: WebSocket, state: SocketState, sub: Subscription): void {
    if (sub.next >= this.log.highWatermark) {
      if (!sub.live) this.send(ws, { type: "live", id: sub.id, offset: sub.next });
      sub.live = true;
    } else {
      sub.live = false;
      if (!sub.paused) this.send(ws, { type: "paused", id: sub.id, offset: sub.next });
      sub.paused = true;
    }
    this.save(ws, state);
  }

  /**
   * Pushes a just-appended batch to every caught-up subscriber, as many of its pages as each
   * window takes (the rest waits in the log for a `consumed`). The pages are serialised once and
   * the same strings sent to all, so fan-out costs one send per page and subscriber.
   */
  afterAppend(baseOffset: number, lines: readonly string[]): void {
    const sockets = this.subscribedSockets();
    if (sockets.size === 0) return;
    let pages: PushPage[] | null = null;
    for (const ws of sockets) {
      const state = this.stateOf(ws);
      const sub = state.sub;
      if (sub === null || sub.next !== baseOffset) continue;
      let used = this.windowBytes(sub);
      if (sub.window.length < SUBSCRIBER_WINDOW_MESSAGES_MAX && used < SUBSCRIBER_WINDOW_BYTES_MAX) {
        pages ??= appendPages({ ...this.target(), baseOffset, lines });
        for (const page of pages) {
          if (!this.fits(sub, used, page.bytes, page.count)) break;
          this.push(ws, sub, page);
          used += page.bytes;
        }
      }
      this.settle(ws, state, sub);
    }
  }
}
