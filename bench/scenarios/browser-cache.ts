/**
 * Scenario 6: the browser client's IndexedDB cache, in Debian's Chromium (headless, driven by
 * playwright-core), with no edgelog server at all. Each run launches Chromium on a fresh profile,
 * loads a small page (browser-cache-page.ts, bundled with esbuild and served from 127.0.0.1 so
 * IndexedDB has a real origin) and measures:
 *
 * - **cache write**: `profile.browserCache.events` 100-byte events stored through the library's
 *   cache exactly as a subscription stores what it receives (`EventCache.putRecords`, one page per
 *   call, a topic's partitions in parallel), events/s;
 * - **replay**: a new page load, then `createClient({ url: <nobody listening>, dbName })` and
 *   `subscribe(topic, { from: "earliest" })`, timed from createClient to the last callback, events/s.
 *
 * The events are spread over partitions of at most CACHE_RECORDS_PER_PARTITION_MAX (the
 * library's default per-partition bound), so nothing is evicted and every record is replayed.
 *
 * @example
 * const page = await startCachePage(dir);
 * const sample = await browserCacheRun(page.url, PROFILES.smoke.browserCache, 0);
 * await page.stop();
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CACHE_RECORDS_PER_PARTITION_MAX } from "../../client/local-limits.ts";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../../test/node/chromium.ts";
import { type ScriptPage, servePageScript } from "../../test/node/page-server.ts";
import { makeTempDir, ROOT, removeDir } from "../../test/node/runtime.ts";
import type { BrowserCacheBounds } from "../profiles.ts";
import type { RunSample } from "../result.ts";
import { perSecond } from "../stats.ts";
import type { BenchPageApi, PhaseResult } from "./browser-cache-page.ts";

/** The targets (events/s): replaying the cache, and writing it during a catch-up. */
export const BROWSER_CACHE_TARGETS = { replay: 300_000, write: 100_000 } as const;

/** How long launching Chromium may take, in ms. */
const LAUNCH_TIMEOUT_MS = 60_000;

/** Port 9 (discard) on 127.0.0.1: nothing listens there, so every connection is refused at once. */
export const UNREACHABLE_URL = "http://127.0.0.1:9";

/** Why scenario 6 cannot run here, or null when it can. */
export function missingChromium(): string | null {
  return existsSync(CHROMIUM_PATH) ? null : `${CHROMIUM_PATH} is missing (apt-get install chromium)`;
}

/** The bench page, served on 127.0.0.1. */
export type CachePage = ScriptPage;

/**
 * Bundles the page script into `dir` and serves it (and an empty page loading it) on a free
 * 127.0.0.1 port.
 *
 * @example
 * const page = await startCachePage(workDir);
 */
export function startCachePage(dir: string): Promise<CachePage> {
  return servePageScript(join(ROOT, "bench", "scenarios", "browser-cache-page.ts"), dir, "edgelog cache bench");
}

/** How the run spreads its events: partitions of at most the library's per-partition bound. */
export function layout(events: number): { partitions: number; perPartition: number } {
  const partitions = Math.max(1, Math.ceil(events / CACHE_RECORDS_PER_PARTITION_MAX));
  return { partitions, perPartition: Math.ceil(events / partitions) };
}

/**
 * One run: a fresh Chromium profile, the cache written, the page reloaded, the cache replayed.
 * Answers `write` and `replay` in events/s; fails if either phase did not handle every event.
 *
 * @example
 * const sample = await browserCacheRun(page.url, { events: 100_000, page: 500, secondsMax: 60 }, 0);
 * sample.metrics.replay; // events/s
 */
export async function browserCacheRun(pageUrl: string, bounds: BrowserCacheBounds, index: number): Promise<RunSample> {
  const { partitions, perPartition } = layout(bounds.events);
  const total = partitions * perPartition;
  const profileDir = await makeTempDir("edgelog-bench-chromium-");
  try {
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS],
      timeout: LAUNCH_TIMEOUT_MS,
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const timeoutMs = bounds.secondsMax * 1000;
      page.setDefaultTimeout(timeoutMs + 10_000);
      await page.goto(pageUrl);
      const dbName = `bench-${index}`;
      const topic = "cache-bench";
      const written: PhaseResult = await page.evaluate(
        (request) => (globalThis as unknown as { edgelogBench: BenchPageApi }).edgelogBench.write(request),
        { dbName, topic, partitions, perPartition, page: bounds.page, timeoutMs },
      );
      if (written.records !== total) throw new Error(`wrote ${written.records} of ${total} records`);
      // A new page: the replay starts from a client that has never seen these records.
      await page.reload();
      const replayed: PhaseResult = await page.evaluate(
        (request) => (globalThis as unknown as { edgelogBench: BenchPageApi }).edgelogBench.replay(request),
        { dbName, topic, total, url: UNREACHABLE_URL, timeoutMs },
      );
      if (replayed.records < total) throw new Error(`replayed ${replayed.records} of ${total} records`);
      const notes =
        replayed.errors.length > 0 ? [`client errors during replay (expected: no server): ${replayed.errors.slice(0, 2).join("; ")}`] : [];
      return {
        metrics: {
          write: perSecond(written.records, written.ms),
          replay: perSecond(total, replayed.ms),
          writeMs: written.ms,
          replayMs: replayed.ms,
        },
        counts: { events: total, partitions, pageRecords: bounds.page, replayed: replayed.records },
        ...(notes.length > 0 && { notes }),
      };
    } finally {
      await context.close().catch(() => undefined);
    }
  } finally {
    await removeDir(profileDir);
  }
}

export { CHROMIUM_PATH };
