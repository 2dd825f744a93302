/**
 * The rows of the pipelines section: one per processor, connector and HTTP source, and one per
 * partition of the picked connector, built with el() (server strings stay text nodes).
 *
 * @example
 * byId("processors").replaceChildren(processorsTable(processors));
 */
import { sourcePath } from "../client/protocol/index.ts";
import { BASE } from "./api.ts";
import { el, fmt, pickRow, table } from "./dom.ts";
import type { ConnectorStatus, ConnectorSummary, ProcessorStatus, SourceStatus } from "./types.ts";

/**
 * A rate in records per second, one decimal.
 *
 * @example
 * fmtRate(2.345); // "2.3"
 */
export function fmtRate(perS: number): string {
  return perS.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

/**
 * A time (ms since the epoch) as the browser's local date and time, "–" for null.
 *
 * @example
 * fmtTime(null); // "–"
 */
export function fmtTime(ms: number | null): string {
  return ms === null ? "–" : new Date(ms).toLocaleString();
}

/**
 * The path an HTTP source's sender posts to, under the path edgelog is mounted at.
 *
 * @example
 * ingestPath("github"); // "/v1/sources/github/events"
 */
export function ingestPath(name: string): string {
  return `${BASE}${sourcePath(name)}/events`;
}

/** The first partition error of a processor, or null. */
function processorError(p: ProcessorStatus): { code: string; message: string } | null {
  return p.partitions.find((line) => line.lastError !== null)?.lastError ?? null;
}

/**
 * The processors table: name, input → output, state (failing with the error's code and message
 * when a partition has a last error), lag, records in and out, input records per second.
 *
 * @example
 * processorsTable((await api<ProcessorListResponse>("GET", "/v1/processors")).processors);
 */
export function processorsTable(processors: ProcessorStatus[]): HTMLTableElement {
  const rows = processors.map((p) => {
    const error = processorError(p);
    const state = error
      ? el("td", { class: "state failing" }, "failing ", el("code", {}, error.code), " ", error.message)
      : el("td", { class: "state" }, p.state);
    return el(
      "tr",
      { "data-processor": p.name, class: error ? "failing" : undefined },
      el("td", { class: "name" }, p.name),
      el("td", { class: "mono" }, `${p.input} → ${p.output}`),
      state,
      el("td", { class: p.lag ? "num lag" : "num" }, fmt(p.lag)),
      el("td", { class: "num" }, fmt(p.recordsIn)),
      el("td", { class: "num" }, fmt(p.recordsOut)),
      el("td", { class: "num" }, fmtRate(p.recordsInPerS)),
    );
  });
  return table(["Processor", "Input → output", "State", "Lag", "In", "Out", "In/s"], rows, "processors-table");
}

/**
 * Where a connector delivers: the webhook's URL or the archive's object prefix.
 *
 * @example
 * connectorTarget(summary.config); // "https://example.com/hook" or "archive edgelog/"
 */
export function connectorTarget(config: ConnectorSummary["config"]): string {
  return config.kind === "webhook" ? config.url : `${config.prefix}/`;
}

/**
 * The connectors table; a row picked (click or Enter) calls `onPick` with its name.
 *
 * @example
 * connectorsTable(connectors, "orders-hook", (name) => select(name));
 */
export function connectorsTable(connectors: ConnectorSummary[], selected: string | null, onPick: (name: string) => void): HTMLTableElement {
  const rows = connectors.map((c) =>
    pickRow(
      { "data-connector": c.name },
      c.name === selected,
      () => onPick(c.name),
      el("td", { class: "name" }, c.name),
      el("td", {}, c.config.kind),
      el("td", { class: "mono" }, c.config.topic),
      el("td", { class: "mono target" }, connectorTarget(c.config)),
      el("td", { class: c.lag ? "num lag" : "num" }, fmt(c.lag)),
      el("td", { class: "num" }, fmt(c.deliveredRecords)),
      el("td", { class: c.failedAttempts ? "num lag" : "num" }, fmt(c.failedAttempts)),
      el("td", { class: "num" }, fmt(c.deadLetteredRecords)),
    ),
  );
  return table(["Connector", "Kind", "Topic", "Target", "Lag", "Delivered", "Failed attempts", "Dead-lettered"], rows, "connectors-table");
}

/**
 * The picked connector's partition lines: committed offset, high watermark, lag, attempts of the
 * pending batch, state and last error.
 *
 * @example
 * connectorPartitionsTable(await api<ConnectorStatus>("GET", "/v1/connectors/orders-hook"));
 */
export function connectorPartitionsTable(connector: ConnectorStatus): HTMLTableElement {
  const rows = connector.partitions.map((p) =>
    el(
      "tr",
      { "data-connector-partition": p.partition },
      el("td", { class: "num" }, p.partition),
      el("td", { class: "num" }, fmt(p.committedOffset)),
      el("td", { class: "num" }, fmt(p.highWatermark)),
      el("td", { class: p.lag ? "num lag" : "num" }, fmt(p.lag)),
      el("td", { class: "num" }, fmt(p.attempts)),
      el("td", { class: p.state === "idle" || p.state === "delivering" ? "state" : "state failing" }, p.state),
      el("td", { class: "error-text" }, p.lastError ? `${p.lastError.message} (${fmtTime(p.lastError.atMs)})` : "–"),
    ),
  );
  return table(["Partition", "Committed", "High watermark", "Lag", "Attempts", "State", "Last error"], rows, "connector-partitions-table");
}

/**
 * The HTTP sources table: name, topic, accepted, duplicates, signature refusals, last delivery
 * and the path the sender posts to.
 *
 * @example
 * sourcesTable((await api<SourceListResponse>("GET", "/v1/sources")).sources);
 */
export function sourcesTable(sources: SourceStatus[]): HTMLTableElement {
  const rows = sources.map((s) =>
    el(
      "tr",
      { "data-source": s.name },
      el("td", { class: "name" }, s.name),
      el("td", { class: "mono" }, s.topic),
      el("td", { class: "num" }, fmt(s.accepted)),
      el("td", { class: "num" }, fmt(s.duplicates)),
      el("td", { class: s.refusedSignatures ? "num lag" : "num" }, fmt(s.refusedSignatures)),
      el("td", { class: "time" }, fmtTime(s.lastDeliveryMs)),
      el("td", {}, el("code", { class: "ingest" }, `POST ${ingestPath(s.name)}`)),
    ),
  );
  return table(["Source", "Topic", "Accepted", "Duplicates", "Bad signatures", "Last delivery", "Ingest path"], rows, "sources-table");
}
