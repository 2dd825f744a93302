/**
 * The one table `npm run bench` prints: a line per edgelog-vs-peer comparison, medians with
 * [min-max] over the runs, the ratio edgelog / peer and which edgelog figure it divides ("of":
 * wd = wrangler dev, MF = the Miniflare API, where the floors run), the target and pass/miss. Notes (why a
 * figure is missing or partial) are footnotes under the table, so the columns stay narrow.
 *
 * @example
 * console.log(renderTable(rows).join("\n"));
 */

import type { ComparisonRow } from "../result.ts";
import { formatNumber } from "../runner.ts";
import type { Summary } from "../stats.ts";

function value(s: Summary | null, unit: string, withRange: boolean): string {
  if (!s) return "-";
  const f = unit === "USD" ? (n: number) => `$${n < 0.01 ? n.toPrecision(2) : n.toFixed(3)}` : formatNumber;
  if (!withRange || s.n < 2) return f(s.median);
  return `${f(s.median)} [${f(s.min)}-${f(s.max)}]`;
}

function ratio(r: number | null): string {
  if (r === null) return "-";
  return `${r >= 10 ? r.toFixed(0) : r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}x`;
}

/** Pads every column to its widest cell (left-aligned text, right-aligned numbers). */
function layout(cells: string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths = cells[0]!.map((_, col) => Math.max(...cells.map((row) => row[col]!.length)));
  return cells.map((row) =>
    row
      .map((cell, col) => (rightAligned.has(col) ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!)))
      .join("  ")
      .trimEnd(),
  );
}

/**
 * The table's lines: header, rule, one line per row (edgelog's figures printed once per group),
 * then the footnotes.
 *
 * @example
 * renderTable(rows)[0]; // "scenario  unit  edgelog (wrangler dev) ..."
 */
export function renderTable(rows: readonly ComparisonRow[]): string[] {
  const header = [
    "scenario",
    "unit",
    "edgelog (wrangler dev)",
    "edgelog (Miniflare)",
    "peer",
    "peer figure",
    "edgelog/peer",
    "of",
    "target",
    "result",
    "note",
  ];
  const cells: string[][] = [header];
  const footnotes: string[] = [];
  let previous = "";
  for (const row of rows) {
    const first = row.label !== previous;
    previous = row.label;
    let mark = "";
    if (row.note) {
      let index = footnotes.indexOf(row.note);
      if (index < 0) index = footnotes.push(row.note) - 1;
      mark = `[${index + 1}]`;
    }
    cells.push([
      first ? row.label : "",
      first ? row.unit : "",
      first ? value(row.edgelog, row.unit, true) : "",
      first ? value(row.edgelogDirect, row.unit, false) : "",
      row.peerLabel,
      value(row.peerValue, row.unit, true),
      ratio(row.ratio),
      row.ratio === null ? "" : row.ratioOf === "miniflare" ? "MF" : "wd",
      row.target,
      row.result === "n/a" ? "" : row.result.toUpperCase(),
      mark,
    ]);
  }
  const lines = layout(cells, new Set([2, 3, 5, 6]));
  const rule = "-".repeat(Math.max(...lines.map((l) => l.length)));
  return [lines[0]!, rule, ...lines.slice(1), rule, ...footnotes.map((note, i) => `[${i + 1}] ${note}`)];
}
