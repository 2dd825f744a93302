/**
 * The WebSocket upgrade check, written once: the Hono middleware on the socket routes and the
 * objects' own `fetch` (which a stub may call directly) refuse a request that is no WebSocket
 * handshake (RFC 6455 section 4.1: `Upgrade: websocket`, `Sec-WebSocket-Version: 13` and a
 * `Sec-WebSocket-Key`) with 426 UPGRADE_REQUIRED and `Sec-WebSocket-Version: 13`. Without the
 * check, an object accepted the socket of a request with no key or another version and the runtime
 * then answered a plain-text 400 of its own, no error body (found by the fuzzer, test/fuzz/).
 *
 * The 101 that accepts a socket refuses permessage-deflate (RFC 7692), which browsers and Node's
 * `ws` offer by default: workerd keeps a zlib deflate and inflate context per compressed socket
 * for the socket's whole life (kj's WebSocket compression, memLevel 8: ~256 KiB of deflate state
 * whatever the window bits), so compression made one subscribed socket cost ~355 KiB of workerd
 * memory instead of ~130 KiB (measured with 2,000 sockets, bench/scenarios/socket-memory.ts),
 * past what one object can hold for Cloudflare's 32,768 sockets.
 *
 * Rules: PROTOCOL.md SOCKET-1, GSOCKET-1.
 *
 * @example
 * if (!isWebSocketUpgrade(request)) return upgradeRequired();
 * return switchingProtocols(client); // 101, no Sec-WebSocket-Extensions reaches the client
 */
import { errorJson } from "../error-response.ts";

/** The one WebSocket version there is (RFC 6455 section 4.1, item 9). */
const WEBSOCKET_VERSION = "13";

/**
 * Whether a request is a WebSocket handshake: `Upgrade: websocket` (in any case),
 * `Sec-WebSocket-Version: 13` and a non-empty `Sec-WebSocket-Key`.
 *
 * @example
 * isWebSocketUpgrade(new Request("http://x/ws", { headers: { Upgrade: "WebSocket" } })); // false: no version, no key
 */
export function isWebSocketUpgrade(request: Request): boolean {
  const headers = request.headers;
  return (
    headers.get("upgrade")?.toLowerCase() === "websocket" &&
    headers.get("sec-websocket-version")?.trim() === WEBSOCKET_VERSION &&
    (headers.get("sec-websocket-key")?.trim() ?? "") !== ""
  );
}

/**
 * The answer to a request on a socket route that is no handshake: 426 UPGRADE_REQUIRED, naming
 * the version it takes (`Sec-WebSocket-Version: 13`, as RFC 6455 section 4.4 asks).
 *
 * @example
 * return upgradeRequired(); // 426 {"error":{"code":"UPGRADE_REQUIRED",...}}
 */
export function upgradeRequired(): Response {
  const response = errorJson(
    "UPGRADE_REQUIRED",
    "this route takes a WebSocket: Upgrade: websocket, Sec-WebSocket-Version: 13 and a Sec-WebSocket-Key (RFC 6455)",
  );
  response.headers.set("sec-websocket-version", WEBSOCKET_VERSION);
  return response;
}

/**
 * The `Sec-WebSocket-Extensions` value a 101 carries so that no extension is negotiated. workerd
 * (compatibility dates from 2023-08-15, `web_socket_compression`) answers a 101 that names no
 * extension with the client's own offer, so the socket would be compressed; an empty value counts
 * as no value (kj's HttpHeaders). It negotiates instead from the value the Worker gives, taking
 * the first valid `permessage-deflate` offer in it: this token is none, so nothing is agreed, and
 * the header, a WebSocket connection header, is replaced by what was agreed (nothing) before the
 * 101 is written, so the client never sees it. The partition's and group's 101 pass through the
 * Worker as they are; with the `no_web_socket_compression` flag workerd drops it and compresses
 * nothing either. test/node/socket-extensions.test.ts checks that a client offering
 * permessage-deflate gets no extension.
 *
 * @example
 * new Response(null, { status: 101, webSocket: client, headers: { "sec-websocket-extensions": NO_WEBSOCKET_EXTENSIONS } });
 */
export const NO_WEBSOCKET_EXTENSIONS = "x-edgelog-uncompressed";

/**
 * The 101 that hands the client's end of a WebSocketPair back, with no extension negotiated (see
 * NO_WEBSOCKET_EXTENSIONS): frames travel uncompressed.
 *
 * @example
 * const [client, server] = Object.values(new WebSocketPair());
 * ctx.acceptWebSocket(server);
 * return switchingProtocols(client);
 */
export function switchingProtocols(client: WebSocket): Response {
  return new Response(null, { status: 101, webSocket: client, headers: { "sec-websocket-extensions": NO_WEBSOCKET_EXTENSIONS } });
}
