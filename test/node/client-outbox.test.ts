/**
 * The outbox sender's rules, one answer at a time, against a scripted server (a fetch that
 * answers what each test says) and the memory cache: batches within their bounds, sealed batches
 * repeated exactly, DUPLICATE_SEQUENCE taken as delivered, OUT_OF_ORDER_SEQUENCE retried in order
 * and then left for later, undeliverable batches rejected, a fenced producer stopped, and records
 * queued without a partition placed with Kafka's partitioner.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/client-outbox.test.ts
 */
import { describe, expect, it } from "vitest";
import { createMemoryCache } from "../../client/cache/memory.ts";
import { type EventCache, type OutboxEntry, PARTITION_UNRESOLVED } from "../../client/cache/types.ts";
import { HttpApi } from "../../client/http-api.ts";
import { PRODUCE_BATCH_BYTES_MAX, PRODUCE_BATCH_RECORDS_MAX, PRODUCE_RETRIES_MAX } from "../../client/local-limits.ts";
import { type SenderContext, sendOutbox } from "../../client/outbox-sender.ts";
import type { ErrorCode, ProduceRequest, RecordPosition } from "../../client/protocol/index.ts";
import { partitionForKey } from "../../client/protocol/index.ts";

/** What the scripted server answers to one produce request. */
type Answer = "ok" | "duplicate" | "network" | ErrorCode;

interface Sent {
  partition: number;
  body: ProduceRequest;
}

interface Harness {
  cache: EventCache;
  sent: Sent[];
  delivered: { ids: number[]; offsets: readonly RecordPosition[] | null }[];
  rejected: { ids: number[]; code: string }[];
  /** Codes of the errors the sender reported. */
  reported: string[];
  context: SenderContext;
}

/** A sender context whose server answers `script` in turn ("ok" once the script runs out). */
function harness(script: Answer[], partitions = 2): Harness {
  const cache = createMemoryCache();
  const sent: Sent[] = [];
  const logEnd = new Map<number, number>();
  const delivered: Harness["delivered"] = [];
  const rejected: Harness["rejected"] = [];
  const reported: string[] = [];
  const fetchFn = async (url: string, init: RequestInit): Promise<Response> => {
    const partition = Number(/partitions\/(\d+)\/records/.exec(url)?.[1]);
    const body = JSON.parse(String(init.body)) as ProduceRequest;
    sent.push({ partition, body });
    const answer = script.shift() ?? "ok";
    if (answer === "network") throw new TypeError("fetch failed (scripted)");
    if (answer !== "ok" && answer !== "duplicate") {
      return Response.json({ error: { code: answer, message: `scripted ${answer}` } }, { status: 409 });
    }
    const base = logEnd.get(partition) ?? 0;
    if (answer === "ok") logEnd.set(partition, base + body.records.length);
    const offsets = body.records.map((_, i) => ({ partition, offset: base + i }));
    return Response.json(answer === "duplicate" ? { offsets, duplicate: true } : { offsets });
  };
  const context: SenderContext = {
    cache,
    http: new HttpApi("http://127.0.0.1:1", fetchFn, () => undefined),
    fetchPartitionCount: async () => partitions,
    delivered: (entries, offsets) => delivered.push({ ids: entries.map((e) => e.id), offsets }),
    undeliverable: (entries, error) => rejected.push({ ids: entries.map((e) => e.id), code: error.code }),
    reportError: (error) => reported.push(error.code),
    sleep: async () => undefined,
    random: () => 0,
  };
  return { cache, sent, delivered, rejected, reported, context };
}

async function queue(
  cache: EventCache,
  count: number,
  partition = 0,
  bytes = 30,
  key: (n: number) => string | null = () => null,
): Promise<number[]> {
  const ids: number[] = [];
  for (let n = 0; n < count; n++) {
    ids.push(await cache.outboxAdd({ topic: "t", partition, record: { key: key(n), value: n }, bytes, enqueuedAt: n }, 100_000));
  }
  return ids;
}

const ids = (entries: OutboxEntry[]): number[] => entries.map((e) => e.id);

describe("outbox sender", () => {
  it("batches within the record and byte bounds, with contiguous sequences, in order", async () => {
    const h = harness([]);
    await queue(h.cache, PRODUCE_BATCH_RECORDS_MAX * 2 + 10);
    await queue(h.cache, 5, 1, Math.floor(PRODUCE_BATCH_BYTES_MAX / 2) - 10);
    const result = await sendOutbox(h.context);
    expect(result).toEqual({ removed: PRODUCE_BATCH_RECORDS_MAX * 2 + 15, failure: null, fenced: null });
    const zero = h.sent.filter((s) => s.partition === 0);
    expect(zero.map((s) => [s.body.producer?.sequence, s.body.records.length])).toEqual([
      [0, PRODUCE_BATCH_RECORDS_MAX],
      [PRODUCE_BATCH_RECORDS_MAX, PRODUCE_BATCH_RECORDS_MAX],
      [PRODUCE_BATCH_RECORDS_MAX * 2, 10],
    ]);
    expect(zero.flatMap((s) => s.body.records.map((r) => r.value))).toEqual(
      Array.from({ length: PRODUCE_BATCH_RECORDS_MAX * 2 + 10 }, (_, i) => i),
    );
    // Records near half the byte bound go two to a batch.
    expect(h.sent.filter((s) => s.partition === 1).map((s) => s.body.records.length)).toEqual([2, 2, 1]);
    expect(await h.cache.outboxCount()).toBe(0);
  });

  it("repeats a sealed batch exactly after a lost answer, though more records were queued meanwhile", async () => {
    const h = harness(["network"]);
    const first = await queue(h.cache, 3);
    const failed = await sendOutbox(h.context);
    expect(failed.failure?.code).toBe("NETWORK");
    expect(ids(await h.cache.outboxList(100))).toEqual(first);
    await queue(h.cache, 4);
    await sendOutbox(h.context);
    const [lost, retry, next] = h.sent;
    expect(retry?.body).toEqual(lost?.body);
    expect(next?.body.producer?.sequence).toBe(3);
    expect(next?.body.records.length).toBe(4);
    expect(h.delivered.map((d) => d.ids.length)).toEqual([3, 4]);
  });

  it("takes DUPLICATE_SEQUENCE as delivered, offsets unknown", async () => {
    const h = harness(["DUPLICATE_SEQUENCE"]);
    const queued = await queue(h.cache, 2);
    const result = await sendOutbox(h.context);
    expect(result.failure).toBeNull();
    expect(h.delivered).toEqual([{ ids: queued, offsets: null }]);
    expect(await h.cache.outboxCount()).toBe(0);
  });

  it("retries OUT_OF_ORDER_SEQUENCE in place, then leaves the batch for a later pass", async () => {
    const h = harness(["OUT_OF_ORDER_SEQUENCE", "INTERNAL", "ok"]);
    await queue(h.cache, 2);
    expect((await sendOutbox(h.context)).failure).toBeNull();
    expect(new Set(h.sent.map((s) => JSON.stringify(s.body))).size).toBe(1);
    expect(h.sent.length).toBe(3);

    const stuck = harness(Array.from({ length: PRODUCE_RETRIES_MAX + 1 }, () => "OUT_OF_ORDER_SEQUENCE" as const));
    await queue(stuck.cache, 2);
    const result = await sendOutbox(stuck.context);
    expect(result.failure?.code).toBe("OUT_OF_ORDER_SEQUENCE");
    expect(stuck.sent.length).toBe(PRODUCE_RETRIES_MAX + 1);
    expect((await stuck.cache.outboxList(10)).every((e) => e.batch?.sequence === 0)).toBe(true);
  });

  it("rejects a batch the server can never take, gives its sequences back, and later batches go", async () => {
    const h = harness(["UNKNOWN_PARTITION"]);
    const bad = await queue(h.cache, 2);
    await sendOutbox(h.context);
    const good = await queue(h.cache, 1);
    await sendOutbox(h.context);
    expect(h.rejected).toEqual([{ ids: bad, code: "UNKNOWN_PARTITION" }]);
    expect(h.delivered.map((d) => d.ids)).toEqual([good]);
    expect(await h.cache.outboxCount()).toBe(0);
    // The server appended nothing for the refused batch, so the next one starts at its sequence.
    expect(h.sent.map((s) => s.body.producer?.sequence)).toEqual([0, 0]);
  });

  it("seals a batch again under a new producer id at sequence 0 after UNKNOWN_PRODUCER_ID, sends it and says so", async () => {
    const h = harness(["ok", "UNKNOWN_PRODUCER_ID"]);
    await queue(h.cache, 2);
    await sendOutbox(h.context);
    const later = await queue(h.cache, 3);
    const result = await sendOutbox(h.context);
    expect(result.failure).toBeNull();
    const [first, forgotten, resent] = h.sent;
    expect(forgotten?.body.producer).toEqual({ ...first?.body.producer, sequence: 2 });
    expect(resent?.body.producer?.id).not.toBe(first?.body.producer?.id);
    expect(resent?.body.producer).toMatchObject({ epoch: 0, sequence: 0 });
    expect(resent?.body.records).toEqual(forgotten?.body.records);
    expect(h.delivered.map((d) => d.ids)).toEqual([expect.any(Array), later]);
    expect(h.reported).toEqual(["UNKNOWN_PRODUCER_ID"]);
    // The partition goes on under the new id.
    await queue(h.cache, 1);
    await sendOutbox(h.context);
    expect(h.sent[3]?.body.producer).toEqual({ ...resent?.body.producer, sequence: 3 });
    expect(await h.cache.outboxCount()).toBe(0);
  });

  it("stops when the producer is fenced, keeping everything", async () => {
    const h = harness(["PRODUCER_FENCED"]);
    await queue(h.cache, 2, 0);
    const result = await sendOutbox(h.context);
    expect(result.fenced?.code).toBe("PRODUCER_FENCED");
    expect(await h.cache.outboxCount()).toBe(2);
    expect(h.rejected).toEqual([]);
  });

  it("places records queued without a partition: keyed by Kafka's hash, keyless together", async () => {
    const h = harness([], 4);
    const keyOf = (n: number): string | null => (n % 2 === 0 ? `user-${n}` : null);
    await queue(h.cache, 10, PARTITION_UNRESOLVED, 30, keyOf);
    await sendOutbox(h.context);
    const byValue = new Map<unknown, number>();
    for (const sent of h.sent) for (const record of sent.body.records) byValue.set(record.value, sent.partition);
    for (let n = 0; n < 10; n += 2) expect(byValue.get(n)).toBe(partitionForKey(`user-${n}`, 4));
    expect(new Set([1, 3, 5, 7, 9].map((n) => byValue.get(n))).size).toBe(1);
    expect(await h.cache.outboxCount()).toBe(0);
  });
});
