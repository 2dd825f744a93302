/**
 * The conformance case format (test/conformance/README.md defines it in prose): a case file holds
 * cases, each a sequence of steps (HTTP requests, socket frames, SSE reads) with the answers
 * expected. Values are JSON: inputs may use the generators of template.ts, expectations the
 * matchers of match.ts.
 *
 * @example
 * const file: CaseFile = { title: "topics", cases: [{ id: "topic-create", rules: ["TOPIC-1"], steps: [] }] };
 */

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One file of cases. */
export interface CaseFile {
  title: string;
  /** Steps run once, before the file's cases; their captures are seen by every case. */
  setup?: Step[];
  /** Requests whose answers must be the same after every case of the file as after `setup`. */
  unchanged?: RequestSpec[];
  /** What every case of the file needs (see Case.needs). */
  needs?: string[];
  cases: Case[];
}

/** One case: what it checks, and the steps that check it. */
export interface Case {
  /** Unique across all files; lower-case words joined by '-'. */
  id: string;
  title?: string;
  /** The PROTOCOL.md rule ids the case checks. */
  rules: string[];
  setup?: Step[];
  /** Requests whose answers must be the same after `steps` as after `setup`. */
  unchanged?: RequestSpec[];
  steps: Step[];
  /** Steps run after `steps` even when one failed (an undo of a fixture). */
  cleanup?: Step[];
  /** Steps must finish within this many ms (default 30,000). */
  timeoutMs?: number;
  /**
   * What the transport must be able to do (see Transport.supports); else the case is skipped. The
   * server's authentication mode is one (`auth-off`, `auth-required`, `auth-unconfigured`);
   * a case that names none, in it or in its file, needs `auth-off` (auth-fixtures.ts).
   */
  needs?: string[];
}

/** An HTTP request: `"METHOD /path"` (a template) and what it carries. */
export interface RequestSpec {
  http: Json;
  headers?: Record<string, Json>;
  /** A JSON value, sent as its JSON text. */
  body?: Json;
  /** A text sent as it is (UTF-8). */
  bodyText?: Json;
  /** Bytes: strings (sent as UTF-8) and arrays of byte values, joined. */
  bodyBytes?: Json[];
  /**
   * After its body the request is held open and never ends (a Content-Length never reached, a
   * body that stops trickling); a case with one needs "held-body".
   */
  hold?: boolean;
}

/** What an HTTP answer must be. With no `expect`, a step needs a status from 200 to 299. */
export interface HttpExpect {
  status?: number;
  /** Header names in lower case, each a matcher on the value (or "$absent"). */
  headers?: Record<string, Json>;
  /** A matcher on the body parsed as JSON. */
  body?: Json;
  /** A matcher on the body as text. */
  text?: Json;
  /** Shorthand: the body is exactly `{error: {code, message}}` with this code and a non-empty message. */
  error?: string;
}

/** An HTTP request step. `async` starts it and goes on; an `await` step takes its answer later. */
export interface HttpStep extends RequestSpec {
  expect?: HttpExpect;
  async?: string;
}

/** Takes the answer of an `async` request. */
export interface AwaitStep {
  await: string;
  expect?: HttpExpect;
}

/** Opens a WebSocket named `ws`; without `expect` the upgrade must succeed (101). */
export interface OpenSocketStep {
  ws: string;
  path: Json;
  headers?: Record<string, Json>;
  expect?: HttpExpect;
}

/** Sends one frame: a JSON value (`frame`), an exact text, or binary bytes. */
export interface SendStep {
  send: string;
  frame?: Json;
  text?: Json;
  binary?: Json[];
}

/** Takes the next frame(s) of a socket, in order. */
export interface ReceiveStep {
  receive: string;
  /** A matcher on the next frame, parsed as JSON. */
  frame?: Json;
  /** Matchers on the next frames, in order. */
  frames?: Json[];
  /** The next frame's exact text (or a matcher on it). */
  text?: Json;
  /** `records` messages that together hold offsets from..to-1 (see RecordsExpect). */
  records?: RecordsExpect;
  /** Frames matching any of these are dropped while waiting (pushes a case does not check). */
  ignore?: Json[];
  /** How long to wait for each frame (default 5,000 ms). */
  withinMs?: number;
}

/** A run of `records` messages. */
export interface RecordsExpect {
  from: number;
  to: number;
  /** Send `consumed` (one past the last record) after each message, as a well-behaved client does. */
  consume?: boolean;
  /** At most this many records in one message. */
  perMessageMax?: number;
  /** Exactly this many messages. */
  messages?: number;
  /** A matcher every message must match (topic, partition, highWatermark...). */
  each?: Json;
}

/** The client closes a socket (no code: a close frame without one). */
export interface CloseStep {
  close: string;
  code?: number;
  reason?: string;
}

/** Waits for a socket to be closed, and checks the code the client saw. */
export interface ClosedStep {
  closed: string;
  code?: number;
  reason?: Json;
  withinMs?: number;
}

/** Opens a Server-Sent Events stream named `sse`; without `expect` it must answer 200. */
export interface OpenSseStep {
  sse: string;
  path: Json;
  headers?: Record<string, Json>;
  expect?: HttpExpect;
}

/** Reads the next blocks (events and comments, split at blank lines) of an SSE stream. */
export interface ReadStep {
  read: string;
  /** Matchers on parsed blocks: {raw, id?, event?, data?, retry?, comment?}. */
  events: Json[];
  withinMs?: number;
}

/** The stream ends, with nothing more than what was read. */
export interface EndedStep {
  ended: string;
  withinMs?: number;
}

/** Waits (for a session to expire, say). */
export interface SleepStep {
  sleep: number;
}

/** State no request can make: the runner provides it, or skips the case. */
export interface FixtureStep {
  fixture: string;
  args?: { [key: string]: Json };
}

/** Runs `steps` `repeat` times, `${i}` the turn (from 0). */
export interface RepeatStep {
  repeat: number;
  steps: Step[];
}

/** Any step. */
export type Step =
  | RepeatStep
  | HttpStep
  | AwaitStep
  | OpenSocketStep
  | SendStep
  | ReceiveStep
  | CloseStep
  | ClosedStep
  | OpenSseStep
  | ReadStep
  | EndedStep
  | SleepStep
  | FixtureStep;
