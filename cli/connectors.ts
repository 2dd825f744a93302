/**
 * `edgelog connectors list|describe|put|delete` (CONNECT-2, CONNECT-8): the connectors as tables
 * (or the server's answer as one JSON line with `-J`). `put NAME` sends the configuration JSON
 * from `--file` or stdin (config-input.ts: not JSON is a usage error, nothing sent), checked by the
 * protocol's rules first (INVALID_CONNECTOR).
 *
 * @example
 * // npx edgelog connectors put orders-hook --file hook.json
 * await putConnectorCommand(client, "orders-hook", await readConfig("hook.json", process.stdin), { json: false }, out);
 */
import type { ConnectorSummary, EdgelogClient } from "../client/index.ts";
import type { Output } from "./output.ts";
import { errorCell, table, timeCell } from "./tables.ts";

/** Where a connector delivers: a webhook's URL, an archive's R2 prefix. */
function target(config: ConnectorSummary["config"]): string {
  return config.kind === "webhook" ? config.url : `r2:${config.prefix}`;
}

/**
 * `connectors list`: NAME, KIND, TOPIC, TARGET, LAG (as of each one's last step), DELIVERED, FAILED, DEAD-LETTERED.
 *
 * @example
 * await listConnectorsCommand(client, { json: false }, out);
 */
export async function listConnectorsCommand(client: EdgelogClient, options: { json: boolean }, out: Output): Promise<void> {
  const connectors = await client.admin.listConnectors();
  if (options.json) return out.write(`${JSON.stringify(connectors)}\n`);
  const rows = connectors.map((c) => [
    c.name,
    c.config.kind,
    c.config.topic,
    target(c.config),
    String(c.lag),
    String(c.deliveredRecords),
    String(c.failedAttempts),
    String(c.deadLetteredRecords),
  ]);
  return out.write(table(["NAME", "KIND", "TOPIC", "TARGET", "LAG", "DELIVERED", "FAILED", "DEAD-LETTERED"], rows));
}

/**
 * `connectors describe NAME`: its configuration and totals, then per partition the committed
 * offset, high watermark, lag, records delivered, attempts of the pending batch, state and last error.
 *
 * @example
 * await describeConnectorCommand(client, "orders-hook", { json: false }, out);
 */
export async function describeConnectorCommand(
  client: EdgelogClient,
  name: string,
  options: { json: boolean },
  out: Output,
): Promise<void> {
  const c = await client.admin.describeConnector(name);
  if (options.json) return out.write(`${JSON.stringify(c)}\n`);
  const head =
    `connector ${c.name}  kind ${c.config.kind}  topic ${c.config.topic}  target ${target(c.config)}  dead-letter ${c.config.deadLetterTopic ?? "-"}\n` +
    `group ${c.group}  lag ${c.lag}  delivered ${c.deliveredRecords}  failed ${c.failedAttempts}  dead-lettered ${c.deadLetteredRecords}\n`;
  const rows = c.partitions.map((p) => [
    String(p.partition),
    String(p.committedOffset),
    String(p.highWatermark),
    String(p.lag),
    String(p.deliveredRecords),
    String(p.attempts),
    p.state,
    timeCell(p.lastSuccessMs),
    errorCell(p.lastError),
  ]);
  const header = ["PARTITION", "COMMITTED", "HIGH-WATERMARK", "LAG", "DELIVERED", "ATTEMPTS", "STATE", "LAST-SUCCESS", "LAST-ERROR"];
  return out.write(head + table(header, rows));
}

/**
 * `connectors put NAME [--file F]`: creates or replaces it from the configuration JSON (read first, with readConfig).
 *
 * @example
 * await putConnectorCommand(client, "orders-hook", await readConfig(null, process.stdin), { json: false }, out); // "put orders-hook: webhook of orders to https://..."
 */
export async function putConnectorCommand(
  client: EdgelogClient,
  name: string,
  config: unknown,
  options: { json: boolean },
  out: Output,
): Promise<void> {
  const status = await client.admin.putConnector(name, config);
  if (options.json) return out.write(`${JSON.stringify(status)}\n`);
  return out.write(`put ${status.name}: ${status.config.kind} of ${status.config.topic} to ${target(status.config)}\n`);
}

/**
 * `connectors delete NAME`: stops it and forgets its state.
 *
 * @example
 * await deleteConnectorCommand(client, "orders-hook", { json: false }, out); // "deleted orders-hook"
 */
export async function deleteConnectorCommand(client: EdgelogClient, name: string, options: { json: boolean }, out: Output): Promise<void> {
  await client.admin.deleteConnector(name);
  return out.write(options.json ? `${JSON.stringify({ name, deleted: true })}\n` : `deleted ${name}\n`);
}
