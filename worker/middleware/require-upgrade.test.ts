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
        error: { code: "UPGRADE_REQUIRED", message: "this route takes a WebSocket (Upgrade: websocket)" },
      });
    }
  });

  it("lets an upgrade through, in any case", async () => {
    for (const upgrade of ["websocket", "WebSocket"]) {
      const res = await app().request("/ws", { headers: { upgrade } });
      expect([res.status, await res.text()]).toEqual([200, "upgrading"]);
    }
  });
});
