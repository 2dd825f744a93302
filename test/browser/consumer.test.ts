/**
 * The issue's "Done when" for consumer groups: a browser member and a Node member share a group's
 * partitions, and a rebalance moves them with fenced commits. A page in real Chromium (Debian's
 * /usr/bin/chromium through playwright-core; its client with the browser's own WebSocket, fetch,
 * IndexedDB and tabs) runs one consumer, this test runs the other in Node (`ws`), both against the
 * real worker under Miniflare. The browser joins alone and owns the 4 partitions; the Node member
 * joins and the range assignor splits them (0-1 and 2-3, members sorted by id); each processes its
 * own, from the group's committed offsets; the browser's old generation is refused at the server
 * and nothing of it is applied; the browser stops (committing first) and the Node member takes all
 * four, with no record processed twice. The consumer never wrote to the tabs' IndexedDB cache.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project browser test/browser/consumer.test.ts
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Consumer, createClient, type EdgelogClient } from "../../client/index.ts";
import { NodeWebSocket, startServer, type TestServer } from "../node/client-harness.ts";
import { type ScriptPage, servePageScript } from "../node/page-server.ts";
import { makeTempDir, ROOT, removeDir, requestJson, waitFor } from "../node/runtime.ts";
import { callPage, describeInChromium, launchBrowser, type TestBrowser, WAIT_MS } from "./browser-harness.ts";
import type { ConsumerPageState, ConsumerTestApi } from "./consumer-page.ts";

const TOPIC = "shared";
const GROUP = "mixed-g";

function call<K extends keyof ConsumerTestApi & string>(page: Page, name: K, ...args: Parameters<ConsumerTestApi[K]>) {
  return callPage<ConsumerTestApi, K>(page, "consumerTest", name, ...args);
}

/** Waits until the page's member owns `partitions` in a generation above `after`. */
async function waitForPage(page: Page, partitions: number[], after = 0): Promise<ConsumerPageState> {
  let last: ConsumerPageState | null = null;
  return waitFor(
    `the browser member to own ${JSON.stringify(partitions)} (last: ${JSON.stringify(last)})`,
    async () => {
      last = await call(page, "state");
      return JSON.stringify(last.partitions) === JSON.stringify(partitions) && last.generation > after ? last : undefined;
    },
    WAIT_MS,
    50,
  );
}

/** Waits until the page's member processed `count` records. */
async function waitForProcessed(page: Page, count: number): Promise<void> {
  await waitFor(
    `the browser to process ${count} records`,
    async () => ((await call(page, "state")).processed.length >= count ? true : undefined),
    WAIT_MS,
  );
}

describeInChromium("a consumer group shared by a browser member and a Node member", () => {
  let dir = "";
  let site: ScriptPage;
  let server: TestServer;
  let browser: TestBrowser;
  let nodeClient: EdgelogClient | null = null;

  beforeAll(async () => {
    dir = await makeTempDir("edgelog-consumer-page-");
    site = await servePageScript(join(ROOT, "test", "browser", "consumer-page.ts"), dir, "edgelog consumer test");
    server = await startServer();
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    nodeClient?.close();
    await browser?.close();
    await server?.dispose();
    await site?.stop();
    await removeDir(dir);
  });

  it("shares the partitions, moves them in a rebalance with fenced commits, and processes each record once", async () => {
    const { api, url } = server;
    await api.createTopic(TOPIC, 4);
    const produceEach = async (count: number): Promise<void> => {
      for (const partition of [0, 1, 2, 3])
        await api.produce(TOPIC, { records: Array.from({ length: count }, (_, i) => ({ value: i })) }, partition);
    };
    const committed = async (): Promise<(number | null)[]> =>
      (await api.groupOffsets(GROUP, TOPIC)).partitions.map((line) => line.committedOffset);
    await produceEach(5);

    const page = await browser.context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(site.url);
    await call(page, "start", url, GROUP, TOPIC, "a-browser");
    let state = await waitForPage(page, [0, 1, 2, 3]);
    expect(state.generation).toBe(1);
    await waitForProcessed(page, 20);
    await call(page, "commit");
    expect(await committed()).toEqual([5, 5, 5, 5]);

    // The Node member joins: generation 2 splits the partitions between the two.
    nodeClient = createClient({ url, cache: "memory", WebSocket: NodeWebSocket, heartbeatIntervalMs: 1_000 });
    const nodeProcessed: { partition: number; offset: number }[] = [];
    const node: Consumer = nodeClient.consumer({ group: GROUP, topic: TOPIC, memberId: "b-node", reset: "earliest", autoCommit: false });
    await node.run({ eachRecord: (record) => void nodeProcessed.push({ partition: record.partition, offset: record.offset }) });
    expect(node.assignment).toEqual({ memberId: "b-node", generation: 2, partitions: [2, 3] });
    state = await waitForPage(page, [0, 1], 1);
    expect(state.generation).toBe(2);
    expect(state.revoked).toEqual([{ memberId: "a-browser", generation: 1, partitions: [2, 3], reason: "rebalance" }]);

    // Each processes its own partitions, the Node member from the browser's commit on.
    await produceEach(5);
    await waitFor("the Node member to process 10 records", () => (nodeProcessed.length >= 10 ? true : undefined), WAIT_MS);
    await waitForProcessed(page, 30);
    expect(nodeProcessed.map((r) => `${r.partition}@${r.offset}`).sort()).toEqual(keys([2, 3], 5, 10).sort());
    state = await call(page, "state");
    expect(
      state.processed
        .slice(20)
        .map((r) => `${r.partition}@${r.offset}`)
        .sort(),
    ).toEqual(keys([0, 1], 5, 10).sort());

    // Fenced: the browser's old generation commits nothing; its current one commits what it owns.
    const stale = { offsets: [{ topic: TOPIC, partition: 0, offset: 10 }], memberId: "a-browser", generation: 1 };
    const refused = await requestJson<{ error: { code: string } }>("PUT", `${url}/v1/groups/${GROUP}/offsets`, stale);
    expect([refused.status, refused.body.error.code]).toEqual([409, "ILLEGAL_GENERATION"]);
    expect(await committed()).toEqual([5, 5, 5, 5]);
    await call(page, "commit");
    await node.commit();
    expect(await committed()).toEqual([10, 10, 10, 10]);

    // The browser stops: it commits, leaves, and the rebalance gives the Node member all four.
    await produceEach(2);
    await waitForProcessed(page, 34);
    await call(page, "stop");
    expect(await committed()).toEqual([12, 12, 10, 10]);
    await waitFor("the Node member to own every partition", () => (node.assignment.partitions.length === 4 ? true : undefined), WAIT_MS);
    expect(node.generation).toBe(3);
    await produceEach(3);
    await waitFor("the Node member to process 24 records", () => (nodeProcessed.length >= 24 ? true : undefined), WAIT_MS);
    state = await call(page, "state");
    const all = [...state.processed, ...nodeProcessed].map((r) => `${r.partition}@${r.offset}`);
    expect(all.length).toBe(new Set(all).size);
    expect(all.sort()).toEqual(keys([0, 1, 2, 3], 0, 15).sort());
    expect(state.errors).toEqual([]);
    // Its own sockets and no cache: the tabs' IndexedDB holds nothing of the topic.
    expect(await call(page, "cachedRuns", TOPIC, 4)).toEqual([null, null, null, null]);
    await node.stop();
    expect(await committed()).toEqual([15, 15, 15, 15]);
  });
});

/** "p@o" for every offset from `from` to `to - 1` of each partition. */
function keys(partitions: number[], from: number, to: number): string[] {
  return partitions.flatMap((p) => Array.from({ length: to - from }, (_, i) => `${p}@${from + i}`));
}
