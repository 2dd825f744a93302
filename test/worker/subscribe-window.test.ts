/**
 * The window holds exactly (decision D1) and live pushes are paged (D2), for catch-up and the live
 * tail alike: at most SUBSCRIBER_WINDOW_MESSAGES_MAX messages and SUBSCRIBER_WINDOW_BYTES_MAX bytes
 * unconsumed, a message's bytes being the UTF-8 length of the whole `records` frame, except one
 * message of a single record when nothing is unconsumed; at most PUSH_RECORDS_MAX records per
 * message. Records are ASCII and CJK (3 UTF-8 bytes per UTF-16 unit).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { FetchedRecord, JsonValue } from "../../client/protocol/index.ts";
import {
  PUSH_RECORDS_MAX,
  RECORD_BYTES_MAX,
  RECORD_TIMESTAMP_BYTES_MAX,
  SUBSCRIBER_WINDOW_BYTES_MAX,
  SUBSCRIBER_WINDOW_MESSAGES_MAX,
} from "../../client/protocol/index.ts";
import { createTopic, produce, uniqueTopic } from "./http.ts";
import { closeAllSockets, expectOffsets, subscribeSocket } from "./socket.ts";
import { aloneFrameBytes, expectWithinWindow, filler, readRound } from "./window.ts";

afterEach(closeAllSockets);

/** Produces `values` to partition 0, `perRequest` records per request. */
async function produceValues(topic: string, values: readonly JsonValue[], perRequest: number): Promise<void> {
  for (let i = 0; i < values.length; i += perRequest) {
    await produce(topic, { records: values.slice(i, i + perRequest).map((value) => ({ value })) }, 0);
  }
}

describe("catch-up keeps the window (D1)", () => {
  const cases = [
    // 300 KB records: three fit the window, a fourth is the overshoot a "minimum 1" read made.
    { name: "300 KB ASCII records", values: Array.from({ length: 8 }, (_, n) => ({ n, s: filler(300_000, "x") })), perRequest: 3 },
    { name: "300 KB CJK records", values: Array.from({ length: 8 }, (_, n) => ({ n, s: filler(300_000, "世") })), perRequest: 3 },
    // ~150-byte records: the `{"offset":N,` prefixes, commas and envelope are ~15% of a frame.
    {
      name: "small records (framing counts)",
      values: Array.from({ length: 12_000 }, (_, n) => ({ n, s: filler(99, "x") })),
      perRequest: 4_000,
    },
    { name: "small CJK records", values: Array.from({ length: 9_000 }, (_, n) => ({ n, s: filler(99, "世") })), perRequest: 3_000 },
  ];
  for (const { name, values, perRequest } of cases) {
    it(`stops before the window would pass its bytes, whole frames counted (${name})`, async () => {
      const topic = uniqueTopic("window-catch-up");
      await createTopic(topic, 1);
      await produceValues(topic, values, perRequest);
      const { sock, subscribed } = await subscribeSocket(topic, 0, { id: "s", from: "earliest" });
      const all: FetchedRecord[] = [];
      const rounds = [];
      for (let turn = 0; turn < 50; turn++) {
        const round = await readRound(sock);
        expect(round.endId).toBe("s");
        expectWithinWindow(round, `round ${turn}`);
        for (const count of round.perMessage) expect(count).toBeLessThanOrEqual(PUSH_RECORDS_MAX);
        all.push(...round.records);
        rounds.push(round);
        expect(round.endOffset).toBe(all.length);
        if (round.end === "live") break;
        sock.send({ type: "consumed", offset: round.endOffset });
      }
      expect(rounds[rounds.length - 1]!.end).toBe("live");
      expect(rounds.length).toBeGreaterThan(1);
      expectOffsets(all, 0, values.length);
      expect(all.map((r) => r.value)).toEqual(values);
      // Each pause was needed: the window was out of messages, or the next record would not fit.
      for (let r = 0; r + 1 < rounds.length; r++) {
        const { bytes, messages } = rounds[r]!;
        const next = rounds[r + 1]!.records[0]!;
        const full =
          messages === SUBSCRIBER_WINDOW_MESSAGES_MAX ||
          bytes + aloneFrameBytes(topic, 0, next, subscribed.highWatermark) > SUBSCRIBER_WINDOW_BYTES_MAX;
        expect(full, `round ${r} paused with room left`).toBe(true);
      }
    });
  }
});

describe("live pushes keep the window (D1)", () => {
  it("pushes the first of two 600 KB appends and pauses before the second; `consumed` catches up", async () => {
    const topic = uniqueTopic("window-live-600k");
    await createTopic(topic, 1);
    const { sock } = await subscribeSocket(topic, 0, { id: "s", from: "latest" });
    expect(await sock.next("live")).toEqual({ type: "live", id: "s", offset: 0 });
    const values = [filler(600_000, "x"), filler(600_000, "世")];
    for (const value of values) await produce(topic, { records: [{ value }] }, 0);
    await sock.barrier();
    expect(sock.pending()).toEqual(["records", "paused"]);
    const first = await readRound(sock);
    expect(first).toMatchObject({ perMessage: [1], end: "paused", endOffset: 1 });
    expectWithinWindow(first);
    sock.send({ type: "consumed", offset: 1 });
    const second = await readRound(sock);
    expect(second).toMatchObject({ perMessage: [1], end: "live", endOffset: 2 });
    expect(second.records[0]!.value).toBe(values[1]);
  });

  it("pushes a record larger than the window alone, and only with nothing unconsumed (catch-up and live)", async () => {
    const topic = uniqueTopic("window-huge");
    await createTopic(topic, 1);
    // The largest record a topic takes: RECORD_BYTES_MAX stored (its tail is 35 bytes around the
    // value's characters, plus RECORD_TIMESTAMP_BYTES_MAX); its frame alone passes the window.
    const huge = filler(RECORD_BYTES_MAX - RECORD_TIMESTAMP_BYTES_MAX - 35, "世");
    const { sock: live } = await subscribeSocket(topic, 0, { id: "live", from: "latest" });
    await live.next("live");
    await produce(topic, { records: [{ value: "small-0" }] }, 0);
    await produce(topic, { records: [{ value: huge }] }, 0);
    await live.barrier();
    // One small message unconsumed: the huge one waits.
    expect(live.pending()).toEqual(["records", "paused"]);
    expect(await readRound(live)).toMatchObject({ perMessage: [1], end: "paused", endOffset: 1 });
    live.send({ type: "consumed", offset: 1 });
    const alone = await readRound(live);
    expect(alone).toMatchObject({ perMessage: [1], end: "live", endOffset: 2 });
    expect(alone.bytes).toBeGreaterThan(SUBSCRIBER_WINDOW_BYTES_MAX);
    expect(alone.records[0]!.value).toBe(huge);
    // With the huge message unconsumed, nothing more goes.
    await produce(topic, { records: [{ value: "small-2" }] }, 0);
    await live.barrier();
    expect(live.pending()).toEqual(["paused"]);
    expect(await live.next("paused")).toEqual({ type: "paused", id: "live", offset: 2 });

    // The same log read by a catch-up: small, pause, huge alone, pause, small, live.
    const { sock } = await subscribeSocket(topic, 0, { id: "catch-up", from: "earliest" });
    const shapes = [];
    for (let turn = 0; turn < 3; turn++) {
      const round = await readRound(sock);
      expectWithinWindow(round, `round ${turn}`);
      shapes.push([round.records.map((r) => r.offset), round.end]);
      if (round.end === "paused") sock.send({ type: "consumed", offset: round.endOffset });
    }
    expect(shapes).toEqual([
      [[0], "paused"],
      [[1], "paused"],
      [[2], "live"],
    ]);
  });
});

describe("live pushes are paged (D2)", () => {
  it("pushes an append of 10,000 records as 20 messages of 500, the same frames to every subscriber", async () => {
    const topic = uniqueTopic("window-page");
    await createTopic(topic, 1);
    const a = (await subscribeSocket(topic, 0, { id: "a", from: "latest" })).sock;
    const b = (await subscribeSocket(topic, 0, { id: "b", from: "latest" })).sock;
    await a.next("live");
    await b.next("live");
    await produceValues(
      topic,
      Array.from({ length: 10_000 }, (_, n) => n),
      10_000,
    );
    for (const sock of [a, b]) {
      await sock.barrier();
      expect(sock.pending()).toEqual(Array<string>(20).fill("records"));
    }
    const framesOf = (sock: typeof a) => sock.log.filter((r) => r.message.type === "records");
    expect(framesOf(a).map((r) => r.raw)).toEqual(framesOf(b).map((r) => r.raw));
    const records = await a.collect(10_000);
    expectOffsets(records, 0, 10_000);
    expect(records.map((r) => r.value)).toEqual(records.map((r) => r.offset));
    expect(framesOf(a).map((r) => (r.message as { records: unknown[] }).records.length)).toEqual(Array<number>(20).fill(PUSH_RECORDS_MAX));
    expect(framesOf(a).reduce((sum, r) => sum + r.bytes, 0)).toBeLessThanOrEqual(SUBSCRIBER_WINDOW_BYTES_MAX);
  });

  it("pushes as many pages of a second 10,000-record append as the window allows, the rest after `consumed`", async () => {
    const topic = uniqueTopic("window-page-2");
    await createTopic(topic, 1);
    const { sock } = await subscribeSocket(topic, 0, { id: "s", from: "latest" });
    await sock.next("live");
    await produceValues(
      topic,
      Array.from({ length: 10_000 }, (_, n) => n),
      10_000,
    );
    await produceValues(
      topic,
      Array.from({ length: 10_000 }, (_, n) => 10_000 + n),
      10_000,
    );
    await sock.barrier();
    expect(sock.pending().at(-1)).toBe("paused");
    const first = await readRound(sock);
    expect(first.end).toBe("paused");
    expectWithinWindow(first);
    expect(first.messages).toBeGreaterThan(20);
    expect(first.messages).toBeLessThan(40);
    for (const count of first.perMessage) expect(count).toBeLessThanOrEqual(PUSH_RECORDS_MAX);
    sock.send({ type: "consumed", offset: first.endOffset });
    const rest = await readRound(sock);
    expect(rest.end).toBe("live");
    expectOffsets([...first.records, ...rest.records], 0, 20_000);
  });

  it("cuts a live page at the window's bytes too (500 CJK records whose one frame would pass 1 MiB)", async () => {
    const topic = uniqueTopic("window-page-bytes");
    await createTopic(topic, 1);
    const { sock } = await subscribeSocket(topic, 0, { id: "s", from: "latest" });
    await sock.next("live");
    // 500 records of 2,031 bytes of value: 1,047,500 bytes stored (under BATCH_BYTES_MAX), but
    // ~1,053,000 as one frame with the offsets and timestamps.
    const values = Array.from({ length: PUSH_RECORDS_MAX }, () => filler(2_031, "世"));
    await produceValues(topic, values, PUSH_RECORDS_MAX);
    await sock.barrier();
    expect(sock.pending().at(-1)).toBe("paused");
    const first = await readRound(sock);
    expectWithinWindow(first);
    expect(first.end).toBe("paused");
    sock.send({ type: "consumed", offset: first.endOffset });
    const rest = await readRound(sock);
    expectWithinWindow(rest);
    expect(rest.end).toBe("live");
    expectOffsets([...first.records, ...rest.records], 0, PUSH_RECORDS_MAX);
  });
});
