/**
 * The archive sink: a batch is one object in the deployment's R2 bucket (binding ARCHIVE), at
 * `<prefix>/<topic>/<partition>/<first offset>-<last offset>.ndjson` (20 digits each), holding one
 * record per line as `{offset, timestamp, key, value, headers}` JSON. Every attempt of a batch
 * writes the same key with the same bytes, so a repeat after a crash replaces the object with
 * itself. The put's acknowledgement delivers the batch (the framework commits only then); a put
 * that throws, or a deployment whose binding is gone, is a failure to retry.
 *
 * Rules: PROTOCOL.md CONNECT-10.
 *
 * @example
 * const outcome = await archiveSink(config, { nowMs, env }).deliver(batch);
 */
import { type ArchiveConfig, archiveKey } from "../../client/protocol/index.ts";
import type { Batch, DeliveryOutcome, Sink, SinkContext } from "./sink.ts";

/**
 * The NDJSON text of a batch: one record per line, each line ending in `\n`.
 *
 * @example
 * archiveText(batch); // '{"offset":0,"timestamp":...,"key":"a","value":1,"headers":{}}\n...'
 */
export function archiveText(batch: Batch): string {
  let text = "";
  for (const { offset, timestamp, key, value, headers } of batch.records) {
    text += `${JSON.stringify({ offset, timestamp, key, value, headers })}\n`;
  }
  return text;
}

/**
 * The sink for one archive configuration.
 *
 * @example
 * const sink = archiveSink(config, { nowMs: clock.now(), env });
 */
export function archiveSink(config: ArchiveConfig, context: SinkContext): Sink {
  return {
    async deliver(batch: Batch): Promise<DeliveryOutcome> {
      const bucket = context.env.ARCHIVE;
      if (bucket === undefined) return { ok: false, error: "ARCHIVE_UNBOUND: this Worker has no R2 binding ARCHIVE" };
      const first = batch.records[0]?.offset ?? 0;
      const last = batch.records[batch.records.length - 1]?.offset ?? first;
      const key = archiveKey(config.prefix, batch.topic, batch.partition, first, last);
      try {
        await bucket.put(key, archiveText(batch), {
          httpMetadata: { contentType: "application/x-ndjson" },
          customMetadata: { connector: batch.connector, deliveryId: batch.deliveryId },
        });
      } catch (error) {
        return { ok: false, error: `R2 put failed: ${String(error)}` };
      }
      return { ok: true };
    },
  };
}
