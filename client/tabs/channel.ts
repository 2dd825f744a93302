/**
 * The tabs' BroadcastChannel, typed: `post` stamps the sender, `listen` hears what other tabs
 * sent to everyone or to this tab (a BroadcastChannel never delivers a tab's own messages back to
 * it), and `ask` sends a request and waits, bounded, for its `answer`.
 *
 * @example
 * const channel = new TabChannel(BroadcastChannel, "edgelog/tabs/v1/app@https://x.dev", tabId);
 * channel.listen((message) => console.log(message.type, "from", message.from));
 * const start = await channel.ask(leaderId, { type: "pass" }, TAB_PASS_TIMEOUT_MS);
 */
import { EdgelogClientError } from "../local-errors.ts";
import { TAB_REQUESTS_PENDING_MAX } from "../local-limits.ts";
import { fromWire, isTabMessage, type TabMessage, type TabMessageBody, type TabRequest, toWire } from "./tab-messages.ts";

/**
 * The part of a BroadcastChannel the tabs use.
 *
 * @example
 * const channel: BroadcastChannelLike = new BroadcastChannel("edgelog");
 */
export interface BroadcastChannelLike {
  /** Sends a message to the channel's other members (structured clone). */
  postMessage(message: unknown): void;
  /** Leaves the channel. */
  close(): void;
  /** Called with each message another member posted. */
  onmessage: ((event: MessageEvent) => void) | null;
}

/**
 * A BroadcastChannel class: `new BroadcastChannel(name)` (the browser's, or Node's in tests).
 *
 * @example
 * const Channel: BroadcastChannelClass = globalThis.BroadcastChannel;
 */
export type BroadcastChannelClass = new (name: string) => BroadcastChannelLike;

interface Pending {
  to: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * One tab's end of the channel.
 *
 * @example
 * const channel = new TabChannel(BroadcastChannel, name, "tab-1");
 * channel.post({ type: "query" });
 */
export class TabChannel {
  readonly self: string;
  private readonly channel: BroadcastChannelLike;
  private readonly pending = new Map<number, Pending>();
  private listener: (message: TabMessage) => void = () => undefined;
  private nextRid = 0;
  private closed = false;

  constructor(Channel: BroadcastChannelClass, name: string, self: string) {
    this.self = self;
    this.channel = new Channel(name);
    this.channel.onmessage = (event) => this.receive(event.data);
  }

  /** Sets who hears incoming messages (answers to `ask` are taken before it). */
  listen(listener: (message: TabMessage) => void): void {
    this.listener = listener;
  }

  /** Posts a message to every other tab (those it is not `to` ignore it). */
  post(body: TabMessageBody): void {
    if (this.closed) return;
    this.channel.postMessage({ ...body, from: this.self });
  }

  /** Sends a request to tab `to`; resolves with its answer, rejects TIMEOUT after `timeoutMs`. */
  ask(to: string, request: TabRequest, timeoutMs: number): Promise<unknown> {
    if (this.closed) return Promise.reject(new EdgelogClientError("CLOSED", "the tab channel is closed"));
    if (this.pending.size >= TAB_REQUESTS_PENDING_MAX) {
      return Promise.reject(new EdgelogClientError("NETWORK", `${TAB_REQUESTS_PENDING_MAX} requests already wait on other tabs`));
    }
    const rid = ++this.nextRid;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rid);
        reject(new EdgelogClientError("TIMEOUT", `tab ${to} did not answer a ${request.type} request within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(rid, { to, resolve, reject, timer });
      this.post({ ...request, to, rid });
    });
  }

  /** Answers request `rid` of tab `to` with a value, or with the error it failed with. */
  answer(to: string, rid: number, outcome: { value: unknown } | { error: unknown }): void {
    if ("error" in outcome) this.post({ type: "answer", to, rid, ok: false, error: toWire(outcome.error) });
    else this.post({ type: "answer", to, rid, ok: true, value: outcome.value });
  }

  /** Fails every request waiting on tab `to` (it is gone), or on any tab when `to` is null. */
  failPending(to: string | null, error: Error): void {
    for (const [rid, request] of this.pending) {
      if (to !== null && request.to !== to) continue;
      clearTimeout(request.timer);
      this.pending.delete(rid);
      request.reject(error);
    }
  }

  /** Stops hearing and posting; waiting requests fail with CLOSED. */
  close(): void {
    if (this.closed) return;
    this.failPending(null, new EdgelogClientError("CLOSED", "the tab channel closed"));
    this.closed = true;
    this.channel.onmessage = null;
    this.channel.close();
  }

  private receive(data: unknown): void {
    if (this.closed || !isTabMessage(data)) return;
    if ("to" in data && data.to !== this.self) return;
    if (data.type !== "answer") {
      this.listener(data);
      return;
    }
    const request = this.pending.get(data.rid);
    if (request === undefined || request.to !== data.from) return;
    clearTimeout(request.timer);
    this.pending.delete(data.rid);
    if (data.ok) request.resolve(data.value);
    else request.reject(fromWire(data.error));
  }
}
