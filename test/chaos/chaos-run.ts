/**
 * One chaos run: a killable runtime (runtime-process.ts), a topic of 4 partitions, 8 producers
 * (HTTP and socket, idempotent and not: two kinds per partition; all but plain HTTP two batches
 * deep), then `cycles` times: let them
 * produce for a while (seeded: 0.8 to 2.5 s), `kill -9` the runtime under them, start it again on
 * the same state. Then the producers stop (idempotent ones deliver their last batch) and every
 * partition is read back and checked (check.ts).
 *
 * Rules: PROTOCOL.md PRODUCE-6, PRODUCER-3, PRODUCER-5, PRODUCER-7, SOCKET-10.
 *
 * @example
 * const report = await runChaos({ cycles: 20, seed: 1, log: console.log });
 * report.verdict.problems; // [] when every acknowledged record was read back exactly once at its offset
 */
import { makeTempDir, removeDir, sleep } from "../node/runtime.ts";
import { seededRandom as random } from "../worker/seeded-random.ts";
import { checkLog, type Verdict } from "./check.ts";
import { Producer, type ProducerKind } from "./producers.ts";
import { killableRuntime } from "./runtime-process.ts";

const TOPIC = "chaos";
const PARTITIONS = 4;
/** How long producers run between two kills, at least and at most. */
const RUN_MS_MIN = 800;
const RUN_MS_MAX = 2_500;

/**
 * What a run takes.
 *
 * @example
 * const options: ChaosOptions = { cycles: 3, seed: 7 };
 */
export interface ChaosOptions {
  cycles: number;
  seed: number;
  log?: (line: string) => void;
}

/**
 * What a run did and found.
 *
 * @example
 * console.log(formatChaos(report));
 */
export interface ChaosReport {
  cycles: number;
  seed: number;
  durationMs: number;
  /** Records acknowledged, per producer kind ("http idempotent", "socket", ...). */
  acked: Record<string, number>;
  /** Acknowledgements that were an idempotent retry's (`duplicate: true`): a batch stored before a crash lost its answer. */
  duplicateAnswers: number;
  /** Tries that got no answer (a crash, the runtime down), and 5xx answers. */
  failedTries: number;
  serverErrors: number;
  /** Idempotent batches refused for overtaking an earlier one (OUT_OF_ORDER_SEQUENCE, UNKNOWN_PRODUCER_ID), then resent. */
  overtaken: number;
  /** Records acknowledged in each cycle (a cycle with none means the runtime did not come back). */
  ackedPerCycle: number[];
  /** Per producer: its kind, partition, records acknowledged and tries with no answer. */
  producers: string[];
  /** How long each restart took (the kill to the runtime's ready line). */
  restartMs: number[];
  verdict: Verdict;
}

/** The 8 producers: producer i writes to partition i % 4; kinds cycle through the four wire × idempotence pairs. */
function producersFor(baseUrl: string): Producer[] {
  const kinds: Pick<ProducerKind, "wire" | "idempotent">[] = [
    { wire: "http", idempotent: true },
    { wire: "http", idempotent: false },
    { wire: "socket", idempotent: true },
    { wire: "socket", idempotent: false },
  ];
  return Array.from({ length: 8 }, (_, index) => {
    // Partition i % 4 gets kinds i % 4 and (i + 1) % 4 ... so each partition mixes two kinds.
    const kind = kinds[(index + Math.floor(index / 4)) % 4]!;
    return new Producer({ index, ...kind, partition: index % PARTITIONS, baseUrl, topic: TOPIC });
  });
}

/** A producer's kind as a label. */
const label = (p: Producer) => `${p.kind.wire}${p.kind.idempotent ? " idempotent" : ""}`;

const ackedTotal = (producers: readonly Producer[]) => producers.reduce((sum, p) => sum + p.ackedRecords, 0);

/**
 * Runs the chaos test.
 *
 * @example
 * const report = await runChaos({ cycles: 3, seed: 42 });
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const dir = await makeTempDir("edgelog-chaos-");
  const runtime = await killableRuntime({ dir });
  const next = random(options.seed);
  try {
    await runtime.start();
    const created = await fetch(`${runtime.url}/v1/topics/${TOPIC}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ partitions: PARTITIONS }),
    });
    if (created.status !== 201 && created.status !== 200) throw new Error(`create ${TOPIC}: ${created.status} ${await created.text()}`);
    const producers = producersFor(runtime.url);
    const running = producers.map((p) => p.run());
    const ackedPerCycle: number[] = [];
    const restartMs: number[] = [];
    for (let cycle = 0; cycle < options.cycles; cycle++) {
      const before = ackedTotal(producers);
      await sleep(RUN_MS_MIN + Math.floor(next() * (RUN_MS_MAX - RUN_MS_MIN)));
      await runtime.kill();
      ackedPerCycle.push(ackedTotal(producers) - before);
      const down = Date.now();
      await runtime.start();
      restartMs.push(Date.now() - down);
      log(
        `chaos cycle ${cycle + 1}/${options.cycles}: killed -9 with ${ackedTotal(producers)} records acknowledged so far; restarted in ${restartMs.at(-1)} ms`,
      );
    }
    // A last stretch after the last restart, so every cycle's recovery is produced through.
    await sleep(RUN_MS_MIN);
    for (const p of producers) p.stop();
    await Promise.all(running);
    const verdict = await checkLog({ baseUrl: runtime.url, topic: TOPIC, partitions: PARTITIONS, producers });
    const acked: Record<string, number> = {};
    for (const p of producers) acked[label(p)] = (acked[label(p)] ?? 0) + p.ackedRecords;
    for (const [cycle, n] of ackedPerCycle.entries())
      if (n === 0) verdict.problems.push(`cycle ${cycle + 1}: no record acknowledged between two kills`);
    return {
      cycles: options.cycles,
      seed: options.seed,
      durationMs: Date.now() - started,
      acked,
      duplicateAnswers: producers.reduce((sum, p) => sum + p.acked.filter((b) => b.duplicate).length, 0),
      failedTries: producers.reduce((sum, p) => sum + p.failedTries, 0),
      serverErrors: producers.reduce((sum, p) => sum + p.serverErrors, 0),
      overtaken: producers.reduce((sum, p) => sum + p.overtaken, 0),
      ackedPerCycle,
      producers: producers.map(
        (p) =>
          `#${p.kind.index} ${label(p)} p${p.kind.partition}: ${p.ackedRecords} acked, ${p.failedTries} tries unanswered, ${p.overtaken} resent after overtaking`,
      ),
      restartMs,
      verdict,
    };
  } finally {
    await runtime.kill();
    await removeDir(dir);
  }
}

/**
 * The report as lines for a terminal.
 *
 * @example
 * console.log(formatChaos(report));
 */
export function formatChaos(report: ChaosReport): string {
  const total = Object.values(report.acked).reduce((a, b) => a + b, 0);
  const lines = [
    `chaos: ${report.cycles} kill -9 cycles, seed ${report.seed}, ${(report.durationMs / 1000).toFixed(1)} s`,
    `  records acknowledged: ${total} (${Object.entries(report.acked)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(", ")})`,
    `  read back: ${report.verdict.recordsRead} records; unacknowledged but stored (non-idempotent, at most once): ${report.verdict.lostStored}`,
    `  idempotent retries answered duplicate (stored before a crash, answer lost): ${report.duplicateAnswers}; batches resent after overtaking an earlier one: ${report.overtaken}; tries with no answer: ${report.failedTries}; 5xx answers: ${report.serverErrors}`,
    `  producers: ${report.producers.join("; ")}`,
    `  acknowledged per cycle: ${report.ackedPerCycle.join(", ")}; restarts took ${report.restartMs.map((ms) => (ms / 1000).toFixed(1)).join(", ")} s`,
    report.verdict.problems.length === 0
      ? "  exactly-once held: every acknowledged record read back once, at its offset"
      : `  FAILED: ${report.verdict.problems.length} problems`,
    ...report.verdict.problems.map((problem) => `  - ${problem}`),
  ];
  return lines.join("\n");
}
