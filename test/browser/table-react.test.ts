/**
 * The table hooks (`useTable`, `useTableValue`) in real Chromium against the real worker in
 * Miniflare, on a React 19 page under `<StrictMode>` (table-react-page.tsx): one client and one
 * table for both hooks in spite of StrictMode's double mount; the list, the size and the key's
 * value render and follow a change and a delete live; a reload with the server down renders them
 * from IndexedDB.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project browser test/browser/table-react.test.ts
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startServer, type TestServer } from "../node/client-harness.ts";
import { type ScriptPage, servePageScript } from "../node/page-server.ts";
import { makeTempDir, ROOT, removeDir } from "../node/runtime.ts";
import { callPage, describeInChromium, launchBrowser, type TestBrowser, texts, WAIT_MS, waitForText } from "./browser-harness.ts";
import type { TableReactTestApi } from "./table-react-page.tsx";

const TOPIC = "react-prices";

describeInChromium("the table hooks in Chromium", () => {
  let dir = "";
  let site: ScriptPage;
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    dir = await makeTempDir("edgelog-table-react-");
    site = await servePageScript(join(ROOT, "test", "browser", "table-react-page.tsx"), dir, "edgelog table react test", {
      development: true,
    });
    server = await startServer();
    await server.api.createTopic(TOPIC, 2);
    await server.api.produce(TOPIC, {
      records: [
        { key: "apple", value: 1 },
        { key: "pear", value: 2 },
      ],
    });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(`${site.url}?server=${encodeURIComponent(server.url)}&topic=${TOPIC}&db=table-react&key=apple`);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    await site?.stop();
    await removeDir(dir);
  });

  it("renders the table and a key's value live, with one client and one table under StrictMode", async () => {
    await waitForText(page, "#size", "2");
    await waitForText(page, "#value", "1");
    await server.api.produce(TOPIC, {
      records: [
        { key: "apple", value: 5 },
        { key: "fig", value: 3 },
      ],
    });
    await waitForText(page, "#value", "5");
    await waitForText(page, "#size", "3");
    await server.api.produce(TOPIC, { records: [{ key: "apple", value: null }] });
    await waitForText(page, "#value", "none");
    await waitForText(page, "#size", "2");
    expect((await texts(page, "#entries li")).sort()).toEqual(["fig=3", "pear=2"]);
    expect(await callPage<TableReactTestApi, "stats">(page, "tableReactTest", "stats")).toEqual({
      clients: { open: 1, created: 1 },
      tableCalls: 1,
    });
  });

  it("renders from IndexedDB after a reload with the server down", async () => {
    await server.stop();
    await page.reload();
    await waitForText(page, "#size", "2");
    await waitForText(page, "#value", "none");
    expect((await texts(page, "#entries li")).sort()).toEqual(["fig=3", "pear=2"]);
  });
});
