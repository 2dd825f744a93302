/**
 * Forks (`PUT` with `Stream-Forked-From`): copy-on-fork. The fork's object asks the source's
 * object for a snapshot (its config, and its messages up to the fork offset, plus a sub-offset's
 * prefix of the next append: that many JSON messages, or that many bytes); the source counts the
 * fork as a reference, so a delete while forks exist soft-deletes it (410, its path held) and the
 * last fork's delete or expiry wipes it. The fork stores the copy as its own batches and is from
 * then on an independent stream (open, with no producer or Stream-Seq state); it accepts the
 * source's offsets up to the fork point too. A snapshot is at most STREAM_FORK_BYTES_MAX stored.
 *
 * Rules: PROTOCOL.md STREAM-18, STREAM-19.
 *
 * @example
 * const snapshot = forkSnapshot(store, { offset: null, subOffset: 0, contentType: null }, Date.now());
 */
import { EdgelogError, STREAM_APPEND_BYTES_MAX, STREAM_FORK_BYTES_MAX } from "../../client/protocol/index.ts";
import { readBodyBytes } from "../middleware/json-body.ts";
import { type BatchRow, storedBatch } from "../partition/stored-batch.ts";
import { streamAnswer } from "./stream-answers.ts";
import { createConfig, STREAM_HEADER } from "./stream-headers.ts";
import { appendTails, isJsonMode, mediaType, renderBytes } from "./stream-messages.ts";
import { expiryMs, type ForkInfo } from "./stream-meta.ts";
import { parseStreamOffset } from "./stream-offsets.ts";
import type { StreamConfig, StreamStore } from "./stream-store.ts";
import type { StreamHost } from "./stream-writes.ts";

/**
 * What a fork asks of its source.
 *
 * @example
 * const ask: ForkAsk = { offset: null, subOffset: 0, contentType: null }; // the source's tail, its content type
 */
export interface ForkAsk {
  /** Stream-Fork-Offset as given, or null for the source's tail. */
  offset: string | null;
  subOffset: number;
  /** The fork's Content-Type, or null to inherit the source's. */
  contentType: string | null;
}

/**
 * What the source answers: its config and incarnation, the fork position, and the batches to copy.
 *
 * @example
 * const snapshot: ForkSnapshot = { contentType: "text/plain", ttlSeconds: null, expiresAt: null, expiresAtMs: null, incarnation: 1, position: 0, batches: [] };
 */
export interface ForkSnapshot {
  contentType: string;
  ttlSeconds: number | null;
  expiresAt: string | null;
  expiresAtMs: number | null;
  incarnation: number;
  position: number;
  /** The copied messages as record tails, one array per batch (the last one the sub-offset's prefix). */
  batches: string[][];
}

/**
 * Whether a Stream-Fork-Offset names the start: `-1`, or a token of zeros only (`0_0` in any
 * width, the zero offset other servers issue and the conformance suite sends).
 *
 * @example
 * isStartOffset("0000000000000000_0000000000000000"); // true
 */
export function isStartOffset(offset: string): boolean {
  return offset === "-1" || /^0{1,16}_0{1,16}$/.test(offset);
}

/** The tail of a stored record: its value again, as stream-messages.ts writes it. */
function tailOf(value: unknown): string {
  return `"key":null,"value":${JSON.stringify(value)},"headers":{}}`;
}

/**
 * The source's side: validates the ask, builds the snapshot and counts the reference.
 *
 * @example
 * const snapshot = forkSnapshot(store, { offset: "0000000000001_0000000000000002", subOffset: 0, contentType: null }, now);
 */
export function forkSnapshot(store: StreamStore, ask: ForkAsk, nowMs: number): ForkSnapshot {
  if (store.softDeleted) throw new EdgelogError("STREAM_EXISTS", "the source was deleted and is kept only for its forks");
  const meta = store.require(nowMs);
  if (ask.contentType !== null && mediaType(ask.contentType) !== mediaType(meta.contentType)) {
    throw new EdgelogError("STREAM_CONFLICT", `the source's content type is ${meta.contentType}`);
  }
  let position = store.tail;
  if (ask.offset !== null && isStartOffset(ask.offset)) position = 0;
  else if (ask.offset !== null) {
    const parsed = parseStreamOffset(ask.offset);
    if (parsed === null || parsed.incarnation !== meta.incarnation || parsed.position > store.tail) {
      throw new EdgelogError("INVALID_PARAMETER", "Stream-Fork-Offset must be an offset of the source, at most its tail");
    }
    position = parsed.position;
  }
  const batches = copyBatches(store, position);
  if (ask.subOffset > 0) batches.push(subOffsetPrefix(store, position, ask.subOffset, isJsonMode(meta.contentType)));
  store.addFork();
  const { contentType, ttlSeconds, expiresAt, expiresAtMs, incarnation } = meta;
  return { contentType, ttlSeconds, expiresAt, expiresAtMs, incarnation, position, batches };
}

/** The stored batches' values below `position`, as tails, one array per batch. */
function copyBatches(store: StreamStore, position: number): string[][] {
  const rows = store.sql
    .exec<BatchRow>(
      "SELECT base_offset, record_count, payload, records_bytes, record_ends FROM batches WHERE base_offset < ? ORDER BY base_offset",
      position,
    )
    .toArray();
  let bytes = 0;
  return rows.map((row) => {
    bytes += row.payload.length;
    if (bytes > STREAM_FORK_BYTES_MAX) throw new EdgelogError("REQUEST_TOO_LARGE", `a fork copies at most ${STREAM_FORK_BYTES_MAX} bytes`);
    const batch = storedBatch(row);
    const records = JSON.parse(`[${batch.json}]`) as { offset: number; value: unknown }[];
    return records.filter((record) => record.offset < position).map((record) => tailOf(record.value));
  });
}

/** The sub-offset's prefix of the append at `position`: that many messages (JSON) or bytes. */
function subOffsetPrefix(store: StreamStore, position: number, subOffset: number, json: boolean): string[] {
  const row = store.sql
    .exec<BatchRow>(
      "SELECT base_offset, record_count, payload, records_bytes, record_ends FROM batches WHERE base_offset <= ? ORDER BY base_offset DESC LIMIT 1",
      position,
    )
    .toArray()[0];
  const overshoot = new EdgelogError("INVALID_PARAMETER", "Stream-Fork-Sub-Offset is past the end of the append at the fork offset");
  if (row === undefined || row.base_offset + row.record_count <= position) throw overshoot;
  const records = (JSON.parse(`[${storedBatch(row).json}]`) as { offset: number; value: unknown }[]).filter((r) => r.offset >= position);
  if (json) {
    if (subOffset > records.length) throw overshoot;
    return records.slice(0, subOffset).map((record) => tailOf(record.value));
  }
  const bytes = renderBytes(JSON.stringify(records));
  if (subOffset > bytes.byteLength) throw overshoot;
  return appendTails(bytes.subarray(0, subOffset), false, false);
}

/**
 * Stream-Forked-From, Stream-Fork-Offset and Stream-Fork-Sub-Offset, or null for a plain create.
 *
 * @example
 * forkHeaders(new Headers({ "stream-forked-from": "/v1/stream/a" })); // { source: "a", offset: null, subOffset: 0 }
 */
export function forkHeaders(headers: Headers): { source: string; offset: string | null; subOffset: number } | null {
  const from = headers.get(STREAM_HEADER.forkedFrom);
  const offset = headers.get("stream-fork-offset");
  const sub = headers.get("stream-fork-sub-offset");
  if (from === null) {
    if (sub !== null || offset !== null)
      throw new EdgelogError("INVALID_PARAMETER", "Stream-Fork-Offset and Stream-Fork-Sub-Offset need Stream-Forked-From");
    return null;
  }
  const at = from.indexOf("/v1/stream/");
  const source = at === -1 ? from.replace(/^\/+/, "") : from.slice(at + "/v1/stream/".length);
  if (source === "" || source.startsWith("topics/"))
    throw new EdgelogError("INVALID_PARAMETER", "Stream-Forked-From must name a stream below /v1/stream/");
  if (offset !== null && !isStartOffset(offset) && parseStreamOffset(offset) === null)
    throw new EdgelogError("INVALID_PARAMETER", "Stream-Fork-Offset is not an offset");
  if (sub !== null && !/^(0|[1-9][0-9]{0,15})$/.test(sub))
    throw new EdgelogError("INVALID_PARAMETER", "Stream-Fork-Sub-Offset must be a whole number");
  return { source, offset, subOffset: sub === null ? 0 : Number(sub) };
}

/** The fork's config: what the request says, the rest from the source (the protocol's expiry table). */
function forkConfig(
  headers: Headers,
  snapshot: Pick<ForkSnapshot, "contentType" | "ttlSeconds" | "expiresAt" | "expiresAtMs">,
): StreamConfig {
  const asked = createConfig(headers);
  const ownExpiry = asked.ttlSeconds !== null || asked.expiresAt !== null;
  return {
    contentType: headers.has("content-type") ? asked.contentType : snapshot.contentType,
    ttlSeconds: ownExpiry ? asked.ttlSeconds : snapshot.ttlSeconds,
    expiresAt: ownExpiry ? asked.expiresAt : snapshot.expiresAt,
    expiresAtMs: ownExpiry ? asked.expiresAtMs : snapshot.expiresAtMs,
    closed: asked.closed,
  };
}

/**
 * The fork's side of a PUT: 200 when this fork exists as asked, else the snapshot from the
 * source (its errors as they are), the copy stored as a new incarnation, then the body appended.
 *
 * @example
 * return createFork(host, request, fork, (name, ask) => env.STREAM.getByName(name).forkSnapshot(ask));
 */
export async function createFork(
  host: StreamHost,
  request: Request,
  fork: { source: string; offset: string | null; subOffset: number },
  snapshotOf: (source: string, ask: ForkAsk) => Promise<ForkSnapshot>,
): Promise<Response> {
  const { store } = host;
  const body = await readBodyBytes(request, { bytesMax: STREAM_APPEND_BYTES_MAX });
  const asked: ForkInfo = { source: fork.source, incarnation: 0, position: -1, offset: fork.offset, subOffset: fork.subOffset };
  const present = store.current(host.now());
  if (present !== null || store.softDeleted) {
    const existing = store.existing(forkConfig(request.headers, present ?? snapshotDefaults()), asked, host.now());
    if (existing !== null)
      return streamAnswer(null, 200, { "content-type": existing.contentType, [STREAM_HEADER.nextOffset]: store.offset(store.tail) });
  }
  const snapshot = await snapshotOf(fork.source, {
    offset: fork.offset,
    subOffset: fork.subOffset,
    contentType: request.headers.get("content-type"),
  });
  const config = forkConfig(request.headers, snapshot);
  const tails = body.byteLength === 0 ? [] : appendTails(body, isJsonMode(config.contentType), true);
  const info: ForkInfo = { ...asked, incarnation: snapshot.incarnation, position: snapshot.position };
  const meta = store.start(config, info, [...snapshot.batches, tails], host.now(), snapshot.incarnation);
  const expires = expiryMs(meta);
  if (expires !== null) host.armExpiry(expires);
  const headers: Record<string, string> = {
    "content-type": meta.contentType,
    [STREAM_HEADER.nextOffset]: store.offset(store.tail),
    location: request.url,
  };
  if (meta.closed) headers[STREAM_HEADER.closed] = "true";
  return streamAnswer(null, 201, headers);
}

/** A placeholder source config for comparing a soft-deleted path (the comparison refuses it anyway). */
function snapshotDefaults(): Pick<ForkSnapshot, "contentType" | "ttlSeconds" | "expiresAt" | "expiresAtMs"> {
  return { contentType: "application/octet-stream", ttlSeconds: null, expiresAt: null, expiresAtMs: null };
}
