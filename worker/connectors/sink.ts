/**
 * The one seam between the connector framework and a kind of connector: a sink takes a batch
 * (records of one partition, in offset order) and answers whether it was delivered. The framework
 * (connector-step.ts) does everything else the same for every kind: what to read, the retries and
 * their backoff, the dead-letter topic, the commit after success, the status. A new kind adds a
 * config to client/protocol/connectors.ts and a `Sink` here.
 *
 * Rules: PROTOCOL.md CONNECT-3.
 *
 * @example
 * const outcome = await sinkFor(config, { nowMs, env }).deliver(batch);
 * if (!outcome.ok) console.log(outcome.error); // retried after its backoff
 */
import type { ConnectorConfig, FetchedRecord } from "../../client/protocol/index.ts";
import type { Env } from "../env.ts";
import { archiveSink } from "./archive-sink.ts";
import { webhookSink } from "./webhook-sink.ts";

/**
 * One batch to deliver.
 *
 * @example
 * const batch: Batch = { connector: "orders-hook", topic: "orders", partition: 0, deliveryId: "orders-hook/0/0-9", records };
 */
export interface Batch {
  connector: string;
  topic: string;
  partition: number;
  /** `<name>/<partition>/<first offset>-<last offset>`: the same on every attempt of this batch. */
  deliveryId: string;
  records: readonly FetchedRecord[];
}

/**
 * What a delivery answered: delivered, or a failure to retry (`error` says why, for the status).
 *
 * @example
 * const outcome: DeliveryOutcome = { ok: false, error: "HTTP 503" };
 */
export type DeliveryOutcome = { ok: true } | { ok: false; error: string };

/**
 * A kind of connector's delivery.
 *
 * @example
 * const sink: Sink = { deliver: async () => ({ ok: true }) };
 */
export interface Sink {
  deliver(batch: Batch): Promise<DeliveryOutcome>;
}

/**
 * What a sink may need besides its config: the time (for signatures), passed in, and the env (bindings).
 *
 * @example
 * const context: SinkContext = { nowMs: clock.now(), env };
 */
export interface SinkContext {
  nowMs: number;
  env: Env;
}

/**
 * The sink of `config`'s kind.
 *
 * @example
 * const sink = sinkFor(config, { nowMs: this.clock.now(), env });
 */
export function sinkFor(config: ConnectorConfig, context: SinkContext): Sink {
  switch (config.kind) {
    case "webhook":
      return webhookSink(config, context);
    case "archive":
      return archiveSink(config, context);
  }
}
