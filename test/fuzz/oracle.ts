/**
 * What the fuzzer holds every answer to (PROTOCOL.md ERROR-1, ERROR-4, ERROR-5, SOCKET-12): a
 * refusal is a 4xx whose body is exactly `{error: {code, message}}`, the code one of ERROR_STATUS's
 * with that status and never INTERNAL; never a 5xx; a socket `error` likewise; a socket closes only
 * with a code a rule names. A finding has a kind; kinds another branch is fixing are "known"
 * (counted and reported, not failed: see KNOWN_OPEN).
 *
 * @example
 * const findings = httpFindings(fuzzCase, answer);
 * if (findings.some((f) => !f.known)) throw new Error(findings[0].detail);
 */
import { ERROR_STATUS } from "../../client/protocol/index.ts";
import type { HttpAnswer, ServerFrame } from "./fuzz-wire.ts";
import { describeCase, type HttpCase } from "./http-cases.ts";

/**
 * Finding kinds reported with their seeds but not failed: another branch is fixing them, or they
 * are the runtime's and no Worker can answer otherwise. Remove a kind here when its fix lands, and
 * the fuzzer fails on it from then on.
 * - `workerd-upgrade-method`: a WebSocket handshake with another method than GET on a socket
 *   route: workerd hands it to the Worker as a GET, the Worker accepts the socket, and workerd
 *   then fails its own check ("WebSocket must be initiated with a GET request") with a plain 500.
 *   The Worker never sees the method (PROTOCOL.md SOCKET-1 tells clients not to send one).
 *
 * @example
 * KNOWN_OPEN.has("nonfinite-accepted"); // false: refused since RECORD-6 landed, so the fuzzer fails on it
 */
export const KNOWN_OPEN: ReadonlySet<string> = new Set(["workerd-upgrade-method"]);

/**
 * Something the server answered that it must not.
 *
 * @example
 * const finding: Finding = { kind: "5xx", detail: "POST /v1/topics/fzh-play/records answered 500", known: false };
 */
export interface Finding {
  kind: string;
  detail: string;
  known: boolean;
}

/**
 * A finding of `kind` (known when KNOWN_OPEN lists it).
 *
 * @example
 * finding("bad-error-body", "GET /v1/x answered 404 with text/html");
 */
export function finding(kind: string, detail: string): Finding {
  return { kind, detail, known: KNOWN_OPEN.has(kind) };
}

/** True when parsing `text` as JSON gives a number that is not finite somewhere (`1e999`). */
export function holdsNonFinite(text: string | null): boolean {
  if (text === null) return false;
  let found = false;
  try {
    JSON.parse(text, (_key, value: unknown) => {
      if (typeof value === "number" && !Number.isFinite(value)) found = true;
      return value;
    });
  } catch {
    return false;
  }
  return found;
}

/** Why `value` is not a well-formed `{error: {code, message}}` for `status`, or null when it is. */
export function errorShapeProblem(value: unknown, status: number | null): string | null {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "not a JSON object";
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== "error") return `members ${JSON.stringify(keys)}, not exactly ["error"]`;
  const error = (value as { error: unknown }).error;
  if (error === null || typeof error !== "object") return "error is not an object";
  const inner = Object.keys(error).sort();
  if (inner.join(",") !== "code,message") return `error has ${JSON.stringify(inner)}, not exactly code and message`;
  const { code, message } = error as { code: unknown; message: unknown };
  if (typeof message !== "string") return "message is not a string";
  if (typeof code !== "string" || !(code in ERROR_STATUS)) return `code ${JSON.stringify(code)} is not in ERROR_STATUS`;
  if (code === "INTERNAL") return `INTERNAL: ${message}`;
  const expected = ERROR_STATUS[code as keyof typeof ERROR_STATUS];
  if (status !== null && expected !== status) return `code ${code} is ${expected}, answered ${status}`;
  return null;
}

const decoder = new TextDecoder();

/**
 * True when the Worker sees the case as a GET whatever its method: workerd hands every request
 * with `Upgrade: websocket` to the Worker as a GET (so a PUT with that header is answered as GET).
 *
 * @example
 * asGet({ ...c, method: "PUT", headers: { upgrade: "WebSocket" } }); // true
 */
export function asGet(c: HttpCase): boolean {
  return c.upgrade || c.headers.upgrade?.toLowerCase() === "websocket";
}

/** True for a full WebSocket handshake sent with another method than GET (see KNOWN_OPEN). */
function runtimeUpgrade(c: HttpCase): boolean {
  const h = c.headers;
  return c.method !== "GET" && asGet(c) && h["sec-websocket-version"] === "13" && (h["sec-websocket-key"] ?? "") !== "";
}

/**
 * What is wrong with an HTTP answer to a case (nothing, mostly).
 *
 * @example
 * httpFindings(c, { status: 500, headers: {}, text: "{}" }); // [{ kind: "5xx", ... }]
 */
export function httpFindings(c: HttpCase, answer: HttpAnswer): Finding[] {
  const where = `${describeCase(c)} answered ${answer.status}`;
  const { status, text } = answer;
  if (status >= 500) return [finding(runtimeUpgrade(c) ? "workerd-upgrade-method" : "5xx", `${where}: ${text?.slice(0, 300)}`)];
  if (status >= 200 && status < 300) {
    // Only PUT and POST routes read a body; workerd hands any request with `Upgrade: websocket`
    // to the Worker as a GET, its body unread.
    if (asGet(c) || (c.method !== "PUT" && c.method !== "POST")) return [];
    const body = c.body === null ? null : decoder.decode(c.body);
    return status !== 204 && holdsNonFinite(body) ? [finding("nonfinite-accepted", where)] : [];
  }
  if (status === 101) return c.upgrade || "upgrade" in c.headers ? [] : [finding("unexpected-status", where)];
  if (status < 400) return [finding("unexpected-status", where)];
  if (c.method === "HEAD" || text === null) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [finding("bad-error-body", `${where} with a body that is not JSON: ${text.slice(0, 200)}`)];
  }
  const problem = errorShapeProblem(parsed, status);
  return problem === null ? [] : [finding(problem.startsWith("INTERNAL") ? "internal" : "bad-error-body", `${where}: ${problem}`)];
}

/**
 * Server message types a socket may send (partition or group; auth's, whether or not auth is on).
 *
 * @example
 * SERVER_TYPES.partition.has("ack"); // true
 */
export const SERVER_TYPES = {
  partition: new Set([
    "hello",
    "subscribed",
    "records",
    "live",
    "paused",
    "unsubscribed",
    "ack",
    "committed",
    "error",
    "pong",
    "authenticated",
    "reauth",
  ]),
  group: new Set(["joined", "assignment", "left", "error", "pong", "authenticated", "reauth"]),
} as const;

/**
 * What is wrong with frames a socket received for a case (`sent` describes the case's frames).
 *
 * @example
 * frameFindings("partition", frames, "sent [...]"); // [] when every frame is a known type and every error well-formed
 */
export function frameFindings(kind: "partition" | "group", frames: readonly ServerFrame[], sent: string): Finding[] {
  const findings: Finding[] = [];
  for (const frame of frames) {
    const type = frame.message?.type;
    if (frame.message === null || typeof type !== "string" || !SERVER_TYPES[kind].has(type)) {
      findings.push(finding("bad-frame", `${sent}: the server sent ${frame.text.slice(0, 300)}`));
      continue;
    }
    if (type !== "error") continue;
    const { type: _type, id, ...rest } = frame.message;
    const problem = id !== null && typeof id !== "string" ? "id is neither a string nor null" : errorShapeProblem({ error: rest }, null);
    if (problem !== null)
      findings.push(
        finding(problem.startsWith("INTERNAL") ? "internal" : "bad-error-frame", `${sent}: ${problem} in ${frame.text.slice(0, 300)}`),
      );
  }
  return findings;
}
