/**
 * The example feed (examples/feed) end to end in real Chromium against real `wrangler dev`: the
 * page's IndexedDB, WebSockets and service worker are the browser's own, the worker and its
 * Durable Objects are workerd's. Proved here:
 *
 * - live receive: records written before and after the page opened all show up, once each;
 * - offline: messages posted with the network off wait in the outbox; a reload without a network
 *   brings back the page (service worker), the cached feed (IndexedDB) and the outbox intact; back
 *   online, the server has each queued message exactly once and the page caught up on what another
 *   producer wrote meanwhile;
 * - the start page links to the example, and a screenshot of it shows the status and the feed.
 *
 * Tabs sharing one connection are tabs.test.ts.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project browser test/browser/feed.test.ts
 */
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import type { FetchedRecord } from "../../client/protocol/index.ts";
import { ROOT } from "../node/runtime.ts";
import {
  contiguityProblems,
  describeInChromium,
  feedEntries,
  launchBrowser,
  outboxIds,
  post,
  startSite,
  type TestBrowser,
  type TestSite,
  VIEWPORT,
  waitForCount,
  waitForSockets,
  waitForStatus,
} from "./browser-harness.ts";

/** Where the screenshot goes (test-results/ is gitignored). */
const SCREENSHOT_PATH = join(ROOT, "test-results", "browser", "feed.png");

let site: TestSite;
const browsers: TestBrowser[] = [];

/** A feed message as the example writes it. */
function message(author: string, text: string, id: string): { key: string; value: { author: string; text: string; id: string } } {
  return { key: author, value: { author, text, id } };
}

async function serverRecords(topic: string, partitions: number): Promise<FetchedRecord[][]> {
  return Promise.all(Array.from({ length: partitions }, (_, p) => site.api.readAll(topic, p).then((read) => read.records)));
}

function idOf(record: FetchedRecord): string {
  const value = record.value as { id?: unknown } | null;
  return typeof value?.id === "string" ? value.id : "";
}

async function browser(): Promise<TestBrowser> {
  const launched = await launchBrowser();
  browsers.push(launched);
  return launched;
}

describeInChromium("the example feed in Chromium", () => {
  beforeAll(async () => {
    site = await startSite();
  });

  afterEach(async () => {
    for (const launched of browsers.splice(0)) await launched.close();
  });

  afterAll(async () => {
    await site?.stop();
  });

  it("shows records live, over a real WebSocket, cached in the page's IndexedDB", async () => {
    await site.api.createTopic("live-feed", 2);
    await site.api.produce("live-feed", {
      records: [message("ada", "before 1", "b1"), message("grace", "before 2", "b2"), message("linus", "before 3", "b3")],
    });
    const { context } = await browser();
    const page = await context.newPage();
    await page.goto(`${site.url}/examples/feed/?topic=live-feed`);
    await waitForStatus(page, "live");
    await waitForCount(page, "#feed li", 3);
    await site.api.produce("live-feed", { records: [message("ada", "after 1", "a1"), message("grace", "after 2", "a2")] });
    await waitForCount(page, "#feed li", 5);

    const entries = await feedEntries(page);
    expect(entries.map((e) => e.id).sort()).toEqual(["a1", "a2", "b1", "b2", "b3"]);
    const highs = (await serverRecords("live-feed", 2)).map((records) => records.length);
    expect(contiguityProblems(entries, highs)).toEqual([]);
    // One socket per partition, from this page to the partition objects.
    await waitForSockets(site.url, "live-feed", 2, 1);
    const databases = await page.evaluate(async () => (await indexedDB.databases()).map((db) => db.name));
    expect(databases).toContain("edgelog-feed");
  });

  it("keeps posts in the outbox offline, reloads offline, and sends each once when back", async () => {
    await site.api.createTopic("offline-feed", 2);
    await site.api.produce("offline-feed", {
      records: [message("ada", "first", "o1"), message("grace", "second", "o2"), message("linus", "third", "o3")],
    });
    const { context } = await browser();
    const page = await context.newPage();
    await page.goto(`${site.url}/examples/feed/?topic=offline-feed`);
    await waitForStatus(page, "live");
    await waitForCount(page, "#feed li", 3);
    // The service worker controls the page: a reload without a network will find the page.
    await page.waitForFunction(() => document.getElementById("shell")?.dataset.ready === "true", null, { timeout: 20_000 });
    const before = await feedEntries(page);

    await context.setOffline(true);
    await waitForStatus(page, "offline");
    for (const text of ["offline one", "offline two", "offline three"]) await post(page, "margaret", text);
    await waitForCount(page, "#outbox li", 3);
    const queued = await outboxIds(page);
    // Another producer writes while this page is offline.
    await site.api.produce("offline-feed", { records: [message("alan", "meanwhile 1", "m1"), message("barbara", "meanwhile 2", "m2")] });

    await page.reload();
    await waitForStatus(page, "offline");
    await waitForCount(page, "#feed li", 3);
    await waitForCount(page, "#outbox li", 3);
    expect(await feedEntries(page)).toEqual(before);
    expect(await outboxIds(page)).toEqual(queued);
    // The page really has no network: it came from the service worker's cache.
    expect(
      await page.evaluate(() =>
        fetch("/v1/topics").then(
          () => "reached",
          () => "failed",
        ),
      ),
    ).toBe("failed");

    await context.setOffline(false);
    await waitForStatus(page, "live");
    await waitForCount(page, "#outbox li", 0);
    await waitForCount(page, "#feed li", 8);

    const stored = (await serverRecords("offline-feed", 2)).flat();
    for (const id of queued) expect(stored.filter((record) => idOf(record) === id)).toHaveLength(1);
    expect(stored).toHaveLength(8);
    const entries = await feedEntries(page);
    expect(entries.map((e) => e.id).sort()).toEqual(stored.map(idOf).sort());
    expect(
      contiguityProblems(
        entries,
        (await serverRecords("offline-feed", 2)).map((records) => records.length),
      ),
    ).toEqual([]);
  });

  it("is linked from the start page, and its screenshot shows the status and the feed", async () => {
    await site.api.createTopic("feed", 2);
    await site.api.produce("feed", {
      records: [
        message("ada", "Shipped the offline outbox: posts wait in IndexedDB until the network is back.", "s1"),
        message("grace", "Reloaded with the network off and the feed came straight back.", "s2"),
        message("linus", "Two tabs, one socket per partition.", "s3"),
      ],
    });
    const { context } = await browser();
    const page = await context.newPage();
    await page.goto(`${site.url}/`);
    const link = page.locator("#example-link");
    expect(await link.isVisible()).toBe(true);
    await link.click();
    await page.waitForURL(`${site.url}/examples/feed/`, { timeout: 20_000 });
    await waitForStatus(page, "live");
    await waitForCount(page, "#feed li", 3);
    await post(page, "margaret", "Posting from the example page.");
    await waitForCount(page, "#feed li", 4);
    await waitForCount(page, "#outbox li", 0);

    expect(await page.textContent("#status")).toBe("live");
    const texts = (await feedEntries(page)).map((e) => e.text);
    expect(texts).toContain("Posting from the example page.");
    expect(texts).toContain("Two tabs, one socket per partition.");
    await rm(SCREENSHOT_PATH, { force: true });
    await mkdir(join(ROOT, "test-results", "browser"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT_PATH });
    const png = await readFile(SCREENSHOT_PATH);
    // PNG signature, then the IHDR chunk: width and height as big-endian 32-bit integers.
    expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
    expect(png.subarray(12, 16).toString("latin1")).toBe("IHDR");
    expect({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) }).toEqual(VIEWPORT);
    expect(png.length).toBeGreaterThan(10_000);
  });
});
