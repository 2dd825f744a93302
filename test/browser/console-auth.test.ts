/**
 * The admin console with authentication required, in real Chromium against real `wrangler dev`:
 * the page asks for a token, refuses a bad one with the server's code, and with an admin token
 * (kept in sessionStorage, sent as the Authorization header, never in a URL) lists the topics and
 * tails a partition (the SSE tail is read through fetch so the header goes along); after a reload
 * the token is still there, and Forget drops it. With a token whose admin covers only some topics,
 * the Pipelines section says each of its lists needs admin on * (FORBIDDEN), with no error shown.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project browser test/browser/console-auth.test.ts
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeTempDir, ROOT, removeDir, startWrangler, type WranglerRuntime } from "../node/runtime.ts";
import { AUTH_REQUIRED_VARS, adminRequest, mintToken } from "../node/test-tokens.ts";
import { describeInChromium, launchBrowser, type TestBrowser, WAIT_MS } from "./browser-harness.ts";

describeInChromium("the admin console with auth required", () => {
  let dir = "";
  let dev: WranglerRuntime;
  let browser: TestBrowser;

  beforeAll(async () => {
    dir = await makeTempDir("edgelog-console-auth-");
    dev = await startWrangler({ persistDir: join(dir, "state"), sideDir: join(dir, "side"), vars: { ...AUTH_REQUIRED_VARS } });
    browser = await launchBrowser();
    await adminRequest(dev.url, "PUT", "/v1/topics/secret-orders", { partitions: 1 });
    await adminRequest(dev.url, "POST", "/v1/topics/secret-orders/records", { records: [{ key: "k", value: { paid: true } }] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await dev?.stopGracefully();
    if (dir) await removeDir(dir);
  });

  it("asks for a token, lists and tails with it, keeps it across a reload, and forgets it", async () => {
    const page = await browser.context.newPage();
    const urls: string[] = [];
    page.on("request", (request) => urls.push(request.url()));
    await page.goto(`${dev.url}/#topic=secret-orders&partition=0`);
    await page.waitForSelector("#token-panel:not([hidden])", { timeout: WAIT_MS });

    await page.fill("#token-input", await mintToken({ sub: "ops", scope: "admin:*", expiresInS: 600, wrongSecret: true }));
    await page.click("#token-form button[type=submit]");
    await page.waitForSelector("#topics-error:not([hidden])", { timeout: WAIT_MS });
    expect(await page.textContent("#topics-error code")).toBe("UNAUTHENTICATED");

    const token = await mintToken({ sub: "ops", scope: "admin:* group:*", expiresInS: 600 });
    await page.fill("#token-input", token);
    await page.click("#token-form button[type=submit]");
    await page.waitForSelector('#topics-table tr[data-topic="secret-orders"]', { timeout: WAIT_MS });
    await page.waitForFunction(
      () => [...document.querySelectorAll("#tail li .value")].some((v) => v.textContent === '{"paid":true}'),
      undefined,
      { timeout: WAIT_MS },
    );
    expect(await page.evaluate(() => sessionStorage.getItem("edgelog.token"))).toBe(token);
    await mkdir(join(ROOT, "test-results", "console"), { recursive: true });
    await page.screenshot({ path: join(ROOT, "test-results", "console", "console-auth.png") });

    await page.reload();
    await page.waitForSelector('#topics-table tr[data-topic="secret-orders"]', { timeout: WAIT_MS });
    expect(await page.isHidden("#token-panel")).toBe(true);
    expect(urls.some((url) => url.includes(token))).toBe(false);

    await page.evaluate(() => document.getElementById("token-panel")?.removeAttribute("hidden"));
    await page.click("#token-forget");
    expect(await page.evaluate(() => sessionStorage.getItem("edgelog.token"))).toBeNull();
    await page.close();
  }, 120_000);

  it("says the pipelines' lists need admin on * with a token whose admin is on some topics only", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${dev.url}/`);
    await page.waitForSelector("#token-panel:not([hidden])", { timeout: WAIT_MS });
    await page.fill("#token-input", await mintToken({ sub: "narrow", scope: "admin:secret-* group:*", expiresInS: 600 }));
    await page.click("#token-form button[type=submit]");
    await page.waitForSelector('#topics-table tr[data-topic="secret-orders"]', { timeout: WAIT_MS });
    for (const list of ["processors", "connectors", "sources"]) {
      await page.waitForSelector(`#${list} [data-unavailable="FORBIDDEN"]`, { timeout: WAIT_MS });
      expect(await page.textContent(`#${list}`)).toContain("Needs admin on *");
      expect(await page.isHidden(`#${list}-error`)).toBe(true);
    }
    await page.screenshot({ path: join(ROOT, "test-results", "console", "console-pipelines-forbidden.png"), fullPage: true });
    await page.close();
  }, 120_000);
});
