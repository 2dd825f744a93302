/**
 * The console's Pipelines section in real Chromium against real `wrangler dev`: the three example
 * processors this repository's Worker registers (one failing with UNKNOWN_TOPIC, its output topic
 * missing), a webhook connector to a refused loopback port (failed attempts, and after a click its
 * partition lines with the last error), and an HTTP source that took one correctly signed delivery
 * (accepted 1, the path its sender posts to). No CSP violation or page error happens on the way.
 * The screenshot goes to test-results/console/console-pipelines.png.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project browser test/browser/console-pipelines.test.ts
 */
import { createHmac } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ConnectorStatus, SourceStatus } from "../../client/protocol/index.ts";
import { ROOT, requestJson } from "../node/runtime.ts";
import { describeInChromium, launchBrowser, startSite, type TestBrowser, type TestSite, WAIT_MS } from "./browser-harness.ts";

const SECRET = "console-pipelines-secret-0123456789";
const EXAMPLE_PROCESSORS = ["example-views-by-page", "example-page-views-per-minute", "example-slow-views"];

let site: TestSite;
let browser: TestBrowser;
const problems: string[] = [];

async function expectStatus(method: string, path: string, body: unknown, statuses: number[]): Promise<unknown> {
  const answer = await requestJson(method, `${site.url}${path}`, body);
  expect(statuses, `${method} ${path}: ${JSON.stringify(answer.body)}`).toContain(answer.status);
  return answer.body;
}

/** The cells' text of the table row matching `selector`. */
function cells(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(`${selector} td`, (tds) => tds.map((td) => td.textContent ?? ""));
}

describeInChromium("the console's pipelines section in Chromium", () => {
  beforeAll(async () => {
    site = await startSite();
    browser = await launchBrowser();
    // The example processors' topics, all but example-slow-views: that processor's step fails.
    await site.api.createTopic("example-page-views", 1);
    await site.api.createTopic("example-page-views-by-page", 1);
    await expectStatus("PUT", "/v1/topics/example-page-view-counts", { partitions: 1, config: { "cleanup.policy": "compact" } }, [201]);
    await site.api.produce("example-page-views", { records: [{ value: { page: "/home", ms: 2_500 } }] });

    await site.api.createTopic("hooked", 1);
    await site.api.produce("hooked", { records: [{ value: { n: 1 } }] });
    const hook = { kind: "webhook", topic: "hooked", url: "http://127.0.0.1:9/h", secret: SECRET, backoffInitialMs: 100 };
    await expectStatus("PUT", "/v1/connectors/refused-hook", hook, [201]);

    await site.api.createTopic("inbound", 1);
    await expectStatus("PUT", "/v1/sources/inbound-hook", { topic: "inbound", secret: SECRET }, [201]);
    const body = JSON.stringify({ action: "opened", number: 1 });
    const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
    const res = await fetch(`${site.url}/v1/sources/inbound-hook/events`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "x-hub-signature-256": signature, "x-delivery-id": "d-1" },
      signal: AbortSignal.timeout(15_000),
    });
    expect(res.status, await res.text()).toBeLessThan(300);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });

  it("lists the processors (one failing), the connector with failed attempts and its partitions, and the source", async () => {
    const page = await browser.context.newPage();
    page.on("console", (message) => {
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(String(error)));
    await page.goto(`${site.url}/`);

    await page.waitForSelector("#processors-table", { timeout: WAIT_MS });
    const names = await page.$$eval("#processors-table tbody tr", (rows) => rows.map((row) => (row as HTMLElement).dataset.processor));
    expect(names).toEqual(EXAMPLE_PROCESSORS);
    expect((await cells(page, 'tr[data-processor="example-slow-views"]'))[1]).toBe("example-page-views → example-slow-views");
    await page.waitForSelector('tr.failing[data-processor="example-slow-views"] td.state code', { timeout: WAIT_MS });
    expect(await page.textContent('tr[data-processor="example-slow-views"] td.state code')).toBe("UNKNOWN_TOPIC");
    expect(await page.$$eval("#processors-table tr.failing", (rows) => rows.length)).toBe(1);
    await page.waitForFunction(
      () => document.querySelector('tr[data-processor="example-views-by-page"] td:nth-child(5)')?.textContent === "1",
      undefined,
      { timeout: WAIT_MS },
    );

    // The connector's failed attempts rise as the refused port is retried.
    await page.waitForFunction(
      () => Number(document.querySelector('tr[data-connector="refused-hook"] td:nth-child(7)')?.textContent ?? 0) >= 1,
      undefined,
      { timeout: WAIT_MS },
    );
    const connector = await cells(page, 'tr[data-connector="refused-hook"]');
    expect(connector.slice(0, 4)).toEqual(["refused-hook", "webhook", "hooked", "http://127.0.0.1:9/h"]);
    expect(await page.isHidden("#connector-panel")).toBe(true);
    await page.click('tr[data-connector="refused-hook"]');
    await page.waitForSelector('#connector-partitions-table tr[data-connector-partition="0"]', { timeout: WAIT_MS });
    expect(page.url()).toContain("connector=refused-hook");
    const line = await cells(page, '#connector-partitions-table tr[data-connector-partition="0"]');
    const status = (await requestJson<ConnectorStatus>("GET", `${site.url}/v1/connectors/refused-hook`)).body;
    expect(status.partitions[0]?.lastError).not.toBeNull();
    expect(line.slice(0, 3)).toEqual(["0", "0", "1"]);
    expect(line[5]).toMatch(/^(retrying|failing)$/);
    expect(line[6]).not.toBe("–");

    const source = await cells(page, 'tr[data-source="inbound-hook"]');
    const sourceStatus = (await requestJson<SourceStatus>("GET", `${site.url}/v1/sources/inbound-hook`)).body;
    expect(sourceStatus.accepted).toBe(1);
    expect(source.slice(0, 5)).toEqual(["inbound-hook", "inbound", "1", "0", "0"]);
    expect(source[5]).not.toBe("–");
    expect(source[6]).toBe("POST /v1/sources/inbound-hook/events");

    await mkdir(join(ROOT, "test-results", "console"), { recursive: true });
    await page.screenshot({ path: join(ROOT, "test-results", "console", "console-pipelines.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
