/**
 * Partition WebSocket subscriptions (PROTOCOL.md SOCKET-3 to SOCKET-8): hello, every start
 * position, push order across many subscribers, catch-up racing appends, and resuming after a
 * disconnect by offset or by a group commit made over the socket.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ProduceResponse, TopicDescription } from "../../client/protocol/index.ts";
import { PROTOCOL_VERSION, PROTOCOL_VERSIONS } from "../../client/protocol/index.ts";
import { type Answer, api, createTopic, produce, uniqueTopic } from "./http.ts";
import { closeAllSockets, expectOffsets, openSocket, subscribeSocket, type TestSocket } from "./socket.ts";

afterEach(closeAllSockets);

/** Produces `count` records valued `${prefix}${i}` to partition 0 in one request; answers their offsets. */
async function produceValues(topic: string, prefix: string, count: number, first = 0): Promise<number[]> {
  const records = Array.from({ length: count }, (_, i) => ({ value: `${prefix}${first + i}` }));
  const answer = await produce(topic, { records }, 0);
  return answer.offsets.map((o) => o.offset);
}

/** The message types a socket received, in order, with runs of `records` folded into one. */
function shape(sock: TestSocket): string[] {
  const types = sock.log.map((r) => r.message.type);
  return types.filter((type, i) => !(type === "records" && types[i - 1] === "records"));
}

describe("hello and start positions", () => {
  it("says hello first, and starts each subscription where `from` says, then stored records, then live", async () => {
    const topic = uniqueTopic("starts");
    await createTopic(topic, 1);
    // Records 0..4 at CreateTime 1000, 2000, ..., 5000; then offset 0 is deleted: logStartOffset 1.
    const records = Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, timestamp: 1_000 * (i + 1) }));
    await produce(topic, { records }, 0);
    expect((await api("DELETE", `/v1/topics/${topic}/partitions/0/records?before=1`)).status).toBe(200);
    const commit = await api("PUT", "/v1/groups/starts-g/offsets", { offsets: [{ topic, partition: 0, offset: 4 }] });
    expect(commit.status, JSON.stringify(commit.json)).toBe(200);

    const hello = await (await openSocket(topic, 0)).next("hello");
    const { topicId } = (await api<TopicDescription>("GET", `/v1/topics/${topic}`)).json;
    expect(hello).toEqual({
      type: "hello",
      version: PROTOCOL_VERSION,
      topic,
      topicId,
      partition: 0,
      logStartOffset: 1,
      highWatermark: 5,
      versions: [...PROTOCOL_VERSIONS],
    });

    const cases = [
      { subscribe: { from: "earliest" as const }, start: 1 },
      { subscribe: { from: "latest" as const }, start: 5 },
      { subscribe: { from: { offset: 3 } }, start: 3 },
      { subscribe: { from: { offset: 5 } }, start: 5 },
      // The first record at or after 2500 is offset 2 (3000).
      { subscribe: { from: { timestamp: 2_500 } }, start: 2 },
      { subscribe: { from: { timestamp: 99_999 } }, start: 5 },
      { subscribe: { from: "committed" as const, group: "starts-g" }, start: 4 },
      // A group with no commit: `reset` applies, latest by default (Kafka's auto.offset.reset).
      { subscribe: { from: "committed" as const, group: "never-committed", reset: "earliest" as const }, start: 1 },
      { subscribe: { from: "committed" as const, group: "never-committed", reset: "latest" as const }, start: 5 },
      { subscribe: { from: "committed" as const, group: "never-committed" }, start: 5 },
    ];
    for (const [n, { subscribe, start }] of cases.entries()) {
      const label = JSON.stringify(subscribe);
      const id = `s${n}`;
      const { sock, subscribed } = await subscribeSocket(topic, 0, { id, ...subscribe });
      expect(subscribed, label).toEqual({ type: "subscribed", id, offset: start, logStartOffset: 1, highWatermark: 5 });
      if (start < 5) {
        const got = await sock.collect(5);
        expectOffsets(got, start, 5 - start);
        expect(
          got.map((r) => [r.key, r.value, r.timestamp]),
          label,
        ).toEqual(records.slice(start).map((r) => [r.key, r.value, r.timestamp]));
      }
      expect(await sock.next("live"), label).toEqual({ type: "live", id, offset: 5 });
      expect(shape(sock), label).toEqual(start < 5 ? ["hello", "subscribed", "records", "live"] : ["hello", "subscribed", "live"]);
      sock.close();
    }
  });

  it("moves a subscription when the socket subscribes again (a seek)", async () => {
    const topic = uniqueTopic("seek");
    await createTopic(topic, 1);
    await produceValues(topic, "v", 4);
    const { sock } = await subscribeSocket(topic, 0, { id: "a", from: "earliest" });
    expectOffsets(await sock.collect(4), 0, 4);
    expect(await sock.next("live")).toEqual({ type: "live", id: "a", offset: 4 });
    sock.send({ type: "subscribe", id: "b", from: { offset: 2 } });
    expect((await sock.next("subscribed")).offset).toBe(2);
    const again = await sock.collect(4);
    expectOffsets(again, 2, 2);
    expect(again.map((r) => r.value)).toEqual(["v2", "v3"]);
    expect(await sock.next("live")).toEqual({ type: "live", id: "b", offset: 4 });
    // Unsubscribed, the socket gets no more records.
    sock.send({ type: "unsubscribe", id: "b" });
    expect(await sock.next("unsubscribed")).toEqual({ type: "unsubscribed", id: "b" });
    await produceValues(topic, "v", 1, 4);
    await sock.barrier();
    expect(sock.pending()).toEqual([]);
  });
});

describe("push order", () => {
  it("gives each of 20 subscribers exactly offsets 0..199 in order with their values", async () => {
    const topic = uniqueTopic("fanout");
    await createTopic(topic, 1);
    const socks: TestSocket[] = [];
    for (let i = 0; i < 20; i++) {
      const { sock, subscribed } = await subscribeSocket(topic, 0, { id: `s${i}`, from: "earliest" });
      expect(subscribed.offset).toBe(0);
      expect(await sock.next("live")).toEqual({ type: "live", id: `s${i}`, offset: 0 });
      socks.push(sock);
    }
    for (let request = 0; request < 10; request++) {
      const offsets = await produceValues(topic, "r", 20, request * 20);
      expect(offsets[0]).toBe(request * 20);
    }
    for (const sock of socks) {
      const records = await sock.collect(200);
      expectOffsets(records, 0, 200);
      expect(records.map((r) => r.value)).toEqual(Array.from({ length: 200 }, (_, i) => `r${i}`));
      await sock.barrier();
      expect(sock.pending()).toEqual([]);
    }
  });
});

describe("catch-up racing appends", () => {
  it("meets the live tail with no gap and no duplicate while a producer keeps appending", async () => {
    const topic = uniqueTopic("race");
    await createTopic(topic, 1);
    const REQUESTS = 80;
    const PER_REQUEST = 5;
    const total = REQUESTS * PER_REQUEST;
    const answers: Promise<Answer<ProduceResponse>>[] = [];
    // The producer fires a request every few ms without waiting for its answer.
    const producer = (async () => {
      for (let r = 0; r < REQUESTS; r++) {
        const records = Array.from({ length: PER_REQUEST }, (_, i) => ({ value: { r, i } }));
        answers.push(api<ProduceResponse>("POST", `/v1/topics/${topic}/partitions/0/records`, { records }));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    // Subscribe in the middle: after some appends have landed, while more are in flight.
    for (let turn = 0; turn < 1_000 && answers.length < 20; turn++) await new Promise((resolve) => setTimeout(resolve, 1));
    await answers[0];
    const { sock, subscribed } = await subscribeSocket(topic, 0, { id: "race", from: "earliest" });
    const records = await sock.collect(total, { consume: true });
    await producer;
    const produced = await Promise.all(answers);

    // Which value each offset must hold (requests may land in any order; each is contiguous).
    const expected = new Map<number, unknown>();
    produced.forEach((answer, r) => {
      expect(answer.status).toBe(200);
      for (const [i, position] of answer.json.offsets.entries()) expected.set(position.offset, { r, i });
    });
    expect(subscribed.offset).toBe(0);
    // The race happened: part of the log was stored before the subscription, part came after it.
    expect(subscribed.highWatermark).toBeGreaterThan(0);
    expect(subscribed.highWatermark).toBeLessThan(total);
    expectOffsets(records, 0, total);
    expect(records.map((r) => r.value)).toEqual(records.map((r) => expected.get(r.offset)));
    const liveAt = sock.log.findIndex((r) => r.message.type === "live");
    const lastRecords = sock.log.map((r) => r.message.type).lastIndexOf("records");
    expect(liveAt).toBeGreaterThan(0);
    expect(lastRecords).toBeGreaterThan(liveAt);
    // `live` once per catch-up: once, plus once after each pause (if the window ever filled).
    const count = (type: string) => sock.log.filter((r) => r.message.type === type).length;
    expect(count("live")).toBe(1 + count("paused"));
    await sock.barrier();
    expect(sock.pending().filter((type) => type === "records")).toEqual([]);
  });
});

describe("resume", () => {
  it("resumes after a disconnect from the next offset with exactly the rest", async () => {
    const topic = uniqueTopic("resume");
    await createTopic(topic, 1);
    await produceValues(topic, "v", 5);
    const first = await subscribeSocket(topic, 0, { id: "a", from: "earliest" });
    const seen = await first.sock.collect(5);
    await first.sock.next("live");
    await produceValues(topic, "v", 3, 5);
    seen.push(...(await first.sock.collect(8)));
    expectOffsets(seen, 0, 8);
    first.sock.close();

    await produceValues(topic, "v", 4, 8);
    const lastSeen = seen[seen.length - 1]!.offset;
    const second = await subscribeSocket(topic, 0, { id: "b", from: { offset: lastSeen + 1 } });
    expect(second.subscribed).toMatchObject({ offset: 8, highWatermark: 12 });
    const rest = await second.sock.collect(12);
    expectOffsets(rest, 8, 4);
    expect(rest.map((r) => r.value)).toEqual(["v8", "v9", "v10", "v11"]);
    expect(await second.sock.next("live")).toEqual({ type: "live", id: "b", offset: 12 });
  });

  it("resumes from a group offset committed over the socket", async () => {
    const topic = uniqueTopic("resume-group");
    await createTopic(topic, 1);
    await produceValues(topic, "v", 6);
    const first = await subscribeSocket(topic, 0, { id: "a", from: "committed", group: "readers", reset: "earliest" });
    expect(first.subscribed.offset).toBe(0);
    const seen = await first.sock.collect(6);
    first.sock.send({ type: "commit", id: "c", group: "readers", offset: seen[seen.length - 1]!.offset + 1 });
    expect(await first.sock.next("committed")).toEqual({ type: "committed", id: "c", group: "readers", offset: 6 });
    first.sock.close();

    await produceValues(topic, "v", 3, 6);
    const second = await subscribeSocket(topic, 0, { id: "b", from: "committed", group: "readers", reset: "earliest" });
    expect(second.subscribed.offset).toBe(6);
    const rest = await second.sock.collect(9);
    expectOffsets(rest, 6, 3);
    expect(rest.map((r) => r.value)).toEqual(["v6", "v7", "v8"]);
    expect(await second.sock.next("live")).toEqual({ type: "live", id: "b", offset: 9 });
  });
});
