/**
 * The Durable Streams routes: every path below `/v1/stream/` is a stream, served by its own
 * Stream object (stream-object.ts), which gets the request as it came. Here: the path's bounds,
 * the protocol's CORS exposure of its headers, and the NOT_FOUND of a deployment without the
 * STREAM binding.
 *
 * Rules: PROTOCOL.md STREAM-1, STREAM-13.
 *
 * @example
 * app.route("/", streamRoutes); // in createApp, beside the topic routes
 */
import { Hono } from "hono";
import { EdgelogError, STREAM_PATH_CHARS_MAX } from "../../client/protocol/index.ts";
import type { AppEnv } from "../env.ts";
import { errorAnswer } from "../error-response.ts";

/** Where the streams live, relative to the app's mount point. */
const STREAM_PREFIX = "/v1/stream/";

/** The headers a browser may read from a stream's answers (CORS), beside edgelog's own. */
const STREAM_EXPOSED_HEADERS =
  "Stream-Next-Offset, Stream-Cursor, Stream-Up-To-Date, Stream-Closed, Stream-TTL, Stream-Expires-At, Stream-SSE-Data-Encoding, Producer-Epoch, Producer-Seq, Producer-Expected-Seq, Producer-Received-Seq, ETag, Content-Type, Location";

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
 * The routes (see this module's header).
 *
 * @example
 * const app = new Hono<AppEnv>().route("/", streamRoutes);
 */
export const streamRoutes = new Hono<AppEnv>();

streamRoutes.on(["GET", "HEAD", "PUT", "POST", "DELETE"], `${STREAM_PREFIX}*`, async (c) => {
  // Typed as bound; an app that mounts edgelog without the binding has it undefined.
  const namespace = c.env.STREAM as AppEnv["Bindings"]["STREAM"] | undefined;
  if (namespace === undefined) return errorAnswer(new EdgelogError("NOT_FOUND", "this deployment has no STREAM binding"));
  const name = streamName(new URL(c.req.url).pathname);
  const answer = await namespace.getByName(name).fetch(c.req.raw);
  const response = new Response(answer.body, answer);
  response.headers.set("access-control-expose-headers", STREAM_EXPOSED_HEADERS);
  return response;
});
