/**
 * The reference client, `@durable-streams/client`, against edgelog: it follows a topic partition
 * (`/v1/stream/topics/<topic>/<partition>`) in catch-up and live (long-poll and SSE), reads what
 * edgelog's own produce route wrote as whole records, and appends JSON messages that edgelog's
 * partition read then serves as record values; and it creates, appends to and reads a plain
 * Durable Stream. The real worker in workerd (Miniflare), authentication off.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/durable-streams-client.test.ts
 */
import { DurableStream, stream } from "@durable-streams/client";
import { describe, expect, it } from "vitest";
import { edgelogApi } from "./runtime.ts";
import { useScratchRuntime } from "./scratch-runtime.ts";

const runtime = useScratchRuntime("edgelog-ds-client-", { orders: 2 });

/** The topic record a topic stream serves. */
type TopicRecord = { offset: number; key: string | null; value: unknown; headers: Record<string, string> };

describe("@durable-streams/client on a topic partition", () => {
  it("reads what edgelog produced, appends messages edgelog reads back, and follows new records live", async () => {
    const api = edgelogApi(runtime().url);
    await api.produce("orders", { records: [{ key: "a", value: { n: 1 } }, { value: { n: 2 } }] }, 1);
    const url = `${runtime().url}/v1/stream/topics/orders/1`;

    const caughtUp = await stream<TopicRecord>({ url, live: false });
    const records = await caughtUp.json();
    expect(records.map((r) => [r.offset, r.key, r.value])).toStrictEqual([
      [0, "a", { n: 1 }],
      [1, null, { n: 2 }],
    ]);
    const tail = caughtUp.offset;

    const handle = await DurableStream.connect({ url });
    await handle.append(JSON.stringify({ n: 3 }));
    // The client sends each append inside an array (its batch), so an array is one message.
    await handle.append(JSON.stringify([{ n: 4 }, { n: 5 }]));
    await handle.append(JSON.stringify({ n: 6 }));
    const page = await api.readAll("orders", 1);
    expect(page.records.map((r) => r.value)).toStrictEqual([{ n: 1 }, { n: 2 }, { n: 3 }, [{ n: 4 }, { n: 5 }], { n: 6 }]);

    for (const live of ["long-poll", "sse"] as const) {
      const session = await stream<TopicRecord>({ url, offset: tail, live });
      const seen: unknown[] = [];
      const done = new Promise<void>((resolve) => {
        session.subscribeJson((batch) => {
          for (const item of batch.items) seen.push(item.value);
          if (seen.length >= (live === "sse" ? 4 : 3)) resolve();
        });
      });
      if (live === "sse") await api.produce("orders", { records: [{ value: { n: 7 } }] }, 1);
      await done;
      session.cancel();
      expect(seen.slice(0, 3)).toStrictEqual([{ n: 3 }, [{ n: 4 }, { n: 5 }], { n: 6 }]);
      if (live === "sse") expect(seen[3]).toStrictEqual({ n: 7 });
    }
  });

  it("refuses a topic stream's delete and an unknown topic", async () => {
    const url = `${runtime().url}/v1/stream/topics/orders/0`;
    expect((await fetch(url, { method: "DELETE" })).status).toBe(405);
    expect((await fetch(`${runtime().url}/v1/stream/topics/missing/0`)).status).toBe(404);
    expect((await fetch(`${runtime().url}/v1/stream/topics/orders/9`)).status).toBe(404);
  });
});

describe("@durable-streams/client on a plain stream", () => {
  it("creates, appends and reads back in JSON mode", async () => {
    const url = `${runtime().url}/v1/stream/client/chat-1`;
    const handle = await DurableStream.create({ url, contentType: "application/json" });
    await handle.append(JSON.stringify({ text: "héllo" }));
    await handle.append(JSON.stringify([{ text: "a" }, { text: "b" }]));
    const res = await handle.stream<{ text: string }>({ live: false });
    expect(await res.json()).toStrictEqual([{ text: "héllo" }, [{ text: "a" }, { text: "b" }]]);
    // A raw POST of an array is flattened one level (STREAM-6).
    await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: '[{"text":"c"},{"text":"d"}]' });
    const again = await handle.stream<{ text: string }>({ live: false });
    expect((await again.json()).slice(2)).toStrictEqual([{ text: "c" }, { text: "d" }]);
  });
});
