/**
 * Sends one partition's batches for `edgelog produce`, one at a time and in order, as an
 * idempotent producer whose sequences the CLI keeps: batch after batch, `sequence` is the
 * partition's count of records before it (PRODUCER-2), under one producer id and epoch 0.
 *
 * That makes a rerun of the same input under the same `--producer-id` safe: every batch the
 * earlier run appended comes back `duplicate` (PRODUCER-3) or DUPLICATE_SEQUENCE (PRODUCER-4)
 * and appends nothing. A batch whose boundaries differ from the earlier run's (linger cut it at
 * another record) may straddle the server's next sequence: DUPLICATE_SEQUENCE or
 * OUT_OF_ORDER_SEQUENCE on a batch of several records is then resolved by sending its records
 * one by one: each is either below the next sequence (answered as delivered, appends nothing) or
 * the next one (appended; the rest of the batch then goes as one request, at the next sequence).
 * No gap is possible, since batches go in order, each after the one before was answered, so
 * every record below a batch's first sequence is stored.
 *
 * Retriable failures (NETWORK, TIMEOUT, QUOTA_EXCEEDED) resend the same batch, which idempotence
 * makes safe, up to SEND_ATTEMPTS_MAX times.
 *
 * @example
 * const sender = new PartitionSender({ admin: client.admin, topic: "orders", partition: 0, producerId: "load-1", sleep });
 * await sender.send(records); // { appended: 500, present: 0 }
 */
import { type EdgelogAdmin, errorCode, type RecordInput } from "../client/index.ts";

/**
 * Attempts per batch before a retriable failure fails the command.
 *
 * @example
 * for (let attempt = 1; attempt <= SEND_ATTEMPTS_MAX; attempt++) { ... }
 */
export const SEND_ATTEMPTS_MAX = 6;

const RETRIABLE = new Set(["NETWORK", "TIMEOUT", "QUOTA_EXCEEDED"]);
const ALREADY_THERE = new Set(["DUPLICATE_SEQUENCE", "OUT_OF_ORDER_SEQUENCE"]);

/**
 * How many records of a batch were appended now, and how many an earlier run had stored.
 *
 * @example
 * const { appended, present }: SendCount = await sender.send(records);
 */
export interface SendCount {
  appended: number;
  present: number;
}

/**
 * What a PartitionSender needs.
 *
 * @example
 * const options: SenderOptions = { admin: client.admin, topic: "orders", partition: 2, producerId: "load-1", sleep: (ms) => delay(ms) };
 */
export interface SenderOptions {
  admin: EdgelogAdmin;
  topic: string;
  partition: number;
  producerId: string;
  /** Waits `ms` (between attempts; a test passes its own). */
  sleep: (ms: number) => Promise<void>;
}

/**
 * One partition's idempotent sender, as this module's header says.
 *
 * @example
 * const counts = await new PartitionSender(options).send([{ value: 1 }]);
 */
export class PartitionSender {
  private readonly options: SenderOptions;
  /** The next record's sequence: the records sent to this partition so far. */
  private sequence = 0;

  /** One sender per partition and command. */
  constructor(options: SenderOptions) {
    this.options = options;
  }

  /** Sends one batch (awaited before the next: sequences stay in order). */
  async send(records: RecordInput[]): Promise<SendCount> {
    const first = this.sequence;
    this.sequence += records.length;
    const answer = await this.attempt(records, first);
    if (answer !== "present")
      return answer.duplicate === true ? { appended: 0, present: records.length } : { appended: records.length, present: 0 };
    if (records.length === 1) return { appended: 0, present: 1 };
    const count: SendCount = { appended: 0, present: 0 };
    for (const [i, record] of records.entries()) {
      const one = await this.attempt([record], first + i);
      if (one === "present" || one.duplicate === true) {
        count.present += 1;
        continue;
      }
      // Appended: the server's next sequence is now the one after it, so the rest goes as one batch.
      const rest = records.slice(i + 1);
      if (rest.length > 0) await this.attempt(rest, first + i + 1);
      count.appended += 1 + rest.length;
      break;
    }
    return count;
  }

  /** One request with retries; "present" when the server says an earlier run stored it. */
  private async attempt(records: RecordInput[], sequence: number): Promise<{ duplicate?: boolean } | "present"> {
    const { admin, topic, partition, producerId } = this.options;
    for (let attempt = 1; ; attempt++) {
      try {
        return await admin.produceBatch(topic, partition, { records, producer: { id: producerId, epoch: 0, sequence } });
      } catch (error) {
        const code = errorCode(error) ?? "";
        if (ALREADY_THERE.has(code)) return "present";
        if (!RETRIABLE.has(code) || attempt >= SEND_ATTEMPTS_MAX) throw error;
        const hinted = (error as { retryAfterMs?: number }).retryAfterMs;
        await this.options.sleep(hinted ?? Math.min(2_000, 50 * 2 ** attempt));
      }
    }
  }
}
