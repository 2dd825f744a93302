/**
 * Scenario 7: what a million events cost on Cloudflare, from what the runs *measured*: the
 * partition's SQLite rows (its stats route) and the requests and WebSocket messages the bench
 * sent, priced with Cloudflare's Durable Objects price list. Produce cost comes from scenarios
 * 1-2; delivery cost from the live subscribers (fan-out) and catch-up reads, whichever is dearer.
 * Duration (GB-s while an object is awake) is left out: it depends on traffic shape, not on
 * event count, and hibernating sockets do not bill it.
 *
 * @example
 * const report = costReport(measurements, "edgelog-wrangler");
 * report.totals.find((t) => t.mode === "batch-100 http")?.usd; // e.g. 0.0146
 */
import type { Measurement } from "./result.ts";
import type { SystemId } from "./systems/types.ts";

/** Cloudflare's prices (Workers Paid), as published; the bench prints the date it was checked. */
export const PRICE_LIST = {
  name: "Cloudflare Durable Objects price list (Workers Paid)",
  checked: "as published, checked 2026-11",
  doRequestsUsdPerMillion: 0.15,
  rowsWrittenUsdPerMillion: 1.0,
  rowsReadUsdPerMillion: 0.001,
  /** Each HTTP request also runs the Worker (Workers Standard). */
  workerRequestsUsdPerMillion: 0.3,
  /** Incoming WebSocket messages are billed as requests at this ratio; outgoing are free. */
  wsMessagesPerBilledRequest: 20,
} as const;

/** The target for produced and delivered events, in USD per million. */
export const COST_TARGET_USD_PER_MILLION = 0.02;

/** Measured units per million events, and their price. */
export interface CostLine {
  /** e.g. "serial ws", "batch-100 http", "live ws", "catch-up http". */
  mode: string;
  /** Events (or deliveries) the counts come from. */
  eventsMeasured: number;
  perMillion: { rowsWritten: number; rowsRead: number; httpRequests: number; wsMessagesIn: number };
  usdPerMillion: { rowsWritten: number; rowsRead: number; requests: number; wsMessages: number; total: number };
}

export interface CostReport {
  priceList: typeof PRICE_LIST;
  /** The edgelog runtime whose measurements are priced. */
  system: SystemId;
  produce: CostLine[];
  delivery: CostLine[];
  /** The dearest delivery line, added to every produce line. */
  deliveryUsed: string | null;
  /** Produced and delivered, per produce mode, against COST_TARGET_USD_PER_MILLION. */
  totals: { mode: string; usd: number }[];
}

/**
 * Counts summed over a measurement's runs. A run whose partition object restarted meanwhile
 * (wrangler dev reloads the worker when a source file changes) has counts from the restart on
 * only, so it is left out.
 */
function sumCounts(measurement: Measurement): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const run of measurement.runs) {
    if (run.counts?.objectRestarted === 1) continue;
    for (const [name, value] of Object.entries(run.counts ?? {})) sum[name] = (sum[name] ?? 0) + value;
  }
  return sum;
}

/**
 * Prices one measurement's summed counts per million events.
 *
 * @example
 * costLine("batch-100 http", { events: 1e4, rowsWritten: 100, rowsRead: 0, httpRequests: 100, wsMessagesIn: 0 });
 */
export function costLine(mode: string, counts: Record<string, number>): CostLine | null {
  const events = counts.events ?? 0;
  if (events <= 0 || counts.rowsWritten === undefined) return null;
  const per = (n: number | undefined): number => ((n ?? 0) / events) * 1e6;
  const perMillion = {
    rowsWritten: per(counts.rowsWritten),
    rowsRead: per(counts.rowsRead),
    httpRequests: per(counts.httpRequests),
    wsMessagesIn: per(counts.wsMessagesIn),
  };
  const p = PRICE_LIST;
  const usd = {
    rowsWritten: (perMillion.rowsWritten / 1e6) * p.rowsWrittenUsdPerMillion,
    rowsRead: (perMillion.rowsRead / 1e6) * p.rowsReadUsdPerMillion,
    requests: (perMillion.httpRequests / 1e6) * (p.doRequestsUsdPerMillion + p.workerRequestsUsdPerMillion),
    wsMessages: (perMillion.wsMessagesIn / p.wsMessagesPerBilledRequest / 1e6) * p.doRequestsUsdPerMillion,
  };
  const total = usd.rowsWritten + usd.rowsRead + usd.requests + usd.wsMessages;
  return { mode, eventsMeasured: events, perMillion, usdPerMillion: { ...usd, total } };
}

/**
 * The cost report from `system`'s measurements (edgelog under wrangler dev, normally).
 *
 * @example
 * costReport(runner.measurements, "edgelog-wrangler").totals;
 */
export function costReport(measurements: readonly Measurement[], system: SystemId): CostReport {
  const mine = measurements.filter((m) => m.system === system && m.runs.length > 0);
  const line = (m: Measurement, mode: string): CostLine | null => costLine(mode, sumCounts(m));
  const produce = mine
    .filter((m) => m.scenario === "serial" || m.scenario.startsWith("batch-"))
    .map((m) => line(m, `${m.scenario} ${m.variant}`))
    .filter((l): l is CostLine => l !== null);
  const catchUp = mine.filter((m) => m.scenario === "catch-up").map((m) => line(m, `catch-up ${m.variant}`));
  // A fan-out run's counts include its producer's requests and rows written: delivery keeps only
  // what the subscribers cost (rows read, their `consumed` messages).
  const live = mine
    .filter((m) => m.scenario.startsWith("fan-out-"))
    .map((m) => costLine(`live ${m.variant} (${m.scenario})`, { ...sumCounts(m), rowsWritten: 0, httpRequests: 0 }));
  const delivery = [...catchUp, ...live].filter((l): l is CostLine => l !== null);
  const dearest = delivery.reduce<CostLine | null>((a, b) => (a === null || b.usdPerMillion.total > a.usdPerMillion.total ? b : a), null);
  const deliveryUsd = dearest?.usdPerMillion.total ?? 0;
  return {
    priceList: PRICE_LIST,
    system,
    produce,
    delivery,
    deliveryUsed: dearest?.mode ?? null,
    totals: produce.map((p) => ({ mode: p.mode, usd: p.usdPerMillion.total + deliveryUsd })),
  };
}
