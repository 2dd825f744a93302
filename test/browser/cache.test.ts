/**
 * The client's IndexedDB cache in Debian's Chromium (no edgelog server): a database written by
 * schema version 1 (a row per record) is moved into pages when the library opens it, and one of
 * version 2 gains topic ids (runs and positions of an unknown incarnation until a hello); records
 * arriving as catch-up pages and then live one at a time are stored as bounded pages; and a
 * client with no reachable server replays them exactly, in order, from IndexedDB alone.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project browser test/browser/cache.test.ts
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CACHE_PAGE_GROW_RECORDS_MAX } from "../../client/local-limits.ts";
import { type ScriptPage, servePageScript } from "../node/page-server.ts";
import { makeTempDir, ROOT, removeDir } from "../node/runtime.ts";
import { callPage, describeInChromium, launchBrowser, type TestBrowser, WAIT_MS } from "./browser-harness.ts";
import { type CacheTestApi, testRecords } from "./cache-page.ts";

function call<K extends keyof CacheTestApi & string>(page: Page, name: K, ...args: Parameters<CacheTestApi[K]>) {
  return callPage<CacheTestApi, K>(page, "cacheTest", name, ...args);
}

describeInChromium("the IndexedDB cache in Chromium", () => {
  let dir = "";
  let site: ScriptPage;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    dir = await makeTempDir("edgelog-cache-page-");
    site = await servePageScript(join(ROOT, "test", "browser", "cache-page.ts"), dir, "edgelog cache test");
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(site.url);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await site?.stop();
    await removeDir(dir);
  });

  it("moves a version 1 database's records into pages when it opens, keeping the outbox", async () => {
    await call(page, "writeV1", "upgrade", 1_200);
    const read = await call(page, "openAndRead", "upgrade", "t", 0);
    expect(read.records).toEqual(testRecords(0, 1_200));
    expect(read.outbox).toEqual(["queued"]);
    expect(read.db.version).toBe(4);
    expect(read.db.stores).not.toContain("records");
    expect(read.db.pages).toEqual([
      ["t", 0, 0, 500],
      ["t", 0, 500, 1_000],
      ["t", 0, 1_000, 1_200],
    ]);
  });

  it("moves a version 2 database to the current version (3 added topic ids): every record kept, runs and positions of an unknown incarnation", async () => {
    await call(page, "writeV2", "upgrade-v2", 700);
    const read = await call(page, "openAndRead", "upgrade-v2", "t", 0);
    expect(read.records).toEqual(testRecords(0, 700));
    expect(read.outbox).toEqual(["queued"]);
    expect(read.db.pages).toEqual([["t", 0, 0, 700]]);
    const meta = await call(page, "openAndReadMeta", "upgrade-v2");
    expect(meta).toEqual({
      run: { topic: "t", partition: 0, low: 0, high: 700, startsAtLog: true, topicId: null },
      position: { next: 699, topicId: null },
      topic: { name: "t", partitions: 1, fetchedAt: 1 },
      indexes: ["byPartition"],
      version: 4,
    });
  });

  it("stores catch-up pages and live records as bounded pages, and replays them offline in order", async () => {
    const layout = await call(page, "writePages", "replay", 1_000, 400, 150);
    // Catch-up pages as they came (400, 400, 200); live records join a page until it holds 64.
    const sizes = layout.pages.map(([, , base, end]) => end - base);
    expect(sizes.slice(0, 3)).toEqual([400, 400, 200]);
    expect(sizes.slice(3).every((size) => size <= CACHE_PAGE_GROW_RECORDS_MAX)).toBe(true);
    expect(sizes.slice(3).reduce((a, b) => a + b, 0)).toBe(150);
    expect(sizes.length).toBe(3 + Math.ceil(150 / CACHE_PAGE_GROW_RECORDS_MAX));
    // A new page load: the client has only IndexedDB (the server address refuses connections).
    await page.reload();
    expect(await call(page, "replay", "replay", 1_150, WAIT_MS)).toEqual(testRecords(0, 1_150));
  });
});
