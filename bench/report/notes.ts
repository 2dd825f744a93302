/**
 * The lines printed under the table: what the figures mean (durability of each ack, who decodes
 * what), the cost breakdown behind scenario 7, and the profile of where edgelog's time goes: the
 * per-layer round trips (Worker only, object read, socket ping, produce) under wrangler dev and on
 * Miniflare, and CPU per request by process.
 *
 * @example
 * const lines = [...contextNotes(profile), ...costNotes(cost), ...profileNotes(measurements)];
 */
import { CLIENT_BOUND_CPU_SHARE, clientCpuShare } from "../comparisons.ts";
import type { CostReport } from "../cost.ts";
import type { ProcessCpu } from "../cpu.ts";
import type { BenchProfile } from "../profiles.ts";
import type { Measurement } from "../result.ts";
import { formatNumber } from "../runner.ts";
import { summarise } from "../stats.ts";
import type { SystemId } from "../systems/types.ts";

/**
 * What every reader of the table should know about how it was measured.
 *
 * @example
 * contextNotes(PROFILES.full)[0];
 */
export function contextNotes(profile: BenchProfile): string[] {
  return [
    `Each figure: median of ${profile.runs} runs [min-max] (fan-out: ${profile.fanOut.cases.map((c) => `${c.runs} runs with ${c.subscribers}`).join(", ")}); 100-byte JSON events, one partition/stream, loopback only.`,
    "Ratios use edgelog under wrangler dev (as `npm start` runs it); the Miniflare column is the same worker with workerd straight on the port, i.e. without wrangler's local proxy.",
    "Acks differ in durability: edgelog answers after the SQLite commit (the output gate); Redis AOF everysec answers before fsync (up to ~1 s lost on a crash); JetStream answers after writing its file store, fsync'd periodically; the Durable Streams server fsyncs every append.",
    "One Node process drives every client; every subscriber and reader decodes every event with JSON.parse, as an application would. Latency uses each event's scheduled send time (no coordinated omission).",
    "Batches: edgelog sends one request/message per batch; Redis pipelines XADDs (one round trip); NATS publishes concurrently and awaits every ack; Durable Streams POSTs a JSON array.",
    "Floors (issue 12), run in the same bench on the same engines and disk: (a) a SQLite object doing one INSERT per message over a hibernating socket, one-byte answer after the output gate; (b) a batch object: JSON.parse the frame, one INSERT of its text, short ack; (c) a Node relay storing nothing (the latency loop itself); (d) the client library's decode of the very frames a socket catch-up received, in the bench process. Column `of`: wd divides edgelog under wrangler dev, MF edgelog on the Miniflare API (each floor is compared with edgelog on its own engine).",
    "Redis with appendfsync always fsyncs its AOF before every reply: the durability of edgelog's ack (one fsync per commit). The issue's tmpfs target (serial produce >= 1.0x NATS js.publish with edgelog's state on tmpfs) is not run here: every state directory is on the temp dir's disk.",
  ];
}

/**
 * Whether the largest fan-out was feasible here, and what connecting its subscribers took.
 *
 * @example
 * fanOutNotes(measurements, PROFILES.full); // ["Fan-out to 1000 subscribers ran on every system ..."]
 */
export function fanOutNotes(measurements: readonly Measurement[], profile: BenchProfile): string[] {
  const largest = profile.fanOut.cases.reduce((a, b) => (b.subscribers > a.subscribers ? b : a));
  const scenario = `fan-out-${largest.subscribers}`;
  const ms = measurements.filter((m) => m.scenario === scenario);
  const connect = ms
    .filter((m) => m.runs.length > 0)
    .map((m) => `${m.system} ${formatNumber(m.summary.connectSeconds?.median ?? Number.NaN)} s`);
  const failed = ms.filter((m) => m.runs.length === 0).map((m) => `${m.system} (${m.error ?? m.skipped ?? "no run"})`);
  const incomplete = ms.filter((m) => m.runs.some((r) => (r.notes ?? []).length > 0)).map((m) => m.system);
  return [
    `Fan-out to ${largest.subscribers} subscribers, one connection each, all in the one bench process: ${failed.length === 0 ? "feasible on every system measured" : `no figure for ${failed.join(", ")}`}${incomplete.length > 0 ? `; some runs incomplete on ${incomplete.join(", ")}` : ""}. Connecting them (not timed) took: ${connect.join(", ")}.`,
  ];
}

/**
 * How busy the rest of this shared machine was while each system was measured: CPU used by
 * processes that were neither the bench nor the system, in cores (median and max over runs).
 *
 * @example
 * loadNotes(measurements); // ["Other load during the timed parts, in cores: edgelog-wrangler 0.12 (max 0.9), ..."]
 */
export function loadNotes(measurements: readonly Measurement[]): string[] {
  const bySystem = new Map<string, number[]>();
  for (const m of measurements) {
    // Scenario 6's Chromium is not a server the bench can name pids of, so it counts as "other".
    if (m.system === "edgelog-browser") continue;
    for (const run of m.runs) {
      if (run.otherCpuMs === undefined || !Number.isFinite(run.otherCpuMs) || !run.cpuWallMs) continue;
      bySystem.set(m.system, [...(bySystem.get(m.system) ?? []), run.otherCpuMs / run.cpuWallMs]);
    }
  }
  if (bySystem.size === 0) return [];
  const parts = [...bySystem].map(([system, loads]) => {
    const s = summarise(loads);
    return `${system} ${s.median.toFixed(2)} (max ${s.max.toFixed(2)})`;
  });
  return [
    `Other load on the machine during the timed parts (CPU of processes that were neither the bench nor the system measured), in cores, median over runs: ${parts.join(", ")}.`,
  ];
}

/**
 * The cost model's inputs and outputs, one line per produce and delivery mode.
 *
 * @example
 * costNotes(report).join("\n");
 */
export function costNotes(cost: CostReport): string[] {
  const p = cost.priceList;
  const lines = [
    `Cost: ${p.name}, ${p.checked}: requests $${p.doRequestsUsdPerMillion}/M (+ Worker $${p.workerRequestsUsdPerMillion}/M per HTTP request), rows written $${p.rowsWrittenUsdPerMillion}/M, rows read $${p.rowsReadUsdPerMillion}/M, incoming WebSocket messages ${p.wsMessagesPerBilledRequest}:1 as requests; duration (GB-s) not included. Measured on ${cost.system}:`,
  ];
  for (const line of [...cost.produce, ...cost.delivery]) {
    const m = line.perMillion;
    lines.push(
      `  ${line.mode.padEnd(28)} per 1M: ${formatNumber(m.rowsWritten)} rows written, ${formatNumber(m.rowsRead)} rows read, ${formatNumber(m.httpRequests)} HTTP requests, ${formatNumber(m.wsMessagesIn)} WS messages in -> $${line.usdPerMillion.total.toPrecision(3)} (from ${formatNumber(line.eventsMeasured)} events)`,
    );
  }
  if (cost.deliveryUsed) lines.push(`  delivery priced at the dearest measured path: ${cost.deliveryUsed}`);
  return lines;
}

function find(ms: readonly Measurement[], system: SystemId, scenario: string, variant: string): Measurement | undefined {
  return ms.find((m) => m.system === system && m.scenario === scenario && m.variant === variant && m.runs.length > 0);
}

/** Mean ms per round trip of a rate measurement (median run). */
function msPer(m: Measurement | undefined, eventsPerRoundTrip = 1): number {
  const rate = m?.summary.rate?.median;
  return rate && rate > 0 ? (1000 * eventsPerRoundTrip) / rate : Number.NaN;
}

/** CPU ms per round trip by process over a measurement's runs (all runs summed). */
function cpuPerRoundTrip(m: Measurement | undefined, roundTripsPerRun: (counts: Record<string, number>) => number): string {
  if (!m) return "n/a";
  const byProcess = new Map<string, number>();
  let trips = 0;
  for (const run of m.runs) {
    trips += roundTripsPerRun(run.counts ?? {});
    for (const p of run.cpu ?? ([] as ProcessCpu[])) byProcess.set(p.name, (byProcess.get(p.name) ?? 0) + p.ms);
  }
  if (trips === 0) return "n/a";
  return [...byProcess.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => `${name} ${(ms / trips).toFixed(2)}`)
    .join(", ");
}

/**
 * Where edgelog's time goes: per-layer round trips under both runtimes and CPU per request.
 *
 * @example
 * profileNotes(runner.measurements).forEach((line) => console.log(line));
 */
export function profileNotes(measurements: readonly Measurement[]): string[] {
  const lines = ["Profile (ms per serial round trip, median run; wrangler dev vs Miniflare API, and the difference = wrangler's proxy):"];
  const layers: [string, string, string][] = [
    ["Worker only (404, no object)", "overhead", "worker-only"],
    ["Worker + object read (offsets)", "overhead", "object-read"],
    ["produce 1 event over HTTP", "serial", "http"],
    ["socket ping (runtime auto-response)", "overhead", "ws-ping"],
    ["produce 1 event over the socket", "serial", "ws"],
  ];
  for (const [label, scenario, variant] of layers) {
    const w = msPer(find(measurements, "edgelog-wrangler", scenario, variant));
    const d = msPer(find(measurements, "edgelog-miniflare", scenario, variant));
    lines.push(`  ${label.padEnd(38)} wrangler ${w.toFixed(2)} ms, Miniflare ${d.toFixed(2)} ms, proxy ${(w - d).toFixed(2)} ms`);
  }
  lines.push("CPU ms per round trip by process during the timed part (servers' process trees and the bench client):");
  for (const system of ["edgelog-wrangler", "edgelog-miniflare"] as const) {
    for (const [label, scenario, variant] of [
      ["serial HTTP produce", "serial", "http"],
      ["serial socket produce", "serial", "ws"],
      ["batch-1000 HTTP produce", "batch-1000", "http"],
    ]) {
      const m = find(measurements, system, scenario!, variant!);
      const batch = scenario === "batch-1000" ? 1000 : 1;
      lines.push(`  ${system} ${label}: ${cpuPerRoundTrip(m, (c) => (c.events ?? 0) / batch)}`);
    }
  }
  const bound = measurements
    .map((m) => ({ m, share: clientCpuShare(m) }))
    .filter(
      ({ m, share }) => share !== null && share >= CLIENT_BOUND_CPU_SHARE && m.scenario !== "overhead" && m.variant !== "decode-floor",
    )
    .map(({ m, share }) => `${m.system} ${m.scenario} ${m.variant} ${Math.round(share! * 100)}%`);
  lines.push(
    `Likely bound by the bench client (its Node process used >= ${CLIENT_BOUND_CPU_SHARE * 100}% of a core, all threads, during the timed part): ${bound.length > 0 ? bound.join(", ") : "none"}.`,
  );
  return lines;
}
