/**
 * The webhook sink: a batch is one POST of `{connector, topic, partition, records}` as JSON to the
 * configured URL, with the delivery id header (the same on every attempt of the batch) and a
 * signature header `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>`. Any
 * 2xx answer delivers it; any other status (redirects are not followed), a network failure, or no
 * status within DELIVERY_TIMEOUT_MS is a failure to retry. The answer's body is never read.
 *
 * Rules: PROTOCOL.md CONNECT-5, CONNECT-6.
 *
 * @example
 * const outcome = await webhookSink(config, { nowMs, env }).deliver(batch);
 */
import { DELIVERY_ID_HEADER, DELIVERY_TIMEOUT_MS, SIGNATURE_HEADER, type WebhookConfig } from "../../client/protocol/index.ts";
import type { Batch, DeliveryOutcome, Sink, SinkContext } from "./sink.ts";

/**
 * The signature header's value for `body` sent at `unixSeconds`.
 *
 * @example
 * await signatureHeader("0123456789abcdef", 1_767_225_600, '{"records":[]}'); // "t=1767225600,v1=…"
 */
export async function signatureHeader(secret: string, unixSeconds: number, body: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`${unixSeconds}.${body}`)));
  let hex = "";
  for (const byte of mac) hex += byte.toString(16).padStart(2, "0");
  return `t=${unixSeconds},v1=${hex}`;
}

/**
 * The JSON body of a batch's delivery.
 *
 * @example
 * deliveryBody(batch); // '{"connector":"orders-hook","topic":"orders","partition":0,"records":[...]}'
 */
export function deliveryBody(batch: Batch): string {
  return JSON.stringify({ connector: batch.connector, topic: batch.topic, partition: batch.partition, records: batch.records });
}

/**
 * The sink for one webhook configuration.
 *
 * @example
 * const sink = webhookSink(config, { nowMs: clock.now(), env });
 */
export function webhookSink(config: WebhookConfig, context: SinkContext): Sink {
  return {
    async deliver(batch: Batch): Promise<DeliveryOutcome> {
      const body = deliveryBody(batch);
      const signature = await signatureHeader(config.secret, Math.floor(context.nowMs / 1000), body);
      let response: Response;
      try {
        response = await fetch(config.url, {
          method: "POST",
          headers: {
            ...config.headers,
            "content-type": "application/json",
            [DELIVERY_ID_HEADER]: batch.deliveryId,
            [SIGNATURE_HEADER]: signature,
          },
          body,
          redirect: "manual",
          signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
        });
      } catch (error) {
        const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
        return { ok: false, error: timedOut ? `no answer within ${DELIVERY_TIMEOUT_MS} ms` : `request failed: ${String(error)}` };
      }
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return { ok: true };
      return { ok: false, error: `HTTP ${response.status}${response.statusText === "" ? "" : ` ${response.statusText}`}` };
    },
  };
}
