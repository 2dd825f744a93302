/**
 * What tabs of one origin say to each other over their BroadcastChannel. Every message names its
 * sender (`from`, a tab id) and, when it is meant for one tab, its receiver (`to`); a tab ignores
 * messages for others. The channel's name carries TAB_PROTOCOL_VERSION, so tabs running another
 * version of the client never hear these.
 *
 * Requests that expect an answer carry a request id (`rid`, unique per sending tab) and are
 * answered with `answer`: `start` and `records` (leader to follower), `commit` and `pass`
 * (follower to leader).
 *
 * @example
 * channel.post({ type: "attach", to: leaderId, link: "3", topic: "orders", partition: 0 });
 */

import type { OutboxEntry } from "../cache/types.ts";
import type { CommitMessage } from "../link.ts";
import { type ClientErrorCode, EdgelogClientError } from "../local-errors.ts";
import type { PassResult } from "../outbox-sender.ts";
import type { RecordPosition, ServerMessageOf } from "../protocol/index.ts";
import { EdgelogError, type ErrorCode, errorFromBody } from "../protocol/index.ts";
import type { LinkState } from "../status.ts";

/**
 * The version of this tab protocol: part of the channel's and the locks' names.
 *
 * @example
 * new BroadcastChannel(`edgelog/tabs/v${TAB_PROTOCOL_VERSION}/...`);
 */
export const TAB_PROTOCOL_VERSION = 1;

/**
 * An error as it crosses to another tab (structured clone drops the class): rebuilt by `fromWire`.
 *
 * @example
 * const wire: WireError = { server: true, code: "UNKNOWN_TOPIC", message: "no such topic" };
 */
export type WireError =
  | { server: true; code: ErrorCode; message: string; retryAfterMs?: number }
  | { server: false; code: ClientErrorCode; message: string };

/**
 * A pass result as it crosses to another tab.
 *
 * @example
 * const wire: WirePassResult = { removed: 3, failure: null, fenced: null };
 */
export interface WirePassResult {
  removed: number;
  failure: WireError | null;
  fenced: WireError | null;
}

/**
 * Messages a request may carry, by type; `answer` carries the outcome.
 *
 * @example
 * const body: TabRequest = { type: "pass" };
 */
export type TabRequest =
  | { type: "start"; link: string; hello: ServerMessageOf<"hello"> }
  | { type: "records"; link: string; message: ServerMessageOf<"records"> }
  | { type: "commit"; link: string; message: CommitMessage }
  | { type: "pass" };

/**
 * Every message between tabs, before the channel adds `from`.
 *
 * @example
 * const hello: TabMessageBody = { type: "query" };
 */
export type TabMessageBody =
  // Election: who leads (asked by a new tab, announced by a new leader).
  | { type: "query" }
  | { type: "leader" }
  // A follower's subscription partitions ("links"), joining and leaving the leader's sockets.
  | { type: "attach"; to: string; link: string; topic: string; partition: number }
  | { type: "detach"; to: string; link: string }
  | { type: "nudge"; to: string; link: string; what: "reconnect" | "check" }
  // What the leader's socket tells a follower's link.
  | { type: "subscribed"; to: string; link: string; message: ServerMessageOf<"subscribed"> }
  | { type: "state"; to: string; link: string; state: LinkState; failures: number }
  | { type: "link-error"; to: string; link: string; error: WireError }
  | { type: "dropped"; to: string; link: string; reason: string }
  // The leader's socket closed for good (4400/4404): the follower's subscription ends with this.
  | { type: "ended"; to: string; link: string; error: WireError & { server: true } }
  // Records sent or refused by the leader's outbox pass, for the tab whose promises wait on them.
  | { type: "settled"; entries: OutboxEntry[]; offsets: RecordPosition[] | null; error: WireError | null }
  // The leader ran an outbox pass: the shared outbox may have changed (once per pass).
  | { type: "outbox" }
  // Requests and their answers.
  | (TabRequest & { to: string; rid: number })
  | { type: "answer"; to: string; rid: number; ok: true; value: unknown }
  | { type: "answer"; to: string; rid: number; ok: false; error: WireError };

/**
 * A message as received: the body and its sender.
 *
 * @example
 * channel.listen((message: TabMessage) => console.log(message.from, message.type));
 */
export type TabMessage = TabMessageBody & { from: string };

/**
 * Whether `data` looks like a tab message (only this client's pages post on the channel, so a
 * light check of the envelope is enough).
 *
 * @example
 * if (isTabMessage(event.data)) handle(event.data);
 */
export function isTabMessage(data: unknown): data is TabMessage {
  if (typeof data !== "object" || data === null) return false;
  const { type, from } = data as { type?: unknown; from?: unknown };
  return typeof type === "string" && typeof from === "string";
}

/**
 * An error, ready to cross to another tab.
 *
 * @example
 * post({ type: "link-error", to, link, error: toWire(error) });
 */
export function toWire(error: unknown): WireError {
  if (error instanceof EdgelogError) return { server: true, ...error.toBody().error }; // retryAfterMs kept
  if (error instanceof EdgelogClientError) return { server: false, code: error.code, message: error.message };
  return { server: false, code: "CACHE_FAILED", message: (error as Error)?.message ?? String(error) };
}

/**
 * The error another tab sent, as its class again.
 *
 * @example
 * throw fromWire(answer.error);
 */
export function fromWire(error: WireError): EdgelogError | EdgelogClientError {
  return error.server ? errorFromBody(error) : new EdgelogClientError(error.code, error.message);
}

/**
 * A pass result, ready to cross to another tab.
 *
 * @example
 * answer(rid, passToWire(await runPass()));
 */
export function passToWire(result: PassResult): WirePassResult {
  return {
    removed: result.removed,
    failure: result.failure === null ? null : toWire(result.failure),
    fenced: result.fenced === null ? null : toWire(result.fenced),
  };
}

/**
 * A pass result another tab sent.
 *
 * @example
 * const result = passFromWire(value as WirePassResult);
 */
export function passFromWire(wire: WirePassResult): PassResult {
  const fenced = wire.fenced === null ? null : fromWire(wire.fenced);
  return {
    removed: wire.removed,
    failure: wire.failure === null ? null : fromWire(wire.failure),
    fenced: fenced instanceof EdgelogError ? fenced : null,
  };
}
