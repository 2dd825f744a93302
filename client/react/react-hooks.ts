/**
 * The small hooks: `useStatus` (the connection status), `useOutbox` (the records waiting to be
 * acknowledged, from the client's outbox-change event: nothing is polled) and `useProduce`
 * (queues records on a topic, with how many of them wait and the last failure). Each reads the
 * client through `useSyncExternalStore` or React state, and ends what it subscribed to on unmount.
 *
 * @example
 * function Header() {
 *   const status = useStatus();
 *   const { count } = useOutbox();
 *   return <p>{status}{count > 0 ? ` · ${count} waiting` : ""}</p>;
 * }
 */
import { useCallback, useState, useSyncExternalStore } from "react";
import type { ClientError } from "../client-events.ts";
import { EdgelogClientError } from "../local-errors.ts";
import type { OutboxSnapshot } from "../outbox-watch.ts";
import type { ProduceRecord, Queued } from "../producer.ts";
import type { JsonValue } from "../protocol/index.ts";
import { EdgelogError } from "../protocol/index.ts";
import type { ClientStatus } from "../status.ts";
import { useClient } from "./edgelog-provider.ts";

/** What `useOutbox` shows before the client has read its outbox (the same object every time). */
const OUTBOX_UNREAD: OutboxSnapshot = Object.freeze({ count: 0, entries: Object.freeze([]) });

/**
 * The client's status ("connecting", "catching-up", "live", "offline", "closed"), re-rendering on each change.
 *
 * @example
 * function Badge() {
 *   const status = useStatus();
 *   return <span className={`status ${status}`}>{status}</span>;
 * }
 */
export function useStatus(): ClientStatus {
  const client = useClient();
  const subscribe = useCallback((onChange: () => void) => client.onStatus(onChange), [client]);
  const read = (): ClientStatus => client.status;
  return useSyncExternalStore(subscribe, read, read);
}

/**
 * The outbox (how many records wait, and the oldest OUTBOX_SNAPSHOT_ENTRIES_MAX), re-rendering on
 * each change of it, here or in the leader tab; `{ count: 0, entries: [] }` until first read.
 *
 * @example
 * function Pending() {
 *   const { count, entries } = useOutbox();
 *   return <ul aria-label={`${count} waiting`}>{entries.map((r) => <li key={r.id}>{JSON.stringify(r.value)}</li>)}</ul>;
 * }
 */
export function useOutbox(): OutboxSnapshot {
  const client = useClient();
  const subscribe = useCallback((onChange: () => void) => client.onOutbox(onChange), [client]);
  const read = (): OutboxSnapshot => client.outboxSnapshot ?? OUTBOX_UNREAD;
  return useSyncExternalStore(subscribe, read, read);
}

/**
 * A record to produce whose value has the type `T`.
 *
 * @example
 * const record: ProduceInput<{ text: string }> = { key: "ada", value: { text: "hi" } };
 */
export type ProduceInput<T = JsonValue> = Omit<ProduceRecord, "value"> & { value: T };

/**
 * What `useProduce` answers.
 *
 * @example
 * const { produce, pending, error }: ProduceState<string> = useProduce<string>("chat");
 */
export interface ProduceState<T = JsonValue> {
  /**
   * Queues a record (offline too); resolves once it is safely in the outbox, with its `delivered`
   * promise, or with null when it was refused (then `error` says why). Never rejects.
   */
  produce(record: ProduceInput<T>): Promise<Queued | null>;
  /** Records this hook queued that the server has not acknowledged yet. */
  pending: number;
  /** The last refusal (a bad record, a full outbox, an undeliverable record), cleared by the next produce. */
  error: ClientError | null;
}

/**
 * Produces on `topic`: a stable `produce` function, how many of its records wait, and the last error.
 *
 * @example
 * function Compose() {
 *   const { produce, pending, error } = useProduce<{ text: string }>("chat");
 *   return (
 *     <form onSubmit={(e) => { e.preventDefault(); void produce({ key: "ada", value: { text: "hello" } }); }}>
 *       <button>send</button> {pending > 0 && `${pending} sending`} {error?.code}
 *     </form>
 *   );
 * }
 */
export function useProduce<T = JsonValue>(topic: string): ProduceState<T> {
  const client = useClient();
  const [pending, setPending] = useState(0);
  const [error, setError] = useState<ClientError | null>(null);
  const produce = useCallback(
    async (record: ProduceInput<T>): Promise<Queued | null> => {
      setError(null);
      let queued: Queued;
      try {
        queued = await client.enqueue(topic, record as ProduceRecord);
      } catch (failure) {
        setError(asClientError(failure));
        return null;
      }
      setPending((n) => n + 1);
      queued.delivered.then(
        () => setPending((n) => n - 1),
        (failure: unknown) => {
          setPending((n) => n - 1);
          // The client closing under it is no news: the record stays in the outbox for next time.
          if (!(failure instanceof EdgelogClientError && failure.code === "CLOSED")) setError(asClientError(failure));
        },
      );
      return queued;
    },
    [client, topic],
  );
  return { produce, pending, error };
}

function asClientError(error: unknown): ClientError {
  if (error instanceof EdgelogError || error instanceof EdgelogClientError) return error;
  return new EdgelogClientError("INVALID_USE", (error as Error)?.message ?? String(error));
}
