/**
 * Scenario 6's page script, bundled by esbuild (browser-cache.ts) and run in Chromium: it writes
 * the bench's 100-byte events into the client library's IndexedDB cache the way a subscription
 * stores what it receives (`EventCache.putRecords`, one page per call, the partitions of a topic in
 * parallel), and replays them through a real `createClient(...).subscribe(..., { from: "earliest" })`
 * whose server is unreachable, counting callbacks. Both are exposed on `window.edgelogBench` for
 * page.evaluate; every wait is bounded.
 *
 * @example
 * // in the page, driven by playwright:
 * const w = await window.edgelogBench.write({ dbName: "bench", topic: "t", partitions: 10, perPartition: 10_000, page: 500, timeoutMs: 60_000 });
 * const r = await window.edgelogBench.replay({ dbName: "bench", topic: "t", total: 100_000, url: "http://127.0.0.1:9", timeoutMs: 60_000 });
 */
import { createClient, type FetchedRecord, type JsonValue, openIndexedDbCache } from "../../client/index.ts";
import { eventJson } from "../events.ts";

/** What `write` is asked to store. */
export interface WriteRequest {
  dbName: string;
  topic: string;
  partitions: number;
  /** Records per partition (offsets 0..perPartition-1). */
  perPartition: number;
  /** Records per putRecords call: one page of a catch-up. */
  page: number;
  timeoutMs: number;
}

/** What `replay` is asked to read back. */
export interface ReplayRequest {
  dbName: string;
  topic: string;
  /** Callbacks to wait for. */
  total: number;
  /** A server URL nobody listens on: the replay must come from IndexedDB alone. */
  url: string;
  timeoutMs: number;
}

/** A timed phase: how many records it handled and in how many ms. */
export interface PhaseResult {
  records: number;
  ms: number;
  /** Client errors reported meanwhile (e.g. the unreachable server), first few. */
  errors: string[];
}

/** The API the page puts on window. */
export interface BenchPageApi {
  write(request: WriteRequest): Promise<PhaseResult>;
  replay(request: ReplayRequest): Promise<PhaseResult>;
}

function pages(request: WriteRequest, partition: number, sentAt: number): FetchedRecord[][] {
  const result: FetchedRecord[][] = [];
  for (let first = 0; first < request.perPartition; first += request.page) {
    const page: FetchedRecord[] = [];
    for (let offset = first; offset < Math.min(first + request.page, request.perPartition); offset++) {
      const sequence = partition * request.perPartition + offset;
      page.push({ offset, timestamp: sentAt, key: null, value: JSON.parse(eventJson(sequence, sentAt)) as JsonValue, headers: {} });
    }
    result.push(page);
  }
  return result;
}

function timeout(ms: number, what: string): { promise: Promise<never>; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

async function write(request: WriteRequest): Promise<PhaseResult> {
  const cache = await openIndexedDbCache({ dbName: request.dbName });
  const limit = timeout(request.timeoutMs, "writing the cache");
  try {
    // The records are built before the clock starts: only the cache's work is timed.
    const sentAt = Date.now();
    const byPartition = Array.from({ length: request.partitions }, (_, partition) => pages(request, partition, sentAt));
    await cache.putTopic({ name: request.topic, partitions: request.partitions, fetchedAt: Date.now() });
    const started = performance.now();
    let records = 0;
    const work = Promise.all(
      byPartition.map(async (partitionPages, partition) => {
        for (const page of partitionPages) {
          await cache.putRecords(request.topic, partition, page, { logStartOffset: 0 });
          records += page.length;
        }
      }),
    );
    await Promise.race([work, limit.promise]);
    const ms = performance.now() - started;
    for (let partition = 0; partition < request.partitions; partition++) {
      const run = await cache.run(request.topic, partition);
      if (run?.low !== 0 || run.high !== request.perPartition || !run.startsAtLog) {
        throw new Error(
          `partition ${partition}: cached run ${JSON.stringify(run)}, expected offsets 0..${request.perPartition - 1} from the log's start`,
        );
      }
    }
    return { records, ms, errors: [] };
  } finally {
    limit.cancel();
    cache.close();
  }
}

async function replay(request: ReplayRequest): Promise<PhaseResult> {
  const errors: string[] = [];
  const limit = timeout(request.timeoutMs, `replaying ${request.total} records`);
  let records = 0;
  let finish: (at: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const started = performance.now();
  const client = createClient({ url: request.url, dbName: request.dbName });
  client.onError((error) => {
    if (errors.length < 5) errors.push(`${error.code}: ${error.message}`);
  });
  const subscription = client.subscribe(request.topic, { from: "earliest" }, () => {
    if (++records === request.total) finish(performance.now());
  });
  try {
    const ended = await Promise.race([finished, limit.promise]);
    return { records, ms: ended - started, errors };
  } catch (error) {
    throw new Error(`${(error as Error).message}: got ${records}; client errors: ${errors.join("; ") || "none"}`);
  } finally {
    limit.cancel();
    subscription.close();
    client.close();
  }
}

(globalThis as unknown as { edgelogBench: BenchPageApi }).edgelogBench = { write, replay };
