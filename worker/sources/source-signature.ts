/**
 * An HTTP source's signature check, with Web Crypto: the HMAC-SHA256 of the raw body under the
 * source's shared secret, in the scheme its configuration names (`sha256=<hex>`, GitHub's; or
 * `t=<unix s>,v1=<hex>` over `"<t>.<body>"`, its `t` within SIGNATURE_TOLERANCE_MS of the clock so
 * a captured delivery cannot be replayed later). `crypto.subtle.verify` compares in constant time;
 * a malformed header is refused before any HMAC is computed, a signature of the wrong length
 * never reaches a comparison.
 *
 * Rules: PROTOCOL.md SOURCE-4.
 *
 * @example
 * const ok = await signatureValid(config, request.headers.get(config.signature.header), body, clock.now());
 */
import { SIGNATURE_TOLERANCE_MS, type SourceConfig } from "../../client/protocol/index.ts";

/** Characters of a signature header read at all (a longer one is refused as malformed). */
const SIGNATURE_HEADER_LENGTH_MAX = 1_024;
/** `v1=` entries of a timestamped header tried (senders rotating secrets send two). */
const SIGNATURE_CANDIDATES_MAX = 4;

const ENCODER = new TextEncoder();

/** 64 hex digits as 32 bytes, or null. */
function hexDigest(hex: string): Uint8Array | null {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return null;
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/**
 * The HMAC-SHA256 key of a secret, for `verify` only.
 *
 * @example
 * const key = await hmacKey("0123456789abcdef");
 */
export function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", ENCODER.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
}

/** `prefix` then `body`, as one buffer. */
function joined(prefix: string, body: Uint8Array): Uint8Array {
  const head = ENCODER.encode(prefix);
  const all = new Uint8Array(head.byteLength + body.byteLength);
  all.set(head, 0);
  all.set(body, head.byteLength);
  return all;
}

/** What a timestamped header says: its `t` in ms and its `v1` digests, or null when malformed. */
function timestamped(header: string): { tMs: number; t: string; digests: Uint8Array[] } | null {
  let t: string | null = null;
  const digests: Uint8Array[] = [];
  for (const part of header.split(",")) {
    const at = part.indexOf("=");
    const name = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (at === -1) return null;
    if (name === "t") {
      if (t !== null || !/^[0-9]{1,12}$/.test(value)) return null;
      t = value;
    } else if (name === "v1") {
      const digest = hexDigest(value);
      if (digest === null) return null;
      if (digests.length < SIGNATURE_CANDIDATES_MAX) digests.push(digest);
    }
  }
  if (t === null || digests.length === 0) return null;
  return { tMs: Number(t) * 1_000, t, digests };
}

/**
 * Whether `header` (the configured signature header's value, or null when absent) signs `body`
 * under `config` at `nowMs` (the tolerance of the timestamped scheme is measured from it).
 *
 * @example
 * await signatureValid(config, "sha256=3f1c...", body, Date.now()); // false unless it is the body's HMAC
 */
export async function signatureValid(
  config: Pick<SourceConfig, "secret" | "signature">,
  header: string | null,
  body: Uint8Array,
  nowMs: number,
  key?: CryptoKey,
): Promise<boolean> {
  if (header === null || header.length > SIGNATURE_HEADER_LENGTH_MAX) return false;
  const hmac = key ?? (await hmacKey(config.secret));
  if (config.signature.scheme === "sha256") {
    const digest = header.startsWith("sha256=") ? hexDigest(header.slice("sha256=".length)) : null;
    return digest !== null && crypto.subtle.verify("HMAC", hmac, digest, body);
  }
  const parsed = timestamped(header);
  if (parsed === null || Math.abs(nowMs - parsed.tMs) > SIGNATURE_TOLERANCE_MS) return false;
  const signed = joined(`${parsed.t}.`, body);
  for (const digest of parsed.digests) if (await crypto.subtle.verify("HMAC", hmac, digest, signed)) return true;
  return false;
}
