/**
 * How a subscription hands one record to the application: through its decoder (a typed topic's
 * schema), then to its callback. A decoder that refuses a record, or a callback that throws, is
 * reported to the client's `onError` (the record still counts as delivered); neither ever
 * rejects. A promise is answered only when the decoder or the callback answered one, so a
 * subscription awaits a tick only when it must.
 *
 * @example
 * const delivery = new RecordDelivery({ callback: (record) => show(record), subscription, decode: undefined, reportError });
 * const record = delivery.decoded(stored); // as stored: there is no decoder
 * if (record !== null) await delivery.callBack(record);
 */

import { EdgelogClientError } from "./local-errors.ts";
import { EdgelogError } from "./protocol/index.ts";
import type { RecordCallback, RecordDecoder, TopicRecord } from "./subscribe-options.ts";

/**
 * What a record delivery needs: the subscription's callback and decoder, and where failures go.
 *
 * @example
 * const options: RecordDeliveryOptions<Order> = { callback: show, subscription, decode: orderDecoder, reportError };
 */
export interface RecordDeliveryOptions<T> {
  callback: RecordCallback<T> | undefined;
  /** What the callback is called on (`this` inside a `function` callback): the subscription. */
  subscription: unknown;
  decode: RecordDecoder<T> | undefined;
  reportError(error: EdgelogError | EdgelogClientError): void;
}

/**
 * The decoder and the callback of one subscription (see the module).
 *
 * @example
 * const delivery = new RecordDelivery<Order>({ callback, subscription, decode, reportError });
 */
export class RecordDelivery<T> {
  private readonly options: RecordDeliveryOptions<T>;

  constructor(options: RecordDeliveryOptions<T>) {
    this.options = options;
  }

  /**
   * The record to deliver: as stored, or as the decoder made it (a promise only when the decoder
   * answered one); null when the decoder refused it, which is reported (RecordDecoder).
   */
  decoded(record: TopicRecord): TopicRecord<T> | null | Promise<TopicRecord<T> | null> {
    const { decode } = this.options;
    if (decode === undefined) return record as TopicRecord<T>;
    const refused = (error: unknown): null => {
      this.options.reportError(asClientError(error, `decoding ${record.topic}/${record.partition}@${record.offset}`));
      return null;
    };
    try {
      const result = decode(record);
      return result instanceof Promise ? result.then(undefined, refused) : result;
    } catch (error) {
      return refused(error);
    }
  }

  /** Calls the callback; answers a promise only when it returned one (to be awaited). */
  callBack(record: TopicRecord<T>): Promise<void> | undefined {
    const { callback } = this.options;
    if (callback === undefined) return undefined;
    const failed = (error: unknown): void => {
      this.options.reportError(
        new EdgelogClientError(
          "CALLBACK_FAILED",
          `the callback threw on ${record.topic}/${record.partition}@${record.offset}: ${(error as Error)?.message ?? String(error)}`,
          { cause: error },
        ),
      );
    };
    try {
      const result = callback.call(this.options.subscription, record);
      return result instanceof Promise ? result.then(undefined, failed) : undefined;
    } catch (error) {
      failed(error);
      return undefined;
    }
  }
}

/**
 * A coded error for what a subscription's background work threw: a coded error as it is, anything
 * else as CACHE_FAILED naming what was being done.
 *
 * @example
 * ctx.reportError(asClientError(error, "starting the subscription"));
 */
export function asClientError(error: unknown, doing: string): EdgelogError | EdgelogClientError {
  if (error instanceof EdgelogClientError) return error;
  if (error instanceof EdgelogError) return error;
  return new EdgelogClientError("CACHE_FAILED", `${doing} failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}
