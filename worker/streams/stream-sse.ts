/**
 * Durable Streams SSE (`live=sse`): from the asked position, an `event: data` per page (a JSON
 * array in JSON mode, the text of text/* streams, base64 of any other content type, announced by
 * `Stream-SSE-Data-Encoding: base64`), each followed by an `event: control` with
 * streamNextOffset and streamCursor (and upToDate at the tail). At the tail it parks until an
 * append, a close or the long-poll time, then sends a keep-alive control. A closed stream's
 * last control carries streamClosed and the response ends; every response ends after
 * STREAM_SSE_MS_MAX, or when the client goes. Each line of a payload gets its own `data:`
 * prefix, CR and LF alike, so a message can never forge an event.
 *
 * Rules: PROTOCOL.md STREAM-8, STREAM-14.
 *
 * @example
 * return streamEvents(host, { position: 0, cursor: undefined, signal: request.signal });
 */
import { STREAM_SSE_MS_MAX } from "../../client/protocol/index.ts";
import { streamAnswer } from "./stream-answers.ts";
import { responseCursor } from "./stream-cursor.ts";
import { STREAM_HEADER } from "./stream-headers.ts";
import { isJsonMode, mediaType, renderBytes, renderJson, toBase64 } from "./stream-messages.ts";
import type { StreamHost } from "./stream-writes.ts";

/**
 * Where an SSE response starts, the client's cursor, and the signal that says it left.
 *
 * @example
 * const start: SseStart = { position: 0, cursor: undefined, signal: request.signal };
 */
export interface SseStart {
  position: number;
  cursor: string | undefined;
  signal: AbortSignal;
}

/** How a page's bytes go into a data event. */
type Encoding = "json" | "text" | "base64";

/**
 * `data:` lines for a payload, split on CRLF, CR and LF, and the blank line that ends the event.
 *
 * @example
 * sseData("a\nb"); // "data:a\ndata:b\n\n"
 */
export function sseData(payload: string): string {
  return `${payload
    .split(/\r\n|\r|\n/)
    .map((line) => `data:${line}`)
    .join("\n")}\n\n`;
}

/**
 * The SSE response (see this module's header); its loop runs after the headers are sent.
 *
 * @example
 * const res = streamEvents(host, { position: store.tail, cursor: undefined, signal });
 */
export function streamEvents(host: StreamHost, start: SseStart): Response {
  const meta = host.store.require(host.now());
  const type = mediaType(meta.contentType);
  const encoding: Encoding = isJsonMode(meta.contentType) ? "json" : type.startsWith("text/") ? "text" : "base64";
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const headers: Record<string, string> = { "content-type": "text/event-stream", "cache-control": "no-cache" };
  if (encoding === "base64") headers[STREAM_HEADER.sseEncoding] = "base64";
  void pump(host, start, encoding, writable.getWriter()).catch(() => undefined);
  return streamAnswer(readable, 200, headers);
}

/** The loop: pages, controls, waits, until closed, gone, deleted or out of time. */
async function pump(host: StreamHost, start: SseStart, encoding: Encoding, writer: WritableStreamDefaultWriter<Uint8Array>): Promise<void> {
  const encoder = new TextEncoder();
  const deadline = host.now() + STREAM_SSE_MS_MAX;
  let position = start.position;
  let cursor = start.cursor;
  try {
    // Bounded: every turn either sends a page, parks up to longPollMs, or ends; time ends it.
    while (!start.signal.aborted && host.now() < deadline) {
      const meta = host.store.current(host.now());
      if (meta === null) break;
      const page = host.store.read(position);
      let text = "";
      if (page.count > 0) text += `event: data\n${sseData(payload(page.recordsJson, encoding))}`;
      position = page.next;
      const closed = meta.closed && page.upToDate;
      const control: Record<string, string | boolean> = { streamNextOffset: host.store.offset(position) };
      if (closed) control.streamClosed = true;
      else {
        cursor = responseCursor(cursor, host.now(), host.random);
        control.streamCursor = cursor;
        if (page.upToDate) control.upToDate = true;
      }
      text += `event: control\n${sseData(JSON.stringify(control))}`;
      await writer.write(encoder.encode(text));
      if (closed) break;
      if (page.upToDate) {
        const waitMs = Math.min(host.longPollMs, deadline - host.now());
        const before = host.now();
        // Too many parked readers answers at once: end this response (the client resumes) rather than spin.
        if (!(await host.waiters.wait(waitMs)) && host.now() - before < waitMs) break;
      }
    }
  } finally {
    await writer.close().catch(() => undefined);
  }
}

/** A page's data payload in the response's encoding. */
function payload(recordsJson: string, encoding: Encoding): string {
  if (encoding === "json") return renderJson(recordsJson);
  const bytes = renderBytes(recordsJson);
  return encoding === "base64" ? toBase64(bytes) : new TextDecoder().decode(bytes);
}
