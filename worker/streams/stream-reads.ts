/**
 * The Durable Streams reads inside a stream's object: HEAD (metadata, never cached), catch-up GET
 * (a page from an offset with Stream-Next-Offset, Stream-Up-To-Date, Stream-Closed at the tail of
 * a closed stream, an ETag and 304) and long-poll (a GET at the tail parks until an append, a
 * close or its deadline, then 204 with a cursor). `offset=now` reads from the tail.
 *
 * Rules: PROTOCOL.md STREAM-4, STREAM-5, STREAM-7, STREAM-8.
 *
 * @example
 * const answer = await readStream(host, request); // GET ?offset=-1
 */
import { EdgelogError } from "../../client/protocol/index.ts";
import { streamAnswer } from "./stream-answers.ts";
import { responseCursor } from "./stream-cursor.ts";
import { STREAM_HEADER } from "./stream-headers.ts";
import { isJsonMode, renderBytes, renderJson } from "./stream-messages.ts";
import type { StreamMeta } from "./stream-meta.ts";
import { type StreamPosition, streamPosition } from "./stream-offsets.ts";
import { streamEvents } from "./stream-sse.ts";
import type { StreamPage } from "./stream-store.ts";
import type { StreamHost } from "./stream-writes.ts";

/** How catch-up pages may be cached (the protocol's advice for streams that may be private). */
const CATCH_UP_CACHE_CONTROL = "private, max-age=60, stale-while-revalidate=300";

/**
 * HEAD: the tail offset, content type, closure, TTL or Expires-At, an ETag; `Cache-Control: no-store`.
 *
 * @example
 * headStream(host).headers.get("Stream-Next-Offset"); // the tail
 */
export function headStream(host: StreamHost): Response {
  const { store } = host;
  const meta = store.require(host.now());
  const tail = store.offset(store.tail);
  const headers: Record<string, string> = {
    "content-type": meta.contentType,
    [STREAM_HEADER.nextOffset]: tail,
    "cache-control": "no-store",
    etag: `"${meta.incarnation}:-1:${tail}${meta.closed ? ":c" : ""}"`,
  };
  if (meta.closed) headers[STREAM_HEADER.closed] = "true";
  if (meta.ttlSeconds !== null) headers[STREAM_HEADER.ttl] = String(meta.ttlSeconds);
  if (meta.expiresAt !== null) headers[STREAM_HEADER.expiresAt] = meta.expiresAt;
  return streamAnswer(null, 200, headers);
}

/**
 * The position a read starts at: `-1` the start, `now` the tail, an offset of this incarnation
 * inside [0, tail]. An offset of an earlier incarnation is STREAM_GONE (410); a later one, or past
 * the tail, INVALID_PARAMETER.
 *
 * @example
 * resolvePosition(meta, 10, { kind: "now" }); // 10
 */
export function resolvePosition(meta: StreamMeta, tail: number, asked: StreamPosition): number {
  if (asked.kind === "start") return 0;
  if (asked.kind === "now") return tail;
  // A fork reads its source's offsets up to where it forked (STREAM-18).
  if (meta.fork !== null && asked.incarnation === meta.fork.incarnation && asked.position <= meta.fork.position) return asked.position;
  if (asked.incarnation < meta.incarnation) {
    throw new EdgelogError("STREAM_GONE", "the offset is from an earlier incarnation of this stream (it was deleted or expired since)");
  }
  if (asked.incarnation > meta.incarnation || asked.position > tail)
    throw new EdgelogError("INVALID_PARAMETER", "the offset is past the stream's tail");
  return asked.position;
}

/**
 * GET: catch-up, long-poll (`live=long-poll`) or SSE (`live=sse`); a live read needs an offset.
 *
 * @example
 * await readStream(host, new Request(`${url}?offset=now&live=long-poll`));
 */
export async function readStream(host: StreamHost, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const offsets = url.searchParams.getAll("offset");
  const asked = streamPosition(offsets);
  const live = url.searchParams.get("live");
  if (live !== null && live !== "long-poll" && live !== "sse") throw new EdgelogError("INVALID_PARAMETER", "live must be long-poll or sse");
  if (live !== null && offsets.length === 0) throw new EdgelogError("INVALID_PARAMETER", `live=${live} needs an offset`);
  const { store } = host;
  const now = host.now();
  const meta = store.require(now);
  const position = resolvePosition(meta, store.tail, asked);
  const cursor = url.searchParams.get("cursor") ?? undefined;
  store.touch(now);
  if (live === "sse") return streamEvents(host, { position, cursor, signal: request.signal });
  if (asked.kind === "now" && live === null) return tailAnswer(host, meta);
  let page = store.read(position);
  if (live === "long-poll" && page.count === 0) {
    if (meta.closed) return emptyLongPoll(host, position, undefined);
    await host.waiters.wait(host.longPollMs);
    const after = store.current(host.now());
    if (after === null) throw new EdgelogError("NOT_FOUND", "the stream was deleted");
    page = store.read(position);
    if (page.count === 0) return emptyLongPoll(host, position, cursor);
  }
  return pageAnswer(host, request, { page, start: offsets[0] ?? "-1", cursor: live === null ? null : cursor });
}

/** `offset=now` in catch-up: an empty page at the tail, never cached, no ETag. */
function tailAnswer(host: StreamHost, meta: StreamMeta): Response {
  const headers: Record<string, string> = {
    "content-type": meta.contentType,
    [STREAM_HEADER.nextOffset]: host.store.offset(host.store.tail),
    [STREAM_HEADER.upToDate]: "true",
    "cache-control": "no-store",
  };
  if (meta.closed) headers[STREAM_HEADER.closed] = "true";
  return streamAnswer(isJsonMode(meta.contentType) ? "[]" : null, 200, headers);
}

/** A long-poll with nothing new: 204 at the tail, with a cursor unless the stream is closed. */
function emptyLongPoll(host: StreamHost, position: number, cursor: string | undefined): Response {
  const meta = host.store.current(host.now());
  const headers: Record<string, string> = { [STREAM_HEADER.nextOffset]: host.store.offset(position), [STREAM_HEADER.upToDate]: "true" };
  if (meta?.closed === true) headers[STREAM_HEADER.closed] = "true";
  else headers[STREAM_HEADER.cursor] = responseCursor(cursor, host.now(), host.random);
  return streamAnswer(null, 204, headers);
}

/** A page's answer: its body in the stream's mode, its headers, its ETag (304 when If-None-Match has it). */
function pageAnswer(
  host: StreamHost,
  request: Request,
  read: { page: StreamPage; start: string; cursor: string | null | undefined },
): Response {
  const { store } = host;
  const meta = store.require(host.now());
  const { page } = read;
  const next = store.offset(page.next);
  const closedHere = meta.closed && page.upToDate;
  const etag = `"${meta.incarnation}:${read.start}:${next}${closedHere ? ":c" : ""}"`;
  const headers: Record<string, string> = {
    "content-type": meta.contentType,
    [STREAM_HEADER.nextOffset]: next,
    etag,
    "cache-control": CATCH_UP_CACHE_CONTROL,
  };
  if (page.upToDate) headers[STREAM_HEADER.upToDate] = "true";
  if (closedHere) headers[STREAM_HEADER.closed] = "true";
  if (read.cursor !== null) headers[STREAM_HEADER.cursor] = responseCursor(read.cursor, host.now(), host.random);
  if (request.headers.get("if-none-match") === etag) return streamAnswer(null, 304, { etag, ...headers });
  const body = isJsonMode(meta.contentType) ? renderJson(page.recordsJson) : renderBytes(page.recordsJson);
  return streamAnswer(body, 200, headers);
}
