import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";
it("runs", async () => {
  const stub = env.PARTITION.get(env.PARTITION.idFromName("x"));
  expect(await stub.ping()).toBe(1);
  const r = await exports.default.fetch("http://x/");
  expect(await r.text()).toBe("ok");
});
