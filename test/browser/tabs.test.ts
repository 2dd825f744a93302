/**
 * Two tabs of the example feed in one real Chromium profile, against real `wrangler dev`: the
 * tabs elect a leader with Web Locks, only the leader opens sockets (the partition objects count
 * one socket each, not two), the follower gets records over a BroadcastChannel and has its posts
 * sent from the shared outbox; when the leader tab closes, the follower takes over the sockets and
 * keeps receiving with no gap and no duplicate.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project browser test/browser/tabs.test.ts
 */
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import {
  contiguityProblems,
  describeInChromium,
  feedEntries,
  launchBrowser,
  post,
  startSite,
  type TestBrowser,
  type TestSite,
  WAIT_MS,
  waitForCount,
  waitForSockets,
  waitForStatus,
} from "./browser-harness.ts";

const TOPIC = "two-tabs";
const PARTITIONS = 2;

let site: TestSite;
const browsers: TestBrowser[] = [];

function messages(from: number, to: number): { key: string; value: { author: string; text: string; id: string } }[] {
  const authors = ["ada", "grace", "linus", "margaret", "alan"];
  return Array.from({ length: to - from }, (_, i) => {
    const n = from + i;
    const author = authors[n % authors.length]!;
    return { key: author, value: { author, text: `message ${n}`, id: `t${n}` } };
  });
}

/** Every role the page shows, from its first, recorded by a script that runs before the page's. */
async function recordRoles(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (globalThis as unknown as { rolesSeen: string[] }).rolesSeen = seen;
    new MutationObserver((mutations) => {
      for (const mutation of mutations) {
        const target = mutation.target as HTMLElement;
        if (target.id === "role" && target.dataset.role !== undefined) seen.push(target.dataset.role);
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-role"] });
  });
}

async function rolesSeen(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as unknown as { rolesSeen: string[] }).rolesSeen);
}

async function waitForRole(page: Page, role: "leader" | "follower"): Promise<void> {
  await page.waitForFunction((want) => document.getElementById("role")?.dataset.role === want, role, { timeout: WAIT_MS });
}

async function highWatermarks(): Promise<number[]> {
  return (await site.api.describeTopic(TOPIC)).partitions.map((p) => p.highWatermark);
}

describeInChromium("two tabs of the example feed in Chromium", () => {
  beforeAll(async () => {
    site = await startSite();
  });

  afterEach(async () => {
    for (const launched of browsers.splice(0)) await launched.close();
  });

  afterAll(async () => {
    await site?.stop();
  });

  it("share one socket per partition, and the follower takes over when the leader tab closes", async () => {
    await site.api.createTopic(TOPIC, PARTITIONS);
    await site.api.produce(TOPIC, { records: messages(0, 6) });
    const launched = await launchBrowser();
    browsers.push(launched);
    const url = `${site.url}/examples/feed/?topic=${TOPIC}`;
    const first = await launched.context.newPage();
    await first.goto(url);
    await waitForRole(first, "leader");
    await waitForStatus(first, "live");
    const second = await launched.context.newPage();
    await second.goto(url);
    await waitForRole(second, "follower");
    await waitForStatus(second, "live");
    await Promise.all([waitForCount(first, "#feed li", 6), waitForCount(second, "#feed li", 6)]);
    await waitForSockets(site.url, TOPIC, PARTITIONS, 1);

    // Records reach both tabs; a post from the follower goes out through the leader, once.
    await site.api.produce(TOPIC, { records: messages(6, 10) });
    await post(second, "barbara", "from the follower tab");
    await Promise.all([waitForCount(first, "#feed li", 11), waitForCount(second, "#feed li", 11)]);
    await waitForCount(second, "#outbox li", 0);
    const stored = (await Promise.all([0, 1].map((p) => site.api.readAll(TOPIC, p)))).flatMap((read) => read.records);
    expect(stored.filter((r) => (r.value as { text?: string }).text === "from the follower tab")).toHaveLength(1);

    // The leader tab goes; appends race the takeover.
    await first.close();
    await site.api.produce(TOPIC, { records: messages(11, 16) });
    await waitForRole(second, "leader");
    await site.api.produce(TOPIC, { records: messages(16, 20) });
    await waitForCount(second, "#feed li", 20);
    await waitForStatus(second, "live");
    await waitForSockets(site.url, TOPIC, PARTITIONS, 1);

    const entries = await feedEntries(second);
    expect(contiguityProblems(entries, await highWatermarks())).toEqual([]);
    expect(new Set(entries.map((e) => e.id)).size).toBe(20);
  });

  it("never show a lone tab as a follower: it says electing, then leader; a second tab never leads", async () => {
    await site.api.createTopic("lone-tab", 1);
    const launched = await launchBrowser();
    browsers.push(launched);
    const url = `${site.url}/examples/feed/?topic=lone-tab`;
    const first = await launched.context.newPage();
    await recordRoles(first);
    await first.goto(url);
    await waitForRole(first, "leader");
    await waitForStatus(first, "live");
    const second = await launched.context.newPage();
    await recordRoles(second);
    await second.goto(url);
    await waitForRole(second, "follower");
    const firstRoles = await rolesSeen(first);
    expect(firstRoles).not.toContain("follower");
    expect(firstRoles[firstRoles.length - 1]).toBe("leader");
    expect((await rolesSeen(second)).filter((role) => role !== "electing")).toEqual(["follower"]);
  });
});
