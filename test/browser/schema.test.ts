/**
 * The client's registry-schema check in real Chromium (Debian's /usr/bin/chromium through
 * playwright-core, real IndexedDB) against the real worker in Miniflare (SCHEMA-8): once the
 * page's client has looked its topic up, a record the topic's schema refuses is refused at
 * `produce()` with SCHEMA_VIOLATION while the browser is offline, and never queued; a valid one is
 * queued offline and sent when the browser is back online.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project browser test/browser/schema.test.ts
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startServer, type TestServer } from "../node/client-harness.ts";
import { type ScriptPage, servePageScript } from "../node/page-server.ts";
import { makeTempDir, ROOT, removeDir, requestJson, waitFor } from "../node/runtime.ts";
import { callPage, describeInChromium, launchBrowser, type TestBrowser, WAIT_MS } from "./browser-harness.ts";
import type { SchemaTestApi } from "./schema-page.ts";

const TOPIC = "schema-page";
const ORDER = { type: "object", required: ["item", "qty"], properties: { item: { type: "string" }, qty: { type: "integer", minimum: 1 } } };

function call<K extends keyof SchemaTestApi & string>(page: Page, name: K, ...args: Parameters<SchemaTestApi[K]>) {
  return callPage<SchemaTestApi, K>(page, "schemaTest", name, ...args);
}

describeInChromium("the client's schema check in Chromium", () => {
  let dir = "";
  let site: ScriptPage;
  let server: TestServer;
  let browser: TestBrowser;

  beforeAll(async () => {
    dir = await makeTempDir("edgelog-schema-page-");
    site = await servePageScript(join(ROOT, "test", "browser", "schema-page.ts"), dir, "edgelog schema test");
    server = await startServer();
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    await site?.stop();
    await removeDir(dir);
  });

  it("refuses an invalid record offline at produce(), queues a valid one and sends it back online", async () => {
    await requestJson("PUT", `${server.url}/v1/topics/${TOPIC}`, { partitions: 1 });
    const registered = await requestJson("POST", `${server.url}/v1/schemas/subjects/${TOPIC}-value/versions`, {
      schema: JSON.stringify(ORDER),
    });
    expect(registered.status).toBe(200);
    const page = await browser.context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(site.url);
    await call(page, "start", server.url, "schema-page-db");
    expect(await call(page, "produce", TOPIC, { item: "book", qty: 1 })).toBe(0);
    await waitFor(
      "the schema in the page's IndexedDB",
      async () => ((await call(page, "schemaCached", TOPIC)) ? true : undefined),
      WAIT_MS,
      50,
    );

    await browser.context.setOffline(true);
    expect(await call(page, "produce", TOPIC, { item: "pen", qty: "2" })).toBe("SCHEMA_VIOLATION");
    expect(await call(page, "enqueue", TOPIC, { item: "pen" })).toBe("SCHEMA_VIOLATION");
    expect(await call(page, "enqueue", TOPIC, { item: "pen", qty: 2 })).toBe("queued");
    expect(await call(page, "outboxValues")).toEqual([{ item: "pen", qty: 2 }]);

    await browser.context.setOffline(false);
    expect(await call(page, "flush")).toBe(0);
    const stored = await server.api.readAll(TOPIC, 0);
    expect(stored.records.map((r) => r.value)).toEqual([
      { item: "book", qty: 1 },
      { item: "pen", qty: 2 },
    ]);
    await page.close();
  });
});
