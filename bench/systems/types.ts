/**
 * What the bench needs from each system it measures (edgelog under wrangler dev, edgelog on the
 * Miniflare API, Redis Streams, NATS JetStream, the Durable Streams server). Scenarios are
 * written once against these few primitives, so every system runs the same loops, the same
 * events and the same bounds; only the wire differs.
 *
 * @example
 * const log = await system.openLog("serial-3");
 * const producer = await log.producer("ws");
 * await producer.send([eventJson(0, performance.now())]); // resolves on the system's ack
 */
import type { PartitionStats } from "../../client/protocol/index.ts";

/** The systems, in the order they are measured. */
export type SystemId =
  | "edgelog-wrangler"
  | "edgelog-miniflare"
  | "floor-wrangler"
  | "floor-miniflare"
  | "node-relay"
  | "redis"
  | "redis-always"
  | "nats"
  | "durable-streams"
  | "edgelog-streams";

/** Who a measurement is of: a system, or edgelog's browser client alone (scenario 6, no server). */
export type MeasuredId = SystemId | "edgelog-browser";

/** What the runner needs of what it measures (a BenchSystem, or the browser client's stand-in). */
export interface MeasuredSubject {
  id: MeasuredId;
  label: string;
  /** Root pids of its server processes, for CPU accounting (none for the browser client). */
  serverPids(): number[];
  diagnostics?(): string;
}

/**
 * Rows read and written by SQLite, as the partition's stats route measures them; `startedAt`
 * changing between two readings means the object restarted.
 */
export type MeterReading = Pick<PartitionStats, "rowsWritten" | "rowsRead" | "startedAt">;

/** Requests and WebSocket messages the bench sent to edgelog (what Cloudflare bills). */
export interface WireCounts {
  /** HTTP requests, WebSocket upgrades included. */
  httpRequests: number;
  /** WebSocket messages client -> server (billed 20:1 as requests). */
  wsMessagesIn: number;
  /** WebSocket messages server -> client (free). */
  wsMessagesOut: number;
}

/** A producer on one log: `send` resolves once the system acknowledged every value. */
export interface Producer {
  /** Appends these JSON texts, in order, as one request/batch; resolves on the ack. */
  send(values: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** A live subscription; the callback got every value so far, decoded. */
export interface Subscription {
  close(): Promise<void>;
}

/** Called with decoded events as they arrive, in order. */
export type OnValues = (values: unknown[]) => void;

/** One log (an edgelog topic partition, a Redis stream, a JetStream stream, a Durable Stream). */
export interface LogHandle {
  /** A producer speaking `variant` (e.g. "http", "ws", "native"). */
  producer(variant: string): Promise<Producer>;
  /**
   * Subscribes from the start of the log (logs are fresh per run, so the start is the live end
   * without racing the first append) and resolves once the subscription is registered.
   */
  subscribe(variant: string, onValues: OnValues): Promise<Subscription>;
  /**
   * Reads the first `count` events from offset 0 by `variant`, decoding each; answers how many it
   * read. With `frames`, a socket catch-up also keeps there the text of every frame it received.
   */
  catchUp(variant: string, count: number, deadline: number, frames?: string[]): Promise<number>;
  /** edgelog only: the partition's measured rows. */
  meter?(): Promise<MeterReading>;
  /** edgelog only: requests and messages sent so far on this log. */
  wire?(): WireCounts;
  /** Drops the log's resources on the client (server data is left to the temp dir's removal). */
  close(): Promise<void>;
}

/** Which variants a system speaks, per role. */
export interface Variants {
  /** Producers for serial produce. */
  produce: string[];
  /** Producers for batched produce. */
  batch: string[];
  /** Producer and subscriber pairs for end-to-end latency. */
  latency: { producer: string; subscriber: string }[];
  /** Ways to read 100k stored events (none: no catch-up, and no preload). */
  catchUp: string[];
  /** The producer and subscriber used for fan-out (absent: no fan-out). */
  fanOut?: { producer: string; subscriber: string };
  /** Producers for the concurrent-producers scenario (each of them serial; absent: not run). */
  concurrent?: string[];
  /** The producer used to store the catch-up events (fast, batched). */
  preload: string;
}

/** A system under test, started and stopped by the bench. */
export interface BenchSystem {
  id: SystemId;
  /** For the table, e.g. "edgelog (wrangler dev)". */
  label: string;
  variants: Variants;
  /** edgelog only: its base URL, for the overhead probes that look inside a request. */
  url?: string;
  /** Version and settings, for the JSON result. */
  describe(): Record<string, string>;
  /** The tail of its server's output, shown when a run fails (wrangler dev only). */
  diagnostics?(): string;
  /** Root pids of its server processes, for CPU accounting. */
  serverPids(): number[];
  /** A fresh, empty log called `name` (unique per run). */
  openLog(name: string): Promise<LogHandle>;
  stop(): Promise<void>;
}
