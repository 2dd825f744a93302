/**
 * A partition's WebSocket subscribers, on the Hibernation API. Each socket carries at most one
 * subscription, whose whole state lives in the socket's attachment (so it survives the object
 * being evicted from memory):
 * - `next`: the next offset to push; everything below was sent.
 * - `window`: pushed messages not yet reported `consumed`, as [endOffset, UTF-8 bytes] (not
 *   `string.length`, which counts UTF-16 units: CJK text would pass 3x the window). Pushing stops
 *   when it holds SUBSCRIBER_WINDOW_MESSAGES_MAX messages or SUBSCRIBER_WINDOW_BYTES_MAX bytes:
 *   a slow subscriber costs the object no memory beyond that; the log itself is the buffer.
 *
 * The object is single-threaded and an append is synchronous, so a catch-up read and the live
 * tail meet at exactly `highWatermark`: no gap, no duplicate.
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
  utf8Length,
} from "../../client/protocol/index.ts";
import { invariant } from "../result.ts";
import type { SocketLayer } from "../sockets/socket-layer.ts";
import { committedOffset } from "./group-commits.ts";
import type { PartitionLog } from "./log.ts";

/** One subscription's position and unconsumed window. */
export interface Subscription {
  id: string;
  next: number;
  window: [endOffset: number, bytes: number][];
  /** Whether `live` was sent since the subscriber last fell behind. */
  live: boolean;
  /** Whether `paused` was sent since the window last filled. */
  paused: boolean;
}

/** A socket's state in its attachment (at most 16 KiB; the window is bounded to stay far below). */
export interface SocketState {
  sub: Subscription | null;
}

/** A subscribe request, to resolve against the log. */
export type SubscribeRequest = SubscribeStart & { id: string };

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

  /** The subscriber has processed everything below `offset`: free window space and push on. */
  consumed(ws: WebSocket, offset: number): void {
    const state = this.stateOf(ws);
    const sub = state.sub;
    if (sub === null) return;
    // Window entries are in offset order; drop those wholly consumed.
    let drop = 0;
    while (drop < sub.window.length && sub.window[drop]![0] <= offset) drop++;
    if (drop > 0) sub.window.splice(0, drop);
    sub.paused = false;
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

  private windowFull(sub: Subscription): boolean {
    return sub.window.length >= SUBSCRIBER_WINDOW_MESSAGES_MAX || this.windowBytes(sub) >= SUBSCRIBER_WINDOW_BYTES_MAX;
  }

  private windowBytesLeft(sub: Subscription): number {
    return Math.max(1, SUBSCRIBER_WINDOW_BYTES_MAX - this.windowBytes(sub));
  }

  /** Pushes pages from `next` until caught up (then `live`) or the window is full (then `paused`). */
  private pump(ws: WebSocket, state: SocketState): void {
    const sub = state.sub;
    if (sub === null) return;
    const { topic, partition } = this.log.identity ?? { topic: "", partition: 0 };
    // Bounded: each turn adds a window entry, and the window holds at most MESSAGES_MAX.
    for (let turn = 0; turn <= SUBSCRIBER_WINDOW_MESSAGES_MAX && sub.next < this.log.highWatermark; turn++) {
      if (this.windowFull(sub)) break;
      const page = this.log.read(sub.next, PUSH_RECORDS_MAX, this.windowBytesLeft(sub));
      invariant(page.count > 0 && page.nextOffset > sub.next, "a page below the high watermark moves forward");
      const message = recordsMessage(topic, partition, page.recordsJson, page.highWatermark);
      this.send(ws, message);
      sub.window.push([page.nextOffset, utf8Length(message)]);
      sub.next = page.nextOffset;
    }
    this.settle(ws, state, sub);
  }

  /** Sends `live` on reaching the end, or `paused` when stopped short by the window. */
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
   * Pushes a just-appended batch to every caught-up subscriber. The message is serialised once
   * and the same string sent to all, so fan-out costs one send per subscriber.
   */
  afterAppend(baseOffset: number, lines: readonly string[]): void {
    const sockets = this.subscribedSockets();
    if (sockets.size === 0) return;
    const { topic, partition } = this.log.identity ?? { topic: "", partition: 0 };
    let message: string | null = null;
    let messageBytes = 0;
    for (const ws of sockets) {
      const state = this.stateOf(ws);
      const sub = state.sub;
      if (sub === null || sub.next !== baseOffset) continue;
      if (this.windowFull(sub)) {
        this.settle(ws, state, sub);
        continue;
      }
      if (message === null) {
        message = recordsMessage(topic, partition, joinLines(baseOffset, lines), this.log.highWatermark);
        messageBytes = utf8Length(message);
      }
      this.send(ws, message);
      sub.window.push([this.log.highWatermark, messageBytes]);
      sub.next = this.log.highWatermark;
      this.save(ws, state);
    }
  }
}

/** `[{"offset":N,...},...]` from stored lines starting at `baseOffset`. */
export function joinLines(baseOffset: number, lines: readonly string[]): string {
  let json = "[";
  for (let i = 0; i < lines.length; i++) json += `${i === 0 ? "" : ","}{"offset":${baseOffset + i},${lines[i]}`;
  return `${json}]`;
}

/** A `records` message, assembled around already-serialised records. */
export function recordsMessage(topic: string, partition: number, recordsJson: string, highWatermark: number): string {
  return `{"type":"records","topic":${JSON.stringify(topic)},"partition":${partition},"records":${recordsJson},"highWatermark":${highWatermark}}`;
}
