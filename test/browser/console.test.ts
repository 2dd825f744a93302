/**
 * The admin console (the page at `/`, its script the console/ bundle) in real Chromium against
 * real `wrangler dev`: it lists a topic with its partitions and a group with its members and lag,
 * the throughput and lag charts draw (a canvas with the series' colour, several samples), the live
 * tail shows a record produced from the page, and deleting a topic asks first (Cancel keeps it,
 * Delete removes it). No CSP violation or page error happens on the way. Screenshots go to
 * test-results/console/ (gitignored) for a person to look at.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project browser test/browser/console.test.ts
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ROOT, requestJson } from "../node/runtime.ts";
import { describeInChromium, launchBrowser, startSite, type TestBrowser, type TestSite, WAIT_MS } from "./browser-harness.ts";

/** Where the screenshots go (test-results/ is gitignored). */
const SCREENSHOT_DIR = join(ROOT, "test-results", "console");

let site: TestSite;
let browser: TestBrowser;
const problems: string[] = [];

async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Pixels of a chart's canvas in its first line's colour (#4f8cff), give or take antialiasing. */
async function linePixels(page: Page, chartId: string): Promise<number> {
  return page.evaluate((id) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`#${id} canvas`);
    const context = canvas?.getContext("2d");
    if (!canvas || !context) return -1;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0];
      if (Math.abs(r - 0x4f) < 24 && Math.abs(g - 0x8c) < 24 && Math.abs(b - 0xff) < 24) count += 1;
    }
    return count;
  }, chartId);
}

async function waitForPoints(page: Page, chartId: string, points: number): Promise<void> {
  await page.waitForFunction(
    ({ id, want }) => Number(document.getElementById(id)?.dataset.points ?? 0) >= want,
    { id: chartId, want: points },
    { timeout: WAIT_MS },
  );
}

async function openConsole(hash: string): Promise<Page> {
  const page = await browser.context.newPage();
  page.on("console", (message) => {
    // A CSP violation or a script error is a problem; an HTTP error answer (Chromium logs "Failed to
    // load resource" for a 404, e.g. a refresh racing a topic's deletion) is the page's to show.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(String(error)));
  await page.goto(`${site.url}/#${hash}`);
  return page;
}

describeInChromium("the admin console in Chromium", () => {
  beforeAll(async () => {
    site = await startSite();
    browser = await launchBrowser();
    await site.api.createTopic("orders", 2);
    const records = Array.from({ length: 40 }, (_, i) => ({ key: `user-${i % 7}`, value: { order: i } }));
    await site.api.produce("orders", { records });
    const joined = await requestJson<{ generation: number }>("POST", `${site.url}/v1/groups/billing/members`, {
      topic: "orders",
      memberId: "worker-1",
    });
    const offsets = [
      { topic: "orders", partition: 0, offset: 2 },
      { topic: "orders", partition: 1, offset: 1 },
    ];
    await site.api.commit("billing", { offsets, memberId: "worker-1", generation: joined.body.generation });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });

  it("lists the topic and the group with members and lag, and draws the throughput and lag charts", async () => {
    const page = await openConsole("topic=orders&partition=0&group=billing");
    await page.waitForSelector('#topics-table tr[data-topic="orders"]', { timeout: WAIT_MS });
    await page.waitForSelector('#groups-table tr[data-group="billing"]', { timeout: WAIT_MS });
    await page.waitForSelector("#members-table", { timeout: WAIT_MS });
    expect(await page.textContent("#members-table")).toContain("worker-1");
    const offsets = await site.api.groupOffsets("billing", "orders");
    const lags = await page.$$eval("#lag-table tbody tr", (rows) => rows.map((row) => row.querySelector("td:last-child")?.textContent));
    expect(lags).toEqual(offsets.partitions.map((p) => String(p.lag)));
    expect(offsets.totalLag).toBeGreaterThan(0);
    expect(await page.$$eval("#partitions-table tbody tr", (rows) => rows.length)).toBe(2);
    expect(await page.textContent("#topic-config")).toContain("cleanup.policy: delete");

    // Records appended between samples make the throughput line rise off zero.
    for (let round = 0; round < 3; round += 1) {
      await site.api.produce("orders", { records: Array.from({ length: 50 }, (_, i) => ({ value: { round, i } })) });
      await waitForPoints(page, "throughput-chart", round + 1);
    }
    await waitForPoints(page, "lag-chart", 3);
    expect(await linePixels(page, "throughput-chart")).toBeGreaterThan(20);
    expect(await linePixels(page, "lag-chart")).toBeGreaterThan(20);
    await screenshot(page, "console-topic-and-group");
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it("shows a record produced from the page in the live tail", async () => {
    const page = await openConsole("topic=orders&partition=1");
    await page.waitForSelector("#produce-panel:not([hidden])", { timeout: WAIT_MS });
    await page.waitForFunction(() => document.getElementById("tail-state")?.textContent === "live", undefined, { timeout: WAIT_MS });
    await page.selectOption("#produce-partition", "1");
    await page.fill("#produce-value", '{"hello": "from the console"}');
    await page.click("#produce-form button[type=submit]");
    await page.waitForFunction(
      () => [...document.querySelectorAll("#tail li .value")].some((v) => v.textContent === '{"hello":"from the console"}'),
      undefined,
      {
        timeout: WAIT_MS,
      },
    );
    expect(await page.textContent("#produce-note")).toMatch(/^appended at partition 1, offset \d+$/);
    await screenshot(page, "console-live-tail");
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it("asks before deleting a topic: Cancel keeps it, Delete removes it", async () => {
    await site.api.createTopic("scratch", 1);
    const page = await openConsole("topic=scratch");
    await page.waitForSelector("#topic-panel:not([hidden])", { timeout: WAIT_MS });
    await page.click("#delete-topic");
    await page.waitForSelector("#confirm-dialog[open]", { timeout: WAIT_MS });
    expect(await page.textContent("#confirm-message")).toContain("Delete topic scratch");
    await page.screenshot({ path: join(SCREENSHOT_DIR, "console-delete-confirmation.png") });
    await page.click("#confirm-no");
    await page.waitForSelector("#confirm-dialog:not([open])", { state: "attached", timeout: WAIT_MS });
    expect((await site.api.describeTopic("scratch")).name).toBe("scratch");

    await page.click("#delete-topic");
    await page.click("#confirm-yes");
    await page.waitForFunction(() => document.querySelector('#topics-table tr[data-topic="scratch"]') === null, undefined, {
      timeout: WAIT_MS,
    });
    const gone = await requestJson("GET", `${site.url}/v1/topics/scratch`);
    expect(gone.status).toBe(404);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it("asks before deleting records: Cancel keeps them, Delete moves the log start to the high watermark", async () => {
    await site.api.createTopic("trim", 1);
    await site.api.produce("trim", { records: Array.from({ length: 5 }, (_, i) => ({ value: i })) });
    const page = await openConsole("topic=trim");
    await page.waitForSelector('#partitions-table button[data-delete-records="0"]:not([disabled])', { timeout: WAIT_MS });
    await page.click('#partitions-table button[data-delete-records="0"]');
    await page.waitForSelector("#confirm-dialog[open]", { timeout: WAIT_MS });
    expect(await page.textContent("#confirm-message")).toContain("partition 0 below offset 5");
    await page.click("#confirm-no");
    expect((await site.api.describeTopic("trim")).partitions[0]?.logStartOffset).toBe(0);

    await page.click('#partitions-table button[data-delete-records="0"]');
    await page.waitForSelector("#confirm-dialog[open]", { timeout: WAIT_MS });
    await page.click("#confirm-yes");
    await page.waitForSelector('#partitions-table button[data-delete-records="0"][disabled]', { state: "attached", timeout: WAIT_MS });
    expect((await site.api.describeTopic("trim")).partitions[0]).toMatchObject({ logStartOffset: 5, highWatermark: 5 });
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
