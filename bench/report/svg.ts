/**
 * The bench's chart as a standalone SVG (no scripts, no external fonts): one panel per scenario
 * row, a bar per system (edgelog under wrangler dev, edgelog on Miniflare, then each peer), bars
 * scaled linearly within the panel so ratios read true (a bar over 20x the next is clipped, with
 * a break mark, so the rest stay readable), a whisker from min to max over the runs, and the
 * median printed at the end of each bar. Cost and the browser cache (scenario 6, no peer) get
 * panels with their absolute targets drawn in.
 *
 * @example
 * await writeFile("bench/results/latest.svg", renderSvg(result));
 */

import type { BenchResult, ComparisonRow } from "../result.ts";
import { formatNumber } from "../runner.ts";
import type { Summary } from "../stats.ts";

/** Panels are laid out in COLUMNS columns of PANEL_WIDTH_PX each. */
const COLUMNS = 2;
const PANEL_WIDTH_PX = 640;
const WIDTH_PX = COLUMNS * PANEL_WIDTH_PX;
const LABEL_WIDTH_PX = 175;
const VALUE_WIDTH_PX = 215;
const BAR_HEIGHT_PX = 16;
const BAR_GAP_PX = 5;
const PANEL_HEADER_PX = 26;
const PANEL_GAP_PX = 14;
const COLOURS = { edgelog: "#f38020", direct: "#fbad41", peer: "#5b7fa6", miss: "#c0392b", target: "#2c3e50" };

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}

interface Bar {
  label: string;
  value: Summary | null;
  colour: string;
  /** edgelog / this bar, printed after the value (peers only). */
  ratio?: number | null;
}

interface Panel {
  title: string;
  bars: Bar[];
  unit: string;
  /** A vertical reference line (the cost target), in the unit. */
  line?: { at: number; label: string };
}

function formatValue(n: number, unit: string): string {
  return unit === "USD" ? `$${n < 0.01 ? n.toPrecision(2) : n.toFixed(3)}` : `${formatNumber(n)} ${unit}`;
}

/** Groups the comparison rows into panels: edgelog's two runtimes, then each peer once. */
function panels(rows: readonly ComparisonRow[]): Panel[] {
  const result: Panel[] = [];
  const byLabel = new Map<string, ComparisonRow[]>();
  for (const row of rows) byLabel.set(row.label, [...(byLabel.get(row.label) ?? []), row]);
  const costBars: Bar[] = [];
  for (const [label, group] of byLabel) {
    const first = group[0]!;
    if (first.unit === "USD") {
      costBars.push({
        label: label.replace(/^7 cost per 1M produced \((.*)\) \+ delivered$/, "$1"),
        value: first.edgelog,
        colour: first.result === "miss" ? COLOURS.miss : COLOURS.edgelog,
      });
      continue;
    }
    if (first.peer === null && label.startsWith("6 ")) {
      // Scenario 6: the browser client alone, against an absolute target drawn as a line.
      const target = first.targetValue;
      const colour = first.result === "miss" ? COLOURS.miss : COLOURS.edgelog;
      result.push({
        title: `${label}, ${first.unit}`,
        bars: [{ label: "edgelog client", value: first.edgelog, colour }],
        unit: first.unit,
        ...(target !== undefined && { line: { at: target, label: `target ${first.target}` } }),
      });
      continue;
    }
    const bars: Bar[] = [
      { label: "edgelog (wrangler dev)", value: first.edgelog, colour: COLOURS.edgelog },
      { label: "edgelog (Miniflare API)", value: first.edgelogDirect, colour: COLOURS.direct },
      ...group
        .filter((row) => row.peer !== null)
        .map((row) => ({ label: row.peerLabel, value: row.peerValue, colour: COLOURS.peer, ratio: row.ratio })),
    ];
    const hint = first.better === "lower" ? " (lower is better)" : "";
    // Rows 8 (CPU per event) carry an absolute target, drawn as a line.
    const target = first.targetValue;
    result.push({
      title: `${label}, ${first.unit}${hint}`,
      bars,
      unit: first.unit,
      ...(target !== undefined && { line: { at: target, label: `target ${first.target} (Miniflare)` } }),
    });
  }
  if (costBars.length > 0) {
    result.push({
      title: "7 cost per million events produced and delivered, USD (lower is better)",
      bars: costBars,
      unit: "USD",
      line: { at: 0.02, label: "target $0.02" },
    });
  }
  return result;
}

/** A bar this many times longer than the next one is drawn clipped, so the others stay readable. */
const OUTLIER_FACTOR = 20;

/** The axis' end: the largest value, unless one bar dwarfs the rest (then the rest decide). */
function axisMax(panel: Panel): number {
  const top = (b: Bar): number => (b.value ? Math.max(b.value.max, b.value.median) : 0);
  const values = panel.bars.map(top).sort((a, b) => b - a);
  const [first = 0, second = 0] = values;
  const max = second > 0 && first > OUTLIER_FACTOR * second ? second * 1.15 : first;
  return Math.max(1e-12, panel.line?.at ?? 0, max);
}

function panelHeight(panel: Panel): number {
  return PANEL_HEADER_PX + panel.bars.length * (BAR_HEIGHT_PX + BAR_GAP_PX) + (panel.line ? 16 : 0) + PANEL_GAP_PX;
}

function panelSvg(panel: Panel, left: number, top: number): string {
  const plotWidth = PANEL_WIDTH_PX - LABEL_WIDTH_PX - VALUE_WIDTH_PX - 10;
  const scaleMax = axisMax(panel);
  const x0 = left + LABEL_WIDTH_PX;
  // Values past the axis (an outlier) are clipped to the plot and get a break mark.
  const x = (v: number): number => x0 + (Math.min(Math.max(0, v), scaleMax) / scaleMax) * plotWidth;
  const parts = [`<text x="${left + 10}" y="${top + 17}" class="title">${escapeXml(panel.title)}</text>`];
  panel.bars.forEach((bar, i) => {
    const y = top + PANEL_HEADER_PX + i * (BAR_HEIGHT_PX + BAR_GAP_PX);
    const mid = y + BAR_HEIGHT_PX / 2;
    parts.push(`<text x="${x0 - 8}" y="${mid + 4}" class="label" text-anchor="end">${escapeXml(bar.label)}</text>`);
    if (!bar.value) {
      parts.push(`<text x="${x0 + 4}" y="${mid + 4}" class="missing">not measured</text>`);
      return;
    }
    const { median, min, max } = bar.value;
    const end = Math.max(x(median), x0 + 1);
    parts.push(`<rect x="${x0}" y="${y}" width="${(end - x0).toFixed(1)}" height="${BAR_HEIGHT_PX}" fill="${bar.colour}"/>`);
    if (median > scaleMax) parts.push(`<text x="${(end - 14).toFixed(1)}" y="${mid + 5}" class="break">//</text>`);
    if (max > min) parts.push(`<line x1="${x(min).toFixed(1)}" x2="${x(max).toFixed(1)}" y1="${mid}" y2="${mid}" class="whisker"/>`);
    const ratio = bar.ratio ? ` (edgelog ${bar.ratio >= 10 ? bar.ratio.toFixed(0) : bar.ratio.toPrecision(2)}x)` : "";
    parts.push(
      `<text x="${(Math.max(end, x(max)) + 6).toFixed(1)}" y="${mid + 4}" class="value">${escapeXml(formatValue(median, panel.unit) + ratio)}</text>`,
    );
  });
  if (panel.line) {
    const barsBottom = top + PANEL_HEADER_PX + panel.bars.length * (BAR_HEIGHT_PX + BAR_GAP_PX);
    const lx = x(panel.line.at).toFixed(1);
    parts.push(`<line x1="${lx}" x2="${lx}" y1="${top + PANEL_HEADER_PX - 4}" y2="${barsBottom}" class="target"/>`);
    parts.push(`<text x="${lx}" y="${barsBottom + 12}" class="label">${escapeXml(panel.line.label)}</text>`);
  }
  return parts.join("\n");
}

/**
 * The whole chart for a bench result.
 *
 * @example
 * renderSvg(result).startsWith("<svg"); // true
 */
export function renderSvg(result: BenchResult): string {
  const header = [
    `edgelog bench (${result.profile} profile), ${result.startedAt.slice(0, 16).replace("T", " ")} UTC`,
    `${result.machine.cpus} cores (${result.machine.note}); median of runs, whiskers min-max; ratios use edgelog under ${result.ratioRuntime.system === "edgelog-wrangler" ? "wrangler dev" : "the Miniflare API"}`,
  ];
  // Row-major grid: each row of panels is as tall as its tallest panel.
  let top = 64;
  const body: string[] = [];
  const all = panels(result.rows);
  for (let i = 0; i < all.length; i += COLUMNS) {
    const row = all.slice(i, i + COLUMNS);
    for (const [column, panel] of row.entries()) body.push(panelSvg(panel, column * PANEL_WIDTH_PX, top));
    top += Math.max(...row.map(panelHeight));
  }
  top += 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH_PX}" height="${top}" viewBox="0 0 ${WIDTH_PX} ${top}" font-family="sans-serif">`,
    "<style>.title{font-size:14px;font-weight:bold}.label{font-size:12px}.value{font-size:12px}.missing{font-size:12px;fill:#999}.break{font-size:14px;font-weight:bold;fill:#fff}",
    `.whisker{stroke:#222;stroke-width:1.5}.target{stroke:${COLOURS.target};stroke-width:1.5;stroke-dasharray:4 3}.sub{font-size:12px;fill:#444}</style>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="24" class="title" font-size="16">${escapeXml(header[0]!)}</text>`,
    `<text x="10" y="44" class="sub">${escapeXml(header[1]!)}</text>`,
    ...body,
    "</svg>",
    "",
  ].join("\n");
}
