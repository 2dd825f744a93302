/**
 * What a registry schema costs on the produce path (SCHEMA-6), measured: batch-100 produce over
 * HTTP and over the partition socket to a one-partition topic without a schema and to one whose
 * `-value` subject validates every record (an object with typed, bounded members), on the
 * Miniflare API (workerd straight on a port, as the bench's edgelog-miniflare system). Runs
 * alternate A, B, A, B… so that the machine's noise falls on both; the figure is acked events per
 * second, the median of the runs.
 *
 * Run it (not part of `npm run bench`; 2 runs of each by default, ~30 s):
 *   npx esbuild bench/schema-cost.ts --bundle --platform=node --format=esm --packages=external \
 *     --log-level=warning --outfile=.tmp/bench/schema-cost.mjs && node .tmp/bench/schema-cost.mjs [runs] [batches]
 *
 * @example
 * // node .tmp/bench/schema-cost.mjs 3 300 → a table of events/s and the ratio with/without
 */
import { join } from "node:path";
import WebSocket from "ws";
import { bundleWorker, makeTempDir, startMiniflare } from "../test/node/runtime.ts";

const BATCH_RECORDS = 100;
const SCHEMA = {
  type: "object",
  required: ["i", "ts", "pad"],
  additionalProperties: false,
  properties: {
    i: { type: "integer", minimum: 0 },
    ts: { type: "number" },
    pad: { type: "string", maxLength: 200 },
    tag: { enum: ["a", "b"] },
  },
};

/** The batch's body: 100 values of ~100 bytes. */
function batch(from: number): string {
  const records = Array.from(
    { length: BATCH_RECORDS },
    (_, k) => `{"value":{"i":${from + k},"ts":${Date.now()},"pad":"${"x".repeat(60)}","tag":"a"}}`,
  );
  return `{"records":[${records.join(",")}]}`;
}

async function ok(response: Promise<Response>): Promise<void> {
  const answer = await response;
  if (!answer.ok) throw new Error(`${answer.status} ${await answer.text()}`);
  await answer.arrayBuffer();
}

async function httpRun(url: string, topic: string, batches: number): Promise<number> {
  const start = performance.now();
  for (let b = 0; b < batches; b++) {
    await ok(fetch(`${url}/v1/topics/${topic}/partitions/0/records`, { method: "POST", body: batch(b * BATCH_RECORDS) }));
  }
  return (batches * BATCH_RECORDS) / ((performance.now() - start) / 1000);
}

async function socketRun(url: string, topic: string, batches: number): Promise<number> {
  const ws = new WebSocket(`${url.replace("http", "ws")}/v1/topics/${topic}/partitions/0/ws`);
  const frames: string[] = [];
  let wake: (() => void) | null = null;
  ws.on("message", (data) => {
    frames.push(String(data));
    wake?.();
  });
  const next = async (): Promise<string> => {
    while (frames.length === 0) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    return frames.shift()!;
  };
  await next(); // hello
  const start = performance.now();
  for (let b = 0; b < batches; b++) {
    const body = batch(b * BATCH_RECORDS);
    ws.send(`{"type":"produce","id":"p${b}",${body.slice(1)}`);
    const answer = await next();
    if (!answer.includes('"ack"')) throw new Error(answer.slice(0, 200));
  }
  const rate = (batches * BATCH_RECORDS) / ((performance.now() - start) / 1000);
  ws.close();
  return rate;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 2);
  const batches = Number(process.argv[3] ?? 200);
  const dir = await makeTempDir("edgelog-schema-cost-");
  const runtime = await startMiniflare({ scriptPath: await bundleWorker(join(dir, "bundle")), persistDir: join(dir, "state") });
  try {
    const rates: Record<string, number[]> = {};
    for (let run = 0; run < runs; run++) {
      for (const withSchema of [false, true]) {
        const topic = `cost-${run}-${withSchema ? "schema" : "plain"}`;
        await ok(fetch(`${runtime.url}/v1/topics/${topic}`, { method: "PUT", body: '{"partitions":1}' }));
        if (withSchema) {
          const body = JSON.stringify({ schema: JSON.stringify(SCHEMA) });
          await ok(fetch(`${runtime.url}/v1/schemas/subjects/${topic}-value/versions`, { method: "POST", body }));
        }
        for (const [variant, measure] of [
          ["http", httpRun],
          ["socket", socketRun],
        ] as const) {
          const key = `${variant} ${withSchema ? "schema" : "none"}`;
          const rate = await measure(runtime.url, topic, batches);
          rates[key] = [...(rates[key] ?? []), rate];
        }
      }
    }
    for (const variant of ["http", "socket"]) {
      const none = median(rates[`${variant} none`]!);
      const schema = median(rates[`${variant} schema`]!);
      console.log(
        `${variant}: ${Math.round(none)} events/s without, ${Math.round(schema)} with a schema (x${(schema / none).toFixed(2)}; per event +${((1 / schema - 1 / none) * 1e6).toFixed(2)} µs)`,
      );
    }
  } finally {
    await runtime.stop();
  }
}

await main();
