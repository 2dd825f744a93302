/**
 * Requests over a partition socket (PROTOCOL.md SOCKET-10 to SOCKET-12, PING-1): produce -> ack (idempotent retries
 * answered with the original offsets), commit -> committed (visible over HTTP), errors as
 * `{type:"error", id, code}` that leave the socket usable, the protocol version check, exact
 * PING/PONG heartbeats, and the ws route's HTTP errors.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { GroupOffsetsResponse } from "../../client/protocol/index.ts";
import { PING, PONG } from "../../client/protocol/index.ts";
import { api, createTopic, expectError, fetchRecords, readAll, uniqueTopic } from "./http.ts";
import { closeAllSockets, openSocket, socketPath, upgradeRequest } from "./socket.ts";

afterEach(closeAllSockets);

describe("produce over the socket", () => {
  it("answers `ack` with the offsets, stores the records, and pushes them to subscribers", async () => {
    const topic = uniqueTopic("ws-produce");
    await createTopic(topic, 2);
    const sock = await openSocket(topic, 1);
    await sock.next("hello");
    sock.send({ type: "subscribe", id: "s", from: "earliest" });
    await sock.next("live");
    sock.send({ type: "produce", id: "p1", records: [{ value: 1 }, { key: "k", value: { two: 2 }, headers: { h: "v" }, timestamp: 42 }] });
    expect(await sock.next("ack")).toEqual({
      type: "ack",
      id: "p1",
      offsets: [
        { partition: 1, offset: 0 },
        { partition: 1, offset: 1 },
      ],
    });
    // A record may name this socket's own partition.
    sock.send({ type: "produce", id: "p2", records: [{ value: 3, partition: 1 }] });
    expect(await sock.next("ack")).toEqual({ type: "ack", id: "p2", offsets: [{ partition: 1, offset: 2 }] });

    const stored = await readAll(topic, 1);
    expect(stored.map((r) => [r.offset, r.key, r.value])).toEqual([
      [0, null, 1],
      [1, "k", { two: 2 }],
      [2, null, 3],
    ]);
    expect(stored[1]).toMatchObject({ headers: { h: "v" }, timestamp: 42 });
    expect((await fetchRecords(topic, 0)).highWatermark).toBe(0);
    const pushed = await sock.collect(3);
    expect(pushed).toEqual(stored);
  });

  it("answers an idempotent producer's retry with the same offsets and `duplicate: true`", async () => {
    const topic = uniqueTopic("ws-idempotent");
    await createTopic(topic, 1);
    const sock = await openSocket(topic, 0);
    await sock.next("hello");
    const producer = { id: "ws-producer", epoch: 0, sequence: 0 };
    const records = [{ value: "a" }, { value: "b" }];
    sock.send({ type: "produce", id: "first", records, producer });
    expect(await sock.next("ack")).toEqual({
      type: "ack",
      id: "first",
      offsets: [
        { partition: 0, offset: 0 },
        { partition: 0, offset: 1 },
      ],
    });
    sock.send({ type: "produce", id: "retry", records, producer });
    expect(await sock.next("ack")).toEqual({
      type: "ack",
      id: "retry",
      offsets: [
        { partition: 0, offset: 0 },
        { partition: 0, offset: 1 },
      ],
      duplicate: true,
    });
    // The next sequence appends; a gap is refused with the HTTP code.
    sock.send({ type: "produce", id: "next", records: [{ value: "c" }], producer: { ...producer, sequence: 2 } });
    expect(await sock.next("ack")).toEqual({ type: "ack", id: "next", offsets: [{ partition: 0, offset: 2 }] });
    sock.send({ type: "produce", id: "gap", records: [{ value: "d" }], producer: { ...producer, sequence: 9 } });
    expect(await sock.next("error")).toMatchObject({ type: "error", id: "gap", code: "OUT_OF_ORDER_SEQUENCE" });
    expect((await readAll(topic, 0)).map((r) => r.value)).toEqual(["a", "b", "c"]);
  });

  it('answers bad input with `{type:"error", id, code}` and stays usable', async () => {
    const topic = uniqueTopic("ws-errors");
    await createTopic(topic, 2);
    const sock = await openSocket(topic, 0);
    await sock.next("hello");
    const cases: { frame: string | ArrayBuffer; id: string | null; code: string }[] = [
      { frame: JSON.stringify({ type: "produce", id: "no-value", records: [{ key: "k" }] }), id: "no-value", code: "INVALID_RECORD" },
      { frame: JSON.stringify({ type: "produce", id: "bad-key", records: [{ key: 7, value: 1 }] }), id: "bad-key", code: "INVALID_RECORD" },
      { frame: JSON.stringify({ type: "produce", id: "empty", records: [] }), id: "empty", code: "INVALID_REQUEST" },
      {
        frame: JSON.stringify({ type: "produce", id: "elsewhere", records: [{ value: 1 }, { value: 2, partition: 1 }] }),
        id: "elsewhere",
        code: "INVALID_REQUEST",
      },
      { frame: JSON.stringify({ type: "frobnicate", id: "unknown" }), id: "unknown", code: "INVALID_REQUEST" },
      { frame: "{not json", id: null, code: "INVALID_JSON" },
      { frame: "[1,2]", id: null, code: "INVALID_REQUEST" },
      { frame: new TextEncoder().encode('{"type":"produce"}').buffer as ArrayBuffer, id: null, code: "INVALID_REQUEST" },
      { frame: JSON.stringify({ type: "subscribe", id: "far", from: { offset: 99 } }), id: "far", code: "OFFSET_OUT_OF_RANGE" },
      { frame: JSON.stringify({ type: "subscribe", id: "no-group", from: "committed" }), id: "no-group", code: "INVALID_REQUEST" },
      {
        frame: JSON.stringify({ type: "subscribe", id: "bad-group", from: "earliest", group: "a b" }),
        id: "bad-group",
        code: "INVALID_GROUP_NAME",
      },
      { frame: JSON.stringify({ type: "consumed", offset: -1 }), id: null, code: "INVALID_REQUEST" },
      { frame: JSON.stringify({ type: "commit", id: "past-end", group: "g", offset: 5 }), id: "past-end", code: "OFFSET_OUT_OF_RANGE" },
    ];
    for (const { frame, id, code } of cases) {
      sock.ws.send(frame);
      const error = await sock.next("error");
      expect(error, typeof frame === "string" ? frame : "binary frame").toMatchObject({ type: "error", id, code });
      expect(typeof error.message).toBe("string");
    }
    expect(sock.pending()).toEqual([]);
    expect(sock.closeEvent).toBeNull();
    // Nothing was appended, and the socket still works.
    expect((await fetchRecords(topic, 0)).highWatermark).toBe(0);
    expect((await fetchRecords(topic, 1)).highWatermark).toBe(0);
    sock.send({ type: "produce", id: "good", records: [{ value: "ok" }] });
    expect(await sock.next("ack")).toEqual({ type: "ack", id: "good", offsets: [{ partition: 0, offset: 0 }] });
  });

  it("closes a socket whose hello names a version it does not speak (4400), keeps one that names 1", async () => {
    const topic = uniqueTopic("ws-version");
    await createTopic(topic, 1);
    const good = await openSocket(topic, 0);
    await good.next("hello");
    good.send({ type: "hello", version: 1 });
    good.send({ type: "produce", id: "after-hello", records: [{ value: 1 }] });
    expect((await good.next("ack")).id).toBe("after-hello");
    expect(good.pending()).toEqual([]);

    const bad = await openSocket(topic, 0);
    await bad.next("hello");
    bad.send({ type: "hello", version: 3 });
    expect(await bad.next("error")).toMatchObject({ type: "error", id: null, code: "INVALID_REQUEST" });
    expect((await bad.closed()).code).toBe(4400);
  });
});

describe("commit over the socket", () => {
  it("answers `committed` and the commit is visible over HTTP", async () => {
    const topic = uniqueTopic("ws-commit");
    await createTopic(topic, 2);
    const sock = await openSocket(topic, 1);
    await sock.next("hello");
    sock.send({ type: "produce", id: "p", records: [{ value: 1 }, { value: 2 }, { value: 3 }] });
    await sock.next("ack");
    sock.send({ type: "commit", id: "c1", group: "ws-group", offset: 2, metadata: "from a socket" });
    expect(await sock.next("committed")).toEqual({ type: "committed", id: "c1", group: "ws-group", offset: 2 });
    const answer = await api<GroupOffsetsResponse>("GET", `/v1/groups/ws-group/offsets?topic=${topic}`);
    expect(answer.status).toBe(200);
    expect(answer.json.partitions).toEqual([
      { partition: 0, logStartOffset: 0, highWatermark: 0, committedOffset: null, metadata: null, lag: null },
      { partition: 1, logStartOffset: 0, highWatermark: 3, committedOffset: 2, metadata: "from a socket", lag: 1 },
    ]);
    // A later commit replaces it.
    sock.send({ type: "commit", id: "c2", group: "ws-group", offset: 3 });
    expect((await sock.next("committed")).offset).toBe(3);
    const after = await api<GroupOffsetsResponse>("GET", `/v1/groups/ws-group/offsets?topic=${topic}`);
    expect(after.json.partitions[1]).toMatchObject({ committedOffset: 3, metadata: null, lag: 0 });
  });
});

describe("heartbeats", () => {
  it("answers exactly PING with exactly PONG, and nothing else", async () => {
    const topic = uniqueTopic("ws-ping");
    await createTopic(topic, 1);
    const sock = await openSocket(topic, 0);
    await sock.next("hello");
    for (let i = 0; i < 3; i++) {
      sock.send(PING);
      expect(await sock.nextRaw()).toBe(PONG);
    }
    // Any other spelling is not the heartbeat: it reaches the partition, which knows no "ping".
    sock.send('{"type": "ping"}');
    expect(await sock.next("error")).toMatchObject({ id: null, code: "INVALID_REQUEST" });
    expect(sock.pending()).toEqual([]);
  });
});

describe("the ws route over HTTP", () => {
  it("answers 426 without Upgrade, 404 for an unknown topic or partition, 405 for other methods", async () => {
    const topic = uniqueTopic("ws-route");
    await createTopic(topic, 1);
    expectError(await api("GET", socketPath(topic, 0)), 426, "UPGRADE_REQUIRED");
    const upgrade = async (path: string) => {
      const res = await upgradeRequest(path);
      return { status: res.status, json: (await res.json()) as { error: { code: string } } };
    };
    expectError(await upgrade(socketPath(uniqueTopic("missing"), 0)), 404, "UNKNOWN_TOPIC");
    expectError(await upgrade(socketPath(topic, 1)), 404, "UNKNOWN_PARTITION");
    expectError(await upgrade(socketPath("bad name!", 0)), 400, "INVALID_TOPIC_NAME");
    expectError(await api("POST", socketPath(topic, 0), {}), 405, "METHOD_NOT_ALLOWED");
  });
});
