/**
 * The SSE tail: `GET .../records?offset=N&live=sse` answers text/event-stream with one `record`
 * event per record (its offset as the event id), follows appends live, resumes after
 * `Last-Event-ID`, says `: keepalive` when a poll finds nothing, and refuses bad input with a
 * plain HTTP error rather than a 200 stream.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { FetchedRecord, JsonValue } from "../../client/protocol/index.ts";
import { FETCH_RECORDS_DEFAULT } from "../../client/protocol/index.ts";
import { app } from "../../worker/index.ts";
import type { Partition } from "../../worker/partition/partition.ts";
import { createTopic, expectError, partitionStub, produce, recordsPath, uniqueTopic } from "./http.ts";

/** One parsed event: its fields as the SSE spec assembles them. */
interface SseEvent {
  id: string | null;
  event: string;
  data: string;
}

/** How long one read of the body may take before the test gives up (a bound, not an assertion). */
const READ_WAIT_MS = 5_000;
/** Reads of the body per `until` call at most. */
const READS_MAX = 200;

/**
 * A tiny SSE reader: splits the body into blocks at blank lines and each block into `field:
 * value` lines; a line starting with ':' is a comment. Enough of the spec for these streams.
 */
class SseStream {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  retry: number | null = null;
  private buffer = "";
  private readonly decoder = new TextDecoder();
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.getReader();
  }

  /** Reads until `done()` holds, with a bounded number of reads each bounded in time. */
  async until(done: () => boolean, what: string, readsMax = READS_MAX): Promise<void> {
    for (let reads = 0; reads < readsMax && !done(); reads++) {
      let timer: ReturnType<typeof setTimeout> | null = null;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), READ_WAIT_MS);
      });
      const chunk = await Promise.race([this.reader.read(), timeout]);
      if (timer !== null) clearTimeout(timer);
      if (chunk === "timeout") throw new Error(`SSE: no data for ${READ_WAIT_MS} ms waiting for ${what}`);
      if (chunk.done) throw new Error(`SSE: the stream ended waiting for ${what}`);
      this.feed(this.decoder.decode(chunk.value, { stream: true }));
    }
    if (!done()) throw new Error(`SSE: ${readsMax} reads without ${what}`);
  }

  /** Waits until `count` record events have arrived and answers their records. */
  async records(count: number): Promise<FetchedRecord[]> {
    await this.until(() => this.recordEvents().length >= count, `${count} record events`, READS_MAX + 2 * count);
    return this.recordEvents().map((e) => JSON.parse(e.data) as FetchedRecord);
  }

  recordEvents(): SseEvent[] {
    return this.events.filter((e) => e.event === "record");
  }

  /** Ends the test's side of the stream. */
  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }

  private feed(text: string): void {
    this.buffer += text.replace(/\r\n?/g, "\n");
    for (let end = this.buffer.indexOf("\n\n"); end !== -1; end = this.buffer.indexOf("\n\n")) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.block(block);
    }
  }

  private block(block: string): void {
    let id: string | null = null;
    let event = "message";
    const data: string[] = [];
    let fields = 0;
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) {
        this.comments.push(line.slice(1).trim());
        continue;
      }
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      fields++;
      if (field === "id") id = value;
      else if (field === "event") event = value;
      else if (field === "data") data.push(value);
      else if (field === "retry") this.retry = Number(value);
      else throw new Error(`SSE: unexpected field "${field}" in ${JSON.stringify(block)}`);
    }
    if (fields > 0 && data.length > 0) this.events.push({ id, event, data: data.join("\n") });
  }
}

/** Opens an SSE stream of one partition; the answer must be a 200 event stream. */
async function openStream(topic: string, partition: number, query: Record<string, string | number>, headers: Record<string, string> = {}) {
  const response = await app.request(recordsPath(topic, partition, { ...query, live: "sse" }), { headers }, env);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream\b/);
  expect(response.body).not.toBeNull();
  return new SseStream(response.body!);
}

/** Requests a stream expecting an error: the status and code of a plain JSON answer. */
async function streamError(path: string, headers: Record<string, string> = {}) {
  const response = await app.request(path, { headers }, env);
  expect(response.headers.get("content-type") ?? "").not.toMatch(/event-stream/);
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text) as { error?: { code: string } } };
}

/** Reads parked on a partition now (the Waiters set is private; tests look inside). */
async function parkedReads(stub: DurableObjectStub<Partition>): Promise<number> {
  return runInDurableObject(stub, (instance) => (instance as unknown as { waiters: { size: number } }).waiters.size);
}

/** Waits (bounded) until exactly `count` reads are parked. */
async function untilParked(stub: DurableObjectStub<Partition>, count: number): Promise<void> {
  for (let turn = 0; turn < 200; turn++) {
    if ((await parkedReads(stub)) === count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`not ${count} parked reads after 200 turns`);
}

async function topicWith(prefix: string, partitions: number, values: JsonValue[], partition = 0): Promise<string> {
  const topic = uniqueTopic(prefix);
  await createTopic(topic, partitions);
  if (values.length > 0) await produce(topic, { records: values.map((value) => ({ value })) }, partition);
  return topic;
}

describe("SSE tail", () => {
  it("streams one record event per record from the offset asked, each with its offset as id", async () => {
    const topic = await topicWith("sse-from", 1, ["a", "b", "c", "d", "e"]);
    const stream = await openStream(topic, 0, { offset: 2 });
    try {
      const records = await stream.records(3);
      expect(records.map((r) => [r.offset, r.value])).toEqual([
        [2, "c"],
        [3, "d"],
        [4, "e"],
      ]);
      expect(stream.recordEvents().map((e) => e.id)).toEqual(["2", "3", "4"]);
      expect(stream.events.every((e) => e.event === "record")).toBe(true);
      // The whole record travels: key, headers and timestamp as a fetch answers them.
      expect(records[0]).toEqual({ offset: 2, timestamp: expect.any(Number), key: null, value: "c", headers: {} });
      expect(stream.retry).toBeGreaterThan(0);
    } finally {
      await stream.cancel();
    }
  });

  it("streams a backlog longer than one read, page after page, in order", async () => {
    const count = FETCH_RECORDS_DEFAULT * 2 + 100;
    const topic = await topicWith(
      "sse-backlog",
      1,
      Array.from({ length: count }, (_, i) => i),
    );
    const stream = await openStream(topic, 0, { offset: 0 });
    try {
      const records = await stream.records(count);
      expect(records.map((r) => r.offset)).toEqual(Array.from({ length: count }, (_, i) => i));
      expect(records.map((r) => r.value)).toEqual(Array.from({ length: count }, (_, i) => i));
    } finally {
      await stream.cancel();
    }
  });

  it("keeps a value with newlines in one event, and reads from earliest by default", async () => {
    const topic = await topicWith("sse-lines", 1, ["line one\nline two\r\n\nend", { nested: ["x\ny"] }]);
    const stream = await openStream(topic, 0, {});
    try {
      const records = await stream.records(2);
      expect(records.map((r) => r.value)).toEqual(["line one\nline two\r\n\nend", { nested: ["x\ny"] }]);
      expect(stream.recordEvents().map((e) => e.id)).toEqual(["0", "1"]);
    } finally {
      await stream.cancel();
    }
  });

  it("sends a keepalive comment when there is nothing to send, then records appended after it started", async () => {
    const topic = await topicWith("sse-live", 2, ["old"]);
    const stream = await openStream(topic, 0, { offset: "latest" });
    try {
      await stream.until(() => stream.comments.includes("keepalive"), "a keepalive comment");
      expect(stream.recordEvents()).toEqual([]);
      await produce(topic, { records: [{ value: "elsewhere" }] }, 1);
      await produce(topic, { records: [{ key: "k", value: "new-1", headers: { h: "v" } }] }, 0);
      const first = await stream.records(1);
      expect(first).toEqual([{ offset: 1, timestamp: expect.any(Number), key: "k", value: "new-1", headers: { h: "v" } }]);
      await produce(topic, { records: [{ value: "new-2" }, { value: "new-3" }] }, 0);
      const all = await stream.records(3);
      expect(all.map((r) => [r.offset, r.value])).toEqual([
        [1, "new-1"],
        [2, "new-2"],
        [3, "new-3"],
      ]);
      expect(stream.recordEvents().map((e) => e.id)).toEqual(["1", "2", "3"]);
    } finally {
      await stream.cancel();
    }
  });

  it("stops polling the partition once the client has gone and the next write fails", async () => {
    const topic = await topicWith("sse-gone", 1, []);
    const stub = await partitionStub(topic, 0);
    const stream = await openStream(topic, 0, { offset: "earliest" });
    await stream.until(() => stream.comments.includes("keepalive"), "a keepalive comment");
    // The stream's long-poll is parked on the partition while the client listens.
    await untilParked(stub, 1);
    await stream.cancel();
    // The append wakes the poll; writing its record fails, so the loop ends instead of polling again.
    await produce(topic, { records: [{ value: "after" }] }, 0);
    await untilParked(stub, 0);
    for (let check = 0; check < 5; check++) {
      await new Promise((resolve) => setTimeout(resolve, 40));
      expect(await parkedReads(stub)).toBe(0);
    }
  });

  it("resumes after Last-Event-ID whatever offset says", async () => {
    const topic = await topicWith("sse-resume", 1, ["r0", "r1", "r2", "r3", "r4", "r5"]);
    for (const offset of ["earliest", "latest", 0, 5] as const) {
      const stream = await openStream(topic, 0, { offset }, { "Last-Event-ID": "2" });
      try {
        const records = await stream.records(3);
        expect(
          records.map((r) => r.offset),
          `offset=${offset}`,
        ).toEqual([3, 4, 5]);
        expect(stream.recordEvents().map((e) => e.id)).toEqual(["3", "4", "5"]);
      } finally {
        await stream.cancel();
      }
    }
  });

  it("resumes at the end after the last record's id, then follows live", async () => {
    const topic = await topicWith("sse-resume-end", 1, ["r0", "r1"]);
    const stream = await openStream(topic, 0, { offset: 0 }, { "Last-Event-ID": "1" });
    try {
      await stream.until(() => stream.comments.includes("keepalive"), "a keepalive comment");
      expect(stream.recordEvents()).toEqual([]);
      await produce(topic, { records: [{ value: "r2" }] }, 0);
      expect((await stream.records(1)).map((r) => [r.offset, r.value])).toEqual([[2, "r2"]]);
    } finally {
      await stream.cancel();
    }
  });

  it("answers a bad topic, partition, offset or Last-Event-ID with its HTTP error, not a stream", async () => {
    const topic = await topicWith("sse-bad", 2, ["x"]);
    expectError(await streamError(recordsPath("no-such-topic-sse", 0, { live: "sse" })), 404, "UNKNOWN_TOPIC");
    expectError(await streamError(recordsPath(topic, 2, { live: "sse" })), 404, "UNKNOWN_PARTITION");
    expectError(await streamError(recordsPath(topic, 0, { live: "sse", offset: 2 })), 416, "OFFSET_OUT_OF_RANGE");
    expectError(await streamError(recordsPath(topic, 0, { live: "sse", offset: "abc" })), 400, "INVALID_PARAMETER");
    expectError(await streamError(recordsPath(topic, 0, { live: "sse" }), { "Last-Event-ID": "not-an-offset" }), 400, "INVALID_PARAMETER");
    expectError(await streamError(recordsPath(topic, 0, { live: "sse" }), { "Last-Event-ID": "5" }), 416, "OFFSET_OUT_OF_RANGE");
  });

  it("refuses live=other with 400 INVALID_PARAMETER", async () => {
    const topic = await topicWith("sse-other", 1, ["x"]);
    expectError(await streamError(recordsPath(topic, 0, { live: "other" })), 400, "INVALID_PARAMETER");
    expectError(await streamError(recordsPath(topic, 0, { live: "" })), 400, "INVALID_PARAMETER");
  });
});

describe("SSE of a compacted topic (SSE-8, TABLE-2, COMPACT-6)", () => {
  it("streams the table with from=latest-per-key: a reset event, each key's latest record, then live", async () => {
    const topic = uniqueTopic("sse-table");
    await createTopic(topic, 1, { "cleanup.policy": "compact" });
    const rows = [
      { key: "a", value: 1 },
      { key: "b", value: 2 },
      { key: "a", value: 3 },
      { key: "b", value: null },
    ];
    await produce(topic, { records: rows }, 0);
    const stream = await openStream(topic, 0, { from: "latest-per-key" });
    try {
      const records = await stream.records(2);
      expect(records.map((r) => [r.offset, r.key, r.value])).toEqual([
        [2, "a", 3],
        [3, "b", null],
      ]);
      expect(stream.events[0]).toEqual({ id: null, event: "reset", data: '{"cleanedTombstonesBelow":0}' });
      // Live after the snapshot: every record, as any stream.
      await produce(topic, { records: [{ key: "a", value: 4 }] }, 0);
      expect((await stream.records(3)).map((r) => r.offset)).toEqual([2, 3, 4]);
      expect(stream.events.filter((e) => e.event === "reset")).toHaveLength(1);
    } finally {
      await stream.cancel();
    }
  });

  it("starts with a reset event when resuming below cleanedTombstonesBelow", async () => {
    const topic = uniqueTopic("sse-resume");
    await createTopic(topic, 1, { "cleanup.policy": "compact", "delete.retention.ms": 0, "min.cleanable.dirty.ratio": 0 });
    await produce(
      topic,
      {
        records: [
          { key: "a", value: 1 },
          { key: "a", value: null },
          { key: "b", value: 2 },
        ],
      },
      0,
    );
    await produce(topic, { records: [{ key: "c", value: 3 }] }, 0);
    const stub = await partitionStub(topic, 0);
    await runInDurableObject(stub, (partition: Partition) => {
      const config = partition.log.identity!.config;
      partition.housekeeping.compaction.run(config, Date.now() + 1_000, 16);
      expect(partition.housekeeping.compaction.cleanedTombstonesBelow).toBe(2);
    });
    const stream = await openStream(topic, 0, {}, { "last-event-id": "0" });
    try {
      const records = await stream.records(2);
      expect(records.map((r) => r.offset)).toEqual([2, 3]);
      expect(stream.events[0]?.event).toBe("reset");
    } finally {
      await stream.cancel();
    }
  });
});
