/**
 * Group commit over real sockets, black-box in the local runtime (workerd through the Miniflare
 * API, SQLite on disk): many sockets producing at once on one partition, each serially, as
 * idempotent producers, get distinct, contiguous offsets in each socket's order; a subscriber
 * gets the pushes in offset order; two sockets sending the same idempotent batch at once get one
 * append; and after the runtime is stopped and started again on the same state, every acknowledged
 * record is read back as it was sent (an ack leaves only after the commit that holds its data).
 * The object-level cases (turns, refusals beside good appends, the queue bound) are in
 * test/worker/group-commit.test.ts.
 * Rules: PROTOCOL.md PRODUCE-6, PRODUCER-4, SOCKET-15, LOG-3.
 *
 * @example
 * // npx vitest run --config test/vitest.config.ts --project node test/node/group-commit.test.ts
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { bundleWorker, edgelogApi, type LocalRuntime, makeTempDir, removeDir, startMiniflare } from "./runtime.ts";

const TOPIC = "grouped";
const SOCKETS = 16;
const FRAMES_PER_SOCKET = 25;
/** Bound on any one wait for a frame, in ms. */
const FRAME_TIMEOUT_MS = 20_000;

/** The fields of server frames read here. */
interface Frame {
  type: string;
  id?: string | null;
  code?: string;
  duplicate?: boolean;
  offsets?: { partition: number; offset: number }[];
  records?: { offset: number; value: unknown }[];
}

/** A producing (or subscribing) socket: frames answered by id, pushes to a callback. */
class Client {
  private readonly ws: WebSocket;
  private readonly waiting = new Map<string, (frame: Frame) => void>();
  onRecords: (records: { offset: number; value: unknown }[]) => void = () => undefined;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      if (frame.type === "records") {
        const records = frame.records ?? [];
        if (records.length > 0) this.ws.send(JSON.stringify({ type: "consumed", offset: records.at(-1)!.offset + 1 }));
        this.onRecords(records);
      } else if (typeof frame.id === "string") this.waiting.get(frame.id)?.(frame);
    });
  }

  /** Opens a socket on partition 0 and waits for its hello. */
  static open(url: string): Promise<Client> {
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/v1/topics/${TOPIC}/partitions/0/ws`, { perMessageDeflate: false });
    return new Promise((resolve, reject) => {
      ws.once("error", reject);
      ws.once("message", () => resolve(new Client(ws)));
    });
  }

  /** Sends a frame with `id` and resolves with the answer naming it (bounded wait). */
  request(id: string, frame: Record<string, unknown>): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${id} in ${FRAME_TIMEOUT_MS} ms`)), FRAME_TIMEOUT_MS);
      this.waiting.set(id, (answer) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(answer);
      });
      this.ws.send(JSON.stringify({ ...frame, id }));
    });
  }

  /** Produces `values` as producer `producer` at `sequence`; answers the ack's first offset and whether it was a duplicate. */
  async produce(id: string, values: unknown[], producer: string, sequence: number): Promise<{ offset: number; duplicate: boolean }> {
    const records = values.map((value) => ({ value }));
    const answer = await this.request(id, { type: "produce", records, producer: { id: producer, epoch: 0, sequence } });
    expect(answer.type, JSON.stringify(answer)).toBe("ack");
    expect(answer.offsets?.length).toBe(values.length);
    return { offset: answer.offsets![0]!.offset, duplicate: answer.duplicate === true };
  }

  close(): void {
    this.ws.terminate();
  }
}

describe("group commit over sockets", () => {
  let dir = "";
  let scriptPath = "";
  let runtime: LocalRuntime | null = null;
  const clients: Client[] = [];
  /** Each acknowledged record's value, by offset. */
  const acked = new Map<number, unknown>();

  beforeAll(async () => {
    dir = await makeTempDir("edgelog-group-commit-");
    scriptPath = await bundleWorker(join(dir, "bundle"));
    runtime = await startMiniflare({ scriptPath, persistDir: join(dir, "do") });
    await edgelogApi(runtime.url).createTopic(TOPIC, 1);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await runtime?.stop();
    await removeDir(dir);
  });

  it(`${SOCKETS} sockets producing at once get distinct contiguous offsets, in each socket's order; a subscriber gets them in offset order`, async () => {
    const url = runtime!.url;
    const subscriber = await Client.open(url);
    clients.push(subscriber);
    const pushed: number[] = [];
    subscriber.onRecords = (records) => pushed.push(...records.map((r) => r.offset));
    expect((await subscriber.request("s", { type: "subscribe", from: "earliest" })).type).toBe("subscribed");
    const producers = await Promise.all(Array.from({ length: SOCKETS }, () => Client.open(url)));
    clients.push(...producers);

    const perSocket = await Promise.all(
      producers.map(async (client, s) => {
        const offsets: number[] = [];
        for (let i = 0; i < FRAMES_PER_SOCKET; i++) {
          const value = { socket: s, frame: i };
          const { offset, duplicate } = await client.produce(`p${i}`, [value], `gc-producer-${s}`, i);
          expect(duplicate).toBe(false);
          acked.set(offset, value);
          offsets.push(offset);
        }
        return offsets;
      }),
    );
    const total = SOCKETS * FRAMES_PER_SOCKET;
    expect([...acked.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
    for (const offsets of perSocket) expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    const deadline = Date.now() + FRAME_TIMEOUT_MS;
    while (pushed.length < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pushed).toEqual(Array.from({ length: total }, (_, i) => i));
  });

  it("appends once an idempotent batch that two sockets send at once, with others producing beside it", async () => {
    const [first, second, ...others] = clients.slice(1);
    const batch = [{ twin: 1 }, { twin: 2 }];
    const [a, b] = await Promise.all([
      first!.produce("twin-a", batch, "gc-twin", 0),
      second!.produce("twin-b", batch, "gc-twin", 0),
      ...others.map((client, k) => client.produce("beside", [{ beside: k }], `gc-beside-${k}`, 0)),
    ]);
    expect(a!.offset).toBe(b!.offset);
    expect([a!.duplicate, b!.duplicate].sort()).toEqual([false, true]);
    acked.set(a!.offset, batch[0]);
    acked.set(a!.offset + 1, batch[1]);
    const { records, highWatermark } = await edgelogApi(runtime!.url).readAll(TOPIC, 0);
    expect(highWatermark).toBe(SOCKETS * FRAMES_PER_SOCKET + batch.length + others.length);
    expect(records.filter((r) => JSON.stringify(r.value).includes("twin"))).toHaveLength(2);
  });

  it("reads back every acknowledged record after the runtime is stopped and started again", async () => {
    for (const client of clients.splice(0)) client.close();
    await runtime!.stop();
    runtime = await startMiniflare({ scriptPath, persistDir: join(dir, "do") });
    const { records } = await edgelogApi(runtime.url).readAll(TOPIC, 0);
    const byOffset = new Map(records.map((r) => [r.offset, r.value]));
    expect(acked.size).toBe(SOCKETS * FRAMES_PER_SOCKET + 2);
    for (const [offset, value] of acked) expect(byOffset.get(offset), `offset ${offset}`).toEqual(value);
  });
});
