/**
 * Helpers for the end-to-end tests in real Chromium: Debian's /usr/bin/chromium driven by
 * playwright-core (never a downloaded browser), a fresh profile (--user-data-dir) per test, the
 * site served by real `wrangler dev` on 127.0.0.1 (static assets as users get them), and bounded
 * waits on what the example page shows.
 *
 * Without Chromium the tests are skipped with a message, except in CI (CI=true), where a missing
 * browser is a failure: a test that silently never runs proves nothing.
 *
 * @example
 * const site = await startSite();
 * const browser = await launchBrowser();
 * const page = await browser.context.newPage();
 * await page.goto(`${site.url}/examples/feed/?topic=demo`);
 * await waitForStatus(page, "live");
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { describe, it } from "vitest";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../node/chromium.ts";
import {
  type EdgelogApi,
  edgelogApi,
  makeTempDir,
  removeDir,
  requestJson,
  startWrangler,
  type WranglerRuntime,
  waitFor,
} from "../node/runtime.ts";

/** How long a test waits for anything the page does (bounded; generous for a noisy machine). */
export const WAIT_MS = 20_000;

/** The window every test uses, so screenshots have known dimensions. */
export const VIEWPORT = { width: 1280, height: 800 } as const;

/**
 * `describe` when Chromium is installed; otherwise a skip that says why, or, in CI, a failing test.
 *
 * @example
 * describeInChromium("the example feed", () => { it("...", async () => {}); });
 */
export function describeInChromium(name: string, body: () => void): void {
  if (existsSync(CHROMIUM_PATH)) {
    describe(name, body);
    return;
  }
  const why = `${CHROMIUM_PATH} is missing (apt-get install chromium)`;
  if (process.env.CI === "true") {
    describe(name, () => {
      it("needs Chromium", () => {
        throw new Error(`CI=true and ${why}: the browser tests must run in CI`);
      });
    });
    return;
  }
  console.warn(`skipping "${name}": ${why}`);
  describe.skip(name, body);
}

/**
 * A browser with its own fresh profile.
 *
 * @example
 * const browser = await launchBrowser();
 * await browser.close();
 */
export interface TestBrowser {
  context: BrowserContext;
  /** Closes the browser and deletes its profile. */
  close(): Promise<void>;
}

/**
 * Launches Chromium on a new temporary profile directory (launchPersistentContext: one profile,
 * so its pages are tabs of one browser sharing IndexedDB, locks and BroadcastChannel).
 *
 * @example
 * const { context, close } = await launchBrowser();
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = await makeTempDir("edgelog-chromium-");
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS],
      viewport: VIEWPORT,
      timeout: 60_000,
    });
  } catch (error) {
    await removeDir(profile);
    throw error;
  }
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      await removeDir(profile);
    },
  };
}

/**
 * The site under `wrangler dev`, with its state in a temporary directory.
 *
 * @example
 * const site = await startSite();
 * await site.api.createTopic("demo", 2);
 * await site.stop();
 */
export interface TestSite {
  url: string;
  api: EdgelogApi;
  stop(): Promise<void>;
}

/**
 * Starts `wrangler dev` (as `npm start` does) on a free 127.0.0.1 port.
 *
 * @example
 * const site = await startSite();
 */
export async function startSite(): Promise<TestSite> {
  const dir = await makeTempDir("edgelog-browser-site-");
  let dev: WranglerRuntime;
  try {
    dev = await startWrangler({ persistDir: join(dir, "state"), sideDir: join(dir, "side") });
  } catch (error) {
    await removeDir(dir);
    throw error;
  }
  return {
    url: dev.url,
    api: edgelogApi(dev.url),
    stop: async () => {
      await dev.stopGracefully();
      await removeDir(dir);
    },
  };
}

/**
 * Waits until the page's status badge says `status`.
 *
 * @example
 * await waitForStatus(page, "offline");
 */
export async function waitForStatus(page: Page, status: string): Promise<void> {
  await page.waitForFunction((want) => document.getElementById("status")?.textContent === want, status, { timeout: WAIT_MS });
}

/**
 * Waits until `selector` matches exactly `count` elements.
 *
 * @example
 * await waitForCount(page, "#outbox li", 0);
 */
export async function waitForCount(page: Page, selector: string, count: number): Promise<void> {
  await page.waitForFunction(
    ({ selector, count }) => document.querySelectorAll(selector).length === count,
    { selector, count },
    { timeout: WAIT_MS },
  );
}

/**
 * One feed entry as the page shows it.
 *
 * @example
 * const entries: FeedEntry[] = await feedEntries(page);
 */
export interface FeedEntry {
  partition: number;
  offset: number;
  /** The message's id (empty for a record that is not a feed message). */
  id: string;
  text: string;
}

/**
 * The feed entries on the page, top to bottom.
 *
 * @example
 * (await feedEntries(page)).map((e) => e.id);
 */
export async function feedEntries(page: Page): Promise<FeedEntry[]> {
  return page.$$eval("#feed li", (items) =>
    items.map((item) => ({
      partition: Number((item as HTMLElement).dataset.partition),
      offset: Number((item as HTMLElement).dataset.offset),
      id: (item as HTMLElement).dataset.id ?? "",
      text: item.querySelector(".text")?.textContent ?? "",
    })),
  );
}

/**
 * The message ids in the page's outbox list, oldest first.
 *
 * @example
 * expect(await outboxIds(page)).toHaveLength(3);
 */
export async function outboxIds(page: Page): Promise<string[]> {
  return page.$$eval("#outbox li", (items) => items.map((item) => (item as HTMLElement).dataset.id ?? ""));
}

/**
 * Posts a message through the page's form (as a user would).
 *
 * @example
 * await post(page, "ada", "hello");
 */
export async function post(page: Page, author: string, text: string): Promise<void> {
  await page.fill("#author", author);
  await page.fill("#text", text);
  await page.click("#compose button[type=submit]");
  // The form clears the message once it is safely in the outbox.
  await page.waitForFunction(() => (document.getElementById("text") as HTMLInputElement | null)?.value === "", null, { timeout: WAIT_MS });
}

/**
 * Waits until every partition of `topic` has exactly `count` WebSockets open on the server (the
 * partition's `stats` route counts them).
 *
 * @example
 * await waitForSockets(site.url, "orders", 2, 1); // two tabs, one socket per partition
 */
export async function waitForSockets(url: string, topic: string, partitions: number, count: number): Promise<void> {
  let last: number[] = [];
  await waitFor(
    `${count} socket(s) per partition of ${topic}`,
    async () => {
      const answers = await Promise.all(
        Array.from({ length: partitions }, (_, p) =>
          requestJson<{ sockets: number }>("GET", `${url}/v1/topics/${topic}/partitions/${p}/stats`),
        ),
      );
      last = answers.map((answer) => answer.body.sockets);
      return last.every((sockets) => sockets === count) ? true : undefined;
    },
    WAIT_MS,
    200,
  ).catch((error: Error) => {
    throw new Error(`${error.message} (last seen: ${JSON.stringify(last)})`);
  });
}

/**
 * What is wrong with the entries, if anything: each partition must show its offsets 0..n-1
 * exactly once (in any display order), n being its high watermark: no gap, no duplicate.
 *
 * @example
 * expect(contiguityProblems(await feedEntries(page), [3, 4])).toEqual([]);
 */
export function contiguityProblems(entries: readonly FeedEntry[], highWatermarks: readonly number[]): string[] {
  const problems: string[] = [];
  highWatermarks.forEach((high, partition) => {
    const offsets = entries
      .filter((e) => e.partition === partition)
      .map((e) => e.offset)
      .sort((a, b) => a - b);
    const expected = Array.from({ length: high }, (_, i) => i);
    if (JSON.stringify(offsets) !== JSON.stringify(expected))
      problems.push(`partition ${partition}: ${JSON.stringify(offsets)}, expected 0..${high - 1}`);
  });
  return problems;
}

/**
 * Calls `name` on the API a page script put on `globalThis[global]` (a page served by
 * servePageScript), with `args`, and answers its (awaited) result: a typed page.evaluate.
 *
 * @example
 * const read = await callPage<CacheTestApi, "openAndRead">(page, "cacheTest", "openAndRead", "db", "t", 0);
 */
export function callPage<Api extends Record<string, PageFunction>, K extends keyof Api & string>(
  page: Page,
  global: string,
  name: K,
  ...args: Parameters<Api[K]>
): Promise<Awaited<ReturnType<Api[K]>>> {
  return page.evaluate(
    ([where, method, params]) => {
      const target = (globalThis as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>)[where]!;
      return target[method]!(...(params as unknown[]));
    },
    [global, name, args] as const,
  ) as Promise<Awaited<ReturnType<Api[K]>>>;
}

/** A function a page script exposes (its arguments and result cross as structured clones). */
// biome-ignore lint/suspicious/noExplicitAny: any function's parameters, as Parameters<> needs
type PageFunction = (...args: any[]) => unknown;

/**
 * Waits until the element `selector` shows exactly `text`.
 *
 * @example
 * await waitForText(page, "#status", "live");
 */
export async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(
    ({ selector, text }) => document.querySelector(selector)?.textContent === text,
    { selector, text },
    { timeout: WAIT_MS },
  );
}

/**
 * The text of every element `selector` matches, in document order.
 *
 * @example
 * expect(await texts(page, "#records li")).toEqual(["one", "two"]);
 */
export async function texts(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (items) => items.map((item) => item.textContent ?? ""));
}

/** Re-exported for the tests that import them from here. */
export { CHROMIUM_ARGS, CHROMIUM_PATH };
