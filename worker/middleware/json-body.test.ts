import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { REQUEST_BODY_MS_MAX, REQUEST_BYTES_MAX } from "../../client/protocol/index.ts";
import { errorResponse } from "../error-response.ts";
import { type JsonBodyOptions, jsonBody } from "./json-body.ts";

/** An app that echoes the parsed body, with errors answered as the worker answers them. */
function echo(bytesMax?: number, options: JsonBodyOptions = {}) {
  const app = new Hono();
  app.onError(errorResponse);
  app.post("/", jsonBody(bytesMax === undefined ? options : { ...options, bytesMax }), (c) => c.json({ body: c.var.body }));
  return app;
}

/**
 * A body that sends `prefix` one byte per read and then stalls; when the reader comes back for
 * more after `stallAfter` bytes, `stalled` is called (the reader is then waiting on the body).
 */
function trickle(prefix: string, stallAfter: number, stalled: () => void): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(prefix);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent < Math.min(stallAfter, bytes.length)) {
        controller.enqueue(bytes.subarray(sent, sent + 1));
        sent++;
        return;
      }
      stalled();
      return new Promise<void>(() => undefined);
    },
  });
}

async function post(app: Hono, body: BodyInit | null, headers: Record<string, string> = {}) {
  const res = await app.request("/", { method: "POST", body, headers });
  return { status: res.status, json: (await res.json()) as { body?: unknown; error?: { code: string; message: string } } };
}

/** A body that arrives in chunks with no Content-Length. */
function streamed(...chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

describe("jsonBody", () => {
  it("hands the parsed body to the route as c.var.body", async () => {
    expect(await post(echo(), '{"a":[1,"é"]}')).toEqual({ status: 200, json: { body: { a: [1, "é"] } } });
    expect(await post(echo(), "null")).toEqual({ status: 200, json: { body: null } });
  });

  it("refuses a declared length over the limit before reading (413 REQUEST_TOO_LARGE)", async () => {
    const answer = await post(echo(16), "{}", { "content-length": "17" });
    expect(answer).toMatchObject({ status: 413, json: { error: { code: "REQUEST_TOO_LARGE" } } });
  });

  it("counts the bytes while streaming, whatever the headers say", async () => {
    const bytes = new TextEncoder().encode(`"${"x".repeat(10)}"`);
    expect((await post(echo(16), streamed(bytes))).status).toBe(200);
    const answer = await post(echo(16), streamed(bytes, bytes));
    expect(answer).toMatchObject({ status: 413, json: { error: { code: "REQUEST_TOO_LARGE", message: "the body is over 16 bytes" } } });
  });

  it("holds REQUEST_BYTES_MAX unless told less", async () => {
    const body = `"${"x".repeat(REQUEST_BYTES_MAX - 2)}"`;
    expect((await post(echo(), body)).status).toBe(200);
    expect((await post(echo(), `${body} `)).json.error?.code).toBe("REQUEST_TOO_LARGE");
  });

  it("refuses a body that stops arriving before the deadline (408 REQUEST_TIMEOUT): a declared length never sent", async () => {
    const deadline = new AbortController();
    const body = trickle('{"records":[]}', 1, () => deadline.abort());
    const answer = await post(echo(undefined, { deadline: () => deadline.signal }), body, { "content-length": "14" });
    expect(answer).toMatchObject({ status: 408, json: { error: { code: "REQUEST_TIMEOUT" } } });
    expect(answer.json.error?.message).toContain(`${REQUEST_BODY_MS_MAX} ms`);
  });

  it("refuses a body trickled a byte at a time past the deadline, whatever it has sent so far", async () => {
    const deadline = new AbortController();
    let reads = 0;
    const body = trickle(`"${"x".repeat(100)}"`, 1_000, () => undefined);
    const counted = body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          // The deadline passes after the 50th byte (a byte a second for 50 s, say).
          if (++reads === 50) deadline.abort();
          controller.enqueue(chunk);
        },
      }),
    );
    const answer = await post(echo(undefined, { deadline: () => deadline.signal }), counted);
    expect(answer).toMatchObject({ status: 408, json: { error: { code: "REQUEST_TIMEOUT" } } });
    expect(reads).toBeLessThanOrEqual(51);
  });

  it("times the read with AbortSignal.timeout(readMsMax) when no deadline is given", async () => {
    const body = trickle('{"a":1}', 2, () => undefined);
    const answer = await post(echo(undefined, { readMsMax: 20 }), body);
    expect(answer).toMatchObject({ status: 408, json: { error: { code: "REQUEST_TIMEOUT", message: expect.stringContaining("20 ms") } } });
    // A body that arrives in time is read as ever.
    expect(await post(echo(undefined, { readMsMax: 5_000 }), streamed(new TextEncoder().encode('{"a":1}')))).toEqual({
      status: 200,
      json: { body: { a: 1 } },
    });
  });

  it("refuses an empty body, invalid UTF-8 and text that is not JSON (400 INVALID_JSON)", async () => {
    const invalidUtf8 = new Uint8Array([0x22, 0xc3, 0x28, 0x22]);
    for (const [body, message] of [
      [null, "the body is empty; JSON was expected"],
      [invalidUtf8, "the body is not valid UTF-8"],
      ["{not json", "the body is not JSON"],
    ] as const) {
      const answer = await post(echo(), body);
      expect(answer.status).toBe(400);
      expect(answer.json.error?.code).toBe("INVALID_JSON");
      expect(answer.json.error?.message).toContain(message);
    }
  });
});
