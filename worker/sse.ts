/**
 * The SSE tail: `GET .../records?offset=N&live=sse` streams a partition's records as Server-Sent
 * Events, one event per record with its offset as the event id, for `curl -N` and `EventSource`.
 * A reconnecting EventSource sends `Last-Event-ID` and resumes at the next offset.
 *
 * Under the hood it is a loop of long-polls on the partition, so it needs no socket in the
 * object; each stream ends after SSE_STREAM_MS_MAX (EventSource reconnects and resumes by itself).
 *
 * On a compacted topic `from=latest-per-key` streams the table first (each key's latest record,
 * then every record live), and a stream that starts as a table, or resumes below what compaction
 * cleaned, begins with an `event: reset` (drop what you hold, then apply what follows).
 *
 * Rules: PROTOCOL.md SSE-1 to SSE-8, TABLE-2, COMPACT-6.
 *
 * @example
 * // curl -N 'localhost:8787/v1/topics/orders/partitions/0/records?offset=earliest&live=sse'
 */
import { EdgelogError, FETCH_BYTES_DEFAULT, FETCH_RECORDS_DEFAULT } from "../client/protocol/index.ts";
import type { Env } from "./env.ts";
import type { LogPage } from "./partition/log.ts";
import type { Position } from "./partition/partition-api.ts";
import { asEdgelogError } from "./result.ts";
import { onPartition } from "./topics.ts";

/**
 * How long one SSE response streams before ending (the client resumes with Last-Event-ID).
 *
 * @example
 * const deadline = Date.now() + SSE_STREAM_MS_MAX; // sseResponse's loop ends there, 15 minutes on
 */
export const SSE_STREAM_MS_MAX = 15 * 60_000;

/**
 * How long each long-poll waits; an empty one sends a comment, which keeps proxies from closing.
 *
 * @example
 * page = await read(page.nextOffset, SSE_KEEPALIVE_MS); // empty after 15 s: ": keepalive" is written
 */
export const SSE_KEEPALIVE_MS = 15_000;
/** What EventSource waits before reconnecting. */
const SSE_RETRY_MS = 1_000;

/**
 * The offset to start from: one past Last-Event-ID when the client is resuming.
 *
 * @example
 * sseStart("41", "earliest"); // 42
 * sseStart(undefined, "latest"); // "latest"
 */
export function sseStart(lastEventId: string | undefined, offset: Position): Position {
  if (lastEventId === undefined || lastEventId === "") return offset;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(lastEventId)) {
    throw new EdgelogError("INVALID_PARAMETER", "Last-Event-ID must be an offset this stream sent");
  }
  return Number(lastEventId) + 1;
}

/** Whether the next read of a stream is a table's (its snapshot not yet at the log's end). */
function tableRead(table: { from?: "latest-per-key" }, page: LogPage | undefined): boolean {
  if (page === undefined) return table.from === "latest-per-key";
  return page.latestPerKey === true && page.nextOffset < page.highWatermark;
}

/**
 * Streams a partition from `start` as SSE until the client leaves or the stream's time is up.
 * The first read happens before the answer, so a bad topic, partition or offset is a plain HTTP
 * error with its code rather than an event inside a 200 stream.
 *
 * @example
 * return sseResponse(c.env, topic, partition, sseStart(c.req.header("last-event-id"), offset), c.req.raw.signal);
 */
export async function sseResponse(
  env: Env,
  topic: string,
  partition: number,
  start: Position,
  signal: AbortSignal,
  table: { from?: "latest-per-key" } = {},
): Promise<Response> {
  const read = (offset: Position, maxWaitMs: number, page?: LogPage) =>
    onPartition(env, topic, partition, (stub, meta) =>
      stub.read({
        topicId: meta.topicId,
        offset,
        limit: FETCH_RECORDS_DEFAULT,
        maxBytes: FETCH_BYTES_DEFAULT,
        maxWaitMs,
        // A table's snapshot goes on filtered up to the log's end, then live as any stream;
        // what compaction cleaned is what this stream saw.
        ...(tableRead(table, page) ? { from: "latest-per-key" as const } : {}),
        // A stream's first read has seen nothing cleaned (COMPACT-6), its later ones what it was told.
        cleaned: page?.cleanedTombstonesBelow ?? 0,
      }),
    );
  const first = await read(start, 0);
  const encoder = new TextEncoder();
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  // A failed write means the client went away: the loop ends quietly, it is not an error.
  let clientGone = false;
  const write = (text: string) =>
    writer.write(encoder.encode(text)).catch((error: unknown) => {
      clientGone = true;
      throw error;
    });
  const deadline = Date.now() + SSE_STREAM_MS_MAX;

  const pump = async () => {
    await write(`retry: ${SSE_RETRY_MS}\n\n`);
    let page = first;
    for (;;) {
      if (page.reset) await write(`event: reset\ndata: {"cleanedTombstonesBelow":${page.cleanedTombstonesBelow ?? 0}}\n\n`);
      const records = JSON.parse(page.recordsJson) as { offset: number }[];
      if (records.length === 0) await write(": keepalive\n\n");
      for (const record of records) await write(`id: ${record.offset}\nevent: record\ndata: ${JSON.stringify(record)}\n\n`);
      if (signal.aborted || Date.now() >= deadline) break;
      page = await read(page.nextOffset, SSE_KEEPALIVE_MS, page);
    }
  };
  pump()
    .catch(async (error: unknown) => {
      if (clientGone || signal.aborted) return;
      const body = asEdgelogError(error, "an SSE stream").toBody();
      await write(`event: error\ndata: ${JSON.stringify(body)}\n\n`).catch(() => undefined);
    })
    .finally(() => writer.close().catch(() => undefined));

  return new Response(readable, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" },
  });
}
