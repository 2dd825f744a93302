/**
 * The fuzzer's lanes, each a fast-check property over its own names (so lanes never meet and each
 * replays alone from its seed): HTTP requests (with a read-back of every accepted produce), frames
 * on a partition socket, frames on a group socket. A case with a finding that no other branch is
 * fixing fails the property, so fast-check shrinks it (a bounded number of tries against the live
 * server) and reports its seed and path; known findings are only collected.
 *
 * @example
 * const lane = httpLane({ baseUrl, auth, space });
 * await fc.assert(fc.asyncProperty(lane.cases, lane.check), { seed: 1, numRuns: 100 });
 */
import type fc from "fast-check";
import type { FuzzAuth } from "./auth-mode.ts";
import { describeFrames, type Frame, frameCaseArb } from "./frame-cases.ts";
import type { NameSpace } from "./fuzz-names.ts";
import { ANSWER_WAIT_MS, FuzzSocket, type HttpAnswer, type ServerFrame, sendHttp, sendUpgrade } from "./fuzz-wire.ts";
import { describeCase, type HttpCase, httpCaseArb } from "./http-cases.ts";
import { asGet, type Finding, finding, frameFindings, holdsNonFinite, httpFindings } from "./oracle.ts";

/**
 * Where a lane runs.
 *
 * @example
 * const at: LaneAt = { baseUrl: runtime.url, auth: fuzzAuth("off"), space };
 */
export interface LaneAt {
  baseUrl: string;
  auth: FuzzAuth;
  space: NameSpace;
}

/**
 * A lane: its cases, the check of one case, the known findings it collected, and its teardown.
 *
 * @example
 * await fc.assert(fc.asyncProperty(lane.cases, lane.check), { seed, numRuns });
 * lane.known; // [{ kind: "nonfinite-accepted", detail: "...", run: 17 }]
 */
export interface Lane<C> {
  name: string;
  cases: fc.Arbitrary<C>;
  check: (c: C) => Promise<void>;
  /** Known findings, with the run index (fast-check's path) that replays each. */
  known: (Finding & { run: number })[];
  /** What the server answered, counted: `200`, `400 INVALID_RECORD`, `ack`, `error INVALID_REQUEST`, `close 4400`. */
  outcomes: Map<string, number>;
  close: () => void;
}

/** After the first failure, how many more cases a shrink may try against the server. */
const SHRINK_TRIES_MAX = 150;

/** Counts one outcome. */
function count(outcomes: Map<string, number>, outcome: string): void {
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
}

/** An HTTP answer's outcome: its status, and its code when it is a refusal. */
function httpOutcome(answer: HttpAnswer): string {
  if (answer.status < 400 || answer.text === null) return String(answer.status);
  try {
    return `${answer.status} ${(JSON.parse(answer.text) as { error: { code: string } }).error.code}`;
  } catch {
    return `${answer.status} (no error body)`;
  }
}

/** Wraps a case's findings: known ones are kept, others fail the case; bounds shrinking. */
function laneCheck<C>(name: string, run: (c: C) => Promise<Finding[]>): Pick<Lane<C>, "check" | "known"> {
  const known: (Finding & { run: number })[] = [];
  let runs = 0;
  let failedAt = -1;
  const check = async (c: C): Promise<void> => {
    const index = runs++;
    if (failedAt >= 0 && index - failedAt > SHRINK_TRIES_MAX) return;
    const findings = await run(c);
    for (const f of findings) if (f.known && failedAt < 0) known.push({ ...f, run: index });
    const failure = findings.find((f) => !f.known);
    if (failure === undefined) return;
    if (failedAt < 0) failedAt = index;
    throw new Error(`${name}: ${failure.kind}: ${failure.detail}`);
  };
  return { check, known };
}

/**
 * Whether two parsed JSON values are equal, walked with an explicit stack: a value 10,000 levels
 * deep (which workerd stores) overflows the call stack of JSON.stringify and of a JSON.parse
 * reviver in Node, as the fuzzer's own first read-back did. -0 equals 0 (JSON writes -0 as 0); an
 * object's keys compare as a set.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (x === y) continue;
    if (x === null || y === null || typeof x !== "object" || typeof y !== "object" || Array.isArray(x) !== Array.isArray(y)) return false;
    const xs = x as Record<string, unknown>;
    const ys = y as Record<string, unknown>;
    const keys = Object.keys(xs);
    if (keys.length !== Object.keys(ys).length) return false;
    for (const key of keys) {
      if (!Object.hasOwn(ys, key)) return false;
      stack.push([xs[key], ys[key]]);
    }
  }
  return true;
}

interface ProducedRecord {
  key?: string | null;
  value: unknown;
  headers?: Record<string, string>;
  timestamp?: number;
}

/** Whether a topic stamps records with the time of the append (RECORD-4): a producer's timestamp is then ignored. */
async function logAppendTime(at: LaneAt, topic: string): Promise<boolean> {
  const read = await sendHttp(at.baseUrl, {
    route: "readBack",
    method: "GET",
    path: `/v1/topics/${topic}`,
    headers: at.auth.headers("fuzz"),
    body: null,
    upgrade: false,
  });
  return (
    read.status === 200 &&
    read.text !== null &&
    (JSON.parse(read.text) as { config: Record<string, unknown> }).config["message.timestamp.type"] === "LogAppendTime"
  );
}

/** Reads back (the first 10) records an accepted produce acknowledged and compares them with what was sent. */
async function readBack(at: LaneAt, c: HttpCase, answer: HttpAnswer): Promise<Finding[]> {
  if (answer.status !== 200 || answer.text === null || c.body === null || c.method !== "POST" || asGet(c) || !c.path.includes("/records"))
    return [];
  const acked = JSON.parse(answer.text) as { offsets?: { partition: number; offset: number }[]; duplicate?: boolean };
  // A retry is answered with the first request's offsets, whatever this one holds.
  if (acked.duplicate === true || !Array.isArray(acked.offsets)) return [];
  const body = new TextDecoder().decode(c.body);
  const sent = (JSON.parse(body) as { records: ProducedRecord[] }).records;
  const topic = c.path.split("?")[0]!.split("/")[3]!;
  for (const [i, position] of acked.offsets.slice(0, 10).entries()) {
    const path = `/v1/topics/${topic}/partitions/${position.partition}/records?offset=${position.offset}&limit=1`;
    const read = await sendHttp(at.baseUrl, {
      route: "readBack",
      method: "GET",
      path,
      headers: at.auth.headers("fuzz"),
      body: null,
      upgrade: false,
    });
    if (read.status === 416) continue; // deleted since (deleteRecords, a short retention.ms)
    const stored = read.text === null ? undefined : (JSON.parse(read.text) as { records: ProducedRecord[] }).records[0];
    const want = sent[i]!;
    const same =
      stored !== undefined &&
      stored.key === (want.key ?? null) &&
      sameJson(stored.value, want.value) &&
      sameJson(stored.headers, want.headers ?? {}) &&
      (want.timestamp === undefined || stored.timestamp === want.timestamp || (await logAppendTime(at, topic)));
    if (!same) {
      const kind = holdsNonFinite(body) ? "nonfinite-accepted" : "readback-mismatch";
      return [
        finding(
          kind,
          `${describeCase(c)}: record ${i} acknowledged at ${position.partition}/${position.offset} reads back as ${read.text?.slice(0, 300)}`,
        ),
      ];
    }
  }
  return [];
}

/**
 * The HTTP lane: every route, plain or as an upgrade; accepted produces read back.
 *
 * @example
 * const lane = httpLane({ baseUrl, auth, space: { prefix: "fzh", topic: "fzh-play", group: "fzh-group", reachable: [] } });
 */
export function httpLane(at: LaneAt): Lane<HttpCase> {
  const outcomes = new Map<string, number>();
  const run = async (c: HttpCase): Promise<Finding[]> => {
    let answer: HttpAnswer;
    try {
      answer = await (c.upgrade ? sendUpgrade(at.baseUrl, c) : sendHttp(at.baseUrl, c));
    } catch (error) {
      return [finding("no-answer", `${describeCase(c)}: ${(error as Error).message}`)];
    }
    count(outcomes, httpOutcome(answer));
    const findings = httpFindings(c, answer);
    return findings.length > 0 ? findings : readBack(at, c, answer);
  };
  return { name: "http", cases: httpCaseArb(at.space, at.auth), ...laneCheck("http", run), outcomes, close: () => undefined };
}

/** True when a frame is a `hello` (whose other version closes the socket with 4400, SOCKET-4). */
const isHello = (f: Frame): boolean => f.text !== undefined && /"type"\s*:\s*"hello"/.test(f.text);

/** Close codes a lane's socket may see after a case, and why. */
function closeAllowed(kind: "partition" | "group", frames: Frame[], code: number, auth: FuzzAuth): boolean {
  if (auth.mode === "required" && code === 4401) return true;
  if (kind === "group") return code === 4408; // a member's session expired (a short sessionTimeoutMs)
  return code === 4400 && frames.some(isHello);
}

/** The `id` of a frame that is JSON (undefined otherwise). */
function idOf(frame: Frame): unknown {
  try {
    return frame.text === undefined ? undefined : (JSON.parse(frame.text) as { id?: unknown } | null)?.id;
  } catch {
    return undefined;
  }
}

/**
 * True when a frame holding a non-finite number was answered ack, committed or joined, told by its
 * id (only an id no other frame of the case has).
 */
function acceptedNonFinite(frames: Frame[], received: readonly ServerFrame[]): boolean {
  const ids = new Set<unknown>();
  for (const frame of frames) {
    if (frame.text === undefined || !holdsNonFinite(frame.text)) continue;
    const id = idOf(frame);
    if (frames.filter((other) => idOf(other) === id).length === 1) ids.add(id);
  }
  return received.some((f) => ["ack", "committed", "joined"].includes(String(f.message?.type)) && ids.has(f.message?.id));
}

/**
 * A socket lane: one socket at a time (reopened after an allowed close), each case's frames then
 * a sync frame of an unknown type whose `error` says the server has handled the case (SOCKET-15).
 *
 * @example
 * const lane = socketLane("group", { baseUrl, auth, space });
 */
export function socketLane(kind: "partition" | "group", at: LaneAt): Lane<Frame[]> {
  const path = kind === "partition" ? `/v1/topics/${at.space.topic}/partitions/0/ws` : `/v1/groups/${at.space.group}/ws`;
  const nonce = Math.random().toString(36).slice(2, 10);
  let socket: FuzzSocket | null = null;
  let syncs = 0;
  const outcomes = new Map<string, number>();

  const open = async (): Promise<FuzzSocket> => {
    const opened = await FuzzSocket.open(`${at.baseUrl}${path}`, {});
    const authFrame = at.auth.authFrame("fuzz");
    if (authFrame !== null) {
      opened.send(authFrame);
      await opened.until((f) => f.message?.type === "authenticated", ANSWER_WAIT_MS);
    }
    if (kind === "partition") await opened.until((f) => f.message?.type === "hello", ANSWER_WAIT_MS);
    opened.frames.length = 0;
    return opened;
  };

  const run = async (frames: Frame[]): Promise<Finding[]> => {
    if (socket === null || socket.closed !== null) socket = await open();
    const sync = `sync-${nonce}-${syncs++}`;
    for (const frame of frames) socket.send(frame.text ?? frame.binary);
    socket.send(`{"id":"${sync}","type":"fz-sync"}`);
    const sent = describeFrames(frames);
    let index: number | null;
    try {
      index = await socket.until((f) => f.message?.type === "error" && f.message.id === sync, ANSWER_WAIT_MS);
    } catch (error) {
      return [finding("no-answer", `${kind} socket: ${sent}: ${(error as Error).message}`)];
    }
    const received = socket.frames.splice(0, socket.frames.length);
    for (const f of received.slice(0, index ?? received.length))
      count(outcomes, f.message?.type === "error" ? `error ${String(f.message.code)}` : String(f.message?.type));
    if (index === null) count(outcomes, `close ${socket.closed!.code}`);
    const findings = frameFindings(kind, index === null ? received : received.slice(0, index), sent);
    if (index === null && !closeAllowed(kind, frames, socket.closed!.code, at.auth)) {
      findings.push(finding("unexpected-close", `${kind} socket: ${sent}: closed with ${socket.closed!.code} ${socket.closed!.reason}`));
    }
    if (acceptedNonFinite(frames, received)) findings.push(finding("nonfinite-accepted", `${kind} socket: ${sent}`));
    return findings;
  };
  return { name: kind, cases: frameCaseArb(kind, at.space, at.auth), ...laneCheck(kind, run), outcomes, close: () => socket?.close() };
}
