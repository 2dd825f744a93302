/**
 * What `consumed`, `live` and `paused` mean (decision D3) and what a seek, a refused subscribe and
 * an unsubscribe with an unknown id do to the running subscription (D4).
 */
import { afterEach, describe, expect, it } from "vitest";
import { SUBSCRIBER_WINDOW_MESSAGES_MAX } from "../../client/protocol/index.ts";
import { createTopic, produce, uniqueTopic } from "./http.ts";
import { closeAllSockets, expectOffsets, openSocket, subscribeSocket, type TestSocket } from "./socket.ts";
import { expectWithinWindow, filler, readRound } from "./window.ts";

afterEach(closeAllSockets);

/** Appends `appends` requests of `perAppend` records each to partition 0 (values are the offsets from `first`). */
async function appendEach(topic: string, appends: number, perAppend: number, first: number): Promise<void> {
  for (let a = 0; a < appends; a++) {
    const records = Array.from({ length: perAppend }, (_, i) => ({ value: first + a * perAppend + i }));
    await produce(topic, { records }, 0);
  }
}

/** A live subscriber whose window is full: 64 messages of `perAppend` records, then one append held back. */
async function fullWindow(topic: string, perAppend: number): Promise<TestSocket> {
  await createTopic(topic, 1);
  const { sock } = await subscribeSocket(topic, 0, { id: "s", from: "latest" });
  await sock.next("live");
  await appendEach(topic, SUBSCRIBER_WINDOW_MESSAGES_MAX + 1, perAppend, 0);
  const round = await readRound(sock);
  expect(round).toMatchObject({
    messages: SUBSCRIBER_WINDOW_MESSAGES_MAX,
    end: "paused",
    endOffset: SUBSCRIBER_WINDOW_MESSAGES_MAX * perAppend,
  });
  return sock;
}

/** Waits for what the partition sent so far and answers its types. */
async function settled(sock: TestSocket): Promise<string[]> {
  await sock.barrier();
  return sock.pending();
}

describe("consumed (D3)", () => {
  it("frees nothing of a message a partial `consumed` falls inside, and sends no second `paused`", async () => {
    const sock = await fullWindow(uniqueTopic("consumed-partial"), 2);
    // Offset 1 is inside the first message (offsets 0 and 1): nothing is freed, nothing is sent.
    sock.send({ type: "consumed", offset: 1 });
    expect(await settled(sock)).toEqual([]);
    // Offset 2 covers it: one place, one page (offsets 128 and 129), the end of the log.
    sock.send({ type: "consumed", offset: 2 });
    const round = await readRound(sock);
    expect(round.records.map((r) => r.offset)).toEqual([128, 129]);
    expect(round).toMatchObject({ end: "live", endOffset: 130 });
  });

  it("frees everything pushed for an offset past it, so the whole window is open again", async () => {
    const topic = uniqueTopic("consumed-past");
    const sock = await fullWindow(topic, 1);
    sock.send({ type: "consumed", offset: 1_000_000 });
    expect(await readRound(sock)).toMatchObject({ perMessage: [1], end: "live", endOffset: 65 });
    // Credit is not banked: the page pushed after that `consumed` is unconsumed, so 63 more fit.
    await appendEach(topic, SUBSCRIBER_WINDOW_MESSAGES_MAX + 1, 1, 65);
    expect(await settled(sock)).toEqual([...Array<string>(SUBSCRIBER_WINDOW_MESSAGES_MAX - 1).fill("records"), "paused"]);
  });

  it("ignores `consumed` without a subscription (no answer)", async () => {
    const topic = uniqueTopic("consumed-none");
    await createTopic(topic, 1);
    const sock = await openSocket(topic, 0);
    await sock.next("hello");
    sock.send({ type: "consumed", offset: 5 });
    expect(await settled(sock)).toEqual([]);
    sock.send({ type: "subscribe", id: "s", from: "earliest" });
    await sock.next("subscribed");
    await sock.next("live");
    sock.send({ type: "unsubscribe", id: "s" });
    await sock.next("unsubscribed");
    sock.send({ type: "consumed", offset: 0 });
    expect(await settled(sock)).toEqual([]);
  });

  it("says `paused` once per stop and `live` each time the end is reached after one", async () => {
    const topic = uniqueTopic("consumed-live-again");
    await createTopic(topic, 1);
    const { sock } = await subscribeSocket(topic, 0, { id: "s", from: "latest" });
    await sock.next("live");
    const big = (char: "x" | "世") => ({ value: filler(600_000, char) });
    await produce(topic, { records: [big("x")] }, 0); // 0: pushed
    await produce(topic, { records: [big("世")] }, 0); // 1: does not fit, paused at 1
    expect(await settled(sock)).toEqual(["records", "paused"]);
    await readRound(sock);
    // A consume that frees nothing, and an append while behind: the same stop, nothing sent.
    sock.send({ type: "consumed", offset: 0 });
    await produce(topic, { records: [{ value: "small" }] }, 0); // 2
    expect(await settled(sock)).toEqual([]);
    // Room for 1 and 2: live again.
    sock.send({ type: "consumed", offset: 1 });
    expect(await readRound(sock)).toMatchObject({ perMessage: [2], end: "live", endOffset: 3 });
    // A second stop: 3 does not fit beside 1 and 2; consuming 2 frees nothing of that message.
    await produce(topic, { records: [big("x")] }, 0); // 3
    expect(await settled(sock)).toEqual(["paused"]);
    expect(await sock.next("paused")).toEqual({ type: "paused", id: "s", offset: 3 });
    sock.send({ type: "consumed", offset: 2 });
    expect(await settled(sock)).toEqual([]);
    sock.send({ type: "consumed", offset: 3 });
    expect(await readRound(sock)).toMatchObject({ perMessage: [1], end: "live", endOffset: 4 });
    const types = sock.log.map((r) => r.message.type).filter((type) => type === "live" || type === "paused");
    expect(types).toEqual(["live", "paused", "live", "paused", "live"]);
  });
});

describe("seek, refused subscribe, unknown unsubscribe (D4)", () => {
  it("replaces the running subscription on a seek: what follows `subscribed` is the new one's", async () => {
    const topic = uniqueTopic("seek");
    await createTopic(topic, 1);
    await appendEach(topic, 1, 2_400, 0);
    const { sock } = await subscribeSocket(topic, 0, { id: "a", from: "earliest" });
    expect(await readRound(sock)).toMatchObject({ end: "live", endId: "a", endOffset: 2_400 });
    sock.send({ type: "subscribe", id: "b", from: { offset: 1_000 } });
    expect(await sock.nextFrame()).toMatchObject({ message: { type: "subscribed", id: "b", offset: 1_000 } });
    const b = await readRound(sock);
    expect(b).toMatchObject({ end: "live", endId: "b", endOffset: 2_400 });
    expectOffsets(b.records, 1_000, 1_400);
    // One subscription on the socket: an append is pushed once.
    await appendEach(topic, 1, 1, 2_400);
    expect(await settled(sock)).toEqual(["records"]);
  });

  it("pushes nothing of the old subscription after `subscribed`; the window is the socket's, so the new one waits for a `consumed` (FLOW-6)", async () => {
    const topic = uniqueTopic("seek-paused");
    await createTopic(topic, 1);
    for (let r = 0; r < 6; r++) await produce(topic, { records: [{ value: filler(399_999, r % 2 === 0 ? "x" : "世") }] }, 0);
    const { sock } = await subscribeSocket(topic, 0, { id: "a", from: "earliest" });
    expect(await readRound(sock)).toMatchObject({ perMessage: [2], end: "paused", endId: "a", endOffset: 2 });
    sock.send({ type: "subscribe", id: "b", from: { offset: 3 } });
    expect(await sock.nextFrame()).toMatchObject({ message: { type: "subscribed", id: "b", offset: 3 } });
    // a's unconsumed message still fills the socket's window: b is paused before any push.
    expect(await readRound(sock)).toMatchObject({ perMessage: [], end: "paused", endId: "b", endOffset: 3 });
    // A consumed covering a's message (offsets 0-1, end 2) frees it, though a is gone.
    sock.send({ type: "consumed", offset: 2 });
    const b = await readRound(sock);
    expectWithinWindow(b);
    expect(b).toMatchObject({ perMessage: [2], end: "paused", endId: "b", endOffset: 5 });
    expectOffsets(b.records, 3, 2);
  });

  it("leaves the running subscription untouched after a refused subscribe, and ignores an unknown unsubscribe", async () => {
    const topic = uniqueTopic("seek-refused");
    const sock = await fullWindow(topic, 1);
    // Refused: an offset past the log, and a committed start without a group.
    sock.send({ type: "subscribe", id: "far", from: { offset: 999 } });
    expect(await sock.next("error")).toMatchObject({ id: "far", code: "OFFSET_OUT_OF_RANGE" });
    sock.send({ type: "subscribe", id: "nogroup", from: "committed" } as never);
    expect(await sock.next("error")).toMatchObject({ id: "nogroup", code: "INVALID_REQUEST" });
    // An unknown id: answered, and nothing else changes.
    sock.send({ type: "unsubscribe", id: "other" });
    expect(await sock.next("unsubscribed")).toEqual({ type: "unsubscribed", id: "other" });
    expect(await settled(sock)).toEqual([]);
    // Still "s", still paused at 64 with its window full: consuming resumes it from there.
    sock.send({ type: "consumed", offset: SUBSCRIBER_WINDOW_MESSAGES_MAX });
    const round = await readRound(sock);
    expect(round).toMatchObject({ perMessage: [1], end: "live", endId: "s", endOffset: SUBSCRIBER_WINDOW_MESSAGES_MAX + 1 });
    await appendEach(topic, 1, 1, SUBSCRIBER_WINDOW_MESSAGES_MAX + 1);
    expectOffsets(await sock.collect(SUBSCRIBER_WINDOW_MESSAGES_MAX + 2), SUBSCRIBER_WINDOW_MESSAGES_MAX + 1, 1);
    // Its own id ends it.
    sock.send({ type: "unsubscribe", id: "s" });
    expect(await sock.next("unsubscribed")).toEqual({ type: "unsubscribed", id: "s" });
    await appendEach(topic, 1, 1, SUBSCRIBER_WINDOW_MESSAGES_MAX + 2);
    expect(await settled(sock)).toEqual([]);
  });
});
