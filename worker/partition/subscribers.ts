/**
 * A partition's WebSocket subscribers, on the Hibernation API. Each socket carries at most one
 * subscription at a time; the socket's whole state lives in its attachment (so it survives the
 * object being evicted from memory):
 * - `sub.next`: the next offset to push to the subscription; everything below was sent.
 * - `window`: the socket's pushed messages not yet covered by a `consumed`, as [endOffset, bytes],
 *   a message's bytes being the UTF-8 length of its whole frame, envelope included (not
 *   `string.length`, which counts UTF-16 units: CJK text would pass 3x the window). The window is
 *   the socket's, not the subscription's: a seek (another `subscribe`) or an `unsubscribe` frees
 *   nothing, because the server cannot see what is still unsent (workerd has no bufferedAmount),
 *   so an earlier subscription's messages count until a `consumed` covers them. Entries are in
 *   push order, not offset order (a seek may go back), so `consumed` frees by end offset.
 * - `subscribes`: how many subscriptions the socket started; at most SOCKET_SUBSCRIBES_MAX, so a
 *   client that lies in `consumed` replays the log a bounded number of times (FLOW-7).
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
 * Rules: PROTOCOL.md SOCKET-5 to SOCKET-9, SOCKET-17, FLOW-2 to FLOW-7.
 *
 * @example
 * subscribers.afterAppend(batch); // push to every caught-up subscriber
 */

import type { ServerMessage, SubscribeFrom, SubscribeStart } from "../../client/protocol/index.ts";
import {
  committedStart,
  EdgelogError,
  isCompacted,
  PUSH_RECORDS_MAX,
  SOCKET_SUBSCRIBES_MAX,
  SUBSCRIBER_WINDOW_BYTES_MAX,
  SUBSCRIBER_WINDOW_MESSAGES_MAX,
} from "../../client/protocol/index.ts";
import { invariant } from "../result.ts";
import type { SocketLayer } from "../sockets/socket-layer.ts";
import { compactedStart } from "./compacted-reads.ts";
import { committedOffset } from "./group-commits.ts";
import type { PartitionLog } from "./log.ts";
import { appendPages, envelopeBytes, type PageTarget, type PushPage, recordsMessage } from "./push-pages.ts";
import type { StoredBatch } from "./stored-batch.ts";
import type { SocketState, Subscription } from "./subscription-state.ts";
import { readLatest, TABLE_EMPTY_PAGES_MAX, TABLE_READ_RECORDS_MAX, type TableParts } from "./table-read.ts";

export { initialSocketState, type SocketState, type Subscription, type WindowEntry } from "./subscription-state.ts";

/**
 * A subscribe request, to resolve against the log.
 *
 * @example
 * subscribers.subscribe(ws, { id: "s1", from: "committed", group: "billing", reset: "earliest" });
 */
export type SubscribeRequest = Omit<SubscribeStart, "from"> & { id: string; from: SubscribeFrom };

/**
 * A partition's WebSocket subscribers and their flow control (see this module's header).
 *
 * @example
 * const subscribers = new Subscribers(sockets, log);
 * subscribers.subscribe(ws, { id: "s1", from: "earliest" }); // subscribed, records pages, then live or paused
 * subscribers.afterAppend(batch); // the live push
 */
export class Subscribers {
  /** The object's sockets: attachments (read once per life, written through), sends, closes. */
  private readonly sockets: SocketLayer<SocketState, ServerMessage>;
  private readonly log: PartitionLog;
  private readonly tables: TableParts;
  /** How far one pump reads a table's superseded records (a test sets less). */
  tableReads = { emptyPagesMax: TABLE_EMPTY_PAGES_MAX, lookMax: TABLE_READ_RECORDS_MAX };
  /** Asks the partition's alarm to run soon (a table's catch-up to go on, see resumeStalled). */
  private readonly wake: () => void;
  /**
   * The sockets with a subscription, or null until an append first needs them in this life of
   * the object (then read once from every socket's attachment). Kept in step by subscribe,
   * unsubscribe and forget, so an append asks the runtime for its socket list once per life,
   * not once per append (most appends on a producer's socket have no subscriber to push to).
   */
  private subscribed: Set<WebSocket> | null = null;

  constructor(sockets: SocketLayer<SocketState, ServerMessage>, log: PartitionLog, tables: TableParts, wake: () => void = () => {}) {
    this.sockets = sockets;
    this.log = log;
    this.tables = tables;
    this.wake = wake;
  }

  /**
   * The alarm's part: pumps each table catch-up that stopped with nothing in its window (its
   * pages held only superseded records past TABLE_EMPTY_PAGES_MAX), which no `consumed` would.
   */
  resumeStalled(): void {
    for (const ws of this.subscribedSockets()) {
      const state = this.stateOf(ws);
      if (state.sub?.table === true && !state.sub.live && state.window.length === 0) this.pump(ws, state);
    }
  }

  /** Whether this partition's topic is compacted. */
  private compacted(): boolean {
    const config = this.log.identity?.config;
    return config !== undefined && isCompacted(config);
  }

  /** The state of a socket (the socket layer reads its attachment once per life of the object). */
  stateOf(ws: WebSocket): SocketState {
    return this.sockets.stateOf(ws);
  }

  private save(ws: WebSocket, state: SocketState): void {
    // Bounded: the id is at most 64 characters and the window 64 pairs of numbers (< 16 KiB).
    invariant(state.window.length <= SUBSCRIBER_WINDOW_MESSAGES_MAX, "the window holds its messages");
    invariant(state.subscribes <= SOCKET_SUBSCRIBES_MAX, "subscribes bounded");
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

  /** How many subscriptions are paused now (their window full; stats, METRICS-2). */
  pausedCount(): number {
    let paused = 0;
    for (const ws of this.subscribedSockets()) if (this.stateOf(ws).sub?.paused === true) paused += 1;
    return paused;
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

  /**
   * Starts (or moves) the socket's subscription and pushes the catch-up, within what the socket's
   * window has left. Past SOCKET_SUBSCRIBES_MAX it is refused (TOO_MANY_SUBSCRIBES) and the
   * running subscription runs on.
   */
  subscribe(ws: WebSocket, request: SubscribeRequest): void {
    const table = request.from === "latest-per-key";
    if (table && !this.compacted())
      throw new EdgelogError("INVALID_REQUEST", 'from "latest-per-key" subscribes to a compacted topic (cleanup.policy compact)');
    const offset = table ? this.log.logStartOffset : this.resolveStart(request as SubscribeRequest & { from: SubscribeStart["from"] });
    const state = this.stateOf(ws);
    if (state.subscribes >= SOCKET_SUBSCRIBES_MAX) {
      throw new EdgelogError(
        "TOO_MANY_SUBSCRIBES",
        `this socket has subscribed ${SOCKET_SUBSCRIBES_MAX} times, the most one socket may; open another socket to subscribe again`,
      );
    }
    state.subscribes += 1;
    state.sub = { id: request.id, next: offset, live: false, paused: false };
    this.subscribed?.add(ws);
    const reset = this.compacted() ? this.startTable(state.sub, { offset, latestPerKey: table, cleaned: request.cleaned ?? 0 }) : false;
    this.sendSubscribed(ws, state.sub, reset);
    this.pump(ws, state);
  }

  /**
   * A compacted topic's start (compacted-reads.ts): a table's catch-up from logStartOffset when
   * asked, or when the subscriber may have missed a removed tombstone; answers whether it resets.
   */
  private startTable(sub: Subscription, asked: { offset: number; latestPerKey: boolean; cleaned: number | undefined }): boolean {
    const cleanedTombstonesBelow = this.tables.compaction.cleanedTombstonesBelow;
    const start = compactedStart(asked, { logStartOffset: this.log.logStartOffset, cleanedTombstonesBelow });
    sub.next = start.offset;
    sub.cleaned = cleanedTombstonesBelow;
    if (start.latestPerKey) sub.table = true;
    else delete sub.table;
    return start.reset;
  }

  /** The `subscribed` message (SOCKET-5), with `reset` and the compaction fields on a compacted topic. */
  private sendSubscribed(ws: WebSocket, sub: Subscription, reset: boolean): void {
    const compacted = this.compacted();
    this.send(ws, {
      type: "subscribed",
      id: sub.id,
      offset: sub.next,
      logStartOffset: this.log.logStartOffset,
      highWatermark: this.log.highWatermark,
      ...(reset ? { reset: true as const } : {}),
      ...(compacted ? { compacted: true as const, cleanedTombstonesBelow: this.tables.compaction.cleanedTombstonesBelow } : {}),
    });
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
   * The subscriber has processed everything below `offset`: free every unconsumed message of the
   * socket, of any of its subscriptions, that it covers wholly (one it falls inside stays; an
   * offset past everything pushed frees it all) and push on. Without a subscription it only frees.
   */
  consumed(ws: WebSocket, offset: number): void {
    const state = this.stateOf(ws);
    const kept = state.window.filter(([endOffset]) => endOffset > offset);
    const freed = kept.length < state.window.length;
    state.window = kept;
    if (state.sub !== null) this.pump(ws, state);
    else if (freed) this.save(ws, state);
  }

  private resolveStart(request: SubscribeRequest & { from: SubscribeStart["from"] }): number {
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

  /** Bytes pushed to the socket and not yet consumed (at most SUBSCRIBER_WINDOW_MESSAGES_MAX entries). */
  private windowBytes(state: SocketState): number {
    let bytes = 0;
    for (const [, size] of state.window) bytes += size;
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
  private fits(state: SocketState, usedBytes: number, bytes: number, count: number): boolean {
    if (state.window.length >= SUBSCRIBER_WINDOW_MESSAGES_MAX) return false;
    return usedBytes + bytes <= SUBSCRIBER_WINDOW_BYTES_MAX || (state.window.length === 0 && count === 1);
  }

  /** Sends one records message (it fits: see `fits`) and moves the subscription past it. */
  private push(ws: WebSocket, state: SocketState, sub: Subscription, page: PushPage): void {
    invariant(page.count > 0 && page.count <= PUSH_RECORDS_MAX, "a page holds 1 to PUSH_RECORDS_MAX records");
    // Contiguous offsets, or with the gaps compaction left (COMPACT-5).
    invariant(page.endOffset >= sub.next + page.count && page.endOffset <= this.log.highWatermark, "pages move forward");
    invariant(this.fits(state, this.windowBytes(state), page.bytes, page.count), "the window holds (D1)");
    this.send(ws, page.message);
    state.window.push([page.endOffset, page.bytes]);
    sub.next = page.endOffset;
    sub.paused = false;
  }

  /** Pushes pages from `next` until caught up (then `live`) or the window is full (then `paused`). */
  private pump(ws: WebSocket, state: SocketState): void {
    const sub = state.sub;
    if (sub === null) return;
    // Behind a tombstone compaction removed since it started: the table again, from the start (COMPACT-6).
    if (
      sub.cleaned !== undefined &&
      sub.next < this.tables.compaction.cleanedTombstonesBelow &&
      sub.cleaned < this.tables.compaction.cleanedTombstonesBelow
    ) {
      this.startTable(sub, { offset: sub.next, latestPerKey: true, cleaned: sub.cleaned });
      this.sendSubscribed(ws, sub, true);
    }
    // A caught-up subscriber (most `consumed` of a live one) has nothing to read.
    if (sub.next < this.log.highWatermark) this.catchUp(ws, state, sub);
    this.settle(ws, state, sub);
  }

  /** Reads pages from the log into the socket's window while they fit (D1). */
  private catchUp(ws: WebSocket, state: SocketState, sub: Subscription): void {
    const target = this.target();
    const envelope = envelopeBytes(target);
    let emptyPages = 0;
    // Bounded: each turn adds a window entry, and the window holds at most MESSAGES_MAX.
    for (let turn = 0; turn <= SUBSCRIBER_WINDOW_MESSAGES_MAX && sub.next < target.highWatermark; turn++) {
      if (state.window.length >= SUBSCRIBER_WINDOW_MESSAGES_MAX) break;
      const bytesMax = SUBSCRIBER_WINDOW_BYTES_MAX - this.windowBytes(state) - envelope;
      const bounds = { recordsMax: PUSH_RECORDS_MAX, bytesMax, firstAlways: state.window.length === 0 };
      const page = sub.table
        ? readLatest(this.log, this.tables.keys, sub.next, { ...bounds, framed: true, lookMax: this.tableReads.lookMax })
        : this.log.readWithin(sub.next, bounds);
      // A table's page may hold no record and still move on (superseded records only): read on,
      // within TABLE_EMPTY_PAGES_MAX such pages a pump (they do not use the window's turns).
      if (page.count === 0 && page.nextOffset > sub.next && !page.full && emptyPages < this.tableReads.emptyPagesMax) {
        sub.next = page.nextOffset;
        emptyPages += 1;
        turn -= 1;
        continue;
      }
      // Only superseded records, past this pump's share: the alarm goes on (nothing to consume).
      if (page.count === 0 && page.nextOffset > sub.next && !page.full) {
        sub.next = page.nextOffset;
        if (state.window.length === 0) this.wake();
        break;
      }
      // Nothing fits beside what is unconsumed: stop here.
      if (page.count === 0) break;
      invariant(page.nextOffset >= sub.next + page.count, "a page below the high watermark moves forward");
      const message = recordsMessage(target, page.recordsJson);
      this.push(ws, state, sub, { message, endOffset: page.nextOffset, bytes: envelope + page.bytes, count: page.count });
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
      // The table's snapshot is over: live records are pushed as they come (TABLE-2).
      delete sub.table;
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
  afterAppend(batch: StoredBatch): void {
    const { baseOffset } = batch;
    const sockets = this.subscribedSockets();
    if (sockets.size === 0) return;
    let pages: PushPage[] | null = null;
    for (const ws of sockets) {
      const state = this.stateOf(ws);
      const sub = state.sub;
      if (sub === null || sub.next !== baseOffset) continue;
      let used = this.windowBytes(state);
      if (state.window.length < SUBSCRIBER_WINDOW_MESSAGES_MAX && used < SUBSCRIBER_WINDOW_BYTES_MAX) {
        pages ??= appendPages({ ...this.target(), batch });
        for (const page of pages) {
          if (!this.fits(state, used, page.bytes, page.count)) break;
          this.push(ws, state, sub, page);
          used += page.bytes;
        }
      }
      this.settle(ws, state, sub);
    }
  }
}
