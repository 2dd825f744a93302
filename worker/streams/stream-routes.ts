/**
 * The Durable Streams routes: every path below `/v1/stream/` is a stream, served by its own
 * Stream object (stream-object.ts), which gets the request as it came. Here: the path's bounds,
 * the protocol's CORS exposure of its headers, and the NOT_FOUND of a deployment without the
 * STREAM binding.
 *
 * Rules: PROTOCOL.md STREAM-1, STREAM-13, STREAM-15, STREAM-17, AUTH-4.
 *
 * @example
 * app.route("/", streamRoutes); // in createApp, beside the topic routes
 */
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import {
  EdgelogError,
  REQUEST_BODY_MS_MAX,
  STREAM_APPEND_BYTES_MAX,
  STREAM_DRAIN_BYTES_MAX,
  STREAM_PATH_CHARS_MAX,
} from "../../client/protocol/index.ts";
import { requireGrant } from "../auth/access.ts";
import type { AppEnv } from "../env.ts";
import { errorAnswer } from "../error-response.ts";
import { STREAM_SECURITY_HEADERS } from "./stream-answers.ts";
import { forkHeaders } from "./stream-forks.ts";
import { topicStreamOf, topicStreamRequest } from "./topic-streams.ts";

/** Where the streams live, relative to the app's mount point. */
const STREAM_PREFIX = "/v1/stream/";

/**
 * The stream name of a request path: what follows `/v1/stream/` (1 to STREAM_PATH_CHARS_MAX
 * characters, as sent, percent-encoding included), or INVALID_PARAMETER.
 *
 * @example
 * streamName("/v1/stream/chat/room-1"); // "chat/room-1"
 */
export function streamName(path: string): string {
  const at = path.indexOf(STREAM_PREFIX);
  const name = at === -1 ? "" : path.slice(at + STREAM_PREFIX.length);
  if (name === "" || name.length > STREAM_PATH_CHARS_MAX) {
    throw new EdgelogError("INVALID_PARAMETER", `a stream path has 1 to ${STREAM_PATH_CHARS_MAX} characters after ${STREAM_PREFIX}`);
  }
  return name;
}

/**
 * The protocol's browser security headers on every answer under `/v1/stream/`, refusals of the
 * Worker's own (401, 403, 413) included; mounted before authentication (STREAM-13).
 *
 * @example
 * app.use("/v1/stream/*", streamSecurityHeaders());
 */
export function streamSecurityHeaders() {
  return createMiddleware(async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(STREAM_SECURITY_HEADERS)) c.res.headers.set(name, value);
  });
}

/** The grant each method needs on a stream's path (AUTH-4): reads read, appends write, the rest admin. */
const STREAM_GRANTS = { GET: "read", HEAD: "read", POST: "write", PUT: "admin", DELETE: "admin" } as const;

/** The grant each method needs on a topic stream's topic: as the partition routes (PUT is a no-op read). */
const TOPIC_STREAM_GRANTS = { GET: "read", HEAD: "read", POST: "write", PUT: "read", DELETE: "admin" } as const;

/**
 * Reads and drops a body declared too large (at most STREAM_DRAIN_BYTES_MAX bytes, within
 * REQUEST_BODY_MS_MAX), so the 413 reaches a client still sending instead of a reset connection.
 *
 * @example
 * await drainBody(request); // then answer REQUEST_TOO_LARGE
 */
export async function drainBody(request: Request): Promise<void> {
  if (request.body === null) return;
  const reader = request.body.getReader();
  const deadline = Date.now() + REQUEST_BODY_MS_MAX;
  let bytes = 0;
  try {
    // Bounded by bytes and by time.
    while (bytes <= STREAM_DRAIN_BYTES_MAX && Date.now() < deadline) {
      const { done, value } = await reader.read();
      if (done) return;
      bytes += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

/**
 * The routes (see this module's header).
 *
 * @example
 * const app = new Hono<AppEnv>().route("/", streamRoutes);
 */
export const streamRoutes = new Hono<AppEnv>();

streamRoutes.on(["GET", "HEAD", "PUT", "POST", "DELETE"], `${STREAM_PREFIX}*`, async (c) => {
  const name = streamName(new URL(c.req.url).pathname);
  const method = c.req.method as keyof typeof STREAM_GRANTS;
  const topicStream = topicStreamOf(name);
  requireGrant(c.var.access, topicStream === null ? STREAM_GRANTS[method] : TOPIC_STREAM_GRANTS[method], topicStream?.topic ?? name);
  // A fork copies its source: creating one also needs read on the source (STREAM-17).
  const forkedFrom = method === "PUT" ? forkHeaders(c.req.raw.headers) : null;
  if (forkedFrom !== null) requireGrant(c.var.access, "read", forkedFrom.source);
  if (Number(c.req.header("content-length") ?? "0") > STREAM_APPEND_BYTES_MAX) {
    await drainBody(c.req.raw);
    throw new EdgelogError("REQUEST_TOO_LARGE", `an append has at most ${STREAM_APPEND_BYTES_MAX} bytes`);
  }
  // Typed as bound; an app that mounts edgelog without the binding has it undefined.
  const namespace = c.env.STREAM as AppEnv["Bindings"]["STREAM"] | undefined;
  let answer: Response;
  if (topicStream !== null) answer = await topicStreamRequest(c, topicStream);
  else if (namespace === undefined) return errorAnswer(new EdgelogError("NOT_FOUND", "this deployment has no STREAM binding"));
  else answer = await namespace.getByName(name).fetch(c.req.raw);
  // CORS (and the headers a page may read, STREAM_EXPOSED_HEADERS) is originCors()'s.
  return new Response(answer.body, answer);
});
