/**
 * The chaos test's verdict: every partition read back whole, then every acknowledged record found
 * exactly once, at the offset its acknowledgement gave; an idempotent producer's records never
 * twice (acknowledged or not); a non-idempotent producer's unacknowledged batches at most once;
 * no record that no producer sent; every partition's log contiguous from offset 0.
 *
 * @example
 * const verdict = await checkLog({ baseUrl, topic, partitions: 4, producers });
 * verdict.problems; // [] when exactly-once held
 */
import { FETCH_RECORDS_MAX } from "../../client/protocol/index.ts";
import type { Producer } from "./producers.ts";

/** Reads a partition can take at most (FETCH_RECORDS_MAX each): 100 million records. */
const PAGES_MAX = 10_000;
/** Problems listed at most (the count is always exact). */
const PROBLEMS_LISTED_MAX = 40;

/** One stored record as the check sees it. */
interface Stored {
  offset: number;
  value: { c?: unknown; p?: unknown; n?: unknown } | null;
}

/**
 * What the check found.
 *
 * @example
 * const { recordsRead, lostStored, problems } = verdict;
 */
export interface Verdict {
  /** Records in the log, over all partitions. */
  recordsRead: number;
  /** Records of unacknowledged non-idempotent batches that were stored anyway (allowed, at most once). */
  lostStored: number;
  /** Every failure of exactly-once (the first PROBLEMS_LISTED_MAX, then a count). */
  problems: string[];
}

/** Reads one partition from offset 0 to its high watermark. */
async function readPartition(baseUrl: string, topic: string, partition: number): Promise<Stored[]> {
  const records: Stored[] = [];
  let offset = 0;
  for (let page = 0; page < PAGES_MAX; page++) {
    const url = `${baseUrl}/v1/topics/${topic}/partitions/${partition}/records?offset=${offset}&limit=${FETCH_RECORDS_MAX}&maxBytes=8388608`;
    const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    if (response.status !== 200) throw new Error(`read ${partition}@${offset}: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { records: Stored[]; nextOffset: number; highWatermark: number; logStartOffset: number };
    if (body.logStartOffset !== 0) throw new Error(`partition ${partition} starts at ${body.logStartOffset}, not 0: records were deleted`);
    for (const record of body.records) records.push({ offset: record.offset, value: record.value });
    if (body.nextOffset >= body.highWatermark) return records;
    offset = body.nextOffset;
  }
  throw new Error(`partition ${partition}: more than ${PAGES_MAX} pages`);
}

/** Where each (producer, n) was stored: offsets by `p:n`. */
function indexLog(partition: number, records: Stored[], problems: string[]): Map<string, number[]> {
  const where = new Map<string, number[]>();
  records.forEach((record, i) => {
    if (record.offset !== i) problems.push(`partition ${partition}: record ${i} has offset ${record.offset} (a gap)`);
    const v = record.value;
    if (v === null || v.c !== "chaos" || typeof v.p !== "number" || typeof v.n !== "number") {
      problems.push(`partition ${partition}@${record.offset}: a record no producer sent: ${JSON.stringify(v)}`);
      return;
    }
    const key = `${v.p}:${v.n}`;
    where.set(key, [...(where.get(key) ?? []), record.offset]);
  });
  return where;
}

/** The problems of one producer against its partition's index. */
function checkProducer(producer: Producer, where: Map<string, number[]>, problems: string[]): number {
  const p = producer.kind.index;
  const at = (n: number) => where.get(`${p}:${n}`) ?? [];
  for (const batch of producer.acked) {
    if (batch.offsets.length !== batch.count)
      problems.push(`producer ${p} batch ${batch.n0}: ${batch.offsets.length} offsets for ${batch.count} records`);
    for (let i = 0; i < batch.count; i++) {
      const offsets = at(batch.n0 + i);
      const acked = batch.offsets[i];
      if (offsets.length !== 1 || offsets[0] !== acked) {
        problems.push(
          `producer ${p} record ${batch.n0 + i}: acknowledged at ${acked}${batch.duplicate ? " (a duplicate's answer)" : ""}, stored at [${offsets.join(", ")}]`,
        );
      }
    }
  }
  let lostStored = 0;
  for (const batch of producer.lost) {
    for (let n = batch.n0; n < batch.n0 + batch.count; n++) {
      const offsets = at(n);
      if (offsets.length > 1)
        problems.push(`producer ${p} record ${n} (unacknowledged): stored ${offsets.length} times, at [${offsets.join(", ")}]`);
      lostStored += Math.min(offsets.length, 1);
    }
  }
  if (producer.kind.idempotent) {
    for (const [key, offsets] of where) {
      if (key.startsWith(`${p}:`) && offsets.length > 1)
        problems.push(`idempotent producer ${p} record ${key}: stored ${offsets.length} times`);
    }
  }
  for (const refusal of producer.refusals)
    problems.push(`producer ${p} (${producer.kind.wire}${producer.kind.idempotent ? ", idempotent" : ""}) refused: ${refusal}`);
  return lostStored;
}

/**
 * Reads every partition back and checks every producer's acknowledgements against it.
 *
 * @example
 * const verdict = await checkLog({ baseUrl: runtime.url, topic: "chaos", partitions: 4, producers });
 */
export async function checkLog(options: {
  baseUrl: string;
  topic: string;
  partitions: number;
  producers: readonly Producer[];
}): Promise<Verdict> {
  const problems: string[] = [];
  let recordsRead = 0;
  let lostStored = 0;
  for (let partition = 0; partition < options.partitions; partition++) {
    const records = await readPartition(options.baseUrl, options.topic, partition);
    recordsRead += records.length;
    const where = indexLog(partition, records, problems);
    const mine = options.producers.filter((producer) => producer.kind.partition === partition);
    for (const producer of mine) lostStored += checkProducer(producer, where, problems);
    const known = new Set(mine.map((producer) => producer.kind.index));
    for (const key of where.keys()) {
      if (!known.has(Number(key.split(":")[0]))) problems.push(`partition ${partition}: record ${key} of a producer that writes elsewhere`);
    }
  }
  const listed = problems.slice(0, PROBLEMS_LISTED_MAX);
  if (problems.length > listed.length) listed.push(`… and ${problems.length - listed.length} more`);
  return { recordsRead, lostStored, problems: listed };
}
