/**
 * Redis Streams as a bench peer: Debian's redis-server started from a config of our own (AOF on
 * with `appendfsync everysec`, or `always` for the peer of equal durability, which runs the produce
 * scenarios only; RDB snapshots off so no fork lands in a measurement, 127.0.0.1 on
 * a free port, data in a temp dir), spoken to with the `redis` npm client. A log is a stream key;
 * produce is XADD (a batch is node-redis's pipeline of XADDs, one round trip; the "resp" variant
 * writes the same pipeline with a bare RESP writer, to show the server's own rate), live reads
 * are blocking XREAD, catch-up is XRANGE pages.
 *
 * @example
 * const redis = await startRedis("/usr/bin/redis-server", workDir);
 * const log = await redis.openLog("serial-0");
 * await (await log.producer("native")).send(['{"i":0}']);
 * await redis.stop();
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createClient } from "redis";
import { freePort, waitFor } from "../../test/node/runtime.ts";
import { spawnPeer } from "../processes.ts";
import { respProducer } from "./redis-resp.ts";
import type { BenchSystem, LogHandle, OnValues } from "./types.ts";

/** Entries per XRANGE page in catch-up (Redis answers a page in one reply). */
const XRANGE_PAGE_ENTRIES = 10_000;
/** Entries per blocking XREAD of a live subscriber. */
const XREAD_ENTRIES_MAX = 1_000;
/** How long a live XREAD blocks before it loops (and sees a close), in ms. */
const XREAD_BLOCK_MS = 1_000;
/** How long redis-server may take to answer PING after starting, in ms. */
const REDIS_READY_TIMEOUT_MS = 15_000;

interface StreamEntry {
  id: string;
  message: Record<string, string>;
}

function decode(entries: readonly StreamEntry[]): unknown[] {
  return entries.map((e) => JSON.parse(e.message.v ?? "null") as unknown);
}

async function connectClient(port: number) {
  const client = createClient({ socket: { host: "127.0.0.1", port, reconnectStrategy: false } });
  client.on("error", () => undefined); // surfaced by the command that fails
  await client.connect();
  return client;
}

type Client = Awaited<ReturnType<typeof connectClient>>;

/** A blocking-XREAD loop from the stream's start, until closed. */
async function subscribeStream(port: number, key: string, onValues: OnValues) {
  const client = await connectClient(port);
  let closed = false;
  let lastId = "0-0";
  const loop = (async () => {
    while (!closed) {
      const reply = (await client.xRead({ key, id: lastId }, { BLOCK: XREAD_BLOCK_MS, COUNT: XREAD_ENTRIES_MAX })) as
        | { messages: StreamEntry[] }[]
        | null;
      const entries = reply?.[0]?.messages ?? [];
      if (entries.length === 0) continue;
      lastId = entries[entries.length - 1]!.id;
      onValues(decode(entries));
    }
  })().catch((error: unknown) => {
    if (!closed) throw error;
  });
  return {
    close: async () => {
      closed = true;
      client.destroy(); // ends the pending XREAD at once
      await loop.catch(() => undefined);
    },
  };
}

function openRedisLog(port: number, key: string): LogHandle {
  const clients: Client[] = [];
  const client = async (): Promise<Client> => {
    const c = await connectClient(port);
    clients.push(c);
    return c;
  };
  return {
    producer: async (variant) => {
      if (variant === "resp") return respProducer(port, key);
      const c = await client();
      return {
        send: async (values) => {
          if (values.length === 1) {
            await c.xAdd(key, "*", { v: values[0]! });
            return;
          }
          // node-redis's pipeline: one write, one round trip for the whole batch.
          const pipeline = c.multi();
          for (const v of values) pipeline.xAdd(key, "*", { v });
          await pipeline.execAsPipeline();
        },
        close: async () => undefined,
      };
    },
    subscribe: (_variant, onValues) => subscribeStream(port, key, onValues),
    catchUp: async (_variant, count, deadline) => {
      const c = await client();
      let read = 0;
      let start = "-";
      while (read < count && Date.now() < deadline) {
        const entries = (await c.xRange(key, start, "+", { COUNT: XRANGE_PAGE_ENTRIES })) as StreamEntry[];
        if (entries.length === 0) break;
        read += decode(entries).length;
        start = `(${entries[entries.length - 1]!.id}`; // exclusive: the next page starts after it
      }
      return read;
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.close().catch(() => c.destroy())));
    },
  };
}

/**
 * How often Redis fsyncs its AOF: once a second (the default peer) or before every reply.
 *
 * @example
 * await startRedis(binary, dir, "always" satisfies RedisFsync);
 */
export type RedisFsync = "everysec" | "always";

/** The variants of each Redis: the `always` one is the peer of equal durability, for produce only. */
function redisVariants(fsync: RedisFsync): BenchSystem["variants"] {
  const produce = { produce: ["native", "resp"], batch: ["native", "resp"], concurrent: ["native"], preload: "native" };
  if (fsync === "always") return { ...produce, latency: [], catchUp: [] };
  return {
    ...produce,
    latency: [{ producer: "native", subscriber: "native" }],
    catchUp: ["xrange"],
    fanOut: { producer: "native", subscriber: "native" },
  };
}

/**
 * Starts redis-server (`binary`) with AOF (`appendfsync everysec`, or `always`: an fsync before
 * every reply, edgelog's durability) on 127.0.0.1 and a free port, data in `workDir`.
 *
 * @example
 * const redis = await startRedis(which("redis-server")!, dir);
 * const always = await startRedis(which("redis-server")!, otherDir, "always");
 */
export async function startRedis(binary: string, workDir: string, fsync: RedisFsync = "everysec"): Promise<BenchSystem> {
  const port = await freePort();
  const config = [
    "bind 127.0.0.1",
    `port ${port}`,
    `dir ${workDir}`,
    "appendonly yes",
    `appendfsync ${fsync}`,
    'save ""',
    "daemonize no",
    'logfile ""',
  ].join("\n");
  const configPath = join(workDir, "redis.conf");
  await writeFile(configPath, `${config}\n`);
  const server = spawnPeer("redis", binary, [configPath], { cwd: workDir });
  try {
    await waitFor(
      `redis-server to answer on 127.0.0.1:${port}`,
      async () => {
        const probe = await connectClient(port);
        await probe.ping();
        await probe.close();
        return true;
      },
      REDIS_READY_TIMEOUT_MS,
      100,
    );
  } catch (error) {
    await server.stop();
    throw new Error(`${(error as Error).message}\n--- redis-server output ---\n${server.output()}`);
  }
  const version = /v=(\S+)/.exec(server.output())?.[1] ?? "unknown";
  return {
    id: fsync === "always" ? "redis-always" : "redis",
    label: fsync === "always" ? "Redis Streams (appendfsync always)" : "Redis Streams",
    variants: redisVariants(fsync),
    describe: () => ({ server: `redis-server ${version}`, config: config.replaceAll("\n", "; "), client: "redis (npm)" }),
    serverPids: () => [server.pid],
    openLog: async (name) => openRedisLog(port, name),
    stop: () => server.stop(),
  };
}
