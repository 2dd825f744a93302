/**
 * `edgelog/react` in real Chromium (Debian's /usr/bin/chromium through playwright-core) against
 * the real worker in Miniflare: a React 19 page (react-page.tsx, React's development build, under
 * `<StrictMode>`, so every effect mounts, unmounts and mounts again) with an `EdgelogProvider`
 * given `options`. Checked: one client and one subscription in spite of StrictMode; records appear
 * live; the outbox list shows a record produced offline and empties when it is delivered, with
 * `client.outbox()` never called (the hook follows the outbox-change event); unmounting the
 * records component ends its subscription (its socket closes, the server counts none); mounting
 * it again offline, and reloading the page with the server down, render the records from
 * IndexedDB.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project browser test/browser/react.test.ts
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startServer, type TestServer } from "../node/client-harness.ts";
import { type ScriptPage, servePageScript } from "../node/page-server.ts";
import { makeTempDir, ROOT, removeDir } from "../node/runtime.ts";
import {
  callPage,
  describeInChromium,
  launchBrowser,
  type TestBrowser,
  texts,
  WAIT_MS,
  waitForCount,
  waitForSockets,
  waitForText,
} from "./browser-harness.ts";
import type { ReactPageStats, ReactTestApi } from "./react-page.tsx";

const TOPIC = "react-live";

function stats(page: Page): Promise<ReactPageStats> {
  return callPage<ReactTestApi, "stats">(page, "reactTest", "stats");
}

describeInChromium("edgelog/react in Chromium", () => {
  let dir = "";
  let site: ScriptPage;
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    dir = await makeTempDir("edgelog-react-page-");
    site = await servePageScript(join(ROOT, "test", "browser", "react-page.tsx"), dir, "edgelog react test", { development: true });
    server = await startServer();
    await server.api.createTopic(TOPIC, 1);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(`${site.url}?server=${encodeURIComponent(server.url)}&topic=${TOPIC}&db=react-page`);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    await site?.stop();
    await removeDir(dir);
  });

  it("makes one client and one subscription under StrictMode, and shows records live", async () => {
    await waitForText(page, "#status", "live");
    await server.api.produce(TOPIC, { records: [{ value: { text: "one" } }, { value: { text: "two" } }] });
    await waitForCount(page, "#records li", 2);
    await server.api.produce(TOPIC, { records: [{ value: { text: "three" } }] });
    await waitForCount(page, "#records li", 3);
    expect(await texts(page, "#records li")).toEqual(["one", "two", "three"]);
    const seen = await stats(page);
    expect(seen.clients).toEqual({ open: 1, created: 1 });
    expect(seen.subscribeCalls).toBe(1);
    expect(seen.sockets.map((s) => ({ subscribes: s.subscribes, closed: s.closed }))).toEqual([{ subscribes: 1, closed: false }]);
  });

  it("lists a record produced offline in the outbox and empties the list on delivery, without polling", async () => {
    await browser.context.setOffline(true);
    await waitForText(page, "#status", "offline");
    await page.fill("#text", "four");
    await page.click("#compose button[type=submit]");
    await waitForCount(page, "#outbox li", 1);
    expect(await texts(page, "#outbox li")).toEqual(["four"]);
    await waitForText(page, "#outbox-count", "1");
    await waitForText(page, "#pending", "1");
    await browser.context.setOffline(false);
    await waitForCount(page, "#outbox li", 0);
    await waitForText(page, "#outbox-count", "0");
    await waitForText(page, "#pending", "0");
    await waitForCount(page, "#records li", 4);
    expect(await texts(page, "#records li")).toEqual(["one", "two", "three", "four"]);
    expect((await stats(page)).outboxCalls).toBe(0);
    expect(await page.textContent("#produce-error")).toBe("");
  });

  it("ends the records subscription on unmount, and renders from the cache when mounted again offline", async () => {
    await page.click("#toggle-records");
    await waitForCount(page, "#records", 0);
    await page.waitForFunction(
      () => (globalThis as unknown as { reactTest: ReactTestApi }).reactTest.stats().sockets.every((s) => s.closed),
      null,
      { timeout: WAIT_MS },
    );
    await waitForSockets(server.url, TOPIC, 1, 0);
    await browser.context.setOffline(true);
    await waitForText(page, "#status", "offline");
    await page.click("#toggle-records");
    await waitForCount(page, "#records li", 4);
    expect(await texts(page, "#records li")).toEqual(["one", "two", "three", "four"]);
    const seen = await stats(page);
    expect(seen.subscribeCalls).toBe(2);
    expect(seen.clients).toEqual({ open: 1, created: 1 });
    await browser.context.setOffline(false);
    await waitForText(page, "#status", "live");
  });

  it("renders the records from the cache after a reload with the server down", async () => {
    await server.stop();
    await page.reload();
    await waitForCount(page, "#records li", 4);
    expect(await texts(page, "#records li")).toEqual(["one", "two", "three", "four"]);
    expect(await page.textContent("#status")).not.toBe("live");
    expect((await stats(page)).clients).toEqual({ open: 1, created: 1 });
    await server.start();
  });
});
