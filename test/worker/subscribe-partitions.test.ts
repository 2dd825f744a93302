/**
 * A topic of 16 partitions from one page (README "Architecture": one socket per partition): every keyed
 * record produced through the topic route arrives on the socket of the partition its answer
 * named, at the offset it named; deleting the topic tells every socket and closes it with 4404.
 */
import { afterEach, describe, expect, it } from "vitest";
import { CLOSE_TOPIC_DELETED, type FetchedRecord, type RecordInput } from "../../client/protocol/index.ts";
import { api, createTopic, expectError, produce, uniqueTopic } from "./http.ts";
import { closeAllSockets, socketPath, subscribeSocket, type TestSocket, upgradeRequest } from "./socket.ts";

afterEach(closeAllSockets);

const PARTITIONS = 16;

describe("one socket per partition", () => {
  it("delivers each record on the socket of the partition the produce answer named", async () => {
    const topic = uniqueTopic("sixteen");
    await createTopic(topic, PARTITIONS);
    const socks: TestSocket[] = [];
    for (let p = 0; p < PARTITIONS; p++) {
      const { sock, subscribed } = await subscribeSocket(topic, p, { id: `p${p}`, from: "latest" });
      expect(subscribed.offset).toBe(0);
      expect(await sock.next("live")).toEqual({ type: "live", id: `p${p}`, offset: 0 });
      expect(sock.log[0]!.message).toMatchObject({ type: "hello", partition: p });
      socks.push(sock);
    }

    // Expected per partition: [offset, key, value] in the order the answers placed them.
    const expected: [number, string, number][][] = Array.from({ length: PARTITIONS }, () => []);
    for (let request = 0; request < 3; request++) {
      const records: RecordInput[] = Array.from({ length: 40 }, (_, i) => ({
        key: `user-${(request * 40 + i) % 50}`,
        value: request * 40 + i,
      }));
      const answer = await produce(topic, { records });
      expect(answer.offsets).toHaveLength(records.length);
      for (const [i, { partition, offset }] of answer.offsets.entries()) {
        expected[partition]!.push([offset, records[i]!.key!, records[i]!.value as number]);
      }
    }
    // The keys spread: most partitions got records (murmur2 is deterministic, so this is fixed).
    expect(expected.filter((list) => list.length > 0).length).toBeGreaterThanOrEqual(12);

    for (let p = 0; p < PARTITIONS; p++) {
      const want = expected[p]!.sort((a, b) => a[0] - b[0]);
      const sock = socks[p]!;
      const got: FetchedRecord[] = want.length === 0 ? [] : await sock.collect(want[want.length - 1]![0] + 1);
      expect(
        got.map((r) => [r.offset, r.key, r.value]),
        `partition ${p}`,
      ).toEqual(want);
      // Every record once, and nothing from another partition.
      await sock.barrier();
      expect(sock.pending(), `partition ${p}`).toEqual([]);
      for (const received of sock.log) {
        if (received.message.type === "records") expect(received.message).toMatchObject({ topic, partition: p });
      }
    }
  });

  it("tells every socket UNKNOWN_TOPIC and closes it with 4404 when the topic is deleted", async () => {
    const topic = uniqueTopic("deleted");
    await createTopic(topic, PARTITIONS);
    const socks: TestSocket[] = [];
    for (let p = 0; p < PARTITIONS; p++) {
      const { sock } = await subscribeSocket(topic, p, { id: `p${p}`, from: "earliest" });
      await sock.next("live");
      socks.push(sock);
    }
    expect((await api("DELETE", `/v1/topics/${topic}`)).status).toBe(204);
    for (const sock of socks) {
      expect(await sock.next("error")).toMatchObject({ type: "error", id: null, code: "UNKNOWN_TOPIC" });
      expect((await sock.closed()).code).toBe(CLOSE_TOPIC_DELETED);
    }
    expect(CLOSE_TOPIC_DELETED).toBe(4404);
    // And the route refuses new sockets for it.
    const res = await upgradeRequest(socketPath(topic, 0));
    expectError({ status: res.status, json: await res.json() }, 404, "UNKNOWN_TOPIC");
  });
});
