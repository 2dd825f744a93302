/**
 * Runs one step of a case against a transport: HTTP requests (awaited or started), socket
 * opens, sends, receives and closes, SSE reads, sleeps and fixtures. A step that does not get
 * what it expects throws a StepFailure naming every mismatch.
 *
 * @example
 * const context = new CaseContext(transport, { run: "ab12cd34" });
 * await runStep(context, { http: "GET /v1/topics", expect: { status: 200 } });
 * await context.close();
 */

import { matchValue } from "./match.ts";
import { BodyReader, type Frame, Mailbox, type Transport, type WireAnswer, type WireSocket } from "./streams.ts";
import { bytesOf, CaseError, resolve, type Vars } from "./template.ts";
import type { HttpExpect, Json, RecordsExpect, RequestSpec, Step } from "./types.ts";

/** How long a receive or read waits when the step does not say. */
export const WAIT_MS_DEFAULT = 5_000;
/** How long a whole answer body may take to arrive. */
const BODY_WAIT_MS = 30_000;

/**
 * A server's answer that is not what the case expects.
 *
 * @example
 * throw new StepFailure("steps[2] receive a: type: expected \"live\", got \"paused\"");
 */
export class StepFailure extends Error {
  override name = "StepFailure";
}

/** An answer as the matchers see it. */
export interface SeenAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
  body: Json | undefined;
}

/**
 * One case's state: variables, open sockets and streams, requests started, codes seen.
 *
 * @example
 * const context = new CaseContext(transport, { run: "ab12cd34" });
 */
export class CaseContext {
  readonly transport: Transport;
  readonly vars: Vars;
  readonly sockets = new Map<string, { socket: WireSocket; mailbox: Mailbox }>();
  readonly streams = new Map<string, BodyReader>();
  readonly started = new Map<string, Promise<SeenAnswer>>();
  /** Error codes the case saw and expected (for the coverage check). */
  readonly codes = new Set<string>();

  constructor(transport: Transport, vars: Vars) {
    this.transport = transport;
    this.vars = vars;
  }

  /** Closes what the case left open. */
  async close(): Promise<void> {
    for (const { socket, mailbox } of this.sockets.values()) {
      if (mailbox.closeEvent === null) {
        try {
          socket.close(1000, "case done");
        } catch {
          // already closing
        }
      }
    }
    for (const reader of this.streams.values()) await reader.cancel();
    await Promise.allSettled(this.started.values());
  }
}

/** Headers with their values resolved to strings. */
function headersOf(spec: Record<string, Json> | undefined, vars: Vars): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec ?? {})) {
    const resolved = resolve(value, vars);
    out[name.toLowerCase()] = typeof resolved === "string" ? resolved : JSON.stringify(resolved);
  }
  return out;
}

/** Splits `"METHOD /path"`. */
function methodAndPath(line: Json, vars: Vars): { method: string; path: string } {
  const match = /^([A-Z]+) (\/\S*)$/.exec(String(resolve(line, vars)));
  if (!match) throw new CaseError(`"http" is "METHOD /path", not ${JSON.stringify(line)}`);
  return { method: match[1]!, path: match[2]! };
}

function bodyOf(spec: RequestSpec, vars: Vars): Uint8Array | null {
  if (spec.body !== undefined) return new TextEncoder().encode(JSON.stringify(resolve(spec.body, vars)));
  if (spec.bodyText !== undefined) {
    const text = resolve(spec.bodyText, vars);
    if (typeof text !== "string") throw new CaseError("bodyText resolves to a string");
    return new TextEncoder().encode(text);
  }
  if (spec.bodyBytes !== undefined) return bytesOf(spec.bodyBytes, vars);
  return null;
}

/**
 * Reads a whole answer into what matchers see.
 *
 * @example
 * const seen = await seeAnswer(await transport.request(request)); // { status, headers, text, body }
 */
export async function seeAnswer(answer: WireAnswer): Promise<SeenAnswer> {
  const text = await new BodyReader(answer).text(BODY_WAIT_MS);
  let body: Json | undefined;
  try {
    body = text === "" ? undefined : (JSON.parse(text) as Json);
  } catch {
    body = undefined;
  }
  return { status: answer.status, headers: answer.headers, text, body };
}

/**
 * Sends one request and reads its answer.
 *
 * @example
 * await sendRequest(context, { http: "GET /v1/topics/t-${run}" });
 */
export async function sendRequest(context: CaseContext, spec: RequestSpec): Promise<SeenAnswer> {
  const { method, path } = methodAndPath(spec.http, context.vars);
  const headers = headersOf(spec.headers, context.vars);
  const body = bodyOf(spec, context.vars);
  if (body !== null && !("content-type" in headers)) headers["content-type"] = "application/json";
  return seeAnswer(await context.transport.request({ method, path, headers, body, hold: spec.hold === true }));
}

/**
 * Checks an answer against an expectation; binds captures; throws on a mismatch.
 *
 * @example
 * checkAnswer(context, seen, { status: 404, error: "UNKNOWN_TOPIC" }, "steps[0]");
 */
export function checkAnswer(context: CaseContext, seen: SeenAnswer, expect: HttpExpect | undefined, what: string): void {
  const vars = context.vars;
  const mismatches: string[] = [];
  if (expect?.status === undefined) {
    if (seen.status < 200 || seen.status > 299) mismatches.push(`status: expected 2xx, got ${seen.status}`);
  } else if (seen.status !== expect.status) mismatches.push(`status: expected ${expect.status}, got ${seen.status}`);
  const expected: Record<string, Json> = {};
  const actual: Record<string, unknown> = {};
  if (expect?.headers !== undefined) {
    expected.headers = resolve(expect.headers as Json, vars);
    actual.headers = seen.headers;
  }
  if (expect?.error !== undefined) {
    const code = resolve(expect.error, vars);
    // QUOTA_EXCEEDED alone also says how long to wait (PROTOCOL.md ERROR-1, QUOTA-5).
    const wait: Record<string, Json> = code === "QUOTA_EXCEEDED" ? { retryAfterMs: { $range: [1, Number.MAX_SAFE_INTEGER] } } : {};
    expected.body = { $exact: { error: { code, message: { $regex: "." }, ...wait } } };
    if (expect.body !== undefined) expected.body.$match = resolve(expect.body, vars);
    expected.contentType = { $regex: "^application/json" };
    actual.contentType = seen.headers["content-type"];
  } else if (expect?.body !== undefined) expected.body = resolve(expect.body, vars);
  if (expected.body !== undefined) actual.body = seen.body;
  if (expect?.text !== undefined) {
    expected.text = resolve(expect.text, vars);
    actual.text = seen.text;
  }
  const outcome = matchValue(expected, actual);
  mismatches.push(...outcome.mismatches);
  if (mismatches.length > 0)
    throw new StepFailure(`${what}: ${mismatches.join("; ")}\n  answer: ${seen.status} ${seen.text.slice(0, 300)}`);
  Object.assign(vars, outcome.captures);
  const code = (seen.body as { error?: { code?: unknown } } | undefined)?.error?.code;
  if (seen.status >= 400 && typeof code === "string") context.codes.add(code);
}

function socketOf(context: CaseContext, name: string): { socket: WireSocket; mailbox: Mailbox } {
  const entry = context.sockets.get(name);
  if (entry === undefined) throw new CaseError(`no socket "${name}" is open in this case`);
  return entry;
}

function streamOf(context: CaseContext, name: string): BodyReader {
  const reader = context.streams.get(name);
  if (reader === undefined) throw new CaseError(`no SSE stream "${name}" is open in this case`);
  return reader;
}

/** A frame's JSON, or a failure naming the frame. */
function parsed(frame: Frame, what: string): Json {
  if (frame.text === null) throw new StepFailure(`${what}: expected a text frame, got binary`);
  try {
    return JSON.parse(frame.text) as Json;
  } catch {
    throw new StepFailure(`${what}: expected a JSON frame, got ${frame.text.slice(0, 200)}`);
  }
}

/** Matches one value, binding captures and noting error codes seen. */
function expectValue(context: CaseContext, expected: Json, actual: Json, what: string, raw: string): void {
  const outcome = matchValue(resolve(expected, context.vars), actual);
  if (outcome.mismatches.length > 0) throw new StepFailure(`${what}: ${outcome.mismatches.join("; ")}\n  frame: ${raw.slice(0, 300)}`);
  Object.assign(context.vars, outcome.captures);
  const message = actual as { type?: unknown; code?: unknown } | null;
  if (message !== null && typeof message === "object" && message.type === "error" && typeof message.code === "string") {
    context.codes.add(message.code);
  }
}

/** Frames a receive may drop while it waits, at most. */
const IGNORED_FRAMES_MAX = 10_000;

/** The next frame that none of `ignore` matches. */
async function nextFrame(context: CaseContext, mailbox: Mailbox, ignore: Json[] | undefined, withinMs: number): Promise<Frame> {
  const patterns = (ignore ?? []).map((pattern) => resolve(pattern, context.vars));
  for (let dropped = 0; dropped <= IGNORED_FRAMES_MAX; dropped++) {
    const frame = await mailbox.next(withinMs);
    let value: unknown;
    try {
      value = frame.text === null ? undefined : JSON.parse(frame.text);
    } catch {
      value = undefined;
    }
    if (!patterns.some((pattern) => matchValue(pattern, value).mismatches.length === 0)) return frame;
  }
  throw new StepFailure(`more than ${IGNORED_FRAMES_MAX} frames were ignored`);
}

/** Takes `records` messages until offsets from..to-1 have come, in order, each once. */
async function receiveRecords(
  context: CaseContext,
  step: Extract<Step, { receive: string }>,
  spec: RecordsExpect,
  withinMs: number,
  what: string,
): Promise<void> {
  const { socket, mailbox } = socketOf(context, step.receive);
  let next = spec.from;
  let messages = 0;
  for (let turn = 0; turn < 100_000 && next < spec.to; turn++) {
    const frame = await nextFrame(context, mailbox, step.ignore, withinMs);
    const message = parsed(frame, what) as { type?: Json; records?: { offset?: Json }[] };
    const label = `${what}, message ${messages + 1}`;
    if (message?.type !== "records" || !Array.isArray(message.records))
      throw new StepFailure(`${label}: expected records at offset ${next}, got ${frame.text?.slice(0, 200)}`);
    if (spec.each !== undefined) expectValue(context, spec.each, message as Json, label, frame.text ?? "");
    const offsets = message.records.map((r) => r?.offset);
    const wanted = Array.from({ length: offsets.length }, (_, k) => next + k);
    if (offsets.length === 0 || offsets.some((o, k) => o !== wanted[k])) {
      throw new StepFailure(`${label}: expected offsets from ${next}, got ${JSON.stringify(offsets).slice(0, 200)}`);
    }
    if (spec.perMessageMax !== undefined && offsets.length > spec.perMessageMax) {
      throw new StepFailure(`${label}: ${offsets.length} records in one message; at most ${spec.perMessageMax}`);
    }
    next += offsets.length;
    messages++;
    if (next > spec.to) throw new StepFailure(`${label}: records past ${spec.to - 1} (up to ${next - 1})`);
    if (spec.consume) socket.send(JSON.stringify({ type: "consumed", offset: next }));
  }
  if (spec.messages !== undefined && messages !== spec.messages)
    throw new StepFailure(`${what}: ${messages} messages, expected ${spec.messages}`);
}

async function receive(context: CaseContext, step: Extract<Step, { receive: string }>, what: string): Promise<void> {
  const withinMs = step.withinMs ?? WAIT_MS_DEFAULT;
  if (step.records !== undefined) return receiveRecords(context, step, step.records, withinMs, what);
  const { mailbox } = socketOf(context, step.receive);
  const expected = step.frames ?? (step.frame !== undefined ? [step.frame] : []);
  for (const [k, frameExpected] of expected.entries()) {
    const frame = await nextFrame(context, mailbox, step.ignore, withinMs);
    expectValue(context, frameExpected, parsed(frame, `${what}, frame ${k + 1}`), `${what}, frame ${k + 1}`, frame.text ?? "");
  }
  if (step.text !== undefined) {
    const frame = await nextFrame(context, mailbox, step.ignore, withinMs);
    if (frame.text === null) throw new StepFailure(`${what}: expected a text frame, got binary`);
    expectValue(context, step.text, frame.text, what, frame.text);
  }
}

async function openSocket(context: CaseContext, step: Extract<Step, { ws: string }>, what: string): Promise<void> {
  const mailbox = new Mailbox();
  const path = String(resolve(step.path, context.vars));
  const opened = await context.transport.upgrade(path, headersOf(step.headers, context.vars), mailbox.events());
  if ("answer" in opened) {
    const seen = await seeAnswer(opened.answer);
    if (step.expect === undefined) throw new StepFailure(`${what}: the upgrade was refused: ${seen.status} ${seen.text.slice(0, 300)}`);
    return checkAnswer(context, seen, step.expect, what);
  }
  if (step.expect !== undefined) throw new StepFailure(`${what}: the upgrade succeeded; expected ${JSON.stringify(step.expect)}`);
  context.sockets.set(step.ws, { socket: opened.socket, mailbox });
}

async function openSse(context: CaseContext, step: Extract<Step, { sse: string }>, what: string): Promise<void> {
  const path = String(resolve(step.path, context.vars));
  const answer = await context.transport.request({ method: "GET", path, headers: headersOf(step.headers, context.vars), body: null });
  const streaming = answer.status === 200 && (answer.headers["content-type"] ?? "").startsWith("text/event-stream");
  if (!streaming) return checkAnswer(context, await seeAnswer(answer), step.expect, what);
  checkAnswer(
    context,
    { status: answer.status, headers: answer.headers, text: "", body: undefined },
    { ...step.expect, body: undefined },
    what,
  );
  context.streams.set(step.sse, new BodyReader(answer));
}

function send(context: CaseContext, step: Extract<Step, { send: string }>): void {
  const { socket } = socketOf(context, step.send);
  if (step.frame !== undefined) socket.send(JSON.stringify(resolve(step.frame, context.vars)));
  else if (step.text !== undefined) socket.send(String(resolve(step.text, context.vars)));
  else if (step.binary !== undefined) socket.send(bytesOf(step.binary, context.vars));
  else throw new CaseError("a send step has frame, text or binary");
}

async function closed(context: CaseContext, step: Extract<Step, { closed: string }>, what: string): Promise<void> {
  const event = await socketOf(context, step.closed).mailbox.closed(step.withinMs ?? WAIT_MS_DEFAULT);
  const expected: Record<string, Json> = {};
  if (step.code !== undefined) expected.code = step.code;
  if (step.reason !== undefined) expected.reason = step.reason;
  expectValue(context, expected, event, what, JSON.stringify(event));
}

async function read(context: CaseContext, step: Extract<Step, { read: string }>, what: string): Promise<void> {
  const reader = streamOf(context, step.read);
  for (const [k, expected] of step.events.entries()) {
    const block = await reader.block(step.withinMs ?? WAIT_MS_DEFAULT);
    expectValue(context, expected, block as unknown as Json, `${what}, block ${k + 1}`, block.raw);
    if (block.event === "error" && block.data !== undefined) {
      const code = (JSON.parse(block.data) as { error?: { code?: unknown } }).error?.code;
      if (typeof code === "string") context.codes.add(code);
    }
  }
}

/** Turns a `repeat` step may take at most. */
const REPEAT_TURNS_MAX = 10_000;

async function repeat(context: CaseContext, step: Extract<Step, { repeat: number }>, what: string): Promise<void> {
  if (!Number.isInteger(step.repeat) || step.repeat < 0 || step.repeat > REPEAT_TURNS_MAX)
    throw new CaseError(`repeat takes 0 to ${REPEAT_TURNS_MAX} turns`);
  for (let i = 0; i < step.repeat; i++) {
    context.vars.i = i;
    for (const [k, inner] of step.steps.entries()) await runStep(context, inner, `${what}, turn ${i}, step ${k}`);
  }
  delete context.vars.i;
}

/**
 * The fixture a step uses that this transport cannot arrange, or null.
 *
 * @example
 * unsupportedFixture({ fixture: "topics-at-limit" }, nodeTransport(url)); // "topics-at-limit"
 */
export function unsupportedFixture(step: Step, transport: Transport): string | null {
  if ("repeat" in step) {
    for (const inner of step.steps) {
      const missing = unsupportedFixture(inner, transport);
      if (missing !== null) return missing;
    }
    return null;
  }
  return "fixture" in step && !transport.supports.has(step.fixture) ? step.fixture : null;
}

/**
 * Runs one step; `what` names it in failures ("steps[3] receive a").
 *
 * @example
 * await runStep(context, { send: "a", text: '{"type":"ping"}' }, "steps[0]");
 */
export async function runStep(context: CaseContext, step: Step, what: string): Promise<void> {
  if ("repeat" in step) return repeat(context, step, what);
  if ("http" in step) {
    const answer = sendRequest(context, step);
    if (step.async !== undefined) {
      context.started.set(step.async, answer);
      return;
    }
    return checkAnswer(context, await answer, step.expect, what);
  }
  if ("await" in step) {
    const answer = context.started.get(step.await);
    if (answer === undefined) throw new CaseError(`no request was started as "${step.await}"`);
    return checkAnswer(context, await answer, step.expect, what);
  }
  if ("ws" in step) return openSocket(context, step, what);
  if ("send" in step) return send(context, step);
  if ("receive" in step) return receive(context, step, what);
  if ("close" in step) return socketOf(context, step.close).socket.close(step.code, step.reason);
  if ("closed" in step) return closed(context, step, what);
  if ("sse" in step) return openSse(context, step, what);
  if ("read" in step) return read(context, step, what);
  if ("ended" in step) return streamOf(context, step.ended).ended(step.withinMs ?? WAIT_MS_DEFAULT);
  if ("sleep" in step) return new Promise((done) => setTimeout(done, step.sleep));
  if ("fixture" in step) {
    const bound = await context.transport.fixture(step.fixture, resolve(step.args ?? {}, context.vars) as Record<string, Json>);
    Object.assign(context.vars, bound ?? {});
    return;
  }
  throw new CaseError(`unknown step ${JSON.stringify(step).slice(0, 100)}`);
}
