/**
 * Socket routes take a WebSocket only: a request that is no WebSocket handshake (`Upgrade:
 * websocket`, `Sec-WebSocket-Version: 13`, a `Sec-WebSocket-Key`) is answered 426 UPGRADE_REQUIRED
 * before the route runs (after its path parameters are checked).
 *
 * Rules: PROTOCOL.md SOCKET-1, GSOCKET-1.
 *
 * @example
 * app.get(ROUTE.groupSocket, groupParams(), requireUpgrade(), (c) => groupStub(c.env, c.var.group).fetch(c.req.raw));
 */
import { createMiddleware } from "hono/factory";
import { isWebSocketUpgrade, upgradeRequired } from "../sockets/socket-upgrade.ts";

/**
 * The middleware.
 *
 * @example
 * app.get("/ws", requireUpgrade(), (c) => accept(c.req.raw));
 */
export function requireUpgrade() {
  return createMiddleware(async (c, next) => {
    if (!isWebSocketUpgrade(c.req.raw)) return upgradeRequired();
    await next();
  });
}
