/**
 * PROTOCOL.md's tables read back as data, so a test can hold them to the code: the error codes
 * with their statuses (ERROR-5), the limits (LIMIT-1), the close codes (section 20) and the
 * routes (HTTP-4). Each reader answers what the document says; the test compares.
 *
 * @example
 * errorTable(protocolText).get("UNKNOWN_TOPIC"); // 404
 */

/**
 * The rows of the first Markdown table after `heading` (a line the table follows), cells trimmed.
 *
 * @example
 * tableAfter(text, /^## 20\. Close codes/)[0]; // ["1000", "`CLOSE_NORMAL`", ...]
 */
export function tableAfter(text: string, heading: RegExp): string[][] {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => heading.test(line));
  if (start === -1) throw new Error(`PROTOCOL.md has no line matching ${heading}`);
  const rows: string[][] = [];
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    const trimmed = line.trim();
    if (!trimmed.startsWith("|")) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    const cells = trimmed
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim());
    if (cells.every((cell) => /^-+$/.test(cell))) continue;
    rows.push(cells);
  }
  return rows.slice(1);
}

/** Text between backticks in a cell. */
function code(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

/**
 * ERROR-5: code to status.
 *
 * @example
 * errorTable(text).get("NOT_FOUND"); // 404
 */
export function errorTable(text: string): Map<string, number> {
  return new Map(tableAfter(text, /^- \*\*ERROR-5\*\*/).map((row) => [code(row[0]!)[0]!, Number(row[1])]));
}

/**
 * Section 20: close code to constant name.
 *
 * @example
 * closeTable(text).get(4408); // "CLOSE_SESSION_EXPIRED"
 */
export function closeTable(text: string): Map<number, string> {
  return new Map(tableAfter(text, /^## 20\. Close codes/).map((row) => [Number(row[0]), code(row[1]!)[0]!]));
}

/**
 * HTTP-4: "METHOD /path" for each route (query forms left out), `:p` spelt `:partition` as in routes.ts.
 *
 * @example
 * routeTable(text)[0]; // "GET /v1/topics"
 */
export function routeTable(text: string): string[] {
  return tableAfter(text, /^- \*\*HTTP-4\*\*/)
    .map((row) => `${code(row[0]!)[0]} ${code(row[1]!)[0]}`)
    .filter((route) => !route.includes("?"))
    .map((route) => route.replace(":p/", ":partition/"));
}

const UNITS: Record<string, number> = { MiB: 1_048_576, minutes: 60_000 };

/** A value cell's leading number ("1 MiB stored" → 1048576, "32,767 (int16)" → 32767). */
function leadingNumber(text: string): number {
  const match = /^([0-9][0-9,]*(?:\.[0-9]+)?(?:e[0-9]+)?)\s*(MiB|minutes)?/.exec(text.trim());
  if (match === null) return Number.NaN;
  return Number(match[1]!.replaceAll(",", "")) * (UNITS[match[2] ?? ""] ?? 1);
}

/**
 * LIMIT-1: constant name to the value the table gives it. A cell naming several constants
 * (`FETCH_RECORDS_MAX`, `_DEFAULT`) gives them in order; a suffix replaces the first name's last part.
 *
 * @example
 * limitTable(text).get("FETCH_RECORDS_DEFAULT"); // 500
 */
export function limitTable(text: string): Map<string, number> {
  const limits = new Map<string, number>();
  for (const row of tableAfter(text, /^- \*\*LIMIT-1\*\*/)) {
    const names = code(row[0]!);
    const first = names[0]!;
    const base = first.slice(0, first.lastIndexOf("_"));
    const values = row[1]!.split(/,\s+/);
    names.forEach((name, i) => {
      limits.set(name.startsWith("_") ? `${base}${name}` : name, leadingNumber(values[i] ?? values[0]!));
    });
  }
  return limits;
}
