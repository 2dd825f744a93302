/**
 * Plain text tables for the admin commands' output: columns padded to their widest cell,
 * separated by two spaces, a header line first. Stable and greppable; `-J` gives JSON instead.
 *
 * @example
 * table(["PARTITION", "LAG"], [["0", "12"], ["1", "0"]]); // "PARTITION  LAG\n0          12\n1          0\n"
 */

/**
 * The rows under the header as aligned text.
 *
 * @example
 * process.stdout.write(table(["NAME"], [["orders"]]));
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return `${[header, ...rows].map(line).join("\n")}\n`;
}

/**
 * A time (ms since the epoch) as an ISO 8601 cell, or "-" for none.
 *
 * @example
 * timeCell(1767225600000); // "2026-01-01T00:00:00.000Z"
 * timeCell(null); // "-"
 */
export function timeCell(ms: number | null): string {
  return ms === null ? "-" : new Date(ms).toISOString();
}

/**
 * A last error as a cell: its code (when it has one) and message, or "-" for none.
 *
 * @example
 * errorCell({ code: "UNKNOWN_TOPIC", message: "no topic x" }); // "UNKNOWN_TOPIC: no topic x"
 */
export function errorCell(error: { code?: string; message: string } | null): string {
  if (error === null) return "-";
  return error.code === undefined ? error.message : `${error.code}: ${error.message}`;
}
