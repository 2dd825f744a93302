/**
 * `edgelog sources list|describe|put|delete` (SOURCE-1 to SOURCE-3): the HTTP sources as tables
 * (or the server's answer as one JSON line with `-J`). `put NAME` sends the configuration JSON
 * from `--file` or stdin (config-input.ts: not JSON is a usage error, nothing sent), checked by the
 * protocol's rules first (INVALID_SOURCE); it prints the route senders post to.
 *
 * @example
 * // npx edgelog sources put github --file github-source.json
 * await putSourceCommand(client, "github", await readConfig("github-source.json", process.stdin), { json: false }, out);
 */
import { type EdgelogClient, type SourceStatus, sourcePath } from "../client/index.ts";
import type { Output } from "./output.ts";
import { table, timeCell } from "./tables.ts";

/** Where a source's records go: its fixed partition, else by key. */
function partitioning(source: SourceStatus): string {
  return source.partition === null ? "by key" : String(source.partition);
}

/**
 * `sources list`: NAME, TOPIC, PARTITION, ACCEPTED, DUPLICATES, REFUSED (signatures), LAST-DELIVERY.
 *
 * @example
 * await listSourcesCommand(client, { json: false }, out);
 */
export async function listSourcesCommand(client: EdgelogClient, options: { json: boolean }, out: Output): Promise<void> {
  const sources = await client.admin.listSources();
  if (options.json) return out.write(`${JSON.stringify(sources)}\n`);
  const rows = sources.map((s) => [
    s.name,
    s.topic,
    partitioning(s),
    String(s.accepted),
    String(s.duplicates),
    String(s.refusedSignatures),
    timeCell(s.lastDeliveryMs),
  ]);
  return out.write(table(["NAME", "TOPIC", "PARTITION", "ACCEPTED", "DUPLICATES", "REFUSED", "LAST-DELIVERY"], rows));
}

/**
 * `sources describe NAME`: its configuration (never the secret) and counters.
 *
 * @example
 * await describeSourceCommand(client, "github", { json: false }, out);
 */
export async function describeSourceCommand(client: EdgelogClient, name: string, options: { json: boolean }, out: Output): Promise<void> {
  const s = await client.admin.describeSource(name);
  if (options.json) return out.write(`${JSON.stringify(s)}\n`);
  const key = s.mapping.key === null ? "-" : "pointer" in s.mapping.key ? s.mapping.key.pointer : `header ${s.mapping.key.header}`;
  return out.write(
    `source ${s.name}  topic ${s.topic}  partition ${partitioning(s)}  events ${sourcePath(s.name)}/events\n` +
      `signature ${s.signature.header} (${s.signature.scheme})  delivery-id ${s.deliveryIdHeader}  dedupe ${s.dedupeWindowMs} ms\n` +
      `mapping key ${key}  value ${s.mapping.value?.pointer ?? "-"}  headers ${s.mapping.headers.join(",") || "-"}\n` +
      table(
        ["ACCEPTED", "DUPLICATES", "REFUSED", "DELIVERY-IDS", "LAST-DELIVERY"],
        [[String(s.accepted), String(s.duplicates), String(s.refusedSignatures), String(s.deliveryIds), timeCell(s.lastDeliveryMs)]],
      ),
  );
}

/**
 * `sources put NAME [--file F]`: creates or replaces it from the configuration JSON (read first, with readConfig).
 *
 * @example
 * await putSourceCommand(client, "github", await readConfig(null, process.stdin), { json: false }, out); // "put github: into github, senders POST /v1/sources/github/events"
 */
export async function putSourceCommand(
  client: EdgelogClient,
  name: string,
  config: unknown,
  options: { json: boolean },
  out: Output,
): Promise<void> {
  const status = await client.admin.putSource(name, config);
  if (options.json) return out.write(`${JSON.stringify(status)}\n`);
  return out.write(`put ${status.name}: into ${status.topic}, senders POST ${sourcePath(status.name)}/events\n`);
}

/**
 * `sources delete NAME`.
 *
 * @example
 * await deleteSourceCommand(client, "github", { json: false }, out); // "deleted github"
 */
export async function deleteSourceCommand(client: EdgelogClient, name: string, options: { json: boolean }, out: Output): Promise<void> {
  await client.admin.deleteSource(name);
  return out.write(options.json ? `${JSON.stringify({ name, deleted: true })}\n` : `deleted ${name}\n`);
}
