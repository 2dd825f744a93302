/**
 * A webhook sender's side of an HTTP source, for the tests: the HMAC-SHA256 signatures of both
 * schemes (SOURCE-4), computed with Web Crypto as a sender would (and as `openssl dgst -sha256
 * -hmac` does), and a delivery sent to the app.
 *
 * @example
 * const headers = { "x-hub-signature-256": await sha256Signature(secret, body), "x-delivery-id": "d-1" };
 * const answer = await sendDelivery("github", body, headers);
 */
import { env } from "cloudflare:workers";
import { app } from "../../worker/index.ts";
import type { Answer } from "./http.ts";

const ENCODER = new TextEncoder();

/** The hex HMAC-SHA256 of `data` under `secret`. */
export async function hmacHex(secret: string, data: string | Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey("raw", ENCODER.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const bytes = typeof data === "string" ? ENCODER.encode(data) : data;
  const mac = await crypto.subtle.sign("HMAC", key, bytes);
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** `sha256=<hex>` of the body (GitHub's X-Hub-Signature-256). */
export async function sha256Signature(secret: string, body: string): Promise<string> {
  return `sha256=${await hmacHex(secret, body)}`;
}

/** `t=<unix s>,v1=<hex of "<t>.<body>">` at `nowMs`. */
export async function timestampedSignature(secret: string, body: string, nowMs: number): Promise<string> {
  const t = Math.floor(nowMs / 1_000);
  return `t=${t},v1=${await hmacHex(secret, `${t}.${body}`)}`;
}

/** POSTs a delivery to a source's events route through the app. */
// biome-ignore lint/suspicious/noExplicitAny: as http.ts's Answer.
export async function sendDelivery(source: string, body: string, headers: Record<string, string>): Promise<Answer<any>> {
  const response = await app.request(`/v1/sources/${source}/events`, { method: "POST", body, headers }, env);
  const text = await response.text();
  return { status: response.status, json: text === "" ? null : JSON.parse(text) };
}
