/**
 * The WebSocket upgrade check, written once: the Hono middleware on the socket routes and the
 * objects' own `fetch` (which a stub may call directly) refuse a request without
 * `Upgrade: websocket` with 426 UPGRADE_REQUIRED.
 *
 * Rules: PROTOCOL.md SOCKET-1, GSOCKET-1.
 *
 * @example
 * if (!isWebSocketUpgrade(request)) return upgradeRequired();
 */
import { errorJson } from "../error-response.ts";

/**
 * Whether a request asks to become a WebSocket (`Upgrade: websocket`, in any case).
 *
 * @example
 * isWebSocketUpgrade(new Request("http://x/ws", { headers: { Upgrade: "WebSocket" } })); // true
 */
export function isWebSocketUpgrade(request: Request): boolean {
  return request.headers.get("upgrade")?.toLowerCase() === "websocket";
}

/**
 * The answer to a request on a socket route that is no upgrade: 426 UPGRADE_REQUIRED.
 *
 * @example
 * return upgradeRequired(); // 426 {"error":{"code":"UPGRADE_REQUIRED",...}}
 */
export function upgradeRequired(): Response {
  return errorJson("UPGRADE_REQUIRED", "this route takes a WebSocket (Upgrade: websocket)");
}
