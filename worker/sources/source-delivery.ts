/**
 * One delivery to an HTTP source, inside its Source object, one at a time: the signature is
 * verified first (a refusal is counted and stores nothing else), then the delivery id is read
 * (the configured header, else `sha256:<hex of the body>`), an unsettled intent of an earlier
 * delivery is settled, and a remembered id answers its original offset (`duplicate: true`)
 * without appending. A new delivery is mapped to its record, its partition chosen (the
 * configured one, else the key's, else the one the source's producer id hashes to, PART-1) and
 * appended through produce() (so the topic's schema, quotas and limits apply as on every produce
 * path) as the source's idempotent producer, with the sequence its intent stored first. A crash
 * after the intent is settled by the next delivery or configuration: the same request resent
 * with the same sequence either lands or is recognised as a retry (PRODUCER-3), so the topic holds
 * each delivery once and its id is remembered with the offset it got.
 *
 * Rules: PROTOCOL.md SOURCE-4, SOURCE-5, SOURCE-6, SOURCE-7, SOURCE-8.
 *
 * @example
 * const answer = await deliver(context, { headers, body });
 */
import { EdgelogError, parseProduceRequest, partitionForKey, SOURCE_DELIVERY_ID_LENGTH_MAX } from "../../client/protocol/index.ts";
import type { Env } from "../env.ts";
import type { ProducePrincipal } from "../partition/partition-api.ts";
import { produce } from "../produce.ts";
import { invariant } from "../result.ts";
import { checkPartition, getTopic } from "../topics.ts";
import { mapDelivery } from "./source-mapping.ts";
import { signatureValid } from "./source-signature.ts";
import type { DeliveryRow, SourceLine, SourceState } from "./source-state.ts";

/**
 * A delivery as the route hands it to the object: the request's headers (names lower-cased)
 * and its raw body.
 *
 * @example
 * const delivery: Delivery = { headers: Object.fromEntries(request.headers), body: new Uint8Array(await request.arrayBuffer()) };
 */
export interface Delivery {
  headers: Record<string, string>;
  body: Uint8Array;
}

/**
 * Where a delivery landed: 202 when it was appended now, 200 with `duplicate` for a redelivery.
 *
 * @example
 * const { topic, partition, offset, duplicate } = answer;
 */
export interface DeliveryAnswer {
  topic: string;
  partition: number;
  offset: number;
  duplicate: boolean;
  deliveryId: string;
}

/**
 * What a delivery runs with: the object's env, state, time and transaction, and the HMAC key of
 * the current secret.
 *
 * @example
 * const context: DeliveryContext = { env, state, nowMs: clock.now(), transaction: (body) => ctx.storage.transactionSync(body), key };
 */
export interface DeliveryContext {
  env: Env;
  state: SourceState;
  nowMs: number;
  transaction: (body: () => void) => void;
  key: CryptoKey;
}

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The idempotent producer id of a source's configuration on a topic incarnation (NAME-4: at most
 * 128 characters): a new configuration, or the topic created again, is a new producer.
 *
 * @example
 * await sourceProducerId("github", "3b1f...", "5f0c..."); // "source.github.9a0c4e1b2d3f4a5b"
 */
export async function sourceProducerId(name: string, incarnation: string, topicId: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${incarnation}/${topicId}`));
  return `source.${name}.${hex(digest).slice(0, 16)}`;
}

/**
 * The principal a source's appends are charged to (QUOTA-1's defaults): its senders hold no token.
 *
 * @example
 * sourcePrincipal("github"); // { sub: "source:github", quota: null }
 */
export function sourcePrincipal(name: string): ProducePrincipal {
  return { sub: `source:${name}`, quota: null };
}

/** The delivery id: the configured header's value, else the body's SHA-256. */
async function deliveryIdOf(line: SourceLine, delivery: Delivery): Promise<string> {
  const sent = delivery.headers[line.config.deliveryIdHeader];
  if (sent === undefined) return `sha256:${hex(await crypto.subtle.digest("SHA-256", delivery.body))}`;
  if (sent.length === 0 || sent.length > SOURCE_DELIVERY_ID_LENGTH_MAX) {
    throw new EdgelogError("INVALID_REQUEST", `${line.config.deliveryIdHeader} must be 1 to ${SOURCE_DELIVERY_ID_LENGTH_MAX} characters`);
  }
  return sent;
}

/** Appends an intent's request; an EdgelogError from the append (nothing stored, ERROR-3) abandons it. */
async function append(context: DeliveryContext, line: SourceLine, row: DeliveryRow): Promise<number> {
  invariant(row.request !== null, "an intent holds its request");
  try {
    const parsed = parseProduceRequest(JSON.parse(row.request));
    const produced = await produce(context.env, row.topic, parsed, row.partition, sourcePrincipal(line.name));
    const offset = produced.ranges[0]?.baseOffset;
    invariant(offset !== undefined, "an append of one record answers its offset");
    context.state.complete(row.deliveryId, offset, context.nowMs);
    return offset;
  } catch (error) {
    // A refusal with a code stored nothing; anything else may have landed: the intent stays, to resend.
    if (error instanceof EdgelogError && error.code !== "INTERNAL") context.state.abandon(row);
    throw error;
  }
}

/**
 * Settles the intent an earlier delivery left (a crash, or a failure that may have landed): the
 * same request, the same sequence. Answers nothing; throws what the resend threw.
 *
 * @example
 * await settlePending(context, line);
 */
export async function settlePending(context: DeliveryContext, line: SourceLine): Promise<void> {
  const pending = context.state.pending();
  if (pending !== null) await append(context, line, pending);
}

/** Appends a new delivery: its record, partition and sequence, the intent first. */
async function appendNew(context: DeliveryContext, line: SourceLine, delivery: Delivery, deliveryId: string): Promise<DeliveryAnswer> {
  const { config } = line;
  const record = mapDelivery(line.name, config, delivery.headers, delivery.body, deliveryId);
  const meta = await getTopic(context.env, config.topic);
  const producerId = await sourceProducerId(line.name, line.incarnation, meta.topicId);
  const partition = config.partition ?? partitionForKey(record.key ?? producerId, meta.partitions);
  checkPartition(meta, partition);
  const sequence = context.state.nextSequence(meta.topicId, partition);
  const request = { records: [record], producer: { id: producerId, epoch: 0, sequence } };
  parseProduceRequest(request); // refused here (RECORD_TOO_LARGE, INVALID_RECORD), no intent is stored
  const row: DeliveryRow = {
    deliveryId,
    receivedMs: context.nowMs,
    topic: config.topic,
    topicId: meta.topicId,
    partition,
    sequence,
    offset: null,
    request: JSON.stringify(request),
  };
  context.state.intend(row, context.transaction);
  const offset = await append(context, line, row);
  return { topic: config.topic, partition, offset, duplicate: false, deliveryId };
}

/**
 * Runs one delivery to the configured source `line`.
 *
 * @example
 * const { offset, duplicate } = await deliver(context, line, { headers, body });
 */
export async function deliver(context: DeliveryContext, line: SourceLine, delivery: Delivery): Promise<DeliveryAnswer> {
  const { state, nowMs } = context;
  const { config } = line;
  const header = delivery.headers[config.signature.header] ?? null;
  if (!(await signatureValid(config, header, delivery.body, nowMs, context.key))) {
    state.count("refused_signatures", nowMs);
    const how = config.signature.scheme === "sha256" ? "sha256=<hex HMAC-SHA256 of the body>" : "t=<unix s>,v1=<hex HMAC-SHA256 of t.body>";
    throw new EdgelogError("INVALID_SIGNATURE", `${config.signature.header} must be ${how} under the source's secret (SOURCE-4)`);
  }
  const deliveryId = await deliveryIdOf(line, delivery);
  await settlePending(context, line);
  state.evict(nowMs, config.dedupeWindowMs);
  const seen = state.seen(deliveryId);
  if (seen !== null && seen.offset !== null) {
    state.count("duplicates", nowMs);
    return { topic: seen.topic, partition: seen.partition, offset: seen.offset, duplicate: true, deliveryId };
  }
  return appendNew(context, line, delivery, deliveryId);
}
