/**
 * What a consumer takes from its client: the server's URL, the WebSocket class, the heartbeat,
 * the credentials (every socket authenticates with its first message, HTTP carries the header,
 * PROTOCOL.md AUTH-17 to AUTH-21), the client's HTTP calls for commits, where background errors
 * go, and the client's close. Its partition links are always sockets of its own, never the tabs'
 * shared links, and it has no cache: a consumer in a browser tab is its own group member, as one
 * kafkajs consumer per process, and leaves the tabs' shared connection and cache alone.
 *
 * @example
 * const context = consumerContext({ options, credentials, http, events });
 * const consumer = new Consumer(context, { group: "billing", topic: "orders" });
 */
import type { ClientError, ClientEvents } from "../client-events.ts";
import { type ClientOptions, clientLinks } from "../client-setup.ts";
import type { Credentials } from "../credentials.ts";
import type { HttpApi } from "../http-api.ts";
import type { LinkFactory } from "../link.ts";
import { EdgelogClientError } from "../local-errors.ts";
import { HEARTBEAT_INTERVAL_MS } from "../local-limits.ts";
import type { WebSocketClass } from "../reconnecting-socket.ts";

/**
 * A consumer's view of its client.
 *
 * @example
 * const context: ConsumerContext = consumerContext({ options: { url, WebSocket }, credentials: null, http, events });
 */
export interface ConsumerContext {
  url: string;
  WebSocket: WebSocketClass;
  heartbeatIntervalMs: number;
  credentials: Credentials | null;
  random?: () => number;
  /** Partition links of the consumer's own (sockets, or the client's `makeLink` option). */
  makeLink: LinkFactory;
  http: HttpApi;
  reportError(error: ClientError): void;
  /** Calls `listener` once the client closes; returns its unsubscribe. */
  onClientClosed(listener: () => void): () => void;
}

/**
 * The parts of a client a consumer is made from.
 *
 * @example
 * consumerContext({ options: this.options, credentials: this.credentials, http: this.http, events: this.events });
 */
export interface ConsumerParts {
  options: ClientOptions;
  credentials: Credentials | null;
  http: HttpApi;
  events: ClientEvents;
}

/**
 * A consumer's context; INVALID_USE where there is no WebSocket (in Node, pass `ws`'s).
 *
 * @example
 * const context = consumerContext({ options, credentials, http, events });
 */
export function consumerContext(parts: ConsumerParts): ConsumerContext {
  const { options, credentials, http, events } = parts;
  const WebSocketImpl: WebSocketClass | undefined =
    options.WebSocket ?? (typeof globalThis.WebSocket === "function" ? globalThis.WebSocket : undefined);
  // Not the tabs' links: a consumer's sockets are its own (see the module comment).
  const makeLink = clientLinks(options, credentials);
  if (WebSocketImpl === undefined || makeLink === null) {
    throw new EdgelogClientError("INVALID_USE", "there is no WebSocket here: pass one (e.g. the `ws` package's) as the WebSocket option");
  }
  return {
    url: options.url,
    WebSocket: WebSocketImpl,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS,
    credentials,
    ...(options.random ? { random: options.random } : {}),
    makeLink,
    http,
    reportError: (error) => events.reportError(error),
    onClientClosed: (listener) =>
      events.onStatus((status) => {
        if (status === "closed") listener();
      }),
  };
}
