/**
 * Where the command line connects: `--url` or EDGELOG_URL (default http://127.0.0.1:8787, what
 * `npm start` serves), `--token` or EDGELOG_TOKEN (sent as `Authorization: Bearer`). The client is
 * the library's own, with a memory cache (the CLI needs no IndexedDB), no tab sharing, and the
 * `ws` package for the group consumer's socket (Node 20 has no global WebSocket).
 *
 * @example
 * const client = connect({ url: "http://127.0.0.1:8787" });
 * await client.admin.listTopics();
 */
import type { Command } from "commander";
import WebSocket from "ws";
import { createClient, type EdgelogClient, type WebSocketClass } from "../client/index.ts";

/**
 * The options every command takes.
 *
 * @example
 * const options: ConnectionOptions = { url: "http://127.0.0.1:8787", token: process.env.EDGELOG_TOKEN };
 */
export interface ConnectionOptions {
  url?: string;
  token?: string;
}

/**
 * The server edgelog's CLI talks to when neither `--url` nor EDGELOG_URL names one.
 *
 * @example
 * serverUrl({}, {}); // URL_DEFAULT
 */
export const URL_DEFAULT = "http://127.0.0.1:8787";

/**
 * The server's URL: the option, else EDGELOG_URL, else URL_DEFAULT.
 *
 * @example
 * serverUrl({ url: "https://events.example.com" }, process.env); // "https://events.example.com"
 */
export function serverUrl(options: ConnectionOptions, env: NodeJS.ProcessEnv): string {
  return options.url ?? env.EDGELOG_URL ?? URL_DEFAULT;
}

/**
 * A client for one command (close it when done).
 *
 * @example
 * const client = connect({ token: "eyJ..." });
 * try { console.log(await client.admin.listTopics()); } finally { client.close(); }
 */
export function connect(options: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): EdgelogClient {
  const token = options.token ?? env.EDGELOG_TOKEN;
  return createClient({
    url: serverUrl(options, env),
    cache: "memory",
    tabs: false,
    WebSocket: WebSocket as unknown as WebSocketClass,
    ...(token === undefined || token === "" ? {} : { auth: token }),
  });
}

/**
 * Runs `work` with a client for the command's global options (`--url`, `--token`), closing it after.
 *
 * @example
 * await withClient(command, (client) => client.admin.listTopics());
 */
export async function withClient(command: Command, work: (client: EdgelogClient) => Promise<unknown>): Promise<void> {
  const client = connect(command.optsWithGlobals<ConnectionOptions>());
  try {
    await work(client);
  } finally {
    client.close();
  }
}
