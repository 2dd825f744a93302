/**
 * Flow control on partition sockets (PROTOCOL.md FLOW-1 to FLOW-5): a subscriber that reports
 * nothing `consumed` gets at most SUBSCRIBER_WINDOW_BYTES_MAX bytes or SUBSCRIBER_WINDOW_MESSAGES_MAX
 * messages, then `paused`; nothing more is pushed until a `consumed` (one past the last record
 * processed) resumes it, and it ends `live` having had every record exactly once.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { FetchedRecord } from "../../client/protocol/index.ts";
import { SUBSCRIBER_WINDOW_BYTES_MAX, SUBSCRIBER_WINDOW_MESSAGES_MAX } from "../../client/protocol/index.ts";
import { createTopic, produce, uniqueTopic } from "./http.ts";
import { closeAllSockets, expectOffsets, subscribeSocket } from "./socket.ts";
import { aloneFrameBytes, expectWithinWindow, type Round, readRound } from "./window.ts";

afterEach(closeAllSockets);

describe("the credit window", () => {
  // ASCII, and CJK text whose UTF-8 bytes are 3x its UTF-16 length: the window counts bytes, as
  // every limit does, so both stop at the same number of bytes.
  const fillers = [
    { name: "ASCII", filler: "x".repeat(1_000), records: 1_600 },
    { name: "CJK", filler: "世".repeat(1_000), records: 600 },
  ];
  for (const { name, filler, records: count } of fillers) {
    it(`stops a catch-up past SUBSCRIBER_WINDOW_BYTES_MAX (${name}), and \`consumed\` resumes it until live`, async () => {
      const topic = uniqueTopic("window-bytes");
      await createTopic(topic, 1);
      // ~1.7 MB of ~1-3 KiB records, well past the 1 MiB window, in requests under the batch limit.
      const value = (n: number) => ({ n, filler });
      let total = 0;
      for (let r = 0; r < 2; r++) {
        const records = Array.from({ length: count / 2 }, () => ({ value: value(total++) }));
        await produce(topic, { records }, 0);
      }
      const { sock, subscribed } = await subscribeSocket(topic, 0, { id: "slow", from: "earliest" });
      expect(subscribed.highWatermark).toBe(total);

      const all: FetchedRecord[] = [];
      let pauses = 0;
      let live = false;
      let paused: Round | null = null;
      for (let round = 0; round < 20 && !live; round++) {
        const got = await readRound(sock);
        all.push(...got.records);
        expect(got.messages).toBeGreaterThan(0);
        expectWithinWindow(got, `round ${round}`);
        expect(got.endOffset).toBe(all[all.length - 1]!.offset + 1);
        // The round before stopped because the window was full, and not before: out of messages,
        // or the next record's frame would not have fitted (D1: the window holds exactly).
        if (paused !== null) {
          const nextBytes = aloneFrameBytes(topic, 0, got.records[0]!, total);
          expect(paused.bytes + nextBytes > SUBSCRIBER_WINDOW_BYTES_MAX || paused.messages === SUBSCRIBER_WINDOW_MESSAGES_MAX).toBe(true);
        }
        if (got.end === "live") {
          live = true;
          break;
        }
        pauses += 1;
        paused = got;
        // Paused means paused: an append now is not pushed, and nothing follows `paused`.
        await produce(topic, { records: [{ value: value(total++) }] }, 0);
        await sock.barrier(`b${round}`);
        expect(sock.pending()).toEqual([]);
        sock.send({ type: "consumed", offset: got.endOffset });
      }
      expect(live).toBe(true);
      expect(pauses).toBeGreaterThanOrEqual(1);
      expectOffsets(all, 0, total);
      expect(all.map((r) => (r.value as { n: number }).n)).toEqual(Array.from({ length: total }, (_, i) => i));
    });
  }

  it("stops live pushes at SUBSCRIBER_WINDOW_MESSAGES_MAX messages, and `consumed` catches up", async () => {
    const topic = uniqueTopic("window-messages");
    await createTopic(topic, 1);
    const { sock } = await subscribeSocket(topic, 0, { id: "slow", from: "latest" });
    expect(await sock.next("live")).toEqual({ type: "live", id: "slow", offset: 0 });
    const APPENDS = SUBSCRIBER_WINDOW_MESSAGES_MAX + 6;
    for (let i = 0; i < APPENDS; i++) await produce(topic, { records: [{ value: i }] }, 0);
    await sock.barrier();
    // One message per append until the window holds MESSAGES_MAX, then one `paused`, then nothing.
    const expected = [...Array<string>(SUBSCRIBER_WINDOW_MESSAGES_MAX).fill("records"), "paused"];
    expect(sock.pending()).toEqual(expected);
    const pushed = await sock.collect(SUBSCRIBER_WINDOW_MESSAGES_MAX);
    expectOffsets(pushed, 0, SUBSCRIBER_WINDOW_MESSAGES_MAX);
    expect(await sock.next("paused")).toEqual({ type: "paused", id: "slow", offset: SUBSCRIBER_WINDOW_MESSAGES_MAX });

    sock.send({ type: "consumed", offset: SUBSCRIBER_WINDOW_MESSAGES_MAX });
    const rest = await sock.collect(APPENDS);
    expectOffsets(rest, SUBSCRIBER_WINDOW_MESSAGES_MAX, APPENDS - SUBSCRIBER_WINDOW_MESSAGES_MAX);
    expect(rest.map((r) => r.value)).toEqual(rest.map((r) => r.offset));
    expect(await sock.next("live")).toEqual({ type: "live", id: "slow", offset: APPENDS });
    // Live again: the next append is pushed at once, and a `consumed` while live sends nothing.
    await produce(topic, { records: [{ value: APPENDS }] }, 0);
    expectOffsets(await sock.collect(APPENDS + 1), APPENDS, 1);
    sock.send({ type: "consumed", offset: APPENDS + 1 });
    await sock.barrier();
    expect(sock.pending()).toEqual([]);
  });

  it("frees only the messages a `consumed` covers", async () => {
    const topic = uniqueTopic("window-partial");
    await createTopic(topic, 1);
    const { sock } = await subscribeSocket(topic, 0, { id: "s", from: "latest" });
    await sock.next("live");
    const APPENDS = SUBSCRIBER_WINDOW_MESSAGES_MAX + 10;
    for (let i = 0; i < APPENDS; i++) await produce(topic, { records: [{ value: i }] }, 0);
    expectOffsets(await sock.collect(SUBSCRIBER_WINDOW_MESSAGES_MAX), 0, SUBSCRIBER_WINDOW_MESSAGES_MAX);
    expect((await sock.next("paused")).offset).toBe(SUBSCRIBER_WINDOW_MESSAGES_MAX);
    // Consuming 3 of the 64 pushed messages frees 3 places: the catch-up sends one page (all 10
    // records fit in it) and is live again.
    sock.send({ type: "consumed", offset: 3 });
    expectOffsets(await sock.collect(APPENDS), SUBSCRIBER_WINDOW_MESSAGES_MAX, 10);
    expect((await sock.next("live")).offset).toBe(APPENDS);
    // The window now holds 62 messages: two more appends fill it, the third is held back.
    for (let i = 0; i < 3; i++) await produce(topic, { records: [{ value: APPENDS + i }] }, 0);
    await sock.barrier();
    expect(sock.pending()).toEqual(["records", "records", "paused"]);
    expectOffsets(await sock.collect(APPENDS + 2), APPENDS, 2);
    expect((await sock.next("paused")).offset).toBe(APPENDS + 2);
  });
});
