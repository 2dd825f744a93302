/**
 * `edgelog processors list|describe`: the stream processors the Worker registers (PROC-6), as
 * tables (or the server's answer as one JSON line with `-J`). Looking wakes them (PROC-1).
 *
 * @example
 * // npx edgelog processors describe example-views-by-page
 * await describeProcessorCommand(client, "example-views-by-page", { json: false }, out);
 */
import type { EdgelogClient } from "../client/index.ts";
import type { Output } from "./output.ts";
import { errorCell, table } from "./tables.ts";

/**
 * `processors list`: NAME, INPUT, OUTPUT, STATE, LAG, IN, OUT (records in and out, summed).
 *
 * @example
 * await listProcessorsCommand(client, { json: false }, out); // "NAME  INPUT  OUTPUT  STATE  LAG  IN  OUT\n..."
 */
export async function listProcessorsCommand(client: EdgelogClient, options: { json: boolean }, out: Output): Promise<void> {
  const processors = await client.admin.listProcessors();
  if (options.json) return out.write(`${JSON.stringify(processors)}\n`);
  const rows = processors.map((p) => [p.name, p.input, p.output, p.state, String(p.lag), String(p.recordsIn), String(p.recordsOut)]);
  return out.write(table(["NAME", "INPUT", "OUTPUT", "STATE", "LAG", "IN", "OUT"], rows));
}

/**
 * `processors describe NAME`: its topics, state and totals, then per input partition the offset
 * to process next, the high watermark, the lag, records in and out, and the last error.
 *
 * @example
 * await describeProcessorCommand(client, "example-slow-views", { json: true }, out); // the status as one JSON line
 */
export async function describeProcessorCommand(
  client: EdgelogClient,
  name: string,
  options: { json: boolean },
  out: Output,
): Promise<void> {
  const p = await client.admin.describeProcessor(name);
  if (options.json) return out.write(`${JSON.stringify(p)}\n`);
  const head = `processor ${p.name}  input ${p.input}  output ${p.output}  group ${p.group}  state ${p.state}  windowed ${p.windowed ? "yes" : "no"}\nlag ${p.lag}  in ${p.recordsIn}  out ${p.recordsOut}  in/s ${p.recordsInPerS}\n`;
  const rows = p.partitions.map((line) => [
    String(line.partition),
    String(line.inputOffset),
    String(line.highWatermark),
    String(line.lag),
    String(line.recordsIn),
    String(line.recordsOut),
    errorCell(line.lastError),
  ]);
  return out.write(head + table(["PARTITION", "OFFSET", "HIGH-WATERMARK", "LAG", "IN", "OUT", "LAST-ERROR"], rows));
}
