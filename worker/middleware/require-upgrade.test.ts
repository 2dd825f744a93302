import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { requireUpgrade } from "./require-upgrade.ts";

function app() {
  const app = new Hono();
  app.get("/ws", requireUpgrade(), (c) => c.text("upgrading"));
  return app;
}

describe("requireUpgrade", () => {
  it("answers a request without Upgrade: websocket with 426 UPGRADE_REQUIRED", async () => {
    for (const headers of [{}, { upgrade: "h2c" }] as Record<string, string>[]) {
      const res = await app().request("/ws", { headers });
      expect(res.status).toBe(426);
      expect(await res.json()).toEqual({
        error: {
          code: "UPGRADE_REQUIRED",
          message: "this route takes a WebSocket: Upgrade: websocket, Sec-WebSocket-Version: 13 and a Sec-WebSocket-Key (RFC 6455)",
        },
      });
    }
  });

  it("answers an Upgrade: websocket that is no RFC 6455 handshake with 426 and the version it takes", async () => {
    const key = "dGhlIHNhbXBsZSBub25jZQ==";
    const handshakes: Record<string, string>[] = [
      { upgrade: "websocket" },
      { upgrade: "websocket", "sec-websocket-version": "13" },
      { upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "" },
      { upgrade: "websocket", "sec-websocket-version": "8", "sec-websocket-key": key },
      { upgrade: "websocket", "sec-websocket-key": key },
    ];
    for (const headers of handshakes) {
      const res = await app().request("/ws", { headers });
      expect(res.status, JSON.stringify(headers)).toBe(426);
      expect(res.headers.get("sec-websocket-version")).toBe("13");
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("UPGRADE_REQUIRED");
    }
  });

  it("lets an upgrade through, in any case", async () => {
    for (const upgrade of ["websocket", "WebSocket"]) {
      const headers = { upgrade, "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" };
      const res = await app().request("/ws", { headers });
      expect([res.status, await res.text()]).toEqual([200, "upgrading"]);
    }
  });
});
