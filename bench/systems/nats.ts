/**
 * NATS JetStream as a bench peer: Debian's nats-server with a file store in a temp dir, a client
 * listener and a WebSocket listener (`no_tls`), both on 127.0.0.1 and free ports. A log is a
 * stream with one subject; produce is `js.publish` (acked by the stream; a batch is concurrent
 * publishes; the "inbox" variant pipelines the same publishes and counts the acks on one
 * subscription), subscribers and catch-up are ordered consumers. The "ws" variants speak NATS over
 * its WebSocket listener (the `ws` package stands in for the browser's WebSocket).
 *
 * @example
 * const nats = await startNats("/usr/sbin/nats-server", workDir);
 * const log = await nats.openLog("latency-0");
 * await log.subscribe("ws", (values) => console.log(values));
 * await nats.stop();
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type ConsumerMessages, DeliverPolicy, type JetStreamClient, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, createInbox, type NatsConnection, wsconnect } from "@nats-io/transport-node";
import WebSocket from "ws";
import { freePort, waitFor } from "../../test/node/runtime.ts";
import { spawnPeer } from "../processes.ts";
import type { BenchSystem, LogHandle, OnValues, Producer } from "./types.ts";

/** Messages an ordered consumer pulls per request (the client's default is 100). */
const CONSUMER_PULL_MESSAGES = 1_000;
/** How long nats-server may take to accept a connection after starting, in ms. */
const NATS_READY_TIMEOUT_MS = 15_000;
/** How long an "inbox" batch may wait for its acks, in ms. */
const INBOX_ACK_TIMEOUT_MS = 30_000;

/** Connects over TCP ("native") or over the WebSocket listener ("ws"). */
async function natsConnect(variant: string, port: number, wsPort: number): Promise<NatsConnection> {
  if (variant !== "ws") return connect({ servers: `127.0.0.1:${port}`, reconnect: false });
  return wsconnect({
    servers: `ws://127.0.0.1:${wsPort}`,
    reconnect: false,
    // Node 20 has no global WebSocket: hand the client a `ws` socket, which has the same API.
    wsFactory: async (url: string) => ({
      socket: new WebSocket(url, { perMessageDeflate: false }) as unknown as globalThis.WebSocket,
      encrypted: false,
    }),
  });
}

/** Starts an ordered consumer from the stream's first message, handing over decoded values. */
async function consume(js: JetStreamClient, stream: string, onValues: OnValues): Promise<ConsumerMessages> {
  const consumer = await js.consumers.get(stream, { deliver_policy: DeliverPolicy.All });
  return consumer.consume({
    max_messages: CONSUMER_PULL_MESSAGES,
    callback: (msg) => onValues([JSON.parse(msg.string()) as unknown]),
  });
}

/**
 * The "inbox" producer: what `js.publish` does on the wire (a publish whose reply subject gets
 * the stream's PubAck), but a batch's publishes go out back to back and one subscription counts
 * the acks. js.publish costs the client more CPU than the server spends (~20k/s here), so this
 * shows the server's own rate; both figures are in the table.
 */
function inboxProducer(nc: NatsConnection, subject: string): Producer {
  const inbox = createInbox();
  let sequence = 0;
  let waiting: { left: number; done: (error?: Error) => void } | null = null;
  const subscription = nc.subscribe(`${inbox}.*`, {
    callback: (error, msg) => {
      if (!waiting) return;
      const ackError = error ?? (msg.string().includes('"error"') ? new Error(`JetStream: ${msg.string()}`) : null);
      if (ackError) waiting.done(ackError);
      else if (--waiting.left === 0) waiting.done();
    },
  });
  return {
    send: (values) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => waiting?.done(new Error(`no PubAcks within ${INBOX_ACK_TIMEOUT_MS} ms`)), INBOX_ACK_TIMEOUT_MS);
        waiting = {
          left: values.length,
          done: (error) => {
            clearTimeout(timer);
            waiting = null;
            if (error) reject(error);
            else resolve();
          },
        };
        for (const v of values) nc.publish(subject, v, { reply: `${inbox}.${sequence++}` });
      }),
    close: async () => subscription.unsubscribe(),
  };
}

function openNatsLog(port: number, wsPort: number, stream: string, subject: string): LogHandle {
  const connections: NatsConnection[] = [];
  const open = async (variant: string): Promise<NatsConnection> => {
    const nc = await natsConnect(variant, port, wsPort);
    connections.push(nc);
    return nc;
  };
  return {
    producer: async (variant) => {
      if (variant === "inbox") return inboxProducer(await open("native"), subject);
      const js = jetstream(await open(variant));
      return {
        send: async (values) => void (await Promise.all(values.map((v) => js.publish(subject, v)))),
        close: async () => undefined,
      };
    },
    subscribe: async (variant, onValues) => {
      const nc = await natsConnect(variant, port, wsPort);
      const messages = await consume(jetstream(nc), stream, onValues);
      return {
        close: async () => {
          await messages.close().catch(() => undefined);
          await nc.close();
        },
      };
    },
    catchUp: async (_variant, count, deadline) => {
      const js = jetstream(await open("native"));
      let read = 0;
      let messages: ConsumerMessages | null = null;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        consume(js, stream, (values) => {
          read += values.length;
          if (read >= count) {
            clearTimeout(timer);
            resolve();
          }
        }).then((m) => (messages = m), reject);
      });
      await (messages as ConsumerMessages | null)?.close().catch(() => undefined);
      return read;
    },
    close: async () => {
      await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
    },
  };
}

/**
 * Starts nats-server (`binary`) with JetStream's file store in `workDir` and a WebSocket
 * listener, on 127.0.0.1.
 *
 * @example
 * const nats = await startNats(which("nats-server")!, dir);
 */
export async function startNats(binary: string, workDir: string): Promise<BenchSystem> {
  const port = await freePort();
  const wsPort = await freePort();
  const storeDir = join(workDir, "jetstream");
  await mkdir(storeDir, { recursive: true });
  const config = [
    `listen: "127.0.0.1:${port}"`,
    `jetstream { store_dir: "${storeDir}" }`,
    `websocket { listen: "127.0.0.1:${wsPort}", no_tls: true }`,
  ].join("\n");
  const configPath = join(workDir, "nats.conf");
  await writeFile(configPath, `${config}\n`);
  const server = spawnPeer("nats", binary, ["-c", configPath], { cwd: workDir });
  let admin: NatsConnection;
  try {
    admin = await waitFor(`nats-server on 127.0.0.1:${port}`, () => natsConnect("native", port, wsPort), NATS_READY_TIMEOUT_MS, 100);
  } catch (error) {
    await server.stop();
    throw new Error(`${(error as Error).message}\n--- nats-server output ---\n${server.output()}`);
  }
  const jsm = await jetstreamManager(admin);
  const version = admin.info?.version ?? "unknown";
  return {
    id: "nats",
    label: "NATS JetStream",
    variants: {
      produce: ["native"],
      batch: ["native", "inbox"],
      latency: [
        { producer: "native", subscriber: "native" },
        { producer: "ws", subscriber: "ws" },
      ],
      catchUp: ["consumer"],
      fanOut: { producer: "native", subscriber: "native" },
      preload: "native",
    },
    describe: () => ({
      server: `nats-server ${version}`,
      config: config.replaceAll("\n", "; "),
      client: "@nats-io/transport-node + @nats-io/jetstream",
    }),
    serverPids: () => [server.pid],
    openLog: async (name) => {
      const stream = name.replace(/[^A-Za-z0-9_-]/g, "_");
      const subject = `bench.${stream}`;
      await jsm.streams.add({ name: stream, subjects: [subject], storage: "file", num_replicas: 1 } as Parameters<
        typeof jsm.streams.add
      >[0]);
      return openNatsLog(port, wsPort, stream, subject);
    },
    stop: async () => {
      await admin.close().catch(() => undefined);
      await server.stop();
    },
  };
}
