/**
 * Each edgelog topic partition as a Durable Stream in JSON mode, at
 * `/v1/stream/topics/<topic>/<partition>`: HEAD, catch-up GET, long-poll and SSE serve the
 * partition's records (each message is a whole record, `{"offset","timestamp","key","value",
 * "headers"}`), and POST appends each JSON message (one array level flattened) as a record's
 * value with no key, through the same produce path, quotas and limits as `POST .../records`.
 * Offsets carry the topic's creation time (ms) as incarnation, so a deleted and re-created topic
 * is never resumed into. Such a stream is created and deleted with its topic, never here: PUT
 * answers 200 for a JSON content type (idempotent create), DELETE is METHOD_NOT_ALLOWED; a close
 * and the producer headers are refused (edgelog's producers are the `producer` field's).
 *
 * Rules: PROTOCOL.md STREAM-15, STREAM-16.
 *
 * @example
 * // GET /v1/stream/topics/orders/0?offset=-1 -> [{"offset":0,"timestamp":...,"key":null,"value":{...},"headers":{}}]
 */
import type { Context } from "hono";
import {
  EdgelogError,
  FETCH_RECORDS_DEFAULT,
  STREAM_APPEND_BYTES_MAX,
  STREAM_READ_BYTES_MAX,
  STREAM_SSE_MS_MAX,
} from "../../client/protocol/index.ts";
import { producePrincipal } from "../auth/access.ts";
import type { AppEnv } from "../env.ts";
import { parseProduceBody, readBodyBytes } from "../middleware/json-body.ts";
import { readPartition } from "../operations.ts";
import type { LogPage } from "../partition/log.ts";
import type { Position } from "../partition/partition-api.ts";
import { produce } from "../produce.ts";
import { getTopic } from "../topics.ts";
import { streamAnswer } from "./stream-answers.ts";
import { responseCursor } from "./stream-cursor.ts";
import { STREAM_HEADER } from "./stream-headers.ts";
import { isJsonMode } from "./stream-messages.ts";
import { streamLongPollMs } from "./stream-object.ts";
import { streamOffset, streamPosition } from "./stream-offsets.ts";
import { sseData } from "./stream-sse.ts";

/** A topic stream's content type. */
const JSON_TYPE = "application/json";

/**
 * A topic stream's address: the topic and partition of `topics/<topic>/<partition>`.
 *
 * @example
 * const at: TopicStream = { topic: "orders", partition: 0 };
 */
export interface TopicStream {
  topic: string;
  partition: number;
}

/**
 * The topic stream a stream name denotes, or null when it is not under `topics/`; a name under
 * it without `<topic>/<partition>` is INVALID_PARAMETER.
 *
 * @example
 * topicStreamOf("topics/orders/2"); // { topic: "orders", partition: 2 }
 */
export function topicStreamOf(name: string): TopicStream | null {
  if (!name.startsWith("topics/")) return null;
  const match = /^topics\/([^/]+)\/(0|[1-9][0-9]{0,3})$/.exec(name);
  if (match === null || match[1] === undefined || match[2] === undefined) {
    throw new EdgelogError("INVALID_PARAMETER", "a topic stream is topics/<topic>/<partition>");
  }
  return { topic: match[1], partition: Number(match[2]) };
}

/**
 * Answers a Durable Streams request on a topic stream (the grant is checked by the caller).
 *
 * @example
 * return topicStreamRequest(c, { topic: "orders", partition: 0 });
 */
export async function topicStreamRequest(c: Context<AppEnv>, at: TopicStream): Promise<Response> {
  const meta = await getTopic(c.env, at.topic);
  const incarnation = meta.createdAt;
  switch (c.req.method) {
    case "HEAD": {
      const page = await readPartition(c.env, at.topic, at.partition, { offset: "latest", limit: 1, maxBytes: 1, maxWaitMs: 0 });
      const tail = streamOffset(incarnation, page.highWatermark);
      return streamAnswer(null, 200, {
        "content-type": JSON_TYPE,
        [STREAM_HEADER.nextOffset]: tail,
        "cache-control": "no-store",
        etag: `"${incarnation}:-1:${tail}"`,
      });
    }
    case "PUT":
      if (!isJsonMode(c.req.header("content-type") ?? "")) throw new EdgelogError("STREAM_EXISTS", "a topic stream is application/json");
      return streamAnswer(null, 200, {
        "content-type": JSON_TYPE,
        [STREAM_HEADER.nextOffset]: streamOffset(incarnation, await tailOf(c, at)),
      });
    case "POST":
      return appendTopicStream(c, at, incarnation);
    case "GET":
      return readTopicStream(c, at, incarnation);
    default:
      throw new EdgelogError("METHOD_NOT_ALLOWED", "a topic stream is deleted with its topic (DELETE /v1/topics/<topic>)");
  }
}

/** The partition's high watermark. */
async function tailOf(c: Context<AppEnv>, at: TopicStream): Promise<number> {
  return (await readPartition(c.env, at.topic, at.partition, { offset: "latest", limit: 1, maxBytes: 1, maxWaitMs: 0 })).highWatermark;
}

/** POST: each message a record (value: the message); 204 with the tail after them. */
async function appendTopicStream(c: Context<AppEnv>, at: TopicStream, incarnation: number): Promise<Response> {
  if (c.req.header(STREAM_HEADER.producerId) !== undefined || c.req.header(STREAM_HEADER.closed) !== undefined) {
    throw new EdgelogError("INVALID_REQUEST", "a topic stream takes no Producer-* headers and cannot be closed");
  }
  if (!isJsonMode(c.req.header("content-type") ?? "")) throw new EdgelogError("STREAM_CONFLICT", "a topic stream is application/json");
  const bytes = await readBodyBytes(c.req.raw, { bytesMax: STREAM_APPEND_BYTES_MAX });
  let messages: unknown;
  try {
    messages = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw new EdgelogError("INVALID_JSON", "a topic stream takes a body of UTF-8 JSON");
  }
  const list = Array.isArray(messages) ? messages : [messages];
  if (list.length === 0) throw new EdgelogError("INVALID_REQUEST", "an append of an empty JSON array adds nothing");
  const parsed = parseProduceBody(JSON.stringify({ records: list.map((value: unknown) => ({ value })) }));
  const produced = await produce(c.env, at.topic, parsed, at.partition, producePrincipal(c.var.access));
  const range = produced.ranges[0];
  const tail = range === undefined ? await tailOf(c, at) : range.baseOffset + range.count;
  return streamAnswer(null, 204, { [STREAM_HEADER.nextOffset]: streamOffset(incarnation, tail) });
}

/** Reads a page from a position, mapping an offset outside the log to 410 (below it) or 400. */
async function readAt(c: Context<AppEnv>, at: TopicStream, offset: Position, maxWaitMs: number): Promise<LogPage> {
  try {
    return await readPartition(c.env, at.topic, at.partition, {
      offset,
      limit: FETCH_RECORDS_DEFAULT,
      maxBytes: STREAM_READ_BYTES_MAX,
      maxWaitMs,
    });
  } catch (error) {
    if (!(error instanceof EdgelogError) || error.code !== "OFFSET_OUT_OF_RANGE" || typeof offset !== "number") throw error;
    const start = await readPartition(c.env, at.topic, at.partition, { offset: "earliest", limit: 1, maxBytes: 1, maxWaitMs: 0 });
    if (offset < start.logStartOffset) throw new EdgelogError("STREAM_GONE", "the offset is below the partition's retained records");
    throw new EdgelogError("INVALID_PARAMETER", "the offset is past the partition's tail");
  }
}

/** GET: catch-up, long-poll or SSE over the partition. */
async function readTopicStream(c: Context<AppEnv>, at: TopicStream, incarnation: number): Promise<Response> {
  const url = new URL(c.req.url);
  const offsets = url.searchParams.getAll("offset");
  const asked = streamPosition(offsets);
  const live = url.searchParams.get("live");
  if (live !== null && live !== "long-poll" && live !== "sse") throw new EdgelogError("INVALID_PARAMETER", "live must be long-poll or sse");
  if (live !== null && offsets.length === 0) throw new EdgelogError("INVALID_PARAMETER", `live=${live} needs an offset`);
  if (asked.kind === "offset" && asked.incarnation < incarnation)
    throw new EdgelogError("STREAM_GONE", "the offset is from an earlier topic of this name");
  if (asked.kind === "offset" && asked.incarnation > incarnation)
    throw new EdgelogError("INVALID_PARAMETER", "the offset is past the partition's tail");
  const offset: Position = asked.kind === "start" ? "earliest" : asked.kind === "now" ? "latest" : asked.position;
  const cursor = url.searchParams.get("cursor") ?? undefined;
  if (live === "sse") return topicEvents(c, at, incarnation, await readAt(c, at, offset, 0), cursor);
  const waitMs = live === "long-poll" ? streamLongPollMs(c.env.EDGELOG_STREAM_LONG_POLL_MS) : 0;
  const page = await readAt(c, at, offset, waitMs);
  const next = streamOffset(incarnation, page.nextOffset);
  const headers: Record<string, string> = { "content-type": JSON_TYPE, [STREAM_HEADER.nextOffset]: next };
  if (page.nextOffset === page.highWatermark) headers[STREAM_HEADER.upToDate] = "true";
  if (live === "long-poll") {
    headers[STREAM_HEADER.cursor] = responseCursor(cursor, Date.now(), Math.random);
    if (page.count === 0) return streamAnswer(null, 204, headers);
  }
  headers.etag = `"${incarnation}:${offsets[0] ?? "-1"}:${next}"`;
  if (c.req.header("if-none-match") === headers.etag) return streamAnswer(null, 304, headers);
  return streamAnswer(asked.kind === "now" && live === null ? "[]" : page.recordsJson, 200, headers);
}

/** SSE over the partition: a loop of long-polls from the first page, as stream-sse.ts sends them. */
function topicEvents(c: Context<AppEnv>, at: TopicStream, incarnation: number, first: LogPage, cursor: string | undefined): Response {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const signal = c.req.raw.signal;
  const waitMs = streamLongPollMs(c.env.EDGELOG_STREAM_LONG_POLL_MS);
  const pump = async (): Promise<void> => {
    const encoder = new TextEncoder();
    const deadline = Date.now() + STREAM_SSE_MS_MAX;
    let page = first;
    let last = cursor;
    // Bounded by time: each turn is one long-poll of at most waitMs.
    while (!signal.aborted && Date.now() < deadline) {
      let text = page.count > 0 ? `event: data\n${sseData(page.recordsJson)}` : "";
      last = responseCursor(last, Date.now(), Math.random);
      const control: Record<string, string | boolean> = {
        streamNextOffset: streamOffset(incarnation, page.nextOffset),
        streamCursor: last,
      };
      if (page.nextOffset === page.highWatermark) control.upToDate = true;
      text += `event: control\n${sseData(JSON.stringify(control))}`;
      await writer.write(encoder.encode(text));
      page = await readAt(c, at, page.nextOffset, page.nextOffset === page.highWatermark ? waitMs : 0);
    }
  };
  void pump()
    .catch(() => undefined)
    .finally(() => writer.close().catch(() => undefined));
  return streamAnswer(readable, 200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
}
