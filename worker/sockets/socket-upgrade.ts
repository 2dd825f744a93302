/**
 * The WebSocket upgrade check, written once: the Hono middleware on the socket routes and the
 * objects' own `fetch` (which a stub may call directly) refuse a request that is no WebSocket
 * handshake (RFC 6455 section 4.1: `Upgrade: websocket`, `Sec-WebSocket-Version: 13` and a
 * `Sec-WebSocket-Key`) with 426 UPGRADE_REQUIRED and `Sec-WebSocket-Version: 13`. Without the
 * check, an object accepted the socket of a request with no key or another version and the runtime
 * then answered a plain-text 400 of its own, no error body (found by the fuzzer, test/fuzz/).
 *
 * Rules: PROTOCOL.md SOCKET-1, GSOCKET-1.
 *
 * @example
 * if (!isWebSocketUpgrade(request)) return upgradeRequired();
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
