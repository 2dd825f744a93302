/**
 * The bench's smoke run (`bench/`, profile "smoke": a few events, one run each), so `npm run bench`
 * cannot rot: every system starts and stops, every scenario yields a well-formed figure, and the
 * JSON and SVG are written. No timing is asserted: this machine is shared and noisy.
 *
 * Redis and NATS come from Debian (.ci/run installs them), and scenario 6 (the browser client's
 * IndexedDB cache) runs in Debian's Chromium. In CI a missing binary fails the test; elsewhere
 * that peer (or scenario 6) is skipped with a message.
 */
import { readFile } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { decodeFrames } from "../../bench/floors/client-decode.ts";
import { startFloors } from "../../bench/floors/floor-system.ts";
import { PEER_BINARIES, which } from "../../bench/install.ts";
import { ALL_SYSTEMS, type BenchOutput, runBench } from "../../bench/main.ts";
import { PROFILES } from "../../bench/profiles.ts";
import { missingChromium } from "../../bench/scenarios/browser-cache.ts";
import type { SystemId } from "../../bench/systems/types.ts";
import { RecordDelivery } from "../../client/record-delivery.ts";
import { makeTempDir, removeDir } from "./runtime.ts";

/** The smoke bench's wall-clock bound in this test, in ms (it takes ~15-30 s here). */
const SMOKE_TIMEOUT_MS = 300_000;

const smoke = PROFILES.smoke;
const fanOut = smoke.fanOut.cases.map((c) => `fan-out-${c.subscribers}`);
const concurrent = `concurrent-${smoke.concurrent.producers}`;
const batches = smoke.batch.sizes.map((size) => `batch-${size}`);

/** [scenario, variant] pairs every system must have measured. */
function expectedFor(system: SystemId): [string, string][] {
  const produce = (variants: string[]): [string, string][] =>
    ["serial", ...batches].flatMap((scenario) => variants.map((v): [string, string] => [scenario, v]));
  const fan = (variant: string): [string, string][] => fanOut.map((scenario): [string, string] => [scenario, variant]);
  switch (system) {
    case "edgelog-wrangler":
    case "edgelog-miniflare":
      return [
        ...produce(["http", "ws"]),
        [concurrent, "ws"],
        ["latency", "ws->ws"],
        ["catch-up", "ws"],
        ["catch-up", "decode-floor"],
        ["catch-up", "http"],
        ...fan("ws"),
        ["overhead", "worker-only"],
        ["overhead", "object-read"],
        ["overhead", "ws-ping"],
      ];
    case "floor-wrangler":
    case "floor-miniflare":
      return [["serial", "serial"], [concurrent, "serial"], ...batches.map((scenario): [string, string] => [scenario, "batch"])];
    case "node-relay":
      return [["latency", "ws->ws"]];
    case "redis":
      return [
        ...produce(["native", "resp"]),
        [concurrent, "native"],
        ["latency", "native->native"],
        ["catch-up", "xrange"],
        ...fan("native"),
      ];
    case "redis-always":
      return [...produce(["native", "resp"]), [concurrent, "native"]];
    case "nats":
      return [
        ["serial", "native"],
        ...batches.flatMap((scenario) => ["native", "inbox"].map((v): [string, string] => [scenario, v])),
        ["latency", "native->native"],
        ["latency", "ws->ws"],
        ["catch-up", "consumer"],
        ...fan("native"),
      ];
    case "durable-streams":
    case "edgelog-streams":
      return [...produce(["native"]), ["latency", "native->sse"], ["catch-up", "read"], ...fan("sse")];
  }
}

const inCi = process.env.CI === "true";
const missingPeers = Object.values(PEER_BINARIES).filter((binary) => which(binary) === null);
if (missingPeers.length > 0 && !inCi) {
  console.warn(
    `bench smoke: ${missingPeers.join(" and ")} not installed, so those peers are skipped (apt-get install -y redis-server nats-server; CI installs them)`,
  );
}

// Scenario 6 runs in Debian's Chromium: in CI a missing browser fails the run (requireChromium).
const chromiumMissing = missingChromium();
if (chromiumMissing !== null && !inCi) console.warn(`bench smoke: scenario 6 (browser cache) is skipped: ${chromiumMissing}`);

describe("npm run bench, smoke profile", () => {
  let outDir = "";
  let output: BenchOutput;
  const lines: string[] = [];

  afterAll(async () => {
    if (outDir !== "") await removeDir(outDir);
  });

  it(
    "measures every scenario on every system and writes the JSON and the SVG",
    async () => {
      outDir = await makeTempDir("edgelog-bench-smoke-");
      // In CI a missing peer binary fails the run (requirePeers); elsewhere it is skipped.
      output = await runBench({
        profile: "smoke",
        outDir,
        installPeers: false,
        requirePeers: inCi,
        requireChromium: inCi,
        log: (line) => lines.push(line),
      });
      const { result } = output;

      expect(result.profile).toBe("smoke");
      const ran = result.systems.filter((s) => s.skipped === undefined).map((s) => s.id);
      const expectedSystems = ALL_SYSTEMS.filter(
        (id) =>
          !((id === "redis" || id === "redis-always") && missingPeers.includes("redis-server")) &&
          !(id === "nats" && missingPeers.includes("nats-server")),
      );
      expect(ran).toEqual(expectedSystems);

      for (const system of ran) {
        for (const [scenario, variant] of expectedFor(system)) {
          const m = result.measurements.find((x) => x.system === system && x.scenario === scenario && x.variant === variant);
          const where = `${system} ${scenario} ${variant}`;
          expect(m, where).toBeDefined();
          expect(m!.error, `${where}: ${m!.error}`).toBeUndefined();
          expect(m!.skipped, where).toBeUndefined();
          expect(m!.runs.length, where).toBeGreaterThanOrEqual(1);
          for (const [metric, summary] of Object.entries(m!.summary)) {
            expect(Number.isFinite(summary.median), `${where} ${metric}`).toBe(true);
            expect(summary.min <= summary.median && summary.median <= summary.max, `${where} ${metric}`).toBe(true);
          }
        }
      }

      // Scenario 6, the browser cache in Chromium: finite figures and a verdict on each target, or
      // (without Chromium, outside CI) a skip that says why.
      const browserRows = result.rows.filter((r) => r.label.startsWith("6 "));
      expect(browserRows.map((r) => r.label.replace(/ \(.*$/, ""))).toEqual(["6 browser cache replay", "6 browser cache write"]);
      const browser = result.measurements.find((m) => m.system === "edgelog-browser" && m.scenario === "browser-cache");
      if (chromiumMissing === null) {
        expect(browser?.error, browser?.error).toBeUndefined();
        expect(browser?.skipped).toBeUndefined();
        expect(browser!.runs.length).toBeGreaterThanOrEqual(1);
        expect(browser!.runs[0]!.counts?.events).toBe(smoke.browserCache.events);
        for (const row of browserRows) {
          expect(Number.isFinite(row.edgelog?.median), row.label).toBe(true);
          expect(row.edgelog!.median, row.label).toBeGreaterThan(0);
          expect(["pass", "miss"], row.label).toContain(row.result);
        }
      } else {
        expect(browser?.skipped).toBe(chromiumMissing);
        for (const row of browserRows) expect(row.edgelog).toBeNull();
      }
      const costRows = result.rows.filter((r) => r.unit === "USD");
      expect(costRows.length).toBe(2 * (1 + smoke.batch.sizes.length));
      for (const row of costRows) {
        expect(Number.isFinite(row.edgelog?.median)).toBe(true);
        // One event per request is priced without a target (issue 12); every batched mode has one.
        if (row.label.includes("(serial ")) expect(row.result, row.label).toBe("n/a");
        else expect(["pass", "miss"], row.label).toContain(row.result);
      }

      // The floors and the peer of equal durability (issue 12): each gives a ratio, each target a verdict.
      const floorPeers = [
        "floor (a): 1-INSERT object, wrangler dev",
        "floor (a): 1-INSERT object, Miniflare",
        "floor (b): batch object, wrangler dev",
        "floor (b): batch object, Miniflare",
        "floor (c): Node relay, no storage",
        "floor (d): client decode of those frames",
        ...(missingPeers.includes("redis-server") ? [] : ["Redis Streams, appendfsync always"]),
      ];
      for (const label of floorPeers) {
        const rows = result.rows.filter((r) => r.peerLabel === label && r.unit !== "µs/event");
        expect(rows.length, label).toBeGreaterThan(0);
        for (const row of rows) expect(Number.isFinite(row.ratio), `${row.label} vs ${label}`).toBe(true);
      }
      const cpuRows = result.rows.filter((r) => r.unit === "µs/event");
      expect(cpuRows.length).toBe(4);
      for (const row of cpuRows) {
        // A few smoke events may take less than one /proc tick (10 ms): zero, but a figure.
        expect(row.edgelogDirect?.median, row.label).toBeGreaterThanOrEqual(0);
        if (row.target !== "") expect(["pass", "miss"], row.label).toContain(row.result);
      }
      for (const row of result.rows.filter((r) => r.target !== "" && r.unit !== "USD")) {
        const peerRan = row.peer !== null && ran.includes(row.peer);
        if (peerRan) expect(["pass", "miss"], `${row.label} vs ${row.peerLabel}`).toContain(row.result);
      }

      // The files a person looks at.
      const json = JSON.parse(await readFile(output.jsonPath, "utf8")) as typeof result;
      expect(json.rows.length).toBe(result.rows.length);
      expect(json.measurements.length).toBe(result.measurements.length);
      const svg = await readFile(output.svgPath, "utf8");
      expect(svg.startsWith("<svg")).toBe(true);
      expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
      expect(svg).not.toContain("pending client library");
      expect(svg).toContain("6 browser cache replay");
      expect(output.report.some((line) => line.includes("edgelog/peer"))).toBe(true);
    },
    SMOKE_TIMEOUT_MS,
  );
});

describe("the bench's floors", () => {
  it("floor (b) refuses a frame it cannot parse with INVALID_MESSAGE and acks the next one", async () => {
    const dir = await makeTempDir("edgelog-bench-floors-");
    const floors = await startFloors(dir);
    try {
      const log = await floors.openLog("refusal-0");
      const batch = await log.producer("batch");
      await expect(batch.send(["not json"])).rejects.toThrow(/INVALID_MESSAGE/);
      await batch.send(['{"i":0}', '{"i":1}']);
      const serial = await log.producer("serial");
      await serial.send(['{"i":2}']);
      await expect(log.producer("other")).rejects.toThrow(/no producer "other"/);
      await log.close();
    } finally {
      await floors.stop();
      await removeDir(dir);
    }
  }, 60_000);

  it("floor (d) decodes each record once, in order, as the client does", () => {
    const delivery = new RecordDelivery<unknown>({
      callback: undefined,
      subscription: null,
      decode: undefined,
      reportError: () => undefined,
    });
    const frame = (offsets: number[]) =>
      JSON.stringify({ type: "records", id: "s", records: offsets.map((offset) => ({ offset, value: { i: offset } })) });
    // A page seen again (a redelivery) is skipped by offset, as client/subscription.ts skips it.
    expect(decodeFrames([frame([0, 1, 2]), frame([1, 2]), frame([3])], "t", delivery)).toBe(4);
    expect(decodeFrames(['{"type":"live","id":"s"}'], "t", delivery)).toBe(0);
  });
});
