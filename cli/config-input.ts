/**
 * The configuration a `connectors put` or `sources put` sends: one JSON document read from
 * `--file` or stdin, at most REQUEST_BYTES_MAX bytes (the largest body the server takes). A file
 * that cannot be read, a document past the bound or one that is not JSON is a usage error (exit
 * status 2) before anything is sent.
 *
 * @example
 * const config = await readConfig("hook.json", process.stdin); // { kind: "webhook", ... }
 */
import { createReadStream } from "node:fs";
import { REQUEST_BYTES_MAX } from "../client/index.ts";
import { UsageError } from "./failure.ts";

async function readBounded(stream: NodeJS.ReadableStream, where: string): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    bytes += buffer.length;
    if (bytes > REQUEST_BYTES_MAX) throw new UsageError(`${where} holds more than ${REQUEST_BYTES_MAX} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The JSON document of `file` (null: of `input`, stdin), or a usage error naming where it failed.
 *
 * @example
 * await readConfig(null, process.stdin); // what `echo '{"topic":"github",...}' | edgelog sources put github` sends
 */
export async function readConfig(file: string | null, input: NodeJS.ReadableStream): Promise<unknown> {
  const where = file === null ? "stdin" : file;
  let text: string;
  try {
    text = await readBounded(file === null ? input : createReadStream(file), where);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${where}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${where} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}
