/**
 * Helpers for the group consumer's tests: timers fired by hand (so an auto-commit happens when
 * the test says, and no test sleeps for one), a WebSocket class that can hold a group socket's
 * incoming frames (a member that misses a rebalance: a zombie) or keep its pings from the server
 * (its session expires: 4408) while logging every socket's frames and close codes, and a log of
 * the records each member processed, with its duplicates.
 *
 * @example
 * const timers = manualTimers();
 * const sockets = controlledSockets();
 * const consumer = client.consumer({ group, topic, timers });
 * await waitFor("an auto-commit", () => timers.count(AUTO_COMMIT_INTERVAL_MS) || undefined, WAIT_MS);
 * timers.fire(AUTO_COMMIT_INTERVAL_MS);
 */
import { WebSocket } from "ws";
import type { ConsumerTimers, TopicRecord, WebSocketClass, WebSocketLike } from "../../client/index.ts";
import { PING, PONG } from "../../client/index.ts";
import { WAIT_MS } from "./client-harness.ts";
import { waitFor } from "./runtime.ts";

/** Frames held at most (a test holds a handful). */
const HELD_FRAMES_MAX = 1_000;

/**
 * Timers that fire only when the test fires them.
 *
 * @example
 * const timers = manualTimers();
 * timers.fire(5_000); // runs every pending 5 s timer
 */
export interface ManualTimers extends ConsumerTimers {
  /** Runs (and forgets) every pending timer of `ms`; answers how many ran. */
  fire(ms: number): number;
  /** How many timers of `ms` are pending. */
  count(ms: number): number;
}

/**
 * Makes ManualTimers.
 *
 * @example
 * const consumer = client.consumer({ group, topic, timers: manualTimers() });
 */
export function manualTimers(): ManualTimers {
  const pending = new Map<number, { callback: () => void; ms: number }>();
  let counter = 0;
  return {
    setTimeout: (callback, ms) => {
      pending.set(++counter, { callback, ms });
      return counter;
    },
    clearTimeout: (handle) => {
      pending.delete(handle as number);
    },
    fire: (ms) => {
      const due = [...pending].filter(([, timer]) => timer.ms === ms);
      for (const [id, timer] of due) {
        pending.delete(id);
        timer.callback();
      }
      return due.length;
    },
    count: (ms) => [...pending.values()].filter((timer) => timer.ms === ms).length,
  };
}

/**
 * Sockets a test can interfere with (group sockets only), and what every socket did.
 *
 * @example
 * const sockets = controlledSockets();
 * sockets.freezeGroups(); // assignments wait
 * sockets.release();
 */
export interface SocketControl {
  WebSocket: WebSocketClass;
  /** Holds every group socket's incoming frames but pongs, until `release`. */
  freezeGroups(): void;
  /** Delivers the held frames in order and stops holding. */
  release(): void;
  /** While on, group sockets' pings never reach the server (each is answered here with a pong). */
  silenceGroupPings(on: boolean): void;
  /** Every close a server sent, in order. */
  closes: { url: string; code: number }[];
  /** Every frame the client sent (parsed, pings aside). */
  sent: { url: string; message: Record<string, unknown> }[];
}

/**
 * Makes a SocketControl over the `ws` package.
 *
 * @example
 * const sockets = controlledSockets();
 * rig.client({ WebSocket: sockets.WebSocket });
 */
export function controlledSockets(): SocketControl {
  let frozen = false;
  let silent = false;
  const held: (() => void)[] = [];
  const closes: SocketControl["closes"] = [];
  const sent: SocketControl["sent"] = [];
  const isGroup = (url: string): boolean => /\/v1\/groups\/[^/]+\/ws$/.test(url);

  class ControlledSocket implements WebSocketLike {
    onopen: ((event: never) => void) | null = null;
    onmessage: ((event: never) => void) | null = null;
    onclose: ((event: never) => void) | null = null;
    onerror: ((event: never) => void) | null = null;
    private readonly ws: WebSocket;
    private readonly url: string;

    constructor(url: string) {
      this.url = url;
      this.ws = new WebSocket(url);
      this.ws.onopen = (event) => this.onopen?.(event as never);
      this.ws.onerror = (event) => this.onerror?.(event as never);
      this.ws.onclose = (event) => {
        closes.push({ url, code: event.code });
        this.onclose?.(event as never);
      };
      this.ws.onmessage = (event) => {
        const deliver = (): void => this.onmessage?.({ data: event.data } as never);
        if (frozen && isGroup(url) && event.data !== PONG && held.length < HELD_FRAMES_MAX) held.push(deliver);
        else deliver();
      };
    }

    get readyState(): number {
      return this.ws.readyState;
    }

    send(data: string): void {
      if (data === PING && silent && isGroup(this.url)) {
        queueMicrotask(() => this.onmessage?.({ data: PONG } as never));
        return;
      }
      if (data !== PING) sent.push({ url: this.url, message: JSON.parse(data) as Record<string, unknown> });
      this.ws.send(data);
    }

    close(code?: number, reason?: string): void {
      this.ws.close(code, reason);
    }
  }

  return {
    WebSocket: ControlledSocket,
    freezeGroups: () => {
      frozen = true;
    },
    release: () => {
      frozen = false;
      for (const deliver of held.splice(0)) deliver();
    },
    silenceGroupPings: (on) => {
      silent = on;
    },
    closes,
    sent,
  };
}

/**
 * One processed record: which member processed which offset.
 *
 * @example
 * const entry: Processed = { by: "a", partition: 0, offset: 3 };
 */
export interface Processed {
  by: string;
  partition: number;
  offset: number;
}

/**
 * What members processed.
 *
 * @example
 * const log = processedLog();
 * await consumer.run({ eachRecord: log.by("a") });
 * await log.waitForDistinct(40);
 */
export interface ProcessedLog {
  entries: Processed[];
  /** An eachRecord that logs under `member`. */
  by(member: string): (record: TopicRecord) => Promise<void>;
  /** Waits until `count` distinct (partition, offset) pairs were processed. */
  waitForDistinct(count: number): Promise<void>;
  /** The pairs processed more than once, as "partition@offset". */
  duplicates(): string[];
  /** The distinct offsets processed on `partition`, ascending. */
  offsets(partition: number): number[];
}

/**
 * Makes a ProcessedLog.
 *
 * @example
 * const log = processedLog();
 */
export function processedLog(): ProcessedLog {
  const entries: Processed[] = [];
  const keys = (): string[] => entries.map((e) => `${e.partition}@${e.offset}`);
  return {
    entries,
    by: (member) => async (record) => {
      entries.push({ by: member, partition: record.partition, offset: record.offset });
    },
    waitForDistinct: async (count) => {
      await waitFor(
        `${count} distinct records processed (have ${new Set(keys()).size})`,
        () => (new Set(keys()).size >= count ? true : undefined),
        WAIT_MS,
        20,
      );
    },
    duplicates: () => {
      const seen = new Map<string, number>();
      for (const key of keys()) seen.set(key, (seen.get(key) ?? 0) + 1);
      return [...seen].filter(([, n]) => n > 1).map(([key]) => key);
    },
    offsets: (partition) => [...new Set(entries.filter((e) => e.partition === partition).map((e) => e.offset))].sort((a, b) => a - b),
  };
}
